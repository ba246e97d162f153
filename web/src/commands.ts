// Which commands the console offers on a matter: those the signed-in role may give (domain/access.ts, the table the
// API and the workflow check) in the matter's status. The status sets mirror the workflow's validators
// (workflows/petition.ts); when domain/ exports the transition table (issue 12), `statuses` should come from it.
// This is the only place the console keeps that mapping. The workflow still decides: a refusal is shown with its reason.
import { may, type Permission } from '../../domain/access';
import type { Status } from '../../domain/petition';
import { deliveryLabels, reviewOutcomeLabels, satisfactionLabels, statutoryChannelLabels } from './labels';

export type FieldKind = 'text' | 'textarea' | 'date' | 'number' | 'select' | 'unit' | 'list';
export interface FieldSpec {
  name: string;
  label: string;
  kind: FieldKind;
  required?: boolean;
  options?: Record<string, string>;
  help?: string;
  initial?: unknown;
}
export interface CommandSpec {
  path: string;
  label: string;
  permission: Permission;
  statuses: readonly Status[];
  fields: FieldSpec[];
  /** Fixed values sent with the form (e.g. which meeting). */
  fixed?: Record<string, unknown>;
  danger?: boolean;
}

const date = (name: string, label: string): FieldSpec => ({ name, label, kind: 'date', help: '默认今天；不得晚于今天' });

