import { useEffect, useRef, useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Card, Checkbox, Col, DatePicker, Form, Input, InputNumber, Radio, Result, Row, Select, Space, Typography } from 'antd';
import { Link } from 'react-router-dom';
import dayjs, { type Dayjs } from 'dayjs';
import { intakeSchema, channels, sources, purposes, categories } from '../../../domain/petition';
import { withinDivision } from '../../../domain/access';
import { api, ApiError, errorTitle, unwrap } from '../api/client';
import type { IntakeBody } from '../api/types';
import { categoryLabels, channelLabels, idTypeLabels, purposeLabels, sourceLabels, statusLabels, label } from '../labels';
import { useReference } from '../reference';
import { loadSession } from '../session';

/** The custom rules of intakeSchema, in Chinese (zod's own messages are localised in main.tsx). */
const ruleMessages: Record<string, string> = {
  'an agent filing needs the agent and the authorisation': '信访代理须填写代理人和授权委托书',
  'a matter from a superior bureau needs the body and its document number': '上级交办/转送须填写上级机关和文号',
  'a leader reception day needs the leader and the date': '领导接访须填写接访领导和日期',
  'a grid worker report names the grid worker': '网格员上报须填写网格员姓名',
  'at least one petitioner, unless anonymous': '至少填写一名信访人（匿名信访除外）',
  'at most one main petitioner (主访人)': '只能有一名主访人',
  'fewer persons than petitioners listed': '人数少于所列信访人数',
  'unknown division code': '未知的行政区划代码',
  'a phone number': '请输入有效的电话号码',
};
const zh = (m: string) => ruleMessages[m] ?? m;

interface FormValues {
  channel: (typeof channels)[number];
  source: (typeof sources)[number];
  agentName?: string;
  agentAuthorisation?: string;
  superiorBody?: string;
  superiorDocumentNo?: string;
  leaderName?: string;
  leaderDate?: Dayjs;
  gridWorkerName?: string;
  anonymous?: boolean;
  jointSignature?: boolean;
  petitioners: { name?: string; main?: boolean; idType?: string; idNumber?: string; phone?: string; address?: string }[];
  personsCount?: number;
  divisionCode?: string;
  category?: string;
  purpose?: string;
  summary?: string;
  receivedAt?: Dayjs;
  flags?: string[];
  newMatterReason?: string;
}

function toBody(v: FormValues): Record<string, unknown> {
  const blank = (s?: string) => (s && s.trim() ? s.trim() : undefined);
  return {
    channel: v.channel,
    source: v.source,
    agent: v.source === 'agent' ? { name: v.agentName ?? '', authorisation: v.agentAuthorisation ?? '' } : undefined,
    superior: v.source === 'assigned_down' || v.source === 'forwarded_down' ? { body: v.superiorBody ?? '', documentNo: v.superiorDocumentNo ?? '' } : undefined,
    leaderReception: v.source === 'leader_reception' ? { leaderName: v.leaderName ?? '', date: v.leaderDate?.format('YYYY-MM-DD') ?? '' } : undefined,
    gridWorker: v.source === 'grid_worker' ? { name: v.gridWorkerName ?? '' } : undefined,
    anonymous: !!v.anonymous,
    jointSignature: !!v.jointSignature,
    petitioners: (v.petitioners ?? [])
      .filter((p) => blank(p.name) || blank(p.idNumber))
      .map((p, i) => ({ name: p.name ?? '', main: i === 0, idType: p.idType ?? 'resident_id', idNumber: blank(p.idNumber), phone: blank(p.phone), address: blank(p.address) })),
    personsCount: v.personsCount ?? 1,
    divisionCode: v.divisionCode ?? '',
    category: v.category,
    purpose: v.purpose,
    summary: v.summary ?? '',
    receivedAt: v.receivedAt ? v.receivedAt.format() : undefined,
    flags: { litigation: !!v.flags?.includes('litigation'), crossRegion: !!v.flags?.includes('crossRegion'), majorUrgent: !!v.flags?.includes('majorUrgent') },
    newMatterReason: blank(v.newMatterReason),
  };
}

