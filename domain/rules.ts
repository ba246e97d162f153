// Deadline rules as data (domain.md §3–4). The statutory rule set is chosen by the date of the event that starts
// each limit, so a matter begun before 2022-05-01 replays under the 2005 regulation. Pure: importable by workflows.
import { assertIsoDate, type IsoDate } from './dates';

/** 《信访条例》(2005) until 2022-04-30; 《信访工作条例》(2022) from 2022-05-01. */
export type RuleSetId = '2005' | '2022';

/** Limits set by the regulations (§3 of domain.md), in the order of a matter's life. */
export const statutoryLimitKeys = [
  'triage',
  'acceptance',
  'objection',
  'handling',
  'extension',
  'reviewRequest',
  'reviewDecision',
  'reReviewRequest',
  'reReviewDecision',
] as const;
/** Limits set by the 2018 campaign notice or by this service's own decisions. */
export const campaignLimitKeys = ['evaluation', 'warningExplanation', 'threePartyReview', 'investigation'] as const;

export type StatutoryLimitKey = (typeof statutoryLimitKeys)[number];
export type LimitKey = StatutoryLimitKey | (typeof campaignLimitKeys)[number];

export interface DeadlinePolicy {
  key: LimitKey;
  /** Chinese + English, e.g. '受理告知 acceptance decision'. */
  label: string;
  /** The limit; for an extension, the maximum. */
  days: number;
  counting: 'natural' | 'working';
  /** Petitioner windows ending on a non-working day roll to the next working day. */
  rollForward: boolean;
  ruleSet: RuleSetId | 'campaign-2018' | 'service';
  /** Where the rule comes from, e.g. '《信访工作条例》第二十三条'. */
  basis: string;
}

/** First day of 《信访工作条例》. */
export const REFORM_DATE: IsoDate = '2022-05-01';

interface LimitRule {
  days: number;
  counting: 'natural' | 'working';
  rollForward: boolean;
  article: string;
}

interface StatutoryRuleSet {
  id: RuleSetId;
  title: string;
  instrument: string;
  /** First day in force (informational; ruleSetFor uses REFORM_DATE only). */
  inForceFrom: IsoDate;
  inForceUntil?: IsoDate;
  limits: Partial<Record<StatutoryLimitKey, LimitRule>>;
}

const LABELS: Record<LimitKey, string> = {
  triage: '登记转送交办 triage',
  acceptance: '受理告知 acceptance decision',
  objection: '管辖异议 objection (outside remit)',
  handling: '处理期限 handling',
  extension: '延长期限 extension',
  reviewRequest: '复查申请 review request',
  reviewDecision: '复查意见 review decision',
  reReviewRequest: '复核申请 re-review request',
  reReviewDecision: '复核意见 re-review decision',
  evaluation: '满意度评价 evaluation',
  warningExplanation: '预警书面说明 warning explanation',
  threePartyReview: '三方会审 three-party review',
  investigation: '一事双查 accountability investigation',
};

// Administration limits: natural days, no roll-forward. Petitioner windows (复查/复核 requests) roll forward.
const natural = (days: number, article: string): LimitRule => ({ days, counting: 'natural', rollForward: false, article });
const petitionerWindow = (days: number, article: string): LimitRule => ({ days, counting: 'natural', rollForward: true, article });

export const ruleSets: Record<RuleSetId, StatutoryRuleSet> = {
  '2005': {
    id: '2005',
    title: '《信访条例》',
    instrument: '国务院令第431号',
    inForceFrom: '2005-05-01',
    inForceUntil: '2022-04-30',
    limits: {
      triage: natural(15, '第二十一条'),
      acceptance: natural(15, '第二十一条'),
      handling: natural(60, '第三十三条'),
      extension: natural(30, '第三十三条'),
      reviewRequest: petitionerWindow(30, '第三十四条'),
      reviewDecision: natural(30, '第三十四条'),
      reReviewRequest: petitionerWindow(30, '第三十五条'),
      reReviewDecision: natural(30, '第三十五条'),
    },
  },
  '2022': {
    id: '2022',
    title: '《信访工作条例》',
    instrument: '中共中央、国务院印发',
    inForceFrom: '2022-05-01',
    limits: {
      triage: natural(15, '第二十二条'),
      acceptance: natural(15, '第二十三条'),
      // Only the 2022 regulation lets a unit object that a matter is outside its remit.
      objection: { days: 5, counting: 'working', rollForward: false, article: '第二十三条' },
      handling: natural(60, '第三十四条'),
      extension: natural(30, '第三十四条'),
      reviewRequest: petitionerWindow(30, '第三十五条'),
      reviewDecision: natural(30, '第三十五条'),
      reReviewRequest: petitionerWindow(30, '第三十六条'),
      reReviewDecision: natural(30, '第三十六条'),
    },
  },
};

type CampaignKey = Exclude<LimitKey, StatutoryLimitKey>;

