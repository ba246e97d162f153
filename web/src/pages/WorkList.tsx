import { useMemo, useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Card, Checkbox, Form, Input, Modal, Select, Space, Table, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { Link, useSearchParams } from 'react-router-dom';
import dayjs from 'dayjs';
import { may } from '../../../domain/access';
import { api, unwrap, ApiError } from '../api/client';
import type { TaskItem } from '../api/types';
import { countingLabels, label, statusLabels, taskLabel, taskLabels } from '../labels';
import { loadSession } from '../session';
import { ErrorState } from '../components/States';
import { UnitSelect } from '../components/UnitSelect';

export function timeLeftText(t: Pick<TaskItem, 'timeLeft' | 'overdue' | 'dueAt'>): string {
  if (!t.dueAt) return '无时限';
  if (!t.timeLeft) return '待计算（工作日历缺少该年度）';
  const unit = countingLabels[t.timeLeft.counting];
  if (t.overdue || t.timeLeft.days < 0) return `已超期 ${Math.abs(t.timeLeft.days)} 个${unit}`;
  if (t.timeLeft.days === 0) return '今日到期';
  return `剩余 ${t.timeLeft.days} 个${unit}`;
}

/** A limit ends at 24:00 of its last day: show it so, not as 00:00 of the next. */
export function endOfDayText(iso: string): string {
  const t = dayjs(iso);
  return t.hour() === 0 && t.minute() === 0 ? `${t.subtract(1, 'day').format('YYYY-MM-DD')} 24:00` : t.format('YYYY-MM-DD HH:mm');
}

/** 工作台: the user's tasks across matters, overdue first then least time left; filters kept in the URL. */
export function WorkList() {
  const session = loadSession()!;
  const [params, setParams] = useSearchParams();
  const kind = params.get('kind') ?? '';
  const overdueOnly = params.get('overdue') === '1';
  const q = params.get('q') ?? '';
  const page = Number(params.get('page') ?? '1') || 1;
  const setParam = (key: string, value: string | null) => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    if (key !== 'page') next.delete('page');
    setParams(next, { replace: true });
  };

  const tasks = useQuery({ queryKey: ['tasks'], queryFn: () => unwrap(api.GET('/api/tasks', { params: { query: { limit: 500 } } })), refetchInterval: 30_000 });
  const rows = useMemo(
    () =>
      (tasks.data?.items ?? []).filter(
        (t) => (!kind || t.kind === kind) && (!overdueOnly || t.overdue) && (!q || t.caseNo.includes(q) || (t.summary ?? '').includes(q)),
      ),
    [tasks.data, kind, overdueOnly, q],
  );
  const [selected, setSelected] = useState<string[]>([]);
  const [bulkOpen, setBulkOpen] = useState(false);
  const canTriage = may(session.user, 'triage');

  const columns: ColumnsType<TaskItem> = [
    {
      title: '信访事项',
      dataIndex: 'caseNo',
      render: (_, t) => (
        <Space direction="vertical" size={0}>
          <Link to={subjectLink(t.caseNo)}>{t.caseNo}</Link>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {t.summary}
          </Typography.Text>
        </Space>
      ),
    },
    { title: '状态', dataIndex: 'status', width: 110, render: (s: string | null) => label(statusLabels, s) },
    { title: '待办', dataIndex: 'kind', width: 200, render: (k: string, t) => <Space direction="vertical" size={0}><span>{taskLabel(k)}</span><Typography.Text type="secondary" style={{ fontSize: 12 }}>{t.detail}</Typography.Text></Space> },
    {
      title: '期限及依据',
      dataIndex: 'limit',
      render: (l: TaskItem['limit']) =>
        l ? (
          <Space direction="vertical" size={0}>
            <span>
              {l.label.split(' ')[0]}：{l.days} 个{countingLabels[l.counting]}，至 {l.dueDate}
            </span>
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {l.basis}
            </Typography.Text>
          </Space>
        ) : (
          '—'
        ),
    },
    {
      title: '剩余时间',
      dataIndex: 'timeLeft',
      width: 170,
      render: (_, t) => <span className={t.overdue ? 'overdue-text' : undefined} data-testid="time-left">{timeLeftText(t)}</span>,
    },
    { title: '截止时间', dataIndex: 'dueAt', width: 150, render: (d: string | null) => (d ? endOfDayText(d) : '—') },
  ];

  return (
    <Card title={<Typography.Title level={1} style={{ fontSize: 20, margin: 0 }}>工作台</Typography.Title>} extra={<Button onClick={() => void tasks.refetch()} loading={tasks.isFetching}>刷新</Button>}>
      <Form layout="inline" style={{ marginBottom: 16 }} role="search" aria-label="筛选待办">
        <Form.Item label="待办类型" htmlFor="filter-kind">
          <Select
            id="filter-kind"
            allowClear
            style={{ width: 160 }}
            value={kind || undefined}
            placeholder="全部"
            onChange={(v) => setParam('kind', v ?? null)}
            options={Object.entries(taskLabels).map(([value, text]) => ({ value, label: text }))}
          />
        </Form.Item>
        <Form.Item>
          <Checkbox checked={overdueOnly} onChange={(e) => setParam('overdue', e.target.checked ? '1' : null)}>
            只看超期
          </Checkbox>
        </Form.Item>
        <Form.Item label="搜索" htmlFor="filter-q">
          <Input.Search id="filter-q" allowClear defaultValue={q} placeholder="编号或内容" onSearch={(v) => setParam('q', v || null)} style={{ width: 220 }} />
        </Form.Item>
        {canTriage ? (
          <Form.Item>
            <Button disabled={selected.length === 0} onClick={() => setBulkOpen(true)}>
              批量交办（{selected.length}）
            </Button>
          </Form.Item>
        ) : null}
      </Form>
      {tasks.isError ? (
        <ErrorState error={tasks.error} onRetry={() => void tasks.refetch()} />
      ) : (
        <Table<TaskItem>
          rowKey={(t) => `${t.caseNo}:${t.kind}`}
          loading={tasks.isPending}
          columns={columns}
          dataSource={rows}
          rowClassName={(t) => (t.overdue ? 'row-overdue' : '')}
          locale={{ emptyText: tasks.isPending ? '加载中…' : '暂无待办事项' }}
          pagination={{ current: page, pageSize: 20, showSizeChanger: false, showTotal: (n) => `共 ${n} 项`, onChange: (p) => setParam('page', p > 1 ? String(p) : null) }}
          rowSelection={
            canTriage
              ? {
                  selectedRowKeys: selected,
                  onChange: (keys) => setSelected(keys as string[]),
                  getCheckboxProps: (t) => ({ disabled: t.kind !== 'triage', 'aria-label': `选择 ${t.caseNo}` }),
                }
              : undefined
          }
        />
      )}
      <BulkForward open={bulkOpen} keys={selected} onClose={() => setBulkOpen(false)} onDone={() => setSelected([])} />
    </Card>
  );
}

