// Chinese labels for the service's codes. One place: every page reads them from here.
export const statusLabels: Record<string, string> = {
  REGISTERED: '已登记',
  TRIAGE: '待交转办',
  ROUTED_TO_CHANNEL: '已告知法定途径',
  NOT_ACCEPTED: '不予受理',
  LINKED: '已并案',
  AWAITING_ACCEPTANCE: '待受理',
  IN_HANDLING: '办理中',
  EXTENDED: '延期办理',
  REPLIED: '已答复',
  UNSATISFIED: '不满意',
  CLOSED: '已办结',
  REVIEW: '复查中',
  REVIEWED: '已复查',
  RE_REVIEW: '复核中',
  TERMINATED: '三级终结',
};
export const statusColors: Record<string, string> = {
  TRIAGE: 'blue',
  AWAITING_ACCEPTANCE: 'geekblue',
  IN_HANDLING: 'cyan',
  EXTENDED: 'orange',
  REPLIED: 'green',
  UNSATISFIED: 'volcano',
  CLOSED: 'default',
  REVIEW: 'purple',
  REVIEWED: 'purple',
  RE_REVIEW: 'magenta',
  TERMINATED: 'default',
  NOT_ACCEPTED: 'default',
  ROUTED_TO_CHANNEL: 'default',
  LINKED: 'default',
};
export const channelLabels: Record<string, string> = { letter: '来信', visit: '来访', online: '网上信访', phone: '来电（12345）' };
export const sourceLabels: Record<string, string> = {
  direct: '信访人直接提出',
  grid_worker: '网格员上报',
  agent: '信访代理',
  assigned_down: '上级交办',
  forwarded_down: '上级转送',
  leader_reception: '领导接访',
};
export const purposeLabels: Record<string, string> = { complaint: '投诉', request: '求决', suggestion: '建议', report: '检举控告', opinion: '意见' };
export const categoryLabels: Record<string, string> = {
  urban_construction: '城乡建设',
  land_resources: '国土资源',
  labour_social_security: '劳动和社会保障',
  health: '卫生健康',
  environment: '生态环境',
  agriculture_rural: '农村农业',
  political_legal: '政法',
  education: '教育',
  civil_affairs: '民政',
  other: '其他',
};
export const idTypeLabels: Record<string, string> = { resident_id: '居民身份证', passport: '护照', other: '其他证件' };
export const statutoryChannelLabels: Record<string, string> = {
  litigation: '诉讼',
  arbitration: '仲裁',
  administrative_reconsideration: '行政复议',
  discipline_inspection: '纪检监察',
  political_legal: '政法机关',
};
export const roleLabels: Record<string, string> = {
  registrar: '登记员',
  unit_handler: '承办人',
  unit_head: '单位负责人',
  supervisor: '督办人员',
  admin: '系统管理员',
};
export const taskLabels: Record<string, string> = {
  triage: '交转办',
  accept: '受理',
  meet1: '三见面①',
  reply: '答复',
  meet2: '三见面②',
  evaluate: '评价',
  returnVisit: '回访',
  meet3: '三见面③',
  decideReview: '复查决定',
  decideReReview: '复核决定',
  threePartyReview: '三方会审',
  investigate: '一事双查',
};
/** A work-list task's name; a warning slip's explanations are numbered (`explain-1`, `explain-2`). */
export const taskLabel = (kind: string): string => (kind.startsWith('explain-') ? `预警单书面说明（第${kind.slice(8)}次）` : (taskLabels[kind] ?? kind));
export const deadlineStatusLabels: Record<string, string> = {
  pending: '计时中',
  met: '按期完成',
  missed: '已超期',
  expired: '已届满',
  cancelled: '已取消',
  paused: '暂停计时',
  uncomputed: '待计算',
};
export const countingLabels: Record<string, string> = { natural: '自然日', working: '工作日' };
export const satisfactionLabels: Record<string, string> = { satisfied: '满意', basically_satisfied: '基本满意', unsatisfied: '不满意' };
export const evaluationMethodLabels: Record<string, string> = { phone: '电话', visit: '来访', letter: '信函', query_code: '查询码自助评价' };
export const deliveryLabels: Record<string, string> = { in_person: '当面送达', post: '邮寄', online: '网上送达', sms: '短信' };
export const reviewOutcomeLabels: Record<string, string> = { upheld: '维持', changed: '变更', revoked: '撤销' };
export const eventLabels: Record<string, string> = {
  registered: '登记',
  forwarded: '转送',
  assigned: '交办',
  'triage.forwarded': '转送',
  'triage.assigned': '交办',
  'triage.routed': '告知法定途径',
  'triage.not_accepted': '不予受理',
  'triage.linked': '并入其他事项',
  accepted: '受理',
  objection: '异议（不属本单位职责）',
  extended: '延期',
  'meeting.held': '三见面',
  'meeting.exempted': '三见面免除',
  replied: '答复（处理意见书送达）',
  evaluated: '评价',
  'evaluation.expired': '超期未评价',
  return_visit: '回访',
  sent_back: '退回重办',
  'request.refused': '请求不予受理',
  closed: '办结',
  terminated: '三级终结',
  'hearing.started': '听证开始',
  'hearing.ended': '听证结束',
  'deadline.started': '期限开始',
  'deadline.reminder': '期限提醒',
  'deadline.escalated': '超期升级',
  'deadline.expired': '期限届满',
  'deadline.not_computed': '期限无法计算',
  'notice.filed': '文书归档',
  'overlay.started': '启动督办程序',
  'submission.linked': '重复件次',
  'submission.refused': '件次不予受理',
  visit: '来访记录',
  'visit.rejected': '来访不计入',
  'slip.issued': '签发预警单',
  'slip.explained': '书面说明',
  'slip.later_visit': '预警后再次来访',
  'investigation.started': '启动一事双查',
  'investigation.concluded': '一事双查结论',
  'review.requested': '申请复查',
  'review.decided': '复查决定',
};
export const escalationStatusLabels: Record<string, string> = { open: '进行中', completed: '已完成', closed: '已关闭' };

export const label = (map: Record<string, string>, code: string | null | undefined): string => (code ? (map[code] ?? code) : '—');
