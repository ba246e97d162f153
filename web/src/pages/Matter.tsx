import { useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Descriptions, Space, Table, Tag, Timeline, Typography, List } from 'antd';
import { Link, useParams } from 'react-router-dom';
import dayjs from 'dayjs';
import { api, unwrap } from '../api/client';
import type { CommandAnswer, DeadlineRow, MaskedPetitioner } from '../api/types';
import { commandsNamed, type CommandSpec } from '../commands';
import { CommandForm } from '../components/CommandForm';
import { DeadlineExplain } from '../components/DeadlineExplain';
import { MatterEscalations } from '../components/MatterEscalations';
import { ErrorState, Loading } from '../components/States';
import {
  categoryLabels,
  channelLabels,
  countingLabels,
  deadlineStatusLabels,
  eventLabels,
  idTypeLabels,
  label,
  purposeLabels,
  sourceLabels,
  statusColors,
  statusLabels,
  taskLabel,
} from '../labels';
import { useNames } from '../reference';

/** How a limit was counted, in words (the policy stored with the deadline). */
export function explainDeadline(d: DeadlineRow): string {
  const p = d.policy;
  const counting =
    p.counting === 'working'
      ? `${p.days} 个工作日（跳过周末、法定节假日，调休上班日计入）`
      : `${p.days} 个自然日（节假日不扣除）`;
  const roll = p.rollForward ? '；届满日为节假日的，顺延至下一个工作日' : '';
  return `自 ${d.startDate} 起算，当日不计入，计 ${counting}${roll}，至 ${d.dueDate} 24:00（北京时间）届满。`;
}

const fetchMatter = (caseNo: string, personalData: 'full' | 'masked') =>
  unwrap(api.GET('/api/petitions/{caseNo}', { params: { path: { caseNo }, query: { personalData } } }));

