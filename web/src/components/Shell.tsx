import { App, Layout, Menu, Space, Typography, Button, Tag } from 'antd';
import { Link, Outlet, useLocation, useNavigate } from 'react-router-dom';
import { useQueryClient } from '@tanstack/react-query';
import { may } from '../../../domain/access';
import { clearSession, loadSession } from '../session';
import { api, errorTitle, unwrap } from '../api/client';
import { roleLabels } from '../labels';

const { Header, Sider, Content } = Layout;

/** The frame of every signed-in page: the menu the role may use, the user, and sign-out. */
export function Shell() {
  const session = loadSession()!;
  const { pathname } = useLocation();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const { message } = App.useApp();
  const role = session.user.role;
  // A codec session (api/routes/codec.ts): the Temporal Web UI then decodes payloads with this browser's cookie.
  async function openCodecSession() {
    try {
      const { expiresAt } = await unwrap(api.POST('/codec/session'));
      const until = new Date(expiresAt).toLocaleTimeString('zh-CN', { timeZone: 'Asia/Shanghai', hour: '2-digit', minute: '2-digit' });
      void message.success(`解密会话已开启，至 ${until}：Temporal Web UI 现可显示明文（其 Codec Server 设置须勾选 Include cross-origin credentials）`, 8);
    } catch (err) {
      void message.error(`${errorTitle(err)}：${(err as Error).message}`, 8);
    }
  }
  const items = [
    { key: '/', label: <Link to="/">工作台</Link> },
    may({ role }, 'register') ? { key: '/register', label: <Link to="/register">登记</Link> } : null,
    { key: '/matters', label: <Link to="/matters">信访事项</Link> },
    { key: '/escalations', label: <Link to="/escalations/warning-slips">预警与督查</Link> },
    may({ role }, 'readMeasures') ? { key: '/dashboard', label: <Link to="/dashboard">督办</Link> } : null,
    may({ role }, 'readMeasures') ? { key: '/campaign', label: <Link to="/campaign/listings">挂牌与积案</Link> } : null,
    may({ role }, 'admin') ? { key: '/admin/calendar', label: <Link to="/admin/calendar">工作日历</Link> } : null,
    may({ role }, 'admin') ? { key: '/admin/users', label: <Link to="/admin/users">用户与角色</Link> } : null,
  ].filter((x) => x !== null);
  const selected = items.map((i) => i.key).filter((k) => (k === '/' ? pathname === '/' : pathname.startsWith(k)));
  return (
    <Layout style={{ minHeight: '100vh' }}>
      <a className="skip-link" href="#main">跳到主要内容</a>
      <Sider breakpoint="lg" collapsedWidth={0} theme="light" width={200}>
        <div style={{ padding: '16px 16px 8px', fontWeight: 600, fontSize: 16 }}>丽水信访办理</div>
        <nav aria-label="主菜单">
          <Menu mode="inline" selectedKeys={selected} items={items} />
        </nav>
      </Sider>
      <Layout>
        <Header style={{ background: '#fff', padding: '0 24px', display: 'flex', justifyContent: 'flex-end', alignItems: 'center' }}>
          <Space>
            <Typography.Text>{session.user.name}</Typography.Text>
            <Tag>{roleLabels[role] ?? role}</Tag>
            {may({ role }, 'decodePayloads') ? <Button onClick={() => void openCodecSession()}>Temporal Web UI 解密</Button> : null}
            <Button
              onClick={() => {
                // Ends the codec session too (its cookie; nothing to end when there is none).
                void fetch('/codec/session', { method: 'DELETE' }).catch(() => undefined);
                clearSession();
                queryClient.clear();
                navigate('/login');
              }}
            >
              退出
            </Button>
          </Space>
        </Header>
        <Content id="main" tabIndex={-1} style={{ margin: 24 }}>
          <main>
            <Outlet />
          </main>
        </Content>
      </Layout>
    </Layout>
  );
}
