import { Alert, Button, Empty, Skeleton } from 'antd';
import { errorTitle } from '../api/client';

/** The error state of a list or page: what failed, why, and a retry. */
export function ErrorState({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  return (
    <Alert
      type="error"
      showIcon
      role="alert"
      message={errorTitle(error)}
      description={error instanceof Error ? error.message : String(error)}
      action={onRetry ? <Button onClick={onRetry}>重试</Button> : undefined}
    />
  );
}

export function Loading({ rows = 4 }: { rows?: number }) {
  return <Skeleton active paragraph={{ rows }} aria-busy="true" aria-label="加载中" />;
}

export function EmptyState({ text }: { text: string }) {
  return <Empty description={text} />;
}
