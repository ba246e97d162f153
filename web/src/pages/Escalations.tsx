import { useState } from 'react';
import { useQuery, keepPreviousData } from '@tanstack/react-query';
import { Card, Descriptions, Drawer, Select, Table, Tabs, Tag, Typography } from 'antd';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router-dom';
import dayjs from 'dayjs';
import { api, unwrap } from '../api/client';
import type { Escalation, EscalationLive } from '../api/types';
import { deadlineStatusLabels, escalationStatusLabels, eventLabels, label } from '../labels';
import { useNames } from '../reference';
import { ErrorState, Loading } from '../components/States';

const kinds = {
  'warning-slips': '信访预警单',
  'three-party-reviews': '三方会审',
  investigations: '一事双查',
} as const;
type Kind = keyof typeof kinds;

const triggerLabels: Record<string, string> = {
  visits: '两次以上赴县级以上来访',
  bureau: '信访部门研判',
  abnormal_beijing: '进京非正常上访',
  collective_beijing: '进京集体访',
  collective_province: '赴省50人以上集体访',
  new_backlog: '新增积案',
  skip_level: '越级上访',
};

/** Escalations (warning slips, three-party reviews, investigations): lists, overdue first, and each one's live state. */
export function Escalations() {
  const { kind: raw } = useParams();
  const kind: Kind = raw && raw in kinds ? (raw as Kind) : 'warning-slips';
  const navigate = useNavigate();
  const names = useNames();
  const [params, setParams] = useSearchParams();
  const status = (params.get('status') ?? undefined) as 'open' | 'completed' | 'closed' | undefined;
  const page = Number(params.get('page') ?? 1);
  const [detail, setDetail] = useState<string | null>(null);
  const list = useQuery({
    queryKey: ['escalations', kind, status, page],
    queryFn: () => unwrap(api.GET(`/api/${kind}` as '/api/warning-slips', { params: { query: { status, page, pageSize: 20 } } })),
    placeholderData: keepPreviousData,
  });
  const live = useQuery({
    queryKey: ['escalation', kind, detail],
    enabled: !!detail,
    queryFn: () => unwrap(api.GET(`/api/${kind}/{id}` as '/api/warning-slips/{id}', { params: { path: { id: detail! } } })),
  });
  return (
    <Card title={<Typography.Title level={1} style={{ fontSize: 20, margin: 0 }}>预警与督查</Typography.Title>}>
      <Tabs activeKey={kind} onChange={(k) => navigate(`/escalations/${k}`)} items={Object.entries(kinds).map(([key, text]) => ({ key, label: text }))} />
      <div style={{ marginBottom: 16 }}>
        <label htmlFor="esc-status" style={{ marginRight: 8 }}>状态</label>
        <Select id="esc-status" allowClear placeholder="全部" style={{ width: 140 }} value={status} onChange={(v) => setParams(v ? { status: v } : {}, { replace: true })} options={Object.entries(escalationStatusLabels).map(([value, l]) => ({ value, label: l }))} />
      </div>
      {list.isError ? (
        <ErrorState error={list.error} onRetry={() => void list.refetch()} />
      ) : (
        <Table<Escalation>
          rowKey="id"
          loading={list.isFetching}
          dataSource={list.data?.items ?? []}
          rowClassName={(e) => (e.overdue ? 'row-overdue' : '')}
          locale={{ emptyText: list.isPending ? '加载中…' : `暂无${kinds[kind]}` }}
          pagination={{ current: page, pageSize: 20, total: list.data?.total ?? 0, showTotal: (n) => `共 ${n} 件`, onChange: (p) => setParams((prev) => { const n = new URLSearchParams(prev); n.set('page', String(p)); return n; }, { replace: true }) }}
          columns={[
            { title: '信访事项', dataIndex: 'caseNo', render: (c: string) => <Link to={`/matters/${c}`}>{c}</Link> },
            { title: '起因', dataIndex: 'trigger', render: (t: string) => label(triggerLabels, t) },
            { title: '状态', dataIndex: 'status', render: (s: string, e) => <>{label(escalationStatusLabels, s)}{e.overdue ? <Tag color="red" style={{ marginLeft: 8 }}>超期</Tag> : null}</> },
            { title: '属地', dataIndex: 'divisionCode', render: (c: string) => names.division(c) },
            { title: '责任单位', dataIndex: 'unitId', render: (u: string | null) => names.unit(u) },
            { title: '期限', dataIndex: 'dueAt', render: (d: string | null) => (d ? dayjs(d).format('YYYY-MM-DD') : '—') },
            { title: '', key: 'open', render: (_, e) => <a onClick={() => setDetail(e.id)} href={`#${e.id}`}>详情</a> },
          ]}
        />
      )}
      <Drawer open={!!detail} onClose={() => setDetail(null)} title={`${kinds[kind]}详情`} width={560}>
        {live.isPending ? <Loading /> : live.isError ? <ErrorState error={live.error} onRetry={() => void live.refetch()} /> : <EscalationDetail e={live.data} />}
      </Drawer>
    </Card>
  );
}


/** One escalation's live state (from its workflow), in words. */
function EscalationDetail({ e }: { e: EscalationLive }) {
  return (
    <>
      <Descriptions column={1} size="small" bordered>
        <Descriptions.Item label="信访事项"><Link to={`/matters/${e.caseNo}`}>{e.caseNo}</Link></Descriptions.Item>
        <Descriptions.Item label="起因">{label(triggerLabels, e.trigger)}</Descriptions.Item>
        <Descriptions.Item label="状态">{label(escalationStatusLabels, e.status)}{e.overdue ? <Tag color="red" style={{ marginLeft: 8 }}>超期</Tag> : null}</Descriptions.Item>
        <Descriptions.Item label="开始">{dayjs(e.openedAt).format('YYYY-MM-DD HH:mm')}</Descriptions.Item>
        <Descriptions.Item label="结束">{e.closedAt ? dayjs(e.closedAt).format('YYYY-MM-DD HH:mm') : '—'}</Descriptions.Item>
      </Descriptions>
      <Typography.Title level={3} style={{ fontSize: 15, marginTop: 16 }}>期限</Typography.Title>
      <Table
        size="small"
        rowKey="id"
        pagination={false}
        dataSource={e.deadlines}
        locale={{ emptyText: '无' }}
        columns={[
          { title: '期限', render: (_, d) => d.policy?.label.split(' ')[0] ?? d.key },
          { title: '届满日', dataIndex: 'dueDate' },
          { title: '状态', dataIndex: 'status', render: (s: string) => label(deadlineStatusLabels, s) },
          { title: '依据', render: (_, d) => d.policy?.basis ?? '—' },
        ]}
      />
      {e.uncomputed.length ? <Typography.Paragraph type="warning" style={{ marginTop: 8 }}>待计算的期限：{e.uncomputed.map((u) => u.reason).join('；')}</Typography.Paragraph> : null}
      <Typography.Title level={3} style={{ fontSize: 15, marginTop: 16 }}>最近记录</Typography.Title>
      <ul>
        {e.recent.map((r, i) => (
          <li key={i}>{label(eventLabels, r.type)}　{dayjs(r.at).format('YYYY-MM-DD HH:mm')}{r.actor ? `　${r.actor}` : ''}</li>
        ))}
      </ul>
    </>
  );
}
