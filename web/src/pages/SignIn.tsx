import { useEffect } from 'react';
import { useMutation, useQuery } from '@tanstack/react-query';
import { Alert, Button, Card, Divider, Form, Input, List, Space, Tag, Typography } from 'antd';
import { useNavigate, useSearchParams } from 'react-router-dom';
import { api, errorTitle, unwrap } from '../api/client';
import { saveSession } from '../session';
import { roleLabels } from '../labels';
import { EmptyState, ErrorState, Loading } from '../components/States';

/**
 * Sign-in with a user name and password (POST /auth/login; 401 for a wrong one, 423 while locked), and in
 * development a picker of the seeded users (POST /auth/dev-token; off in production).
 */
export function SignIn() {
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const users = useQuery({ queryKey: ['dev-users'], queryFn: () => unwrap(api.GET('/auth/dev-users')), retry: false });
  const methods = useQuery({ queryKey: ['sign-in-methods'], queryFn: () => unwrap(api.GET('/auth/methods')), retry: false });
  const done = (answer: { token: string; user: Parameters<typeof saveSession>[0]['user'] }) => {
    saveSession({ token: answer.token, user: answer.user });
    const next = params.get('next');
    navigate(next && next.startsWith('/') && !next.startsWith('//') ? next : '/', { replace: true });
  };
  // Back from the OIDC provider: /auth/oidc/callback sends the browser here with the token in the fragment.
  useEffect(() => {
    const fragment = new URLSearchParams(window.location.hash.slice(1));
    const token = fragment.get('token');
    const user = fragment.get('user');
    if (!token || !user) return;
    window.history.replaceState(null, '', window.location.pathname + window.location.search);
    const json = atob(user.replace(/-/g, '+').replace(/_/g, '/'));
    done({ token, user: JSON.parse(new TextDecoder().decode(Uint8Array.from(json, (ch) => ch.charCodeAt(0)))) });
  }, []);
  const signIn = useMutation({
    mutationFn: (userId: string) => unwrap(api.POST('/auth/dev-token', { body: { userId } })),
    onSuccess: done,
  });
  const login = useMutation({
    mutationFn: (body: { userId: string; password: string }) => unwrap(api.POST('/auth/login', { body })),
    onSuccess: done,
  });
  return (
    <main style={{ maxWidth: 560, margin: '48px auto', padding: 16 }}>
      <Card>
        <Typography.Title level={1} style={{ fontSize: 24 }}>
          丽水市信访事项办理平台
        </Typography.Title>
        {login.error ? <Alert type="error" showIcon message={errorTitle(login.error)} description={login.error.message} style={{ marginBottom: 16 }} /> : null}
        <Form layout="vertical" aria-label="账号登录" onFinish={(v: { userId: string; password: string }) => login.mutate(v)}>
          <Form.Item label="用户名" name="userId" rules={[{ required: true, message: '请输入用户名' }]}>
            <Input autoComplete="username" />
          </Form.Item>
          <Form.Item label="密码" name="password" rules={[{ required: true, message: '请输入密码' }]}>
            <Input.Password autoComplete="current-password" />
          </Form.Item>
          <Button type="primary" htmlType="submit" block loading={login.isPending}>
            登录
          </Button>
        </Form>
        {methods.data?.oidc ? (
          <Button block href="/auth/oidc/login" style={{ marginTop: 8 }}>
            统一身份认证登录
          </Button>
        ) : null}
        <Divider />
        <Typography.Paragraph type="secondary">开发环境登录：请选择一个预置用户。</Typography.Paragraph>
        {signIn.error ? <Alert type="error" showIcon message={errorTitle(signIn.error)} description={signIn.error.message} style={{ marginBottom: 16 }} /> : null}
        {users.isPending ? (
          <Loading />
        ) : users.isError ? (
          (users.error as { status?: number }).status === 404 ? (
            <Alert type="info" showIcon message="开发登录未开启" description="本环境未开启开发登录（AUTH_DEV_LOGIN），请使用上方账号密码登录。" />
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
