import { useQuery } from '@tanstack/react-query';
import { Card, Table, Tag, Typography } from 'antd';
import { Link } from 'react-router-dom';
import dayjs from 'dayjs';
import { api, unwrap } from '../api/client';
import type { Escalation, Paged } from '../api/types';
import { escalationKinds, triggerLabels, type EscalationPath } from '../escalations';
import { escalationStatusLabels, label } from '../labels';
import { ErrorState } from './States';

/** The matter's warning slips, three-party reviews and investigations, each a link to its page (and its forms). */
export function MatterEscalations({ caseNo, watch = false }: { caseNo: string; watch?: boolean }) {
  const list = useQuery({
    queryKey: ['matter-escalations', caseNo],
    queryFn: async () => {
      const pages = await Promise.all(
        (Object.keys(escalationKinds) as EscalationPath[]).map(async (path) => {
          const page = await unwrap<Paged<Escalation>>(api.GET(`/api/${path}` as '/api/warning-slips', { params: { query: { caseNo, pageSize: 50 } } }));
          return page.items.map((e) => ({ ...e, path }));
        }),
      );
      return pages.flat();
    },
    // After a command (a warning slip issued), its child workflow appears in the lists within moments: look again.
    refetchInterval: watch ? 2000 : false,
  });
  if (list.isError) return <Card><ErrorState error={list.error} onRetry={() => void list.refetch()} /></Card>;
  if (list.data && list.data.length === 0) return null;
  return (
    <Card title={<Typography.Title level={2} style={{ fontSize: 16, margin: 0 }}>预警与督查</Typography.Title>}>
      <Table
        rowKey="id"
        size="small"
        pagination={false}
        loading={list.isPending}
        dataSource={list.data ?? []}
        locale={{ emptyText: '无' }}
        columns={[
          { title: '类别', dataIndex: 'path', render: (p: EscalationPath, e) => <Link to={`/escalations/${p}/${encodeURIComponent(e.id)}`}>{escalationKinds[p].label}</Link> },
          { title: '起因', dataIndex: 'trigger', render: (t: string) => label(triggerLabels, t) },
          { title: '状态', dataIndex: 'status', render: (s: string, e) => <>{label(escalationStatusLabels, s)}{e.overdue ? <Tag color="red" style={{ marginLeft: 8 }}>超期</Tag> : null}</> },
          { title: '期限', dataIndex: 'dueAt', render: (d: string | null) => (d ? dayjs(d).format('YYYY-MM-DD') : '—') },
        ]}
      />
    </Card>
  );
}