export const commandSpecs: CommandSpec[] = [
  {
    path: 'forward',
    label: '转送/交办',
    permission: 'triage',
    statuses: ['TRIAGE'],
    fields: [
      { name: 'mode', label: '方式', kind: 'select', required: true, options: { assign: '交办', forward: '转送' }, initial: 'assign' },
      { name: 'unitId', label: '责任单位', kind: 'unit', required: true },
      { name: 'note', label: '交办意见', kind: 'textarea' },
    ],
  },
  {
    path: 'route',
    label: '告知法定途径',
    permission: 'triage',
    statuses: ['TRIAGE'],
    fields: [
      { name: 'channel', label: '法定途径', kind: 'select', required: true, options: statutoryChannelLabels },
      { name: 'organ', label: '受理机关', kind: 'text', required: true },
      { name: 'notice', label: '告知内容', kind: 'textarea', required: true },
    ],
  },
  { path: 'not-accept', label: '不予受理', permission: 'triage', statuses: ['TRIAGE'], danger: true, fields: [{ name: 'reason', label: '理由', kind: 'textarea', required: true }] },
  { path: 'link', label: '并入其他事项', permission: 'triage', statuses: ['TRIAGE'], fields: [{ name: 'caseNo', label: '信访件编号', kind: 'text', required: true }] },
  { path: 'accept', label: '受理', permission: 'accept', statuses: ['AWAITING_ACCEPTANCE'], fields: [date('acceptedOn', '受理日期'), { name: 'note', label: '备注', kind: 'textarea' }] },
  {
    path: 'object',
    label: '提出异议（不属本单位职责）',
    permission: 'object',
    statuses: ['AWAITING_ACCEPTANCE'],
    danger: true,
    fields: [{ name: 'reason', label: '异议理由', kind: 'textarea', required: true }, date('objectedOn', '异议日期')],
  },
  {
    path: 'meetings',
    label: '记录三见面①',
    permission: 'meet',
    statuses: ['IN_HANDLING', 'EXTENDED'],
    fixed: { meeting: 1 },
    fields: meetingFields(),
  },
  {
    path: 'meetings#2',
    label: '记录三见面②',
    permission: 'meet',
    statuses: ['REPLIED'],
    fixed: { meeting: 2 },
    fields: meetingFields(),
  },
  {
    path: 'meetings#3',
    label: '记录三见面③（领导约见）',
    permission: 'meetAsLeader',
    statuses: ['UNSATISFIED'],
    fixed: { meeting: 3 },
    fields: meetingFields(),
  },
  {
    path: 'extend',
    label: '延期',
    permission: 'extend',
    statuses: ['IN_HANDLING'],
    fields: [
      { name: 'days', label: '延长天数（不超过30日）', kind: 'number', required: true },
      { name: 'reason', label: '延期理由', kind: 'textarea', required: true },
    ],
  },
  {
    path: 'reply',
    label: '出具处理意见书',
    permission: 'reply',
    statuses: ['IN_HANDLING', 'EXTENDED'],
    fields: [
      { name: 'request', label: '信访请求', kind: 'textarea', required: true },
      { name: 'facts', label: '查明事实', kind: 'textarea', required: true },
      { name: 'opinion', label: '处理意见', kind: 'textarea', required: true },
      { name: 'legalBasis', label: '法律依据', kind: 'textarea', required: true },
      { name: 'deliveryMethod', label: '送达方式', kind: 'select', required: true, options: deliveryLabels, initial: 'in_person' },
      date('deliveredOn', '送达日期'),
    ],
  },
  {
    path: 'evaluation',
    label: '录入评价',
    permission: 'evaluate',
    statuses: ['REPLIED'],
    fields: [
      { name: 'unit', label: '对责任单位', kind: 'select', required: true, options: satisfactionLabels },
      { name: 'bureau', label: '对信访部门', kind: 'select', required: true, options: satisfactionLabels },
      { name: 'reason', label: '不满意理由', kind: 'textarea' },
      date('evaluatedOn', '评价日期'),
    ],
  },
  { path: 'return-visits', label: '记录回访', permission: 'returnVisit', statuses: ['REPLIED', 'UNSATISFIED'], fields: [date('date', '回访日期'), { name: 'notes', label: '回访情况', kind: 'textarea', required: true }] },
  { path: 'send-back', label: '退回重办', permission: 'sendBack', statuses: ['UNSATISFIED'], fields: [{ name: 'reason', label: '理由', kind: 'textarea', required: true }] },
  {
    path: 'review-request',
    label: '登记复查申请',
    permission: 'requestReview',
    statuses: ['REPLIED', 'UNSATISFIED', 'CLOSED'],
    fields: [date('requestedOn', '申请日期'), { name: 'grounds', label: '申请理由', kind: 'textarea', required: true }],
  },
  {
    path: 'review-decision',
    label: '作出复查意见',
    permission: 'decideReview',
    statuses: ['REVIEW'],
    fields: [
      { name: 'outcome', label: '结论', kind: 'select', required: true, options: reviewOutcomeLabels },
      { name: 'decision', label: '复查意见', kind: 'textarea', required: true },
      date('decidedOn', '决定日期'),
    ],
  },
  {
    path: 're-review-request',
    label: '登记复核申请',
    permission: 'requestReview',
    statuses: ['REVIEWED', 'CLOSED'],
    fields: [date('requestedOn', '申请日期'), { name: 'grounds', label: '申请理由', kind: 'textarea', required: true }],
  },
  {
    path: 'hearing',
    label: '听证',
    permission: 'hearing',
    statuses: ['RE_REVIEW'],
    fields: [{ name: 'action', label: '事项', kind: 'select', required: true, options: { start: '听证开始', end: '听证结束' } }, date('date', '日期'), { name: 'note', label: '备注', kind: 'textarea' }],
  },
  {
    path: 're-review-decision',
    label: '作出复核意见（三级终结）',
    permission: 'decideReview',
    statuses: ['RE_REVIEW'],
    fields: [
      { name: 'outcome', label: '结论', kind: 'select', required: true, options: reviewOutcomeLabels },
      { name: 'decision', label: '复核意见', kind: 'textarea', required: true },
      date('decidedOn', '决定日期'),
    ],
  },
];

function meetingFields(): FieldSpec[] {
  return [
    date('date', '见面日期'),
    { name: 'place', label: '地点', kind: 'text' },
    { name: 'participants', label: '参加人员', kind: 'list', help: '多人以顿号或逗号分隔' },
    { name: 'notes', label: '见面情况', kind: 'textarea' },
    { name: 'exemption', label: '免于见面的理由（匿名、拒绝见面等）', kind: 'textarea', help: '填写后可不填日期、地点和人员' },
  ];
}

/** The commands this role may give on a matter in this status. */
export function commandsFor(role: string, status: string): CommandSpec[] {
  return commandSpecs.filter((c) => (c.statuses as readonly string[]).includes(status) && may({ role }, c.permission));
}

/** The API path of a command (`meetings#2` → `meetings`). */
export const apiPath = (c: CommandSpec): string => c.path.split('#')[0]!;
