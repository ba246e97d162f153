import { useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Card, Checkbox, Col, Form, Input, Modal, Row, Select, Space, Table, Tabs, Tag, Typography } from 'antd';
import type { FormInstance } from 'antd';
import { api, ApiError, errorTitle, unwrap } from '../api/client';
import type { AdminUser, RolesAnswer } from '../api/types';
import { roleLabels } from '../labels';
import { ErrorState } from '../components/States';
import { AuditLog } from './AuditLog';

type Role = AdminUser['role'];
interface UserFields {
  id: string;
  name: string;
  role: Role;
  divisionCode?: string;
  unitId?: string;
  password?: string;
  active: boolean;
}

/** The API's field errors (services/users.ts) shown on the form's own fields, besides the refusal above the form. */
function showFieldErrors(form: FormInstance, err: unknown): void {
  if (!(err instanceof ApiError)) return;
  const known = ['id', 'name', 'role', 'divisionCode', 'unitId', 'password'];
  const fields = Object.entries(err.fields)
    .map(([path, message]) => ({ name: path.split('.')[0]!, errors: [message] }))
    .filter((f) => known.includes(f.name));
  if (fields.length) form.setFields(fields);
}

/** The division or unit the role binds to (GET /api/admin/roles says which), the other one cleared. */
function binding(roles: RolesAnswer | undefined, v: { role: Role; divisionCode?: string; unitId?: string }) {
  const unit = roles?.roles.find((r) => r.role === v.role)?.boundTo === 'unit';
  return unit ? { unitId: v.unitId ?? null, divisionCode: null } : { divisionCode: v.divisionCode ?? null, unitId: null };
}

/** The role picker and, as the chosen role requires, the division or the unit. */
function RoleFields({ roles, form }: { roles: RolesAnswer | undefined; form: FormInstance }) {
  const role = Form.useWatch('role', form) as Role | undefined;
  const boundTo = roles?.roles.find((r) => r.role === role)?.boundTo;
  return (
    <>
      <Form.Item name="role" label="角色" rules={[{ required: true, message: '请选择角色' }]}>
        <Select showSearch optionFilterProp="label" loading={!roles} options={(roles?.roles ?? []).map((r) => ({ value: r.role, label: roleLabels[r.role] ?? r.role }))} />
      </Form.Item>
      {boundTo === 'unit' ? (
        <Form.Item name="unitId" label="所属单位" rules={[{ required: true, message: '该角色须选择所属单位' }]}>
          <Select showSearch optionFilterProp="label" options={(roles?.units ?? []).map((u) => ({ value: u.id, label: u.name }))} />
        </Form.Item>
      ) : boundTo === 'division' ? (
        <Form.Item name="divisionCode" label="所属辖区" rules={[{ required: true, message: '该角色须选择所属辖区' }]}>
          <Select showSearch optionFilterProp="label" options={(roles?.divisions ?? []).map((d) => ({ value: d.code, label: `${d.name}（${d.code}）` }))} />
        </Form.Item>
      ) : null}
    </>
  );
}

function Refusal({ error }: { error: unknown }) {
  if (!error) return null;
  return <Alert type="error" showIcon role="alert" style={{ marginBottom: 16 }} message={errorTitle(error)} description={(error as Error).message} />;
}

