import { useState } from 'react';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Col, Descriptions, Drawer, Form, Input, InputNumber, List, Progress, Row, Select, Space, Table, Tabs, Tag, Timeline, Typography } from 'antd';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router-dom';
import dayjs from 'dayjs';
import { z } from 'zod';
import { may } from '../../../domain/access';
import { checkInSchema, closureLabels, closureSchema, planSchema, supervisionSchema } from '../../../domain/backlog';
import { api, errorTitle, unwrap } from '../api/client';
import { postText } from '../api/files';
import { CommandForm } from '../components/CommandForm';
import { ExportButtons } from '../components/ExportButtons';
import { ErrorState, Loading } from '../components/States';
import { fieldsFrom, type FormSpec } from '../forms';
import { eventLabels, label } from '../labels';
import { useNames } from '../reference';
import { currentToken, loadSession } from '../session';

const listingStatusLabels: Record<string, string> = { listed: '挂牌督办中', remediated: '已整改销号', overdue: '整改逾期' };
const listingColors: Record<string, string> = { listed: 'orange', remediated: 'green', overdue: 'red' };
const levelLabels: Record<string, string> = { national: '国家交办', province: '省交办', city: '市交办', county: '县级' };
const sourceLabels: Record<string, string> = { new_backlog: '新增积案', central_assignment: '上级交办', import: '历史积案导入' };
const backlogStatusLabels: Record<string, string> = { open: '化解中', closed: '已化解' };

const h2 = (text: string) => <Typography.Title level={2} style={{ fontSize: 16, margin: 0 }}>{text}</Typography.Title>;

/** 挂牌与积案: the quarterly listing (挂牌督办, 督查通报) and the backlog board (化积案), each exportable. */
export default function Campaign() {
  const { tab = 'listings' } = useParams();
  const navigate = useNavigate();
  return (
    <Card title={<Typography.Title level={1} style={{ fontSize: 20, margin: 0 }}>挂牌督办与积案化解</Typography.Title>}>
      <Tabs
        activeKey={tab}
        onChange={(k) => navigate(`/campaign/${k}`)}
        items={[
          { key: 'listings', label: '季度挂牌督办', children: tab === 'listings' ? <Listings /> : null },
          { key: 'backlog', label: '积案化解', children: tab === 'backlog' ? <Backlog /> : null },
        ]}
      />
    </Card>
  );
}

// --- 挂牌督办 ------------------------------------------------------------------------------------------------------

interface Listing { id: string; quarter: string; divisionCode: string; rank: number; score: number; status: string; dueDate: string }
interface Digest { id: string; kind: string; periodStart: string; periodEnd: string; createdAt: string; body: { listed?: { name: string; rank: number }[]; ranking?: unknown[] } }

