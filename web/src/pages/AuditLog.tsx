import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { Alert, Button, Space, Table, Typography } from 'antd';
import dayjs from 'dayjs';
import { api, unwrap } from '../api/client';
import type { AuditEntry } from '../api/types';
import { ErrorState } from '../components/States';

/** 审计日志 (admin): the newest rows of GET /api/admin/audit, 100 at a time, and the hash chain's verification. */
export function AuditLog() {
  const rows = useInfiniteQuery({
    queryKey: ['admin-audit'],
    initialPageParam: undefined as number | undefined,
    queryFn: ({ pageParam }) => unwrap(api.GET('/api/admin/audit', { params: { query: { before: pageParam, pageSize: 100, format: 'json' } } })),
    getNextPageParam: (last) => last.nextBefore ?? undefined,
  });
  const verify = useQuery({ queryKey: ['admin-audit-verify'], queryFn: () => unwrap(api.GET('/api/admin/audit/verify')), enabled: false });
  const items = rows.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <>
      <Space style={{ marginBottom: 16 }} wrap>
        <Button onClick={() => void verify.refetch()} loading={verify.isFetching}>校验审计链</Button>
        <Button onClick={() => void rows.refetch()}>刷新</Button>
      </Space>
      {verify.isError ? <ErrorState error={verify.error} /> : null}
      {verify.data ? (
        verify.data.ok ? (
          <Alert type="success" showIcon role="status" style={{ marginBottom: 16 }} message={`审计链完整：共 ${verify.data.rows} 条（序号 ${verify.data.firstSeq ?? '—'}–${verify.data.lastSeq ?? '—'}）`} />
        ) : (
          <Alert type="error" showIcon role="alert" style={{ marginBottom: 16 }} message={`审计链在序号 ${verify.data.broken?.seq ?? '?'} 处断开`} description={verify.data.broken?.reason} />
        )
      ) : null}
      {rows.isError ? (
        <ErrorState error={rows.error} onRetry={() => void rows.refetch()} />
      ) : (
        <Table<AuditEntry>
          size="small"
          rowKey="id"
          loading={rows.isPending}
          dataSource={items}
          locale={{ emptyText: '暂无审计记录' }}
          pagination={{ pageSize: 20 }}
          columns={[
            { title: '序号', dataIndex: 'seq' },
            { title: '时间', dataIndex: 'at', render: (at: string) => dayjs(at).format('YYYY-MM-DD HH:mm:ss') },
            { title: '操作人', dataIndex: 'userId' },
            { title: '操作', dataIndex: 'action' },
            { title: '事项', dataIndex: 'caseNo', render: (c: string | null) => c ?? '—' },
            { title: '详情', dataIndex: 'detail', render: (d: AuditEntry['detail']) => <Typography.Text style={{ fontSize: 12 }}>{d ? JSON.stringify(d) : '—'}</Typography.Text> },
          ]}
        />
      )}
      {rows.hasNextPage ? (
        <Button onClick={() => void rows.fetchNextPage()} loading={rows.isFetchingNextPage}>加载更早的记录</Button>
      ) : null}
    </>
  );
}