/** 批量交办: one unit for several matters in triage; each is a separate command, and each refusal is listed. */
function BulkForward({ open, keys, onClose, onDone }: { open: boolean; keys: string[]; onClose: () => void; onDone: () => void }) {
  const [form] = Form.useForm<{ unitId: string; mode: 'assign' | 'forward'; note?: string }>();
  const queryClient = useQueryClient();
  const caseNos = keys.map((k) => k.split(':')[0]!);
  const run = useMutation({
    mutationFn: async (v: { unitId: string; mode: 'assign' | 'forward'; note?: string }) => {
      const results: { caseNo: string; ok: boolean; message?: string }[] = [];
      for (const caseNo of caseNos) {
        try {
          await unwrap(api.POST('/api/petitions/{caseNo}/forward', { params: { path: { caseNo } }, body: v }));
          results.push({ caseNo, ok: true });
        } catch (err) {
          results.push({ caseNo, ok: false, message: err instanceof ApiError ? err.message : String(err) });
        }
      }
      return results;
    },
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: ['tasks'] });
      onDone();
    },
  });
  return (
    <Modal open={open} title={`批量交办 ${caseNos.length} 件`} onCancel={() => { run.reset(); onClose(); }} okText="交办" cancelText="关闭" onOk={() => form.submit()} confirmLoading={run.isPending} okButtonProps={{ disabled: !!run.data }}>
      {run.data ? (
        <Alert
          type={run.data.every((r) => r.ok) ? 'success' : 'warning'}
          showIcon
          message={`成功 ${run.data.filter((r) => r.ok).length} 件，失败 ${run.data.filter((r) => !r.ok).length} 件`}
          description={run.data.filter((r) => !r.ok).map((r) => <div key={r.caseNo}>{r.caseNo}：{r.message}</div>)}
        />
      ) : (
        <Form form={form} layout="vertical" initialValues={{ mode: 'assign' }} onFinish={(v) => run.mutate(v)}>
          <Form.Item name="mode" label="方式" rules={[{ required: true }]}>
            <Select options={[{ value: 'assign', label: '交办' }, { value: 'forward', label: '转送' }]} />
          </Form.Item>
          <Form.Item name="unitId" label="责任单位" rules={[{ required: true, message: '请选择责任单位' }]}>
            <UnitSelect />
          </Form.Item>
          <Form.Item name="note" label="交办意见">
            <Input.TextArea rows={3} />
          </Form.Item>
          <Tag>{caseNos.join('、')}</Tag>
        </Form>
      )}
    </Modal>
  );
}

/**
 * Where a task's subject is: a matter, or the campaign's own work kept under a pseudo case number (a backlog case
 * `backlog:<id>`, a quarterly listing `sweep:quarterly:…`; other sweeps name a matter after their prefix).
 */
function subjectLink(caseNo: string): string {
  if (caseNo.startsWith('backlog:')) return '/campaign/backlog';
  if (caseNo.startsWith('sweep:quarterly:')) return '/campaign/listings';
  const matter = /LS20\d{11,13}/.exec(caseNo);
  return matter ? `/matters/${matter[0]}` : '/campaign/listings';
}