async function openReport(id: string): Promise<void> {
  const res = await fetch(`/api/digests/${encodeURIComponent(id)}/report`, { headers: { authorization: `Bearer ${currentToken() ?? ''}` } });
  if (!res.ok) throw new Error(`${res.status} ${res.statusText}`);
  const url = URL.createObjectURL(new Blob([await res.text()], { type: 'text/html;charset=utf-8' }));
  window.open(url, '_blank');
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

function Listings() {
  const names = useNames();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const listings = useQuery({ queryKey: ['listings'], queryFn: () => unwrap<{ items: Listing[] }>(api.GET('/api/listings', {})) });
  const digests = useQuery({ queryKey: ['digests', 'quarterly'], queryFn: () => unwrap<{ items: Digest[] }>(api.GET('/api/digests', { params: { query: { kind: 'quarterly', limit: 20 } } })) });
  const [remediate, setRemediate] = useState<Listing | null>(null);
  const remediationSpec: FormSpec | null = remediate
    ? { label: `${names.division(remediate.divisionCode)}整改报告`, schema: remediationSchema, fields: fieldsFrom(remediationSchema, { report: { label: '整改情况报告', kind: 'textarea' } }) }
    : null;
  return (
    <Space direction="vertical" size={16} style={{ width: '100%' }}>
      <Card size="small" title={h2('挂牌督办单位')}>
        {listings.isError ? (
          <ErrorState error={listings.error} onRetry={() => void listings.refetch()} />
        ) : (
          <Table<Listing>
            rowKey="id"
            size="small"
            loading={listings.isPending}
            dataSource={listings.data?.items ?? []}
            locale={{ emptyText: listings.isPending ? '加载中…' : '暂无挂牌督办单位（季度排名后产生）' }}
            pagination={{ pageSize: 20, hideOnSinglePage: true }}
            columns={[
              { title: '季度', dataIndex: 'quarter' },
              { title: '地区', dataIndex: 'divisionCode', render: (c: string) => names.division(c) },
              { title: '排名', dataIndex: 'rank' },
              { title: '加权得分', dataIndex: 'score', render: (s: number) => (typeof s === 'number' ? s.toFixed(4) : String(s)) },
              { title: '状态', dataIndex: 'status', render: (s: string, l) => <Tag color={listingColors[s]} data-testid={`listing-${l.divisionCode}`}>{label(listingStatusLabels, s)}</Tag> },
              { title: '整改期限', dataIndex: 'dueDate' },
              { title: '操作', key: 'act', render: (_, l) => (l.status !== 'remediated' ? <Button size="small" onClick={() => setRemediate(l)}>录入整改报告</Button> : '—') },
            ]}
          />
        )}
      </Card>
      <Card size="small" title={h2('季度排名与督查通报')} extra={<ExportButtons path="/api/digests" query={{ kind: 'quarterly', limit: 20 }} what="季度排名" />}>
        {digests.isError ? (
          <ErrorState error={digests.error} onRetry={() => void digests.refetch()} />
        ) : (
          <Table<Digest>
            rowKey="id"
            size="small"
            loading={digests.isPending}
            dataSource={digests.data?.items ?? []}
            locale={{ emptyText: digests.isPending ? '加载中…' : '暂无季度排名' }}
            pagination={false}
            columns={[
              { title: '期间', render: (_, d) => `${d.periodStart} 至 ${d.periodEnd}` },
              { title: '参评地区', render: (_, d) => d.body.ranking?.length ?? '—' },
              { title: '挂牌', render: (_, d) => d.body.listed?.map((l) => `${l.name}（第${l.rank}名）`).join('、') || '无' },
              { title: '生成时间', dataIndex: 'createdAt', render: (t: string) => dayjs(t).format('YYYY-MM-DD HH:mm') },
              { title: '督查通报', key: 'report', render: (_, d) => <Button size="small" onClick={() => openReport(d.id).catch((err: Error) => void message.error(`无法打开督查通报：${err.message}`))}>打印督查通报</Button> },
            ]}
          />
        )}
      </Card>
      {remediate && remediationSpec ? (
        <CommandForm<{ status: string }>
          spec={remediationSpec}
          send={(body) => unwrap<{ status: string }>(api.POST('/api/listings/{id}/remediation', { params: { path: { id: remediate.id } }, body: body as { report: string } }))}
          onClose={() => setRemediate(null)}
          onDone={(answer) => {
            void message.success(`整改报告已录入：${label(listingStatusLabels, answer.status)}`);
            setRemediate(null);
            void queryClient.invalidateQueries({ queryKey: ['listings'] });
          }}
        />
      ) : null}
    </Space>
  );
}

// The remediation body as the API takes it (api/routes/digests.ts).
const remediationSchema = z.object({ report: z.string().min(5).max(10_000) });

// --- 积案化解 ------------------------------------------------------------------------------------------------------

interface BacklogRow { id: string; source: string; assigningLevel: string; assigningBody: string | null; assignedOn: string; divisionCode: string; unitId: string | null; areaName: string | null; leaderName: string | null; leaderMissing: boolean; targetDate: string | null; status: string; closureCategory: string | null; closedOn: string | null; reopenCount: number }
interface Progress { levels: { level: string; assigned: number; closed: number; rate: number | null; target: number | null; status: string }[]; byLeader: { leader: string | null; assigned: number; closed: number; reopened: number }[] }

function Backlog() {
  const session = loadSession()!;
  const names = useNames();
  const [params, setParams] = useSearchParams();
  const [detail, setDetail] = useState<string | null>(null);
  const filters = { status: params.get('status') ?? undefined, level: params.get('level') ?? undefined, source: params.get('source') ?? undefined, leader: params.get('leader') ?? undefined };
  const page = Number(params.get('page') ?? 1);
  const set = (k: string, v: string | undefined) =>
    setParams((prev) => {
      const n = new URLSearchParams(prev);
      if (v) n.set(k, v);
      else n.delete(k);
      if (k !== 'page') n.delete('page');
      return n;
    }, { replace: true });
  const progress = useQuery({ queryKey: ['backlog-progress'], queryFn: () => unwrap<Progress>(api.GET('/api/backlog-progress', {})) });
  const query = { ...filters, limit: 20, offset: (page - 1) * 20 };
  const list = useQuery({ queryKey: ['backlog', query], queryFn: () => unwrap<{ total: number; items: BacklogRow[] }>(api.GET('/api/backlog', { params: { query: query as never } })), placeholderData: keepPreviousData });
  return (
    <Space direction="vertical" size={16} style={{ width: '100%' }}>
      <Card size="small" title={h2('化解进度（按交办层级对照目标）')} extra={<ExportButtons path="/api/backlog-progress" query={{}} what="包案领导进度" />}>
        {progress.isError ? (
          <ErrorState error={progress.error} onRetry={() => void progress.refetch()} />
        ) : progress.isPending ? (
          <Loading rows={3} />
        ) : (
          <Row gutter={16}>
            {progress.data.levels.map((l) => (
              <Col xs={24} md={8} key={l.level}>
                <Typography.Text strong>{levelLabels[l.level]}</Typography.Text>
                <Progress percent={l.rate === null ? 0 : Math.round(l.rate * 1000) / 10} status={l.status === 'met' ? 'success' : 'normal'} aria-label={`${levelLabels[l.level]}化解率`} />
                <Typography.Text type="secondary" data-testid={`level-${l.level}`}>
                  已化解 {l.closed} / 交办 {l.assigned}，目标 {l.target === null ? '—' : `≥ ${Math.round(l.target * 100)}%`}，{l.status === 'met' ? '达标' : l.status === 'no_data' ? '无数据' : '未达标'}
                </Typography.Text>
              </Col>
            ))}
          </Row>
        )}
      </Card>
      {may(session.user, 'admin') ? <BacklogImport /> : null}
      <Card size="small" title={h2('积案台账')} extra={<ExportButtons path="/api/backlog" query={{ ...filters, limit: 1000 }} what="积案台账" />}>
        <Space wrap style={{ marginBottom: 12 }}>
          <label htmlFor="bl-status">状态</label>
          <Select id="bl-status" allowClear placeholder="全部" style={{ width: 120 }} value={filters.status} onChange={(v) => set('status', v)} options={Object.entries(backlogStatusLabels).map(([value, l]) => ({ value, label: l }))} />
          <label htmlFor="bl-level">交办层级</label>
          <Select id="bl-level" allowClear placeholder="全部" style={{ width: 120 }} value={filters.level} onChange={(v) => set('level', v)} options={Object.entries(levelLabels).map(([value, l]) => ({ value, label: l }))} />
          <label htmlFor="bl-source">来源</label>
          <Select id="bl-source" allowClear placeholder="全部" style={{ width: 140 }} value={filters.source} onChange={(v) => set('source', v)} options={Object.entries(sourceLabels).map(([value, l]) => ({ value, label: l }))} />
          <label htmlFor="bl-leader">包案领导</label>
          <Select id="bl-leader" allowClear showSearch placeholder="全部" style={{ width: 160 }} value={filters.leader} onChange={(v) => set('leader', v)} options={(progress.data?.byLeader ?? []).filter((l) => l.leader).map((l) => ({ value: l.leader!, label: `${l.leader}（${l.closed}/${l.assigned}）` }))} />
        </Space>
        {list.isError ? (
          <ErrorState error={list.error} onRetry={() => void list.refetch()} />
        ) : (
          <Table<BacklogRow>
            rowKey="id"
            size="small"
            loading={list.isFetching}
            dataSource={list.data?.items ?? []}
            locale={{ emptyText: list.isPending ? '加载中…' : '暂无积案' }}
            pagination={{ current: page, pageSize: 20, total: list.data?.total ?? 0, showSizeChanger: false, showTotal: (n) => `共 ${n} 件`, onChange: (p) => set('page', String(p)) }}
            columns={[
              { title: '编号', dataIndex: 'id', render: (id: string) => <a href={`#${id}`} onClick={(e) => { e.preventDefault(); setDetail(id); }}>{id}</a> },
              { title: '来源', dataIndex: 'source', render: (s: string) => label(sourceLabels, s) },
              { title: '交办', render: (_, r) => `${label(levelLabels, r.assigningLevel)}${r.assigningBody ? `（${r.assigningBody}）` : ''}` },
              { title: '地区/单位', render: (_, r) => r.areaName ?? (r.unitId ? names.unit(r.unitId) : names.division(r.divisionCode)) },
              { title: '包案领导', dataIndex: 'leaderName', render: (n: string | null, r) => n ?? (r.leaderMissing ? <Tag color="orange">未明确</Tag> : '—') },
              { title: '目标日期', dataIndex: 'targetDate', render: (d: string | null) => d ?? '—' },
              { title: '状态', dataIndex: 'status', render: (s: string, r) => <>{label(backlogStatusLabels, s)}{r.reopenCount ? <Tag color="volcano" style={{ marginLeft: 8 }}>重启 {r.reopenCount}</Tag> : null}</> },
            ]}
          />
        )}
      </Card>
      <Card size="small" title={h2('包案领导')}>
        <Table
          rowKey={(l) => l.leader ?? '—'}
          size="small"
          loading={progress.isPending}
          dataSource={progress.data?.byLeader ?? []}
          pagination={{ pageSize: 10, hideOnSinglePage: true }}
          locale={{ emptyText: '暂无' }}
          columns={[
            { title: '包案领导', dataIndex: 'leader', render: (l: string | null) => (l ? <a href={`#leader-${l}`} onClick={(e) => { e.preventDefault(); set('leader', l); }}>{l}</a> : '（未明确）') },
            { title: '包案', dataIndex: 'assigned' },
            { title: '已化解', dataIndex: 'closed' },
            { title: '重启', dataIndex: 'reopened' },
          ]}
        />
      </Card>
      <Drawer open={!!detail} onClose={() => setDetail(null)} width={720} title={detail ? `积案 ${detail}` : ''} destroyOnHidden>
        {detail ? <BacklogCase id={detail} /> : null}
      </Drawer>
    </Space>
  );
}

/** What a masked read shows for withheld free text. */
const WITHHELD_TEXT = '（已隐去）';

interface BacklogDetail extends BacklogRow {
  reason: string | null;
  personalData: 'full' | 'masked';
  state: { seq: number; team: { name: string; role: string }[]; checkIns: { date: string; notes: string | null; metPetitioner: boolean; by: string }[]; checkInDue: string; overdue: boolean; missedCheckIns: number; supervisions: { no: number; date: string; findings: string | null; recommendations: { no: number; text: string | null; status: string }[] }[]; closure?: { label: string; evidence: string[]; summary: string | null; closedOn: string; confirmedBy: string }; caseNos: string[] };
  timeline: { seq: number; type: string; actor: string | null; at: string }[];
}

const backlogForms: Record<string, FormSpec & { path: string; permission: 'backlogManage' | 'backlogCheckIn' }> = {
  plan: { path: 'plan', permission: 'backlogManage', label: '包案计划', schema: planSchema, fields: fieldsFrom(planSchema, { leaderName: '包案领导', targetDate: { label: '化解目标日期', future: true }, checkInDays: '走访间隔（天）' }) },
  checkIn: { path: 'check-ins', permission: 'backlogCheckIn', label: '记录包案走访', schema: checkInSchema, fields: fieldsFrom(checkInSchema, { date: '走访日期', notes: { label: '走访情况', kind: 'textarea' }, metPetitioner: '已见到信访人' }) },
  supervision: { path: 'supervisions', permission: 'backlogManage', label: '实地督查', schema: supervisionSchema, fields: fieldsFrom(supervisionSchema, { date: '督查日期', sawHandler: '见承办人', sawPetitioner: '见信访人', sawFile: '见原始案卷', findings: { label: '督查发现', kind: 'textarea' }, recommendations: '督查建议' }) },
  close: { path: 'close', permission: 'backlogManage', label: '化解销案（三到位一处理）', danger: true, schema: closureSchema, fields: fieldsFrom(closureSchema, { category: { label: '化解类别', options: closureLabels }, evidence: '佐证材料', summary: { label: '化解情况', kind: 'textarea' }, closedOn: '化解日期' }) },
};

function BacklogCase({ id }: { id: string }) {
  const session = loadSession()!;
  const queryClient = useQueryClient();
  const { message } = App.useApp();
  const [open, setOpen] = useState<(typeof backlogForms)[string] | null>(null);
  // The register row is projected from the workflow after a command: look again until it shows the command's step.
  const [awaitSeq, setAwaitSeq] = useState(-1);
  const c = useQuery({
    queryKey: ['backlog-case', id],
    // Those who keep the case's record read it in full (audited); the others see it masked.
    queryFn: () => unwrap<BacklogDetail>(api.GET('/api/backlog/{id}', { params: { path: { id }, query: { personalData: may(session.user, 'backlogCheckIn') ? 'full' : 'masked' } } })),
    refetchInterval: (q) => ((q.state.data?.state.seq ?? Infinity) < awaitSeq ? 1000 : false),
  });
  if (c.isPending) return <Loading rows={6} />;
  if (c.isError) return <ErrorState error={c.error} onRetry={() => void c.refetch()} />;
  const b = c.data;
  const s = b.state;
  // The bureau's and the leader's commands on an open case, as the API's permission table allows this role.
  const forms = b.status === 'open' ? Object.values(backlogForms).filter((f) => may(session.user, f.permission)) : [];
  return (
    <Space direction="vertical" size={16} style={{ width: '100%' }}>
      <Descriptions column={1} size="small" bordered>
        <Descriptions.Item label="状态"><span data-testid="backlog-status">{label(backlogStatusLabels, b.status)}</span>{s.overdue ? <Tag color="red" style={{ marginLeft: 8 }}>走访逾期</Tag> : null}</Descriptions.Item>
        <Descriptions.Item label="交办">{label(levelLabels, b.assigningLevel)} {b.assigningBody ?? ''} {b.assignedOn}</Descriptions.Item>
        <Descriptions.Item label="事由">{b.reason ?? (b.personalData === 'masked' ? WITHHELD_TEXT : '—')}</Descriptions.Item>
        <Descriptions.Item label="包案领导">{b.leaderName ?? '（未明确）'}</Descriptions.Item>
        <Descriptions.Item label="专班">{s.team.length ? s.team.map((t) => `${t.name}（${t.role}）`).join('、') : '—'}</Descriptions.Item>
        <Descriptions.Item label="目标日期">{b.targetDate ?? '—'}</Descriptions.Item>
        <Descriptions.Item label="下次走访">{s.checkInDue}{s.missedCheckIns ? `（已逾期 ${s.missedCheckIns} 次）` : ''}</Descriptions.Item>
        <Descriptions.Item label="关联事项">{s.caseNos.length ? s.caseNos.map((n) => <Link key={n} to={`/matters/${n}`} style={{ marginRight: 8 }}>{n}</Link>) : '—'}</Descriptions.Item>
        {s.closure ? <Descriptions.Item label="化解">{s.closure.label}：{s.closure.summary ?? WITHHELD_TEXT}（{s.closure.closedOn}，佐证：{s.closure.evidence.join('、')}，确认：{s.closure.confirmedBy}）</Descriptions.Item> : null}
      </Descriptions>
      {forms.length ? (
        <Space wrap>
          {forms.map((f) => (
            <Button key={f.path} type={f.danger ? 'default' : 'primary'} danger={f.danger} onClick={() => setOpen(f)}>{f.label}</Button>
          ))}
        </Space>
      ) : null}
      <Typography.Title level={3} style={{ fontSize: 15 }}>包案走访</Typography.Title>
      <List size="small" dataSource={s.checkIns} locale={{ emptyText: '尚无走访记录' }} renderItem={(x) => <List.Item>{x.date}　{x.notes ?? WITHHELD_TEXT}{x.metPetitioner ? '（见到信访人）' : ''}　{x.by}</List.Item>} />
      <Typography.Title level={3} style={{ fontSize: 15 }}>实地督查</Typography.Title>
      <List
        size="small"
        dataSource={s.supervisions}
        locale={{ emptyText: '尚无实地督查' }}
        renderItem={(x) => (
          <List.Item>
            第{x.no}次 {x.date}：{x.findings ?? WITHHELD_TEXT}；建议：{x.recommendations.map((r) => `${r.text ?? WITHHELD_TEXT}（${r.status === 'closed' ? '已落实' : '待落实'}）`).join('；')}
          </List.Item>
        )}
      />
      <Typography.Title level={3} style={{ fontSize: 15 }}>一案一档</Typography.Title>
      <Timeline items={b.timeline.map((e) => ({ children: `${label(eventLabels, e.type)}　${dayjs(e.at).format('YYYY-MM-DD HH:mm')}　${e.actor ?? '系统'}` }))} />
      {open ? (
        <CommandForm<{ status: string; seq: number }>
          spec={open}
          send={(body) => unwrap<{ status: string; seq: number }>(api.POST(`/api/backlog/{id}/${open.path}` as '/api/backlog/{id}/check-ins', { params: { path: { id } }, body: body as never }))}
          onClose={() => setOpen(null)}
          onDone={(answer) => {
            void message.success(`${open.label}：已完成，当前状态：${label(backlogStatusLabels, answer.status)}`);
            setOpen(null);
            setAwaitSeq(answer.seq);
            void queryClient.invalidateQueries({ queryKey: ['backlog-case', id] });
            void queryClient.invalidateQueries({ queryKey: ['backlog'] });
            void queryClient.invalidateQueries({ queryKey: ['backlog-progress'] });
          }}
        />
      ) : null}
    </Space>
  );
}

/** 历史积案导入 (admin): a CSV shaped like the 2018 leader-area table, validated whole; each bad line is named. */
function BacklogImport() {
  const [form] = Form.useForm<{ year: number; csv: string }>();
  const queryClient = useQueryClient();
  const run = useMutation({
    mutationFn: async ({ year, csv, fileName }: { year: number; csv: string; fileName?: string }) =>
      postText<{ imported?: boolean; cases?: number; perLeader?: Record<string, number>; errors?: string[]; message?: string }>(`/api/admin/backlog/import?year=${year}${fileName ? `&fileName=${encodeURIComponent(fileName)}` : ''}`, csv, 'text/csv'),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: ['backlog'] });
      void queryClient.invalidateQueries({ queryKey: ['backlog-progress'] });
    },
  });
  const [fileName, setFileName] = useState<string | undefined>();
  const r = run.data;
  return (
    <Card size="small" title={h2('导入历史积案（CSV）')}>
      <Form form={form} layout="inline" initialValues={{ year: 2018 }} onFinish={(v) => run.mutate({ ...v, fileName })} aria-label="导入历史积案">
        <Form.Item name="year" label="年度" rules={[{ required: true, message: '请填写年度' }]}>
          <InputNumber min={2000} max={2100} />
        </Form.Item>
        <Form.Item label="CSV 文件">
          <input
            type="file"
            accept=".csv,text/csv"
            aria-label="选择 CSV 文件"
            onChange={async (e) => {
              const f = e.target.files?.[0];
              if (!f) return;
              setFileName(f.name);
              form.setFieldValue('csv', await f.text());
            }}
          />
        </Form.Item>
        <Form.Item name="csv" label="或粘贴内容" rules={[{ required: true, message: '请选择文件或粘贴 CSV 内容' }]} style={{ width: '100%', marginTop: 8 }}>
          <Input.TextArea rows={3} placeholder="supervising_leader,linked_unit,unit_kind,backlog_cases,note" />
        </Form.Item>
        <Form.Item style={{ marginTop: 8 }}>
          <Button type="primary" htmlType="submit" loading={run.isPending}>导入</Button>
        </Form.Item>
      </Form>
      {run.error ? <Alert type="error" showIcon role="alert" style={{ marginTop: 8 }} message={errorTitle(run.error)} description={run.error.message} /> : null}
      {r && r.status === 422 ? (
        <Alert
          type="error"
          showIcon
          role="alert"
          style={{ marginTop: 8 }}
          data-testid="import-result"
          message={`文件被整体拒绝，未导入任何积案（${r.body.errors?.length ?? 0} 行有误）`}
          description={<ul>{(r.body.errors ?? []).map((e) => <li key={e}>{e.replace(/^line (\d+):/, '第$1行：')}</li>)}</ul>}
        />
      ) : r ? (
        <Alert
          type="success"
          showIcon
          role="status"
          style={{ marginTop: 8 }}
          data-testid="import-result"
          message={r.body.imported ? `已导入 ${r.body.cases} 件积案` : `该文件已导入过（${r.body.cases} 件），未重复导入`}
          description={r.body.perLeader ? `包案领导 ${Object.keys(r.body.perLeader).length} 人` : undefined}
        />
      ) : null}
    </Card>
  );
}