/** 用户与角色 (admin): every user with role, jurisdiction and status; create, change, deactivate, reset a password; the audit log. */
export function UsersAdmin() {
  const queryClient = useQueryClient();
  const users = useQuery({ queryKey: ['admin-users'], queryFn: () => unwrap(api.GET('/api/admin/users')) });
  const roles = useQuery({ queryKey: ['admin-roles'], queryFn: () => unwrap(api.GET('/api/admin/roles')), staleTime: 10 * 60_000 });
  const refresh = () => void queryClient.invalidateQueries({ queryKey: ['admin-users'] });
  const divisionName = new Map((roles.data?.divisions ?? []).map((d) => [d.code, d.name]));
  const unitName = new Map((roles.data?.units ?? []).map((u) => [u.id, u.name]));

  const [createForm] = Form.useForm<UserFields>();
  const create = useMutation({
    mutationFn: (v: UserFields) =>
      unwrap(api.POST('/api/admin/users', { body: { id: v.id, name: v.name, role: v.role, ...binding(roles.data, v), password: v.password, active: v.active } })),
    onSuccess: () => {
      createForm.resetFields();
      refresh();
    },
    onError: (err) => showFieldErrors(createForm, err),
  });

  const [editing, setEditing] = useState<AdminUser | null>(null);
  const [editForm] = Form.useForm<UserFields>();
  const update = useMutation({
    mutationFn: ({ id, v }: { id: string; v: UserFields }) =>
      unwrap(api.PATCH('/api/admin/users/{id}', { params: { path: { id } }, body: { name: v.name, role: v.role, ...binding(roles.data, v), active: v.active } })),
    onSuccess: () => {
      setEditing(null);
      refresh();
    },
    onError: (err) => showFieldErrors(editForm, err),
  });

  const [resetting, setResetting] = useState<AdminUser | null>(null);
  const [passwordForm] = Form.useForm<{ password: string }>();
  const reset = useMutation({
    mutationFn: ({ id, password }: { id: string; password: string }) => unwrap(api.POST('/api/admin/users/{id}/password', { params: { path: { id } }, body: { password } })),
    onSuccess: () => {
      setResetting(null);
      refresh();
    },
    onError: (err) => showFieldErrors(passwordForm, err),
  });

  const passwordRules = [{ min: 12, message: '密码至少 12 位' }, { max: 256, message: '密码至多 256 位' }];

  return (
    <Card title={<Typography.Title level={1} style={{ fontSize: 20, margin: 0 }}>用户与角色</Typography.Title>}>
      <Tabs
        items={[
          {
            key: 'users',
            label: '用户',
            children: (
              <>
                <Typography.Title level={2} style={{ fontSize: 16 }}>用户</Typography.Title>
                {reset.isSuccess ? <Alert type="success" showIcon role="status" style={{ marginBottom: 16 }} message="密码已重置，该用户此前的登录凭据已失效" /> : null}
                {users.isError ? (
                  <ErrorState error={users.error} onRetry={() => void users.refetch()} />
                ) : (
                  <Table<AdminUser>
                    size="small"
                    rowKey="id"
                    loading={users.isPending}
                    dataSource={users.data?.items ?? []}
                    locale={{ emptyText: '暂无用户' }}
                    pagination={{ pageSize: 20 }}
                    columns={[
                      { title: '登录名', dataIndex: 'id' },
                      { title: '姓名', dataIndex: 'name' },
                      { title: '角色', dataIndex: 'role', render: (r: string) => roleLabels[r] ?? r },
                      {
                        title: '辖区/单位',
                        key: 'binding',
                        render: (_: unknown, u) => (u.unitId ? (unitName.get(u.unitId) ?? u.unitId) : u.divisionCode ? (divisionName.get(u.divisionCode) ?? u.divisionCode) : '—'),
                      },
                      { title: '状态', dataIndex: 'active', render: (a: boolean) => (a ? <Tag color="green">启用</Tag> : <Tag color="default">已停用</Tag>) },
                      { title: '密码', dataIndex: 'hasPassword', render: (p: boolean) => (p ? '已设置' : '未设置') },
                      {
                        title: '操作',
                        key: 'actions',
                        render: (_: unknown, u) => (
                          <Space>
                            <Button
                              size="small"
                              onClick={() => {
                                update.reset();
                                setEditing(u);
                              }}
                            >
                              修改
                            </Button>
                            <Button
                              size="small"
                              onClick={() => {
                                reset.reset();
                                setResetting(u);
                              }}
                            >
                              重置密码
                            </Button>
                          </Space>
                        ),
                      },
                    ]}
                  />
                )}

                <Row gutter={24} style={{ marginTop: 24 }}>
                  <Col xs={24} lg={14}>
                    <Typography.Title level={2} style={{ fontSize: 16 }}>新建用户</Typography.Title>
                    {roles.isError ? <ErrorState error={roles.error} onRetry={() => void roles.refetch()} /> : null}
                    <Refusal error={create.error} />
                    {create.data ? <Alert type="success" showIcon role="status" style={{ marginBottom: 16 }} message={`已创建用户 ${create.data.id}（${roleLabels[create.data.role] ?? create.data.role}）`} /> : null}
                    <Form form={createForm} name="newUser" layout="vertical" initialValues={{ active: true }} onFinish={(v) => create.mutate(v)}>
                      <Form.Item name="id" label="登录名" rules={[{ required: true, message: '请填写登录名' }]}>
                        <Input autoComplete="off" />
                      </Form.Item>
                      <Form.Item name="name" label="姓名" rules={[{ required: true, whitespace: true, message: '请填写姓名' }]}>
                        <Input />
                      </Form.Item>
                      <RoleFields roles={roles.data} form={createForm} />
                      <Form.Item name="password" label="初始密码（至少 12 位；不填则须由管理员另行设置后方可登录）" rules={passwordRules}>
                        <Input.Password autoComplete="new-password" />
                      </Form.Item>
                      <Form.Item name="active" valuePropName="checked">
                        <Checkbox>启用</Checkbox>
                      </Form.Item>
                      <Button type="primary" htmlType="submit" loading={create.isPending}>创建</Button>
                    </Form>
                  </Col>
                </Row>
              </>
            ),
          },
          { key: 'audit', label: '审计日志', children: <AuditLog /> },
        ]}
      />

      {/* Mounted only while open: the forms' fields are not in the page (twice) otherwise. */}
      {editing ? (
        <Modal
          open
          title={`修改用户 ${editing.id}`}
          okText="保存"
          cancelText="取消"
          confirmLoading={update.isPending}
          onOk={() => editForm.submit()}
          onCancel={() => setEditing(null)}
        >
          <Refusal error={update.error} />
          <Form
            form={editForm}
            name="editUser"
            layout="vertical"
            initialValues={{ name: editing.name, role: editing.role, divisionCode: editing.divisionCode ?? undefined, unitId: editing.unitId ?? undefined, active: editing.active }}
            onFinish={(v) => update.mutate({ id: editing.id, v })}
          >
            <Form.Item name="name" label="姓名" rules={[{ required: true, whitespace: true, message: '请填写姓名' }]}>
              <Input />
            </Form.Item>
            <RoleFields roles={roles.data} form={editForm} />
            <Form.Item name="active" valuePropName="checked">
              <Checkbox>启用（停用后该用户不能登录，已签发的凭据立即失效）</Checkbox>
            </Form.Item>
          </Form>
        </Modal>
      ) : null}

      {resetting ? (
        <Modal
          open
          title={`重置 ${resetting.id} 的密码`}
          okText="重置"
          cancelText="取消"
          confirmLoading={reset.isPending}
          onOk={() => passwordForm.submit()}
          onCancel={() => setResetting(null)}
        >
          <Refusal error={reset.error} />
          <Form form={passwordForm} name="resetPassword" layout="vertical" onFinish={(v) => reset.mutate({ id: resetting.id, password: v.password })}>
            <Form.Item name="password" label="新密码（至少 12 位）" rules={[{ required: true, message: '请填写新密码' }, ...passwordRules]}>
              <Input.Password autoComplete="new-password" />
            </Form.Item>
          </Form>
        </Modal>
      ) : null}
    </Card>
  );
}
