import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Checkbox, Card, Col, DatePicker, Form, Input, InputNumber, Row, Select, Table, Tag, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { may } from '../../../domain/access';
import { api, ApiError, errorTitle, unwrap } from '../api/client';
import type { CalendarOverride, CalendarStatus } from '../api/types';
import { loadSession } from '../session';
import { ErrorState } from '../components/States';

/** GET /api/admin/calendar/status (api/routes/calendar.ts), one row per year. */
type YearStatus = CalendarStatus['years'][number];

const knownFromLabels: Record<string, string> = { package: '内置节假日数据', declared: '人工导入并声明完整', overrides: '人工录入' };

/** `春节 2027-02-10~2027-02-16` → a named holiday range; `春节 2027-02-07` → a named make-up working day. */
export function parseLines(text: string, what: 'holidays' | 'workdays'): { name: string; from: string; to: string }[] {
  const out: { name: string; from: string; to: string }[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line) continue;
    const m = line.match(/^(\S+)\s+(\d{4}-\d{2}-\d{2})(?:\s*[~～至]\s*(\d{4}-\d{2}-\d{2}))?$/);
    if (!m || (what === 'workdays' && m[3])) throw new Error(`无法识别：${line}（格式：${what === 'holidays' ? '春节 2027-02-10~2027-02-16' : '春节 2027-02-07'}）`);
    out.push({ name: m[1]!, from: m[2]!, to: m[3] ?? m[2]! });
  }
  return out;
}