/** Rules of the Lishui campaign notice and of this service; not tied to a statutory rule set. */
export const campaignRules: Record<CampaignKey, Omit<DeadlinePolicy, 'key' | 'label'>> = {
  warningExplanation: {
    days: 3,
    counting: 'working',
    rollForward: false,
    ruleSet: 'campaign-2018',
    basis: '丽委办发〔2018〕51号 二（二）4 信访预警机制：再次上访后3个工作日内书面说明',
  },
  threePartyReview: {
    days: 15,
    counting: 'working',
    rollForward: false,
    ruleSet: 'campaign-2018',
    basis: '丽委办发〔2018〕51号 二（三）2 “三方会审”制度：15个工作日内',
  },
  evaluation: {
    days: 7,
    counting: 'natural',
    rollForward: false,
    ruleSet: 'service',
    basis: '服务设定（可配置）：答复送达后评价期，丽委办发〔2018〕51号 二（二）2 未评价件回访',
  },
  investigation: {
    days: 30,
    counting: 'natural',
    rollForward: false,
    ruleSet: 'service',
    basis: '服务设定（可配置）：《信访工作责任制实施细则》一事双查，丽委办发〔2018〕51号 二（三）3',
  },
};

export class NoSuchLimitError extends Error {
  readonly key: LimitKey;
  readonly eventDate: IsoDate;
  readonly ruleSet: RuleSetId;
  constructor(key: LimitKey, eventDate: IsoDate, ruleSet: RuleSetId) {
    super(`${ruleSets[ruleSet].title} (rule set ${ruleSet}, applicable to an event on ${eventDate}) has no ${key} limit`);
    this.name = 'NoSuchLimitError';
    this.key = key;
    this.eventDate = eventDate;
    this.ruleSet = ruleSet;
  }
}

/** The statutory rule set for an event on eventDate. */
export function ruleSetFor(eventDate: IsoDate): RuleSetId {
  return assertIsoDate(eventDate, 'event date') < REFORM_DATE ? '2005' : '2022';
}

function isCampaignKey(key: LimitKey): key is CampaignKey {
  return Object.hasOwn(campaignRules, key);
}

/** Whether a limit exists for an event on eventDate (the 5-WD objection only from 2022-05-01). */
export function hasLimit(key: LimitKey, eventDate: IsoDate): boolean {
  assertIsoDate(eventDate, 'event date');
  if (isCampaignKey(key)) return true;
  if (!Object.hasOwn(LABELS, key)) throw new RangeError(`Unknown limit ${JSON.stringify(key)}`);
  return ruleSets[ruleSetFor(eventDate)].limits[key] !== undefined;
}

export interface PolicyOptions {
  /** Evaluation window in natural days (default 7). */
  evaluationDays?: number;
  /** Accountability investigation limit in natural days (default 30). */
  investigationDays?: number;
}

/** The policy of a limit started by an event on eventDate. Throws NoSuchLimitError if that rule set has none. */
export function policyFor(key: LimitKey, eventDate: IsoDate, options: PolicyOptions = {}): DeadlinePolicy {
  assertIsoDate(eventDate, 'event date');
  if (isCampaignKey(key)) {
    const rule = campaignRules[key];
    const configured =
      key === 'evaluation' ? options.evaluationDays : key === 'investigation' ? options.investigationDays : undefined;
    if (configured !== undefined && (!Number.isInteger(configured) || configured < 1)) {
      throw new RangeError(`${key}: configured days must be a whole number ≥ 1, got ${configured}`);
    }
    return { key, label: LABELS[key], ...rule, days: configured ?? rule.days };
  }
  if (!Object.hasOwn(LABELS, key)) throw new RangeError(`Unknown limit ${JSON.stringify(key)}`);
  const id = ruleSetFor(eventDate);
  const set = ruleSets[id];
  const rule = set.limits[key];
  if (!rule) throw new NoSuchLimitError(key, eventDate, id);
  return {
    key,
    label: LABELS[key],
    days: rule.days,
    counting: rule.counting,
    rollForward: rule.rollForward,
    ruleSet: id,
    basis: `${set.title}${rule.article}`,
  };
}

/**
 * What happens when a limit is reached: the administration's limits escalate (the matter stays open, flagged
 * overdue); windows given to the petitioner or the unit simply close.
 */
export const atLimit: Record<LimitKey, 'escalate' | 'expire'> = {
  triage: 'escalate',
  acceptance: 'escalate',
  objection: 'expire',
  handling: 'escalate',
  extension: 'escalate',
  reviewRequest: 'expire',
  reviewDecision: 'escalate',
  reReviewRequest: 'expire',
  reReviewDecision: 'escalate',
  evaluation: 'expire',
  warningExplanation: 'escalate',
  threePartyReview: 'escalate',
  investigation: 'escalate',
};

/** Who an escalation goes to (domain.md §3–4: the unit's leader and the bureau; the campaign's superiors). */
const ESCALATION_TARGETS: Partial<Record<LimitKey, string[]>> = {
  triage: ['bureau_leader'],
  acceptance: ['unit_leader', 'bureau'],
  handling: ['unit_leader', 'bureau'],
  extension: ['unit_leader', 'bureau'],
  reviewDecision: ['review_body_leader', 'bureau'],
  reReviewDecision: ['review_body_leader', 'bureau'],
  warningExplanation: ['superior_leading_group_head', 'bureau'],
  threePartyReview: ['county_main_leader', 'city_joint_meeting_office'],
  investigation: ['discipline_inspection', 'bureau'],
};
export function escalationTargets(key: LimitKey): string[] {
  return ESCALATION_TARGETS[key] ?? ['bureau'];
}