/** The matter: header, deadlines, timeline, petitioners (masked until an audited click), notices and the commands. */
export function MatterPage() {
  const { caseNo = '' } = useParams();
  const names = useNames();
  const queryClient = useQueryClient();
  const { modal } = App.useApp();
  // Just registered: the workflow projects its first step within moments; look again until it has.
  const [open, setOpen] = useState<CommandSpec | null>(null);
  const [result, setResult] = useState<{ command: string; answer: CommandAnswer } | null>(null);
  // Just registered, or a command answered with a status the read model has not projected yet: look again until it has.
  const matter = useQuery({
    queryKey: ['matter', caseNo],
    queryFn: () => fetchMatter(caseNo, 'masked'),
    refetchInterval: (q) => (q.state.data?.status === 'REGISTERED' || (result && q.state.data && q.state.data.status !== result.answer.status) ? 1000 : false),
  });
  // The commands this user may give now, as the API answers them (the state machine's table).
  const available = useQuery({ queryKey: ['matter-commands', caseNo, matter.data?.status, matter.data?.unitId], queryFn: () => unwrap(api.GET('/api/petitions/{caseNo}/commands', { params: { path: { caseNo } } })), enabled: !!matter.data });
  const full = useMutation({ mutationFn: () => fetchMatter(caseNo, 'full') });

  if (matter.isPending) return <Card><Loading rows={8} /></Card>;
  if (matter.isError) return <Card><ErrorState error={matter.error} onRetry={() => void matter.refetch()} /></Card>;
  const m = matter.data;
  const commands = commandsNamed(available.data?.commands.map((c) => c.name) ?? []);
  const petitioners: MaskedPetitioner[] = (full.data?.petitioners as MaskedPetitioner[] | undefined) ?? m.petitioners;
  const limitName = (key: string) => m.deadlines.find((d) => d.key === key)?.policy.label.split(' ')[0] ?? key;
  const current = m.deadlines.find((d) => d.key === m.currentDeadlineKey && (d.status === 'pending' || d.status === 'missed'));

  return (
    <Space direction="vertical" size={16} style={{ width: '100%' }}>
      <Card>
        <Space align="center" wrap>
          <Typography.Title level={1} style={{ fontSize: 22, margin: 0 }}>
            信访事项 {m.caseNo}
          </Typography.Title>
          <Tag color={statusColors[m.status]} data-testid="matter-status">{label(statusLabels, m.status)}</Tag>
          {m.overdue ? <Tag color="red">超期</Tag> : null}
        </Space>
        <Descriptions size="small" column={{ xs: 1, md: 3 }} style={{ marginTop: 16 }}>
          <Descriptions.Item label="责任单位">{names.unit(m.unitId)}</Descriptions.Item>
          <Descriptions.Item label="问题属地">{names.division(m.divisionCode)}</Descriptions.Item>
          <Descriptions.Item label="渠道 / 来源">{label(channelLabels, m.channel)} / {label(sourceLabels, m.source)}</Descriptions.Item>
          <Descriptions.Item label="分类 / 目的">{label(categoryLabels, m.category)} / {label(purposeLabels, m.purpose)}</Descriptions.Item>
          <Descriptions.Item label="收到时间">{dayjs(m.receivedAt).format('YYYY-MM-DD HH:mm')}</Descriptions.Item>
          <Descriptions.Item label="当前期限">{current ? `${current.policy.label.split(' ')[0]}，至 ${current.dueDate}` : '—'}</Descriptions.Item>
          <Descriptions.Item label="查询码">{m.queryCode}</Descriptions.Item>
          <Descriptions.Item label="主要内容" span={2}>{m.summary}</Descriptions.Item>
        </Descriptions>
      </Card>

      <Card title={<Typography.Title level={2} style={{ fontSize: 16, margin: 0 }}>办理</Typography.Title>}>
        {result ? (
          <Alert
            type="success"
            showIcon
            closable
            onClose={() => setResult(null)}
            role="status"
            style={{ marginBottom: 16 }}
            message={`${result.command}：已完成`}
            description={`事项当前状态：${label(statusLabels, result.answer.status)}${result.answer.unitId ? `，责任单位：${names.unit(result.answer.unitId)}` : ''}`}
            data-testid="command-result"
          />
        ) : null}
        {m.tasks.length ? (
          <Typography.Paragraph>
            待办：{m.tasks.map((t) => `${taskLabel(t.kind)}（${t.detail}）`).join('；')}
          </Typography.Paragraph>
        ) : null}
        {available.isError ? <ErrorState error={available.error} onRetry={() => void available.refetch()} /> : available.isPending ? <Loading rows={1} /> : commands.length ? (
          <Space wrap>
            {commands.map((c) => (
              <Button key={c.transition} type={c.danger ? 'default' : 'primary'} danger={c.danger} onClick={() => setOpen(c)}>
                {c.label}
              </Button>
            ))}
          </Space>
        ) : (
          <Typography.Text type="secondary">当前状态下，您的角色没有可执行的操作。</Typography.Text>
        )}
      </Card>

      <Card title={<Typography.Title level={2} style={{ fontSize: 16, margin: 0 }}>期限</Typography.Title>}>
        <Table<DeadlineRow>
          rowKey="id"
          size="small"
          pagination={false}
          dataSource={m.deadlines}
          locale={{ emptyText: '尚无期限' }}
          expandable={{
            columnTitle: '逐日',
            expandRowByClick: false,
            expandedRowRender: (d) => <DeadlineExplain limit={d.key} start={d.startDate} days={d.policy.days} dueDate={d.dueDate} />,
          }}
          columns={[
            { title: '期限', dataIndex: ['policy', 'label'], render: (l: string) => l.split(' ')[0] },
            { title: '届满日', dataIndex: 'dueDate', width: 110 },
            { title: '计算', render: (_, d) => `${d.policy.days} 个${countingLabels[d.policy.counting]}` , width: 120},
            { title: '状态', dataIndex: 'status', width: 100, render: (s: string) => <Tag color={s === 'missed' ? 'red' : s === 'pending' ? 'blue' : undefined}>{label(deadlineStatusLabels, s)}</Tag> },
            { title: '法律依据', dataIndex: ['policy', 'basis'] },
            { title: '计算说明', render: (_, d) => <span title={d.description}>{explainDeadline(d)}</span> },
          ]}
        />
      </Card>

      <MatterEscalations caseNo={m.caseNo} watch={!!result} />

      <Card
        title={<Typography.Title level={2} style={{ fontSize: 16, margin: 0 }}>信访人</Typography.Title>}
        extra={
          full.data ? (
            <Tag color="orange">已显示完整信息（本次查看已记入审计日志）</Tag>
          ) : (
            <Button
              loading={full.isPending}
              onClick={() =>
                modal.confirm({
                  title: '查看完整个人信息',
                  content: '信访人的姓名、证件号码、电话和住址属于个人信息。本次查看将记入审计日志（查看人、时间）。确定查看？',
                  okText: '确定查看',
                  cancelText: '取消',
                  onOk: () => full.mutateAsync(),
                })
              }
            >
              查看完整信息
            </Button>
          )
        }
      >
        {full.error ? <ErrorState error={full.error} /> : null}
        <Table<MaskedPetitioner>
          rowKey={(p, i) => `${p.name}-${i}`}
          size="small"
          pagination={false}
          dataSource={petitioners}
          locale={{ emptyText: '匿名信访' }}
          columns={[
            { title: '姓名', dataIndex: 'name', render: (n: string, p) => (p.main ? `${n}（主访人）` : n) },
            { title: '证件', render: (_, p) => `${label(idTypeLabels, p.idType ?? 'resident_id')} ${p.idNumber ?? '—'}` },
            { title: '电话', dataIndex: 'phone', render: (v?: string | null) => v ?? '—' },
            { title: '住址', dataIndex: 'address', render: (v?: string) => v ?? (full.data ? '—' : '（隐藏）') },
          ]}
        />
      </Card>

      <Card title={<Typography.Title level={2} style={{ fontSize: 16, margin: 0 }}>文书</Typography.Title>}>
        <List
          dataSource={m.notices}
          locale={{ emptyText: '尚无文书' }}
          renderItem={(n) => (
            <List.Item actions={[<Link key="p" to={`/notices/${encodeURIComponent(n.id)}/print`} target="_blank">打印</Link>]}>
              <List.Item.Meta title={n.title} description={`${dayjs(n.issuedAt).format('YYYY-MM-DD HH:mm')}　${n.legalBasis ?? ''}`} />
            </List.Item>
          )}
        />
      </Card>

      <Card title={<Typography.Title level={2} style={{ fontSize: 16, margin: 0 }}>办理过程</Typography.Title>}>
        <Timeline
          items={m.timeline.map((e) => ({
            color: e.type === 'deadline.escalated' ? 'red' : e.type.startsWith('deadline.') ? 'gray' : 'blue',
            children: (
              <div>
                <strong>{label(eventLabels, e.type)}</strong>
                {typeof e.data.key === 'string' ? <span style={{ marginLeft: 8 }}>{limitName(e.data.key)}</span> : null}
                <span style={{ marginLeft: 8, color: '#595959' }}>{dayjs(e.at).format('YYYY-MM-DD HH:mm')}</span>
                <span style={{ marginLeft: 8 }}>{e.actor ? `操作人：${e.actor}` : '系统'}</span>
              </div>
            ),
          }))}
        />
      </Card>

      {open ? (
        <CommandForm<CommandAnswer>
          spec={open}
          send={(body) =>
            // The path is one of the generated client's command routes; the body was checked against the API's schema.
            unwrap<CommandAnswer>(api.POST(`/api/petitions/{caseNo}/${open.path}` as '/api/petitions/{caseNo}/accept', { params: { path: { caseNo: m.caseNo } }, body: body as never }))
          }
          onClose={() => setOpen(null)}
          onDone={(answer) => {
            setResult({ command: open.label, answer });
            setOpen(null);
            full.reset();
            void queryClient.invalidateQueries({ queryKey: ['matter', caseNo] });
            void queryClient.invalidateQueries({ queryKey: ['matter-commands', caseNo] });
            void queryClient.invalidateQueries({ queryKey: ['matter-escalations', caseNo] });
            void queryClient.invalidateQueries({ queryKey: ['tasks'] });
          }}
        />
      ) : null}
    </Space>
  );
}
