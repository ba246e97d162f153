import { useQuery, keepPreviousData } from '@tanstack/react-query';
import { Card, Select, Space, Table, Tabs, Tag, Typography } from 'antd';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router-dom';
import dayjs from 'dayjs';
import { api, unwrap } from '../api/client';
import type { Escalation } from '../api/types';
import { escalationKinds, triggerLabels, type EscalationPath } from '../escalations';
import { escalationStatusLabels, label } from '../labels';
import { useNames } from '../reference';
import { ErrorState } from '../components/States';
import { ExportButtons } from '../components/ExportButtons';

/** Escalations (warning slips, three-party reviews, investigations): lists, overdue first, each a link to its page. */
export function Escalations() {
  const { kind: raw } = useParams();
  const kind: EscalationPath = raw && raw in escalationKinds ? (raw as EscalationPath) : 'warning-slips';
  const navigate = useNavigate();
  const names = useNames();
  const [params, setParams] = useSearchParams();
  const status = (params.get('status') ?? undefined) as 'open' | 'completed' | 'closed' | undefined;
  const page = Number(params.get('page') ?? 1);
  const list = useQuery({
    queryKey: ['escalations', kind, status, page],
    queryFn: () => unwrap(api.GET(`/api/${kind}` as '/api/warning-slips', { params: { query: { status, page, pageSize: 20 } } })),
    placeholderData: keepPreviousData,
  });
  const what = escalationKinds[kind].label;
  return (
    <Card title={<Typography.Title level={1} style={{ fontSize: 20, margin: 0 }}>预警与督查</Typography.Title>}>
      <Tabs activeKey={kind} onChange={(k) => navigate(`/escalations/${k}`)} items={Object.entries(escalationKinds).map(([key, k]) => ({ key, label: k.label }))} />
      <Space style={{ marginBottom: 16, width: '100%', justifyContent: 'space-between' }} wrap>
        <span>
          <label htmlFor="esc-status" style={{ marginRight: 8 }}>状态</label>
          <Select id="esc-status" allowClear placeholder="全部" style={{ width: 140 }} value={status} onChange={(v) => setParams(v ? { status: v } : {}, { replace: true })} options={Object.entries(escalationStatusLabels).map(([value, l]) => ({ value, label: l }))} />
        </span>
        <ExportButtons path={`/api/${kind}`} query={{ status, page, pageSize: 20 }} what={what} />
      </Space>
      {list.isError ? (
        <ErrorState error={list.error} onRetry={() => void list.refetch()} />
      ) : (
        <Table<Escalation>
          rowKey="id"
          loading={list.isFetching}
          dataSource={list.data?.items ?? []}
          rowClassName={(e) => (e.overdue ? 'row-overdue' : '')}
          locale={{ emptyText: list.isPending ? '加载中…' : `暂无${what}` }}
          pagination={{ current: page, pageSize: 20, total: list.data?.total ?? 0, showTotal: (n) => `共 ${n} 件`, onChange: (p) => setParams((prev) => { const n = new URLSearchParams(prev); n.set('page', String(p)); return n; }, { replace: true }) }}
          columns={[
            { title: '信访事项', dataIndex: 'caseNo', render: (c: string) => <Link to={`/matters/${c}`}>{c}</Link> },
            { title: '起因', dataIndex: 'trigger', render: (t: string) => label(triggerLabels, t) },
            { title: '状态', dataIndex: 'status', render: (s: string, e) => <>{label(escalationStatusLabels, s)}{e.overdue ? <Tag color="red" style={{ marginLeft: 8 }}>超期</Tag> : null}</> },
            { title: '属地', dataIndex: 'divisionCode', render: (c: string) => names.division(c) },
            { title: '责任单位', dataIndex: 'unitId', render: (u: string | null) => names.unit(u) },
            { title: '期限', dataIndex: 'dueAt', render: (d: string | null) => (d ? dayjs(d).format('YYYY-MM-DD') : '—') },
            { title: '操作', key: 'open', render: (_, e) => <Link to={`/escalations/${kind}/${encodeURIComponent(e.id)}`} aria-label={`${what} ${e.caseNo} 详情`}>详情</Link> },
          ]}
        />
      )}
    </Card>
  );
}
