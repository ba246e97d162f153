// The forms of a matter's commands. Which commands a user is offered comes from the API
// (GET /api/petitions/{caseNo}/commands: availableTransitions of domain/machine.ts for the matter's status and unit);
// each form's fields come from the API's own zod schema for the command body (domain/commands.ts, through
// fieldsFrom): this module adds only the API path, the Chinese labels and fixed values. The workflow still decides
// the rest (guards such as "meeting ① before the reply"): a refusal is shown with its reason.
import type { z } from 'zod';
import type { TransitionName } from '../../domain/machine';
import * as C from '../../domain/commands';
import { fieldsFrom, type FieldHint, type FormSpec } from './forms';
import { deliveryLabels, evaluationMethodLabels, reviewOutcomeLabels, satisfactionLabels, statutoryChannelLabels } from './labels';

export interface CommandSpec extends FormSpec {
  /** The row of the transition table. */
  transition: TransitionName;
  /** POST /api/petitions/{caseNo}/<path> */
  path: string;
}

const today = '默认今天；不得晚于今天';
const meeting: Record<string, FieldHint> = {
  date: { label: '见面日期', help: today },
  place: '地点',
  participants: { label: '参加人员', help: '多人以顿号或逗号分隔' },
  notes: '见面情况',
  exemption: { label: '免于见面的理由（匿名、拒绝见面等）', help: '填写后可不填日期、地点和人员' },
};

function command(transition: TransitionName, path: string, label: string, schema: z.ZodType, hints: Record<string, FieldHint>, extra: Partial<CommandSpec> = {}): CommandSpec {
  return { transition, path, label, schema, fields: fieldsFrom(schema, hints), ...extra };
}

export const commandSpecs: CommandSpec[] = [
  command('forward', 'forward', '转送/交办', C.forwardSchema, { mode: { label: '方式', options: { assign: '交办', forward: '转送' }, initial: 'assign' }, unitId: '责任单位', note: '交办意见' }),
  command('route', 'route', '告知法定途径', C.routeSchema, { channel: { label: '法定途径', options: statutoryChannelLabels }, organ: '受理机关', notice: '告知内容' }),
  command('notAccept', 'not-accept', '不予受理', C.notAcceptSchema, { reason: '理由' }, { danger: true }),
  command('link', 'link', '并入在办事项', C.linkSchema, { caseNo: '信访件编号' }),
  command('accept', 'accept', '受理', C.acceptSchema, { acceptedOn: { label: '受理日期', help: today }, note: '备注' }),
  command('object', 'object', '管辖异议（不属本单位职责）', C.objectSchema, { reason: '异议理由', objectedOn: { label: '异议日期', help: today } }, { danger: true }),
  command('meet1', 'meetings', '记录三见面①', C.meetingSchema, meeting, { fixed: { meeting: 1 } }),
  command('meet2', 'meetings', '记录三见面②', C.meetingSchema, meeting, { fixed: { meeting: 2 } }),
  command('meet3', 'meetings', '记录三见面③（领导约见）', C.meetingSchema, meeting, { fixed: { meeting: 3 } }),
  command('extend', 'extend', '延期', C.extendSchema, { days: '延长天数（不超过30日）', reason: '延期理由' }),
  command('reply', 'reply', '出具处理意见书', C.replySchema, {
    request: '信访请求',
    facts: { label: '查明事实', kind: 'textarea' },
    opinion: { label: '处理意见', kind: 'textarea' },
    legalBasis: { label: '法律依据', kind: 'textarea' },
    deliveryMethod: { label: '送达方式', options: deliveryLabels, initial: 'in_person' },
    deliveredOn: { label: '送达日期', help: today },
  }),
  command('evaluate', 'evaluation', '录入评价', C.evaluationSchema, {
    unit: { label: '对责任单位', options: satisfactionLabels },
    bureau: { label: '对信访部门', options: satisfactionLabels },
    reason: '不满意理由',
    evaluatedOn: { label: '评价日期', help: today },
    method: { label: '评价方式', options: evaluationMethodLabels },
  }),
  command('returnVisit', 'return-visits', '记录回访', C.returnVisitSchema, { date: { label: '回访日期', help: today }, notes: '回访情况' }),
  command('sendBack', 'send-back', '退回重办', C.sendBackSchema, { reason: '理由' }),
  command('requestReview', 'review-request', '登记复查申请', C.reviewRequestSchema, { requestedOn: { label: '申请日期', help: today }, grounds: '申请理由' }),
  command('decideReview', 'review-decision', '作出复查意见', C.reviewDecisionSchema, { outcome: { label: '结论', options: reviewOutcomeLabels }, decision: '复查意见', decidedOn: { label: '决定日期', help: today }, deliveredOn: { label: '送达日期', help: '默认决定当日' } }),
  command('requestReReview', 're-review-request', '登记复核申请', C.reviewRequestSchema, { requestedOn: { label: '申请日期', help: today }, grounds: '申请理由' }),
  command('hearing', 'hearing', '复核听证', C.hearingSchema, { action: { label: '事项', options: { start: '听证开始', end: '听证结束' } }, date: { label: '日期', help: today }, note: '备注' }),
  command('decideReReview', 're-review-decision', '作出复核意见（三级终结）', C.reviewDecisionSchema, { outcome: { label: '结论', options: reviewOutcomeLabels }, decision: '复核意见', decidedOn: { label: '决定日期', help: today }, deliveredOn: { label: '送达日期', help: '默认决定当日' } }),
  command('warn', 'warning-slip', '发出信访预警单', C.warnSchema, { reason: { label: '预警理由', kind: 'textarea' } }, { danger: true }),
];

/** The forms of the commands the API offers, in its order. */
export function commandsNamed(names: readonly string[]): CommandSpec[] {
  return names.map((n) => commandSpecs.find((c) => c.transition === n)).filter((c): c is CommandSpec => !!c);
}