/** API/zod paths (agent.name, petitioners.0.idNumber) → this form's field names. */
function fieldName(path: string): (string | number)[] {
  const parts = path.split('.').map((p) => (/^\d+$/.test(p) ? Number(p) : p));
  const [head, second] = parts;
  if (head === 'agent') return [second === 'authorisation' ? 'agentAuthorisation' : 'agentName'];
  if (head === 'superior') return [second === 'documentNo' ? 'superiorDocumentNo' : 'superiorBody'];
  if (head === 'leaderReception') return [second === 'date' ? 'leaderDate' : 'leaderName'];
  if (head === 'gridWorker') return ['gridWorkerName'];
  if (head === 'petitioners' && parts.length === 1) return ['petitioners', 0, 'name'];
  if (head === 'receivedAt' || head === 'divisionCode' || head === 'summary' || head === 'personsCount' || head === 'category' || head === 'purpose' || head === 'petitioners')
    return parts;
  return [String(head)];
}

const newKey = () => (crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(36).slice(2)}`);

/** 登记: every channel and source; validated as the API validates; possible repeats while typing; one Idempotency-Key per matter. */
export function Register() {
  const session = loadSession()!;
  const [form] = Form.useForm<FormValues>();
  const queryClient = useQueryClient();
  const reference = useReference();
  const idempotencyKey = useRef(newKey());
  const [formError, setFormError] = useState<string | null>(null);
  const source = Form.useWatch('source', form);
  const mainId = Form.useWatch(['petitioners', 0, 'idNumber'], form) as string | undefined;
  const mainIdType = (Form.useWatch(['petitioners', 0, 'idType'], form) as string | undefined) ?? 'resident_id';
  const [debouncedId, setDebouncedId] = useState('');
  useEffect(() => {
    const t = setTimeout(() => setDebouncedId((mainId ?? '').trim()), 300);
    return () => clearTimeout(t);
  }, [mainId]);
  const repeats = useQuery({
    queryKey: ['possible-repeats', mainIdType, debouncedId],
    enabled: debouncedId.length >= 6,
    queryFn: () => unwrap(api.POST('/api/possible-repeats', { body: { idType: mainIdType as 'resident_id', idNumber: debouncedId } })),
  });

  const register = useMutation({
    mutationFn: (body: IntakeBody) =>
      unwrap(
        api.POST('/api/petitions', { body, params: { header: { 'idempotency-key': idempotencyKey.current } } }),
      ),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ['tasks'] }),
    onError: (err) => {
      if (err instanceof ApiError && Object.keys(err.fields).length) {
        form.setFields(Object.entries(err.fields).map(([path, message]) => ({ name: fieldName(path) as never, errors: [zh(message)] })));
      }
      setFormError(err instanceof ApiError ? `${errorTitle(err)}：${err.message}` : String(err));
    },
  });

  const divisionOptions = (reference.data?.divisions ?? [])
    .filter((d) => ['city', 'county', 'development_zone', 'township'].includes(d.level))
    .filter((d) => session.user.role === 'admin' || !session.user.divisionCode || withinDivision(d.code, session.user.divisionCode, (c) => reference.data?.divisions.find((x) => x.code === c)?.parentCode))
    .map((d) => ({ value: d.code, label: `${d.name}（${d.code}）` }));

  function submit(values: FormValues) {
    setFormError(null);
    const body = toBody(values);
    const parsed = intakeSchema.safeParse(body);
    if (!parsed.success) {
      form.setFields(parsed.error.issues.map((i) => ({ name: fieldName(i.path.join('.')) as never, errors: [zh(i.message)] })));
      setFormError('请更正标出的字段');
      return;
    }
    register.mutate(body as IntakeBody);
  }

  if (register.data) {
    const r = register.data;
    return (
      <Card>
        <Result
          status="success"
          title={r.outcome === 'registered' ? `已登记：${r.caseNo}` : `已作为重复件次并入 ${r.caseNo}`}
          subTitle={`查询码 ${r.queryCode ?? '—'}`}
          extra={[
            <Link key="open" to={`/matters/${r.caseNo}`}>
              <Button type="primary">打开信访事项</Button>
            </Link>,
            <Button
              key="again"
              onClick={() => {
                idempotencyKey.current = newKey();
                register.reset();
                form.resetFields();
              }}
            >
              继续登记
            </Button>,
          ]}
        >
          {r.possibleRepeats?.length ? (
            <Alert type="warning" showIcon message="可能重复" description={r.possibleRepeats.map((p) => <div key={p.caseNo}><Link to={`/matters/${p.caseNo}`}>{p.caseNo}</Link>（{label(statusLabels, p.status)}）</div>)} />
          ) : null}
        </Result>
      </Card>
    );
  }

  return (
    <Card title={<Typography.Title level={1} style={{ fontSize: 20, margin: 0 }}>信访登记</Typography.Title>}>
      <Form<FormValues>
        form={form}
        layout="vertical"
        onFinish={submit}
        onValuesChange={() => setFormError(null)}
        initialValues={{ channel: 'letter', source: 'direct', petitioners: [{ idType: 'resident_id' }], personsCount: 1, flags: [] }}
        scrollToFirstError
        aria-label="信访登记表"
      >
        <Row gutter={16}>
          <Col xs={24} md={12}>
            <Form.Item name="channel" label="信访渠道" rules={[{ required: true }]}>
              <Radio.Group options={channels.map((c) => ({ value: c, label: channelLabels[c] }))} optionType="button" />
            </Form.Item>
          </Col>
          <Col xs={24} md={12}>
            <Form.Item name="source" label="来源" rules={[{ required: true }]}>
              <Select options={sources.map((s) => ({ value: s, label: sourceLabels[s] }))} />
            </Form.Item>
          </Col>
        </Row>
        {source === 'agent' ? (
          <Row gutter={16}>
            <Col span={12}><Form.Item name="agentName" label="代理人"><Input /></Form.Item></Col>
            <Col span={12}><Form.Item name="agentAuthorisation" label="授权委托书"><Input /></Form.Item></Col>
          </Row>
        ) : null}
        {source === 'assigned_down' || source === 'forwarded_down' ? (
          <Row gutter={16}>
            <Col span={12}><Form.Item name="superiorBody" label="上级机关"><Input /></Form.Item></Col>
            <Col span={12}><Form.Item name="superiorDocumentNo" label="文号"><Input /></Form.Item></Col>
          </Row>
        ) : null}
        {source === 'leader_reception' ? (
          <Row gutter={16}>
            <Col span={12}><Form.Item name="leaderName" label="接访领导"><Input /></Form.Item></Col>
            <Col span={12}><Form.Item name="leaderDate" label="接访日期"><DatePicker style={{ width: '100%' }} /></Form.Item></Col>
          </Row>
        ) : null}
        {source === 'grid_worker' ? <Form.Item name="gridWorkerName" label="网格员"><Input /></Form.Item> : null}

        <Typography.Title level={2} style={{ fontSize: 16 }}>信访人</Typography.Title>
        <Form.List name="petitioners">
          {(fields, { add, remove }) => (
            <>
              {fields.map((f, i) => (
                <Row gutter={8} key={f.key} align="top">
                  <Col xs={24} md={4}><Form.Item name={[f.name, 'name']} label={i === 0 ? '姓名（主访人）' : `姓名（${i + 1}）`}><Input autoComplete="off" /></Form.Item></Col>
                  <Col xs={24} md={4}><Form.Item name={[f.name, 'idType']} label="证件类型"><Select options={Object.entries(idTypeLabels).map(([value, l]) => ({ value, label: l }))} /></Form.Item></Col>
                  <Col xs={24} md={6}><Form.Item name={[f.name, 'idNumber']} label="证件号码"><Input autoComplete="off" /></Form.Item></Col>
                  <Col xs={24} md={4}><Form.Item name={[f.name, 'phone']} label="电话"><Input autoComplete="off" /></Form.Item></Col>
                  <Col xs={24} md={5}><Form.Item name={[f.name, 'address']} label="住址"><Input autoComplete="off" /></Form.Item></Col>
                  <Col xs={24} md={1}>{i > 0 ? <Form.Item label=" "><Button onClick={() => remove(f.name)} aria-label={`删除信访人${i + 1}`}>删</Button></Form.Item> : null}</Col>
                </Row>
              ))}
              <Button onClick={() => add({ idType: 'resident_id' })} style={{ marginBottom: 16 }}>添加信访人</Button>
            </>
          )}
        </Form.List>
        <div aria-live="polite">
          {repeats.data?.items.length ? (
            <Alert
              type="warning"
              showIcon
              style={{ marginBottom: 16 }}
              message="该信访人有未办结的信访事项，可能重复"
              description={repeats.data.items.map((m) => (
                <div key={m.caseNo}>
                  <Link to={`/matters/${m.caseNo}`} target="_blank">{m.caseNo}</Link>（{label(statusLabels, m.status)}，{dayjs(m.registeredAt).format('YYYY-MM-DD')}）{m.summary}
                </div>
              ))}
            />
          ) : null}
          {repeats.data?.items.length ? (
            // Repeats are linked, not duplicated: a new matter beside open ones says why it is a different one.
            <Form.Item name="newMatterReason" label="另案登记理由（与上列事项不是同一事项的，说明理由；是同一事项的，请打开该事项登记件次）">
              <Input.TextArea rows={2} maxLength={1000} />
            </Form.Item>
          ) : null}
        </div>
        <Row gutter={16}>
          <Col xs={24} md={6}><Form.Item name="personsCount" label="人数"><InputNumber min={1} style={{ width: '100%' }} /></Form.Item></Col>
          <Col xs={24} md={6}><Form.Item name="anonymous" valuePropName="checked" label="匿名"><Checkbox>匿名信访</Checkbox></Form.Item></Col>
          <Col xs={24} md={6}><Form.Item name="jointSignature" valuePropName="checked" label="联名"><Checkbox>联名信访</Checkbox></Form.Item></Col>
          <Col xs={24} md={6}><Form.Item name="receivedAt" label="收到时间（默认现在）"><DatePicker showTime style={{ width: '100%' }} disabledDate={(d) => d.isAfter(dayjs(), 'day')} /></Form.Item></Col>
        </Row>
        <Typography.Title level={2} style={{ fontSize: 16 }}>信访事项</Typography.Title>
        <Row gutter={16}>
          <Col xs={24} md={8}><Form.Item name="divisionCode" label="问题属地" rules={[{ required: true, message: '请选择问题属地' }]}><Select showSearch optionFilterProp="label" options={divisionOptions} loading={reference.isPending} /></Form.Item></Col>
          <Col xs={24} md={8}><Form.Item name="category" label="内容分类" rules={[{ required: true, message: '请选择内容分类' }]}><Select options={categories.map((c) => ({ value: c, label: categoryLabels[c] }))} /></Form.Item></Col>
          <Col xs={24} md={8}><Form.Item name="purpose" label="信访目的" rules={[{ required: true, message: '请选择信访目的' }]}><Select options={purposes.map((p) => ({ value: p, label: purposeLabels[p] }))} /></Form.Item></Col>
        </Row>
        <Form.Item name="summary" label="主要内容" rules={[{ required: true, message: '请填写主要内容' }]}>
          <Input.TextArea rows={4} showCount maxLength={5000} />
        </Form.Item>
        <Form.Item name="flags" label="标记">
          <Checkbox.Group options={[{ value: 'litigation', label: '涉法涉诉' }, { value: 'crossRegion', label: '三跨三分离' }, { value: 'majorUrgent', label: '重大紧急' }]} />
        </Form.Item>
        {formError ? <Alert type="error" showIcon role="alert" message={formError} style={{ marginBottom: 16 }} /> : null}
        <Space>
          <Button type="primary" htmlType="submit" loading={register.isPending}>登记</Button>
          <Button htmlType="button" onClick={() => form.resetFields()}>清空</Button>
        </Space>
      </Form>
    </Card>
  );
}
