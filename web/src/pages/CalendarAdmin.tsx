import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Card, Col, DatePicker, Form, Input, Row, Select, Table, Tag, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { may } from '../../../domain/access';
import { api, errorTitle, unwrap } from '../api/client';
import type { CalendarOverride } from '../api/types';
import { loadSession } from '../session';
import { ErrorState } from '../components/States';

/** Lines like `2027-02-10` or `2027-02-15~2027-02-21` → every date they name. */
export function expandDates(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.split(/[\n,，;；]+/)) {
    const line = raw.trim();
    if (!line) continue;
    const [a, b] = line.split(/\s*[~～至-]{1}\s*(?=\d{4}-)/);
    const start = dayjs(a);
    const end = b ? dayjs(b) : start;
    if (!start.isValid() || !end.isValid() || end.isBefore(start)) throw new Error(`无法识别的日期：${line}`);
    for (let d = start; !d.isAfter(end); d = d.add(1, 'day')) out.push(d.format('YYYY-MM-DD'));
  }
  return out;
}

/** 工作日历: each year's status, next year's State Council schedule imported at once, single overrides. */
export function CalendarAdmin() {
  const session = loadSession()!;
  const queryClient = useQueryClient();
  const isAdmin = may(session.user, 'admin');
  const years = useQuery({ queryKey: ['calendar-years'], queryFn: () => unwrap(api.GET('/api/admin/calendar-years')) });
  const overrides = useQuery({ queryKey: ['calendar-overrides'], queryFn: () => unwrap<{ items: CalendarOverride[] }>(api.GET('/api/admin/calendar-overrides')) });
  const save = useMutation({
    mutationFn: (items: { date: string; kind: 'workday' | 'holiday'; source: string }[]) => unwrap<{ saved: number }>(api.POST('/api/admin/calendar-overrides', { body: { overrides: items } })),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: ['calendar-years'] });
      void queryClient.invalidateQueries({ queryKey: ['calendar-overrides'] });
    },
  });
  const [importForm] = Form.useForm<{ source: string; holidays: string; workdays?: string }>();
  const [oneForm] = Form.useForm<{ date: Dayjs; kind: 'workday' | 'holiday'; source: string }>();

  return (
    <Card title={<Typography.Title level={1} style={{ fontSize: 20, margin: 0 }}>工作日历</Typography.Title>}>
      <Typography.Title level={2} style={{ fontSize: 16 }}>各年度状态</Typography.Title>
      {years.isError ? (
        <ErrorState error={years.error} onRetry={() => void years.refetch()} />
      ) : (
        <Table
          size="small"
          rowKey="year"
          loading={years.isPending}
          pagination={false}
          dataSource={years.data?.items ?? []}
          columns={[
            { title: '年度', dataIndex: 'year' },
            { title: '内置节假日数据', dataIndex: 'package', render: (v: boolean) => (v ? '有' : '无') },
            { title: '人工录入', dataIndex: 'overrides', render: (n: number) => `${n} 天` },
            { title: '状态', dataIndex: 'known', render: (k: boolean) => (k ? <Tag color="green">可计算期限</Tag> : <Tag color="red">未录入：涉及该年度的工作日期限将被拒绝</Tag>) },
          ]}
        />
      )}
      {save.error ? <Alert type="error" showIcon role="alert" style={{ margin: '16px 0' }} message={errorTitle(save.error)} description={save.error.message} /> : null}
      {save.data ? <Alert type="success" showIcon role="status" style={{ margin: '16px 0' }} message={`已保存 ${save.data.saved} 天`} /> : null}
      {isAdmin ? (
        <Row gutter={24} style={{ marginTop: 16 }}>
          <Col xs={24} lg={14}>
            <Typography.Title level={2} style={{ fontSize: 16 }}>导入国务院办公厅放假安排</Typography.Title>
            <Form
              form={importForm}
              layout="vertical"
              onFinish={(v) => {
                try {
                  const items = [
                    ...expandDates(v.holidays).map((date) => ({ date, kind: 'holiday' as const, source: v.source })),
                    ...expandDates(v.workdays ?? '').map((date) => ({ date, kind: 'workday' as const, source: v.source })),
                  ];
                  save.mutate(items);
                } catch (err) {
                  importForm.setFields([{ name: 'holidays', errors: [(err as Error).message] }]);
                }
              }}
            >
              <Form.Item name="source" label="文件文号" rules={[{ required: true, min: 2, message: '请填写文号，如 国办发明电〔2026〕N号' }]}>
                <Input placeholder="国办发明电〔2026〕N号" />
              </Form.Item>
              <Form.Item name="holidays" label="放假日期（每行一个日期或区间，如 2027-02-10~2027-02-16）" rules={[{ required: true, message: '请填写放假日期' }]}>
                <Input.TextArea rows={6} />
              </Form.Item>
              <Form.Item name="workdays" label="调休上班日期">
                <Input.TextArea rows={3} />
              </Form.Item>
              <Button type="primary" htmlType="submit" loading={save.isPending}>导入</Button>
            </Form>
          </Col>
          <Col xs={24} lg={10}>
            <Typography.Title level={2} style={{ fontSize: 16 }}>单日调整</Typography.Title>
            <Form form={oneForm} layout="vertical" initialValues={{ kind: 'holiday' }} onFinish={(v) => save.mutate([{ date: v.date.format('YYYY-MM-DD'), kind: v.kind, source: v.source }])}>
              <Form.Item name="date" label="日期" rules={[{ required: true, message: '请选择日期' }]}>
                <DatePicker style={{ width: '100%' }} />
              </Form.Item>
              <Form.Item name="kind" label="类型">
                <Select options={[{ value: 'holiday', label: '休息日' }, { value: 'workday', label: '工作日' }]} />
              </Form.Item>
              <Form.Item name="source" label="依据" rules={[{ required: true, min: 2, message: '请填写依据' }]}>
                <Input />
              </Form.Item>
              <Button htmlType="submit" loading={save.isPending}>保存</Button>
            </Form>
          </Col>
        </Row>
      ) : null}
      <Typography.Title level={2} style={{ fontSize: 16, marginTop: 24 }}>已录入的调整</Typography.Title>
      {overrides.isError ? (
        <ErrorState error={overrides.error} onRetry={() => void overrides.refetch()} />
      ) : (
        <Table<CalendarOverride>
          size="small"
          rowKey="date"
          loading={overrides.isPending}
          dataSource={overrides.data?.items ?? []}
          locale={{ emptyText: '尚无人工录入的调整' }}
          pagination={{ pageSize: 20 }}
          columns={[
            { title: '日期', dataIndex: 'date' },
            { title: '类型', dataIndex: 'kind', render: (k: string) => (k === 'holiday' ? '休息日' : '工作日') },
            { title: '依据', dataIndex: 'source' },
            { title: '录入人', dataIndex: 'createdBy' },
          ]}
        />
      )}
    </Card>
  );
}
