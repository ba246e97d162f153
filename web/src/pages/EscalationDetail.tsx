import { useRef, useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Card, Descriptions, Progress, Space, Table, Tag, Typography } from 'antd';
import { Link, useParams } from 'react-router-dom';
import dayjs from 'dayjs';
import { api, errorTitle, unwrap } from '../api/client';
import { uploadFile } from '../api/files';
import { CommandForm } from '../components/CommandForm';
import { ErrorState, Loading } from '../components/States';
import { escalationKinds, recommendationLabels, stepSpecs, triggerLabels, type EscalationPath, type StepSpec } from '../escalations';
import { deadlineStatusLabels, escalationStatusLabels, eventLabels, label } from '../labels';
import { useNames } from '../reference';

interface EscalationLive {
  id: string;
  kind: string;
  caseNo: string;
  status: string;
  trigger: string;
  unitId: string | null;
  divisionCode: string;
  openedAt: string;
  closedAt?: string;
  overdue: boolean;
  deadlines: { id: string; key: string; dueDate: string; status: string; policy?: { label: string; basis: string } }[];
  uncomputed: { id: string; reason: string }[];
  details: Record<string, unknown>;
  recent: { type: string; at: string; actor?: string | null }[];
}
interface Explanation { no: number; visitAt: string; addressee: string; content?: string; submittedBy?: string; submittedAt?: string }
interface ReviewRecord {
  participants?: { countyLeader: string; unitRepresentative: string; judicialExpert: string; others?: string[] };
  session?: { date: string; place: string; petitionersPresent: string[]; notes: string };
  recording?: { fileName: string; contentType: string; size: number; sha256: string };
  archive?: { receiptNo: string; receivedOn: string; office: string };
}

const sizeText = (n: number) => (n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : `${Math.ceil(n / 1024)} KB`);

