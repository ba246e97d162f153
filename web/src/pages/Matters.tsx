import { useQuery, keepPreviousData } from '@tanstack/react-query';
import { Card, Checkbox, Form, Input, Select, Table, Tag, Typography } from 'antd';
import { Link, useSearchParams } from 'react-router-dom';
import dayjs from 'dayjs';
import { statuses, channels } from '../../../domain/petition';
import { api, unwrap } from '../api/client';
import type { MatterListItem } from '../api/types';
import { channelLabels, label, statusColors, statusLabels } from '../labels';
import { useNames } from '../reference';
import { ErrorState } from '../components/States';

/** Matters in the user's jurisdiction: paged by the server (any number of rows), filters in the URL. */
export function Matters() {
  const [params, setParams] = useSearchParams();
  const names = useNames();
  const get = (k: string) => params.get(k) ?? undefined;
  const query = {
    status: get('status'),
    channel: get('channel') as (typeof channels)[number] | undefined,
    overdue: get('overdue') as 'true' | 'false' | undefined,
    open: get('open') as 'true' | 'false' | undefined,
    divisionCode: get('divisionCode'),
    unitId: get('unitId'),
    from: get('from'),
    to: get('to'),
    q: get('q'),
    sort: (get('sort') as 'deadline' | 'registered' | undefined) ?? 'deadline',
    page: Number(get('page') ?? 1),
    pageSize: Number(get('pageSize') ?? 20),
  };
  const set = (patch: Record<string, string | undefined>) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(patch)) {
      if (v) next.set(k, v);
      else next.delete(k);
    }
    if (!('page' in patch)) next.delete('page');
    setParams(next, { replace: true });
  };
  const list = useQuery({
    queryKey: ['matters', query],
    queryFn: () => unwrap(api.GET('/api/petitions', { params: { query } })),
    placeholderData: keepPreviousData,
  });
  return (
    <Card title={<Typography.Title level={1} style={{ fontSize: 20, margin: 0 }}>信访事项</Typography.Title>}>
      <Form layout="inline" style={{ marginBottom: 16, rowGap: 8 }} role="search" aria-label="筛选信访事项">
        <Form.Item label="状态" htmlFor="f-status">
          <Select id="f-status" allowClear mode="multiple" style={{ minWidth: 200 }} placeholder="全部" value={query.status?.split(',') ?? []} onChange={(v: string[]) => set({ status: v.join(',') || undefined })} options={statuses.map((s) => ({ value: s, label: statusLabels[s] }))} />
        </Form.Item>
        <Form.Item label="渠道" htmlFor="f-channel">
          <Select id="f-channel" allowClear style={{ width: 140 }} placeholder="全部" value={query.channel} onChange={(v) => set({ channel: v })} options={channels.map((c) => ({ value: c, label: channelLabels[c] }))} />
        </Form.Item>
        <Form.Item>
          <Checkbox checked={query.overdue === 'true'} onChange={(e) => set({ overdue: e.target.checked ? 'true' : undefined })}>只看超期</Checkbox>
        </Form.Item>
        <Form.Item>
          <Checkbox checked={query.open === 'true'} onChange={(e) => set({ open: e.target.checked ? 'true' : undefined })}>只看未办结</Checkbox>
        </Form.Item>
        <Form.Item label="排序" htmlFor="f-sort">
          <Select id="f-sort" style={{ width: 140 }} value={query.sort} onChange={(v) => set({ sort: v })} options={[{ value: 'deadline', label: '按期限' }, { value: 'registered', label: '按登记时间' }]} />
        </Form.Item>
        <Form.Item label="搜索" htmlFor="f-q">
          <Input.Search id="f-q" allowClear defaultValue={query.q} onSearch={(v) => set({ q: v || undefined })} placeholder="编号或内容" style={{ width: 220 }} />
        </Form.Item>
      </Form>
      {list.isError ? (
        <ErrorState error={list.error} onRetry={() => void list.refetch()} />
      ) : (
        <Table<MatterListItem>
          rowKey="caseNo"
          loading={list.isFetching}
          dataSource={list.data?.items ?? []}
          rowClassName={(m) => (m.overdue ? 'row-overdue' : '')}
          locale={{ emptyText: list.isPending ? '加载中…' : '没有符合条件的信访事项' }}
          pagination={{
            current: query.page,
            pageSize: query.pageSize,
            total: list.data?.total ?? 0,
            showTotal: (n) => `共 ${n} 件`,
            pageSizeOptions: [20, 50, 100],
            onChange: (page, pageSize) => set({ page: page > 1 ? String(page) : undefined, pageSize: pageSize !== 20 ? String(pageSize) : undefined }),
          }}
          columns={[
            { title: '信访件编号', dataIndex: 'caseNo', render: (c: string) => <Link to={`/matters/${c}`}>{c}</Link> },
            { title: '状态', dataIndex: 'status', render: (s: string, m) => <>{<Tag color={statusColors[s]}>{label(statusLabels, s)}</Tag>}{m.overdue ? <Tag color="red">超期</Tag> : null}</> },
            { title: '渠道', dataIndex: 'channel', render: (c: string) => label(channelLabels, c) },
            { title: '信访人', dataIndex: 'petitioners', render: (ps: MatterListItem['petitioners']) => ps.map((p) => p.name).join('、') || '匿名' },
            { title: '主要内容', dataIndex: 'summary', ellipsis: true },
            { title: '属地', dataIndex: 'divisionCode', render: (c: string) => names.division(c) },
            { title: '责任单位', dataIndex: 'unitId', render: (u: string | null) => names.unit(u) },
            { title: '当前期限', dataIndex: 'currentDeadline', render: (d: MatterListItem['currentDeadline']) => (d?.dueAt ? dayjs(d.dueAt).format('YYYY-MM-DD') : '—') },
            { title: '登记时间', dataIndex: 'registeredAt', render: (d: string) => dayjs(d).format('YYYY-MM-DD HH:mm') },
          ]}
        />
      )}
    </Card>
  );
}
