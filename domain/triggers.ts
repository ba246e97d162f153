/**
 * The campaign's escalation triggers (丽委办发〔2018〕51号 清初访 / 查重访), one place each.
 * Pure: the petition workflow calls them on every visit and submission; tests call them directly.
 */
import { z } from 'zod';
import type { DeadlinePolicy } from './rules';
import { isoInstant } from './petition';

export const visitLevels = ['village', 'township', 'county', 'city', 'province', 'national'] as const;
export type VisitLevel = (typeof visitLevels)[number];
const rank = (l: VisitLevel) => visitLevels.indexOf(l);

/** A petitioner's visit to a petition body, as the API records it (then signalled to the matter's workflow). */
export const visitSchema = z.object({
  at: isoInstant.describe('when the visit took place'),
  level: z.enum(visitLevels),
  place: z.string().min(1).max(200),
  persons: z.number().int().min(1).max(100_000).default(1),
  collective: z.boolean().optional().describe('集体访; defaults to persons ≥ 5'),
  abnormalInBeijing: z.boolean().default(false).describe('非正常上访: a visit in Beijing outside the lawful reception places'),
  receivedBy: z.string().min(1).max(100),
});
export type VisitInput = z.output<typeof visitSchema>;

export interface Visit {
  id: string;
  at: string;
  level: VisitLevel;
  place: string;
  persons: number;
  collective: boolean;
  abnormalInBeijing: boolean;
  receivedBy: string;
}

/** Clock skew tolerated between the recording client and the server. */
const FUTURE_TOLERANCE_MS = 60_000;

/**
 * Why a visit cannot be recorded on a matter, or null: dated before the matter was registered, in the future, or on a
 * matter that has ended. The API refuses with this reason; the workflow records (and does not count) one that
 * reaches it anyway.
 */
export function visitProblem(
  at: string,
  matter: { registeredAt: string; open: boolean; status: string },
  nowMs: number,
): { code: 'before registration' | 'in the future' | 'ended'; message: string } | null {
  if (Date.parse(at) < Date.parse(matter.registeredAt))
    return { code: 'before registration', message: `the visit is dated before the matter was registered (${matter.registeredAt})` };
  if (Date.parse(at) > nowMs + FUTURE_TOLERANCE_MS) return { code: 'in the future', message: 'the visit is dated in the future' };
  if (!matter.open) return { code: 'ended', message: `the matter has ended (${matter.status}); a visit on it is not recorded here` };
  return null;
}

export function atOrAboveCounty(level: VisitLevel): boolean {
  return rank(level) >= rank('county');
}

/** Visits by level since the initial petition. */
export function visitCounts(visits: readonly Visit[]): Record<VisitLevel, number> {
  const counts = Object.fromEntries(visitLevels.map((l) => [l, 0])) as Record<VisitLevel, number>;
  for (const v of visits) counts[v.level] += 1;
  return counts;
}

/**
 * 信访预警单 (51号文 二（二）4): after the initial petition, 2 or more visits to county-level-or-higher petition bureaus.
 * (A bureau may also issue one for another abnormal risk: that is a command, not this trigger.)
 */
export const WARNING_SLIP_VISITS = 2;
export function warningSlipDue(counts: Record<VisitLevel, number>): boolean {
  return visitLevels.filter(atOrAboveCounty).reduce((n, l) => n + counts[l], 0) >= WARNING_SLIP_VISITS;
}

/**
 * After a slip, each later county-level-or-higher visit needs the warned unit's written explanation in 3 WD:
 * first to the head of the superior petition leading group, then to the superior party and government main leaders.
 */
export function explanationAddressee(laterVisitNo: number): 'leading_group_head' | 'main_leaders' {
  return laterVisitNo <= 1 ? 'leading_group_head' : 'main_leaders';
}

/** 三方会审 (51号文 二（三）2): the triggering kinds of visit. */
export type ThreePartyTrigger = 'abnormal_in_beijing' | 'collective_to_beijing' | 'collective_50_to_province';
export const PROVINCE_COLLECTIVE_THRESHOLD = 50;
export function threePartyReviewTrigger(v: Visit): ThreePartyTrigger | null {
  if (v.level === 'national' && v.abnormalInBeijing) return 'abnormal_in_beijing';
  if (v.level === 'national' && v.collective) return 'collective_to_beijing';
  if (v.level === 'province' && v.collective && v.persons >= PROVINCE_COLLECTIVE_THRESHOLD) return 'collective_50_to_province';
  return null;
}

/**
 * 越级: a visit to a body above the level competent for the matter (a county matter taken to the city, province
 * or Beijing). Gets the same dual check as new backlog (51号文 二（三）3).
 */
export function isSkipLevel(v: Visit, competentLevel: VisitLevel): boolean {
  return rank(v.level) > rank(competentLevel);
}

/** The level competent for a matter located in a division of this level. */
export function competentLevelFor(divisionLevel: string | null | undefined): VisitLevel {
  return divisionLevel === 'city' || divisionLevel === 'province' ? 'city' : 'county';
}

/**
 * 新增积案 (51号文 二（三）3): a matter not resolved within a statutory limit, on which the petitioner petitions
 * again. A limit counts when it is statutory (the 2005 or 2022 rules, not the campaign's or the service's own).
 */
export function becomesNewBacklog(
  open: boolean,
  deadlines: readonly { policy: Pick<DeadlinePolicy, 'ruleSet'>; status: string; closedAt?: string }[],
  rule: 'open_misses' | 'any_miss' = 'open_misses',
): boolean {
  // A limit met late but since closed leaves the matter on time now: only a miss still open makes it backlog.
  // ('any_miss' is the released rule, kept for histories recorded before this was put right.)
  return open && deadlines.some((d) => d.status === 'missed' && (rule === 'any_miss' || !d.closedAt) && (d.policy.ruleSet === '2005' || d.policy.ruleSet === '2022'));
}

export const recommendations = ['none', 'criticism', 'discipline_referral', 'organisation_referral'] as const;