/** An escalation: its live state in words, and the steps the API says this user may record now, each as a form. */
export function EscalationDetail() {
  const { kind: raw = '', id = '' } = useParams();
  const path = (raw in escalationKinds ? raw : 'warning-slips') as EscalationPath;
  const names = useNames();
  const queryClient = useQueryClient();
  const live = useQuery({ queryKey: ['escalation', path, id], queryFn: () => unwrap<EscalationLive>(api.GET(`/api/${path}/{id}` as '/api/warning-slips/{id}', { params: { path: { id } } })) });
  const commands = useQuery({ queryKey: ['escalation-commands', id, live.data?.status, live.data?.recent.length], enabled: !!live.data, queryFn: () => unwrap(api.GET('/api/escalations/{id}/commands', { params: { path: { id } } })) });
  const [open, setOpen] = useState<{ spec: StepSpec; fixed?: Record<string, unknown> } | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [progress, setProgress] = useState<number | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const upload = useMutation({
    mutationFn: (file: File) => uploadFile<EscalationLive>(`/api/three-party-reviews/${encodeURIComponent(id)}/recording?fileName=${encodeURIComponent(file.name)}&personalData=full`, file, setProgress),
    onSuccess: (state) => after('上传录音录像', state),
  });
  function after(what: string, state: EscalationLive) {
    queryClient.setQueryData(['escalation', path, id], state);
    setDone(`${what}：已完成，当前状态：${label(escalationStatusLabels, state.status)}`);
    void queryClient.invalidateQueries({ queryKey: ['escalation-commands', id] });
    void queryClient.invalidateQueries({ queryKey: ['escalations'] });
    void queryClient.invalidateQueries({ queryKey: ['tasks'] });
  }

  const title = <Typography.Title level={1} style={{ fontSize: 20, margin: 0 }}>{escalationKinds[path].label}</Typography.Title>;
  if (live.isPending) return <Card title={title}><Loading rows={8} /></Card>;
  if (live.isError) return <Card title={title}><ErrorState error={live.error} onRetry={() => void live.refetch()} /></Card>;
  const e = live.data;
  const record = (e.details.record ?? {}) as ReviewRecord;
  const explanations = (e.details.explanations ?? []) as Explanation[];
  const findings = e.details.findings as { handlingFinding: string; accountabilityFinding: string; recommendation: string; by: string; on: string } | undefined;

  return (
    <Space direction="vertical" size={16} style={{ width: '100%' }}>
      <Card title={title} extra={<Link to={`/escalations/${path}`}>返回列表</Link>}>
        <Descriptions column={{ xs: 1, md: 3 }} size="small">
          <Descriptions.Item label="信访事项"><Link to={`/matters/${e.caseNo}`}>{e.caseNo}</Link></Descriptions.Item>
          <Descriptions.Item label="起因">{label(triggerLabels, e.trigger)}</Descriptions.Item>
          <Descriptions.Item label="状态"><span data-testid="escalation-status">{label(escalationStatusLabels, e.status)}</span>{e.overdue ? <Tag color="red" style={{ marginLeft: 8 }}>超期</Tag> : null}</Descriptions.Item>
          <Descriptions.Item label="问题属地">{names.division(e.divisionCode)}</Descriptions.Item>
          <Descriptions.Item label="责任单位">{names.unit(e.unitId)}</Descriptions.Item>
          <Descriptions.Item label="开始 / 结束">{dayjs(e.openedAt).format('YYYY-MM-DD HH:mm')} / {e.closedAt ? dayjs(e.closedAt).format('YYYY-MM-DD HH:mm') : '—'}</Descriptions.Item>
        </Descriptions>
      </Card>

      <Card title={<Typography.Title level={2} style={{ fontSize: 16, margin: 0 }}>办理</Typography.Title>}>
        {done ? <Alert type="success" showIcon closable onClose={() => setDone(null)} role="status" style={{ marginBottom: 16 }} message={done} data-testid="step-result" /> : null}
        {commands.isError ? (
          <ErrorState error={commands.error} onRetry={() => void commands.refetch()} />
        ) : commands.isPending ? (
          <Loading rows={1} />
        ) : commands.data.commands.length ? (
          <Space wrap>
            {commands.data.commands.map((c) =>
              c.name === 'recording' ? (
                <span key={c.name}>
                  <Button type="primary" loading={upload.isPending} onClick={() => fileInput.current?.click()}>{c.zh}</Button>
                  <input
                    ref={fileInput}
                    id="recording-file"
                    type="file"
                    accept="audio/*,video/*"
                    hidden
                    aria-label="选择录音录像文件"
                    onChange={(ev) => {
                      const file = ev.target.files?.[0];
                      if (file) {
                        setProgress(0);
                        upload.mutate(file);
                      }
                      ev.target.value = '';
                    }}
                  />
                </span>
              ) : (
                <Button key={`${c.name}-${c.explanationNo ?? ''}`} type="primary" onClick={() => setOpen({ spec: { ...stepSpecs[c.name as keyof typeof stepSpecs], label: c.zh }, fixed: c.explanationNo ? { no: c.explanationNo } : undefined })}>
                  {c.zh}
                </Button>
              ),
            )}
          </Space>
        ) : (
          <Typography.Text type="secondary">{e.status === 'open' ? '当前没有需要您办理的步骤。' : '已办结。'}</Typography.Text>
        )}
        {progress !== null ? (
          <div style={{ marginTop: 12 }} aria-live="polite">
            <Progress percent={progress} status={upload.isError ? 'exception' : progress === 100 && upload.isSuccess ? 'success' : 'active'} aria-label="上传进度" data-testid="upload-progress" />
          </div>
        ) : null}
        {upload.error ? <Alert type="error" showIcon role="alert" message={errorTitle(upload.error)} description={`原因：${upload.error.message}`} data-testid="refusal" /> : null}
      </Card>

      {e.kind === 'warning_slip' ? (
        <Card title={<Typography.Title level={2} style={{ fontSize: 16, margin: 0 }}>书面说明</Typography.Title>}>
          <Table
            rowKey="no"
            size="small"
            pagination={false}
            dataSource={explanations}
            locale={{ emptyText: '预警单发出后信访人未再次上访，暂无须说明' }}
            columns={[
              { title: '次序', dataIndex: 'no', render: (n: number) => `第${n}次` },
              { title: '再次上访', dataIndex: 'visitAt', render: (d: string) => dayjs(d).format('YYYY-MM-DD') },
              { title: '说明对象', dataIndex: 'addressee', render: (a: string) => (a === 'leading_group_head' ? '上级信访工作领导小组组长' : '上级党委政府主要领导') },
              { title: '说明', dataIndex: 'content', render: (c?: string) => c ?? <Tag color="orange">待提交</Tag> },
            ]}
          />
        </Card>
      ) : null}

      {e.kind === 'three_party_review' ? (
        <Card title={<Typography.Title level={2} style={{ fontSize: 16, margin: 0 }}>会审记录</Typography.Title>}>
          <Descriptions column={1} size="small" bordered>
            <Descriptions.Item label="参加人员">{record.participants ? [`县级主要领导：${record.participants.countyLeader}`, `责任单位：${record.participants.unitRepresentative}`, `司法专家：${record.participants.judicialExpert}`, ...(record.participants.others?.length ? [`其他：${record.participants.others.join('、')}`] : [])].join('；') : '—'}</Descriptions.Item>
            <Descriptions.Item label="会审">{record.session ? `${record.session.date}，${record.session.place}；到场信访人：${record.session.petitionersPresent.join('、')}；${record.session.notes}` : '—'}</Descriptions.Item>
            <Descriptions.Item label="录音录像"><span data-testid="recording">{record.recording ? `${record.recording.fileName}（${sizeText(record.recording.size)}，SHA-256 ${record.recording.sha256.slice(0, 12)}…）` : '—'}</span></Descriptions.Item>
            <Descriptions.Item label="归档回执">{record.archive ? `${record.archive.receiptNo}，${record.archive.office}，${record.archive.receivedOn}` : '—'}</Descriptions.Item>
          </Descriptions>
        </Card>
      ) : null}

      {e.kind === 'investigation' ? (
        <Card title={<Typography.Title level={2} style={{ fontSize: 16, margin: 0 }}>调查结论</Typography.Title>}>
          {findings ? (
            <Descriptions column={1} size="small" bordered>
              <Descriptions.Item label="办理情况">{findings.handlingFinding}</Descriptions.Item>
              <Descriptions.Item label="责任情况">{findings.accountabilityFinding}</Descriptions.Item>
              <Descriptions.Item label="处理建议"><span data-testid="recommendation">{label(recommendationLabels, findings.recommendation)}</span></Descriptions.Item>
              <Descriptions.Item label="提交">{findings.by}，{findings.on}</Descriptions.Item>
            </Descriptions>
          ) : (
            <Typography.Text type="secondary">尚未提交</Typography.Text>
          )}
        </Card>
      ) : null}

      <Card title={<Typography.Title level={2} style={{ fontSize: 16, margin: 0 }}>期限</Typography.Title>}>
        <Table
          size="small"
          rowKey="id"
          pagination={false}
          dataSource={e.deadlines}
          locale={{ emptyText: '无' }}
          columns={[
            { title: '期限', render: (_, d) => d.policy?.label.split(' ')[0] ?? d.key },
            { title: '届满日', dataIndex: 'dueDate' },
            { title: '状态', dataIndex: 'status', render: (s: string) => label(deadlineStatusLabels, s) },
            { title: '依据', render: (_, d) => d.policy?.basis ?? '—' },
          ]}
        />
        {e.uncomputed.length ? <Typography.Paragraph type="warning" style={{ marginTop: 8 }}>待计算的期限：{e.uncomputed.map((u) => u.reason).join('；')}</Typography.Paragraph> : null}
      </Card>

      <Card title={<Typography.Title level={2} style={{ fontSize: 16, margin: 0 }}>最近记录</Typography.Title>}>
        <ul>
          {e.recent.map((r, i) => (
            <li key={i}>{label(eventLabels, r.type)}　{dayjs(r.at).format('YYYY-MM-DD HH:mm')}{r.actor ? `　${r.actor}` : ''}</li>
          ))}
        </ul>
      </Card>

      {open ? (
        <CommandForm<EscalationLive>
          spec={{ ...open.spec, fixed: open.fixed }}
          // The page shows the full record (GET /<kind>/:id, audited): the answer that replaces it is asked for in full too.
          send={(body) => unwrap<EscalationLive>(api.POST(`/api/${path}/{id}/${open.spec.path}` as '/api/three-party-reviews/{id}/session', { params: { path: { id }, query: { personalData: 'full' } }, body: body as never }))}
          onClose={() => setOpen(null)}
          onDone={(state) => {
            after(open.spec.label, state);
            setOpen(null);
          }}
        />
      ) : null}
    </Space>
  );
}
