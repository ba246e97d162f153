// Which commands the console offers on a matter: exactly those the state machine's table (domain/machine.ts,
// availableTransitions) allows this user in the matter's status — role, status and own unit, as the API and the
// workflow check them. This module adds only what a form needs: the API path, the fields and fixed values. The
// workflow still decides the rest (guards such as "meeting ① before the reply"): a refusal is shown with its reason.
import { availableTransitions, type TransitionName } from '../../domain/machine';
import type { PetitionState } from '../../domain/matter';
import type { Role } from '../../domain/access';
import { deliveryLabels, evaluationMethodLabels, reviewOutcomeLabels, satisfactionLabels, statutoryChannelLabels } from './labels';

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
  /** The row of the transition table. */
  transition: TransitionName;
  /** POST /api/petitions/{caseNo}/<path> */
  path: string;
  label: string;
  fields: FieldSpec[];
  /** Fixed values sent with the form (e.g. which meeting). */
  fixed?: Record<string, unknown>;
  danger?: boolean;
}

const date = (name: string, label: string): FieldSpec => ({ name, label, kind: 'date', help: '默认今天；不得晚于今天' });

function meetingFields(): FieldSpec[] {
  return [
    date('date', '见面日期'),
    { name: 'place', label: '地点', kind: 'text' },
    { name: 'participants', label: '参加人员', kind: 'list', help: '多人以顿号或逗号分隔' },
    { name: 'notes', label: '见面情况', kind: 'textarea' },
    { name: 'exemption', label: '免于见面的理由（匿名、拒绝见面等）', kind: 'textarea', help: '填写后可不填日期、地点和人员' },
  ];
}

export const commandSpecs: CommandSpec[] = [
  {
    transition: 'forward',
    path: 'forward',
    label: '转送/交办',
    fields: [
      { name: 'mode', label: '方式', kind: 'select', required: true, options: { assign: '交办', forward: '转送' }, initial: 'assign' },
      { name: 'unitId', label: '责任单位', kind: 'unit', required: true },
      { name: 'note', label: '交办意见', kind: 'textarea' },
    ],
  },
  {
    transition: 'route',
    path: 'route',
    label: '告知法定途径',
    fields: [
      { name: 'channel', label: '法定途径', kind: 'select', required: true, options: statutoryChannelLabels },
      { name: 'organ', label: '受理机关', kind: 'text', required: true },
      { name: 'notice', label: '告知内容', kind: 'textarea', required: true },
    ],
  },
  { transition: 'notAccept', path: 'not-accept', label: '不予受理', danger: true, fields: [{ name: 'reason', label: '理由', kind: 'textarea', required: true }] },
  { transition: 'link', path: 'link', label: '并入在办事项', fields: [{ name: 'caseNo', label: '信访件编号', kind: 'text', required: true }] },
  { transition: 'accept', path: 'accept', label: '受理', fields: [date('acceptedOn', '受理日期'), { name: 'note', label: '备注', kind: 'textarea' }] },
  {
    transition: 'object',
    path: 'object',
    label: '管辖异议（不属本单位职责）',
    danger: true,
    fields: [{ name: 'reason', label: '异议理由', kind: 'textarea', required: true }, date('objectedOn', '异议日期')],
  },
  { transition: 'meet1', path: 'meetings', label: '记录三见面①', fixed: { meeting: 1 }, fields: meetingFields() },
  { transition: 'meet2', path: 'meetings', label: '记录三见面②', fixed: { meeting: 2 }, fields: meetingFields() },
  { transition: 'meet3', path: 'meetings', label: '记录三见面③（领导约见）', fixed: { meeting: 3 }, fields: meetingFields() },
  {
    transition: 'extend',
    path: 'extend',
    label: '延期',
    fields: [
      { name: 'days', label: '延长天数（不超过30日）', kind: 'number', required: true },
      { name: 'reason', label: '延期理由', kind: 'textarea', required: true },
    ],
  },
  {
    transition: 'reply',
    path: 'reply',
    label: '出具处理意见书',
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
    transition: 'evaluate',
    path: 'evaluation',
    label: '录入评价',
    fields: [
      { name: 'unit', label: '对责任单位', kind: 'select', required: true, options: satisfactionLabels },
      { name: 'bureau', label: '对信访部门', kind: 'select', required: true, options: satisfactionLabels },
      { name: 'reason', label: '不满意理由', kind: 'textarea' },
      { name: 'method', label: '评价方式', kind: 'select', options: evaluationMethodLabels },
      date('evaluatedOn', '评价日期'),
    ],
  },
  { transition: 'returnVisit', path: 'return-visits', label: '记录回访', fields: [date('date', '回访日期'), { name: 'notes', label: '回访情况', kind: 'textarea', required: true }] },
  { transition: 'sendBack', path: 'send-back', label: '退回重办', fields: [{ name: 'reason', label: '理由', kind: 'textarea', required: true }] },
  { transition: 'requestReview', path: 'review-request', label: '登记复查申请', fields: [date('requestedOn', '申请日期'), { name: 'grounds', label: '申请理由', kind: 'textarea', required: true }] },
  {
    transition: 'decideReview',
    path: 'review-decision',
    label: '作出复查意见',
    fields: [
      { name: 'outcome', label: '结论', kind: 'select', required: true, options: reviewOutcomeLabels },
      { name: 'decision', label: '复查意见', kind: 'textarea', required: true },
      date('decidedOn', '决定日期'),
    ],
  },
  { transition: 'requestReReview', path: 're-review-request', label: '登记复核申请', fields: [date('requestedOn', '申请日期'), { name: 'grounds', label: '申请理由', kind: 'textarea', required: true }] },
  {
    transition: 'hearing',
    path: 'hearing',
    label: '复核听证',
    fields: [{ name: 'action', label: '事项', kind: 'select', required: true, options: { start: '听证开始', end: '听证结束' } }, date('date', '日期'), { name: 'note', label: '备注', kind: 'textarea' }],
  },
  {
    transition: 'decideReReview',
    path: 're-review-decision',
    label: '作出复核意见（三级终结）',
    fields: [
      { name: 'outcome', label: '结论', kind: 'select', required: true, options: reviewOutcomeLabels },
      { name: 'decision', label: '复核意见', kind: 'textarea', required: true },
      date('decidedOn', '决定日期'),
    ],
  },
];

/** The commands this user may give on this matter now, in the table's order. */
export function commandsFor(user: { id: string; role: string; unitId: string | null }, matter: { status: string; unitId: string | null }): CommandSpec[] {
  // availableTransitions reads the status and the unit holding the matter, nothing else of the state.
  const names = availableTransitions({ status: matter.status, unitId: matter.unitId } as PetitionState, { id: user.id, role: user.role as Role, unitId: user.unitId });
  return commandSpecs.filter((c) => names.includes(c.transition));
}
