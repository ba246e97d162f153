import { useMutation, useQuery } from '@tanstack/react-query';
import { Alert, Button, Card, List, Space, Tag, Typography } from 'antd';
import { useNavigate, useSearchParams } from 'react-router-dom';
import { api, errorTitle, unwrap } from '../api/client';
import { saveSession } from '../session';
import { roleLabels } from '../labels';
import { EmptyState, ErrorState, Loading } from '../components/States';

/** Development sign-in: pick one of the seeded users (POST /auth/dev-token; off in production). */
export function SignIn() {
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const users = useQuery({ queryKey: ['dev-users'], queryFn: () => unwrap(api.GET('/auth/dev-users')), retry: false });
  const signIn = useMutation({
    mutationFn: (userId: string) => unwrap(api.POST('/auth/dev-token', { body: { userId } })),
    onSuccess: (answer) => {
      saveSession({ token: answer.token, user: answer.user });
      const next = params.get('next');
      navigate(next && next.startsWith('/') && !next.startsWith('//') ? next : '/', { replace: true });
    },
  });
  return (
    <main style={{ maxWidth: 560, margin: '48px auto', padding: 16 }}>
      <Card>
        <Typography.Title level={1} style={{ fontSize: 24 }}>
          丽水市信访事项办理平台
        </Typography.Title>
        <Typography.Paragraph type="secondary">开发环境登录：请选择一个预置用户。生产环境使用正式登录。</Typography.Paragraph>
        {signIn.error ? <Alert type="error" showIcon message={errorTitle(signIn.error)} description={signIn.error.message} style={{ marginBottom: 16 }} /> : null}
        {users.isPending ? (
          <Loading />
        ) : users.isError ? (
          (users.error as { status?: number }).status === 404 ? (
            <Alert type="warning" showIcon message="开发登录未开启" description="本环境未开启开发登录（AUTH_DEV_LOGIN），请使用正式登录。" />
          ) : (
            <ErrorState error={users.error} onRetry={() => void users.refetch()} />
          )
        ) : users.data.items.length === 0 ? (
          <EmptyState text="没有预置用户" />
        ) : (
          <List
            aria-label="预置用户"
            dataSource={users.data.items}
            renderItem={(u) => (
              <List.Item>
                <Button block size="large" loading={signIn.isPending && signIn.variables === u.id} onClick={() => signIn.mutate(u.id)} data-user={u.id} style={{ textAlign: 'left' }}>
                  <Space>
                    <span>{u.name}</span>
                    <Tag>{roleLabels[u.role] ?? u.role}</Tag>
                  </Space>
                </Button>
              </List.Item>
            )}
          />
        )}
      </Card>
    </main>
  );
}
