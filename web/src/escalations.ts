// The escalations' kinds, labels and the forms of their steps. Fields come from the API's own schemas
// (domain/escalation.ts); which step is offered comes from the API (GET /api/escalations/{id}/commands).
import { explanationSchema, findingsSchema, threePartyReviewSteps } from '../../domain/escalation';
import type { EscalationCommandName } from '../../domain/escalation-commands';
import { fieldsFrom, type FormSpec } from './forms';

export const escalationKinds = {
  'warning-slips': { kind: 'warning_slip', label: '信访预警单' },
  'three-party-reviews': { kind: 'three_party_review', label: '三方会审' },
  investigations: { kind: 'investigation', label: '一事双查' },
} as const;
export type EscalationPath = keyof typeof escalationKinds;
export const pathOfKind = (kind: string): EscalationPath => (Object.entries(escalationKinds).find(([, v]) => v.kind === kind)?.[0] ?? 'warning-slips') as EscalationPath;

export const triggerLabels: Record<string, string> = {
  visits: '两次以上赴县级以上来访',
  two_visits: '两次以上赴县级以上来访',
  bureau: '信访部门研判',
  abnormal_beijing: '进京非正常上访',
  abnormal_in_beijing: '进京非正常上访',
  collective_beijing: '进京集体访',
  collective_to_beijing: '进京集体访',
  collective_province: '赴省50人以上集体访',
  collective_50_to_province: '赴省50人以上集体访',
  new_backlog: '新增积案',
  skip_level: '越级上访',
};

export const recommendationLabels: Record<string, string> = {
  none: '不予追责',
  criticism: '批评教育',
  discipline_referral: '移送纪检监察机关',
  organisation_referral: '移送组织人事部门',
};

export interface StepSpec extends FormSpec {
  /** POST /api/<kind path>/{id}/<path> */
  path: string;
}

/** The form of each escalation step the API may offer (the recording is an upload, not a form). */
export const stepSpecs: Record<Exclude<EscalationCommandName, 'recording'>, StepSpec> = {
  explain: { label: '提交书面说明', path: 'explanations', schema: explanationSchema, fields: fieldsFrom(explanationSchema, { content: { label: '书面说明', kind: 'textarea', help: '说明信访人再次上访的原因、已采取的措施和下一步工作（不少于10字）' } }) },
  participants: {
    label: '确定参加人员',
    path: 'participants',
    schema: threePartyReviewSteps.participants,
    fields: fieldsFrom(threePartyReviewSteps.participants, { countyLeader: '县级主要领导', unitRepresentative: '责任单位代表', judicialExpert: '司法专家（律师）', others: '其他参加人员' }),
  },
  session: {
    label: '记录会审',
    path: 'session',
    schema: threePartyReviewSteps.session,
    fields: fieldsFrom(threePartyReviewSteps.session, { date: '会审日期', place: '会审地点', petitionersPresent: '到场信访人', notes: { label: '会审情况', kind: 'textarea' } }),
  },
  archive: {
    label: '立卷归档',
    path: 'archive',
    schema: threePartyReviewSteps.archive,
    fields: fieldsFrom(threePartyReviewSteps.archive, { receiptNo: '归档回执编号', receivedOn: '接收日期', office: { label: '接收机构', initial: '丽水市信访工作联席会议办公室' } }),
  },
  conclude: {
    label: '提交调查结论',
    path: 'conclusion',
    schema: findingsSchema,
    fields: fieldsFrom(findingsSchema, { handlingFinding: { label: '办理情况调查结论', kind: 'textarea' }, accountabilityFinding: { label: '责任调查结论', kind: 'textarea' }, recommendation: { label: '处理建议', options: recommendationLabels } }),
  },
};