/** 工作日历: each year's status, a whole year's State Council schedule imported at once, single overrides. */
export function CalendarAdmin() {
  const session = loadSession()!;
  const queryClient = useQueryClient();
  const isAdmin = may(session.user, 'admin');
  const thisYear = dayjs().year();
  const status = useQuery({ queryKey: ['calendar-status'], queryFn: () => unwrap(api.GET('/api/admin/calendar/status')) });
  const overrides = useQuery({ queryKey: ['calendar-overrides'], queryFn: () => unwrap(api.GET('/api/admin/calendar-overrides')) });
  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: ['calendar-status'] });
    void queryClient.invalidateQueries({ queryKey: ['calendar-overrides'] });
  };
  const [importForm] = Form.useForm<{ year: number; sourceDocument: string; holidays: string; workdays?: string; complete: boolean }>();
  const importYear = useMutation({
    mutationFn: (v: { year: number; sourceDocument: string; holidays: { name: string; from: string; to: string }[]; workdays: { date: string; name: string }[]; complete: boolean }) =>
      unwrap(
        api.POST('/api/admin/calendar/years/{year}', { params: { path: { year: v.year } }, body: { sourceDocument: v.sourceDocument, holidays: v.holidays, workdays: v.workdays, complete: v.complete } }),
      ),
    onSuccess: refresh,
    onError: (err) => {
      if (err instanceof ApiError && Object.keys(err.fields).length)
        importForm.setFields(Object.entries(err.fields).map(([path, message]) => ({ name: path.startsWith('workdays') ? 'workdays' : path.startsWith('holidays') ? 'holidays' : 'sourceDocument', errors: [`${path}：${message}`] })));
    },
  });
  const [oneForm] = Form.useForm<{ date: Dayjs; kind: 'workday' | 'holiday'; source: string }>();
  const saveOne = useMutation({
    mutationFn: (v: { date: string; kind: 'workday' | 'holiday'; source: string }) => unwrap(api.POST('/api/admin/calendar-overrides', { body: { overrides: [v] } })),
    onSuccess: refresh,
  });
  const listed = status.data?.years ?? [];
  // Next year always shows: a year the service has no data for at all is not in the answer, and it is not known.
  const withNext = status.data && !listed.some((y) => y.year === thisYear + 1)
    ? [...listed, { year: thisYear + 1, complete: false, knownFrom: null, sourceDocument: null, declaredBy: null, declaredAt: null, overrides: 0, waitingLimits: 0 }]
    : listed;
  const shownYears = withNext.filter((y) => y.year >= thisYear - 2 || !y.complete || y.waitingLimits > 0);

  return (
    <Card title={<Typography.Title level={1} style={{ fontSize: 20, margin: 0 }}>工作日历</Typography.Title>}>
      <Typography.Title level={2} style={{ fontSize: 16 }}>各年度状态</Typography.Title>
      {status.isError ? (
        <ErrorState error={status.error} onRetry={() => void status.refetch()} />
      ) : (
        <Table<YearStatus>
          size="small"
          rowKey="year"
          loading={status.isPending}
          pagination={false}
          dataSource={shownYears}
          locale={{ emptyText: '暂无年度数据' }}
          columns={[
            { title: '年度', dataIndex: 'year' },
            { title: '状态', dataIndex: 'complete', render: (k: boolean) => (k ? <Tag color="green">完整，可计算期限</Tag> : <Tag color="red">未完整：涉及该年度工作日的期限暂缓计算</Tag>) },
            { title: '数据来源', dataIndex: 'knownFrom', render: (s: string | null) => (s ? (knownFromLabels[s] ?? s) : '—') },
            { title: '依据文件', dataIndex: 'sourceDocument', render: (s: string | null) => s ?? '—' },
            { title: '人工录入', dataIndex: 'overrides', render: (n: number) => `${n} 天` },
            { title: '等待该年度的期限', dataIndex: 'waitingLimits', render: (n: number) => (n ? <Tag color="orange">{n} 项</Tag> : '0') },
          ]}
        />
      )}
      {importYear.error ? <Alert type="error" showIcon role="alert" style={{ margin: '16px 0' }} message={errorTitle(importYear.error)} description={importYear.error.message} /> : null}
      {importYear.data ? <Alert type="success" showIcon role="status" style={{ margin: '16px 0' }} message={`已导入 ${importYear.data.year} 年：放假 ${importYear.data.holidayDays} 天，调休上班 ${importYear.data.workdays} 天${importYear.data.complete ? '，已声明完整' : ''}`} /> : null}
      {saveOne.data ? <Alert type="success" showIcon role="status" style={{ margin: '16px 0' }} message={`已保存 ${saveOne.data.saved} 天`} /> : null}
      {saveOne.error ? <Alert type="error" showIcon role="alert" style={{ margin: '16px 0' }} message={errorTitle(saveOne.error)} description={saveOne.error.message} /> : null}
      {isAdmin ? (
        <Row gutter={24} style={{ marginTop: 16 }}>
          <Col xs={24} lg={14}>
            <Typography.Title level={2} style={{ fontSize: 16 }}>导入国务院办公厅放假安排</Typography.Title>
            <Form
              form={importForm}
              layout="vertical"
              initialValues={{ year: thisYear + 1, complete: true }}
              onFinish={(v) => {
                try {
                  const holidays = parseLines(v.holidays, 'holidays');
                  const workdays = parseLines(v.workdays ?? '', 'workdays').map((w) => ({ date: w.from, name: w.name }));
                  importYear.mutate({ year: v.year, sourceDocument: v.sourceDocument, holidays, workdays, complete: v.complete });
                } catch (err) {
                  importForm.setFields([{ name: 'holidays', errors: [(err as Error).message] }]);
                }
              }}
            >
              <Form.Item name="year" label="年度" rules={[{ required: true }]}>
                <InputNumber min={2000} max={2100} />
              </Form.Item>
              <Form.Item name="sourceDocument" label="文件文号" rules={[{ required: true, min: 2, message: '请填写文号，如 国办发明电〔2026〕N号' }]}>
                <Input placeholder="国办发明电〔2026〕N号" />
              </Form.Item>
              <Form.Item name="holidays" label="放假安排（每行：节日 起~止，如 春节 2027-02-10~2027-02-16）" rules={[{ required: true, message: '请填写放假安排' }]}>
                <Input.TextArea rows={7} />
              </Form.Item>
              <Form.Item name="workdays" label="调休上班（每行：节日 日期，如 春节 2027-02-07）">
                <Input.TextArea rows={3} />
              </Form.Item>
              <Form.Item name="complete" valuePropName="checked">
                <Checkbox>声明该年度日历完整（此后该年度的工作日期限即可计算）</Checkbox>
              </Form.Item>
              <Button type="primary" htmlType="submit" loading={importYear.isPending}>导入</Button>
            </Form>
          </Col>
          <Col xs={24} lg={10}>
            <Typography.Title level={2} style={{ fontSize: 16 }}>单日调整</Typography.Title>
            <Form form={oneForm} layout="vertical" initialValues={{ kind: 'holiday' }} onFinish={(v) => saveOne.mutate({ date: v.date.format('YYYY-MM-DD'), kind: v.kind, source: v.source })}>
              <Form.Item name="date" label="日期" rules={[{ required: true, message: '请选择日期' }]}>
                <DatePicker style={{ width: '100%' }} />
              </Form.Item>
              <Form.Item name="kind" label="类型">
                <Select options={[{ value: 'holiday', label: '休息日' }, { value: 'workday', label: '工作日' }]} />
              </Form.Item>
              <Form.Item name="source" label="依据" rules={[{ required: true, min: 2, message: '请填写依据' }]}>
                <Input />
              </Form.Item>
              <Button htmlType="submit" loading={saveOne.isPending}>保存</Button>
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
            { title: '名称', dataIndex: 'name', render: (n?: string | null) => n ?? '—' },
            { title: '依据', dataIndex: 'source' },
            { title: '录入人', dataIndex: 'createdBy' },
          ]}
        />
      )}
    </Card>
  );
}
