/**
 * 清初访 — leaders' duties (丽委办发〔2018〕51号 二（一）, domain.md §4): 阅批 of initial letters and online
 * submissions, county-level leaders' reception days, and the joint meeting's group issues closed in batches.
 * Their rates are measures (domain/measures.ts: leader_review_rate, reception_day_compliance).
 */
import { z } from 'zod';
import { intakeSchema, isoDate, type Intake } from './petition';

const caseNo = z.string().min(3).max(40);

export const leaderSchema = z.object({
  id: z.string().regex(/^[a-z0-9-]{3,60}$/, 'lower-case letters, digits and dashes'),
  name: z.string().min(1).max(100),
  title: z.string().max(100).optional(),
  level: z.enum(['city', 'county']).describe('county: owes one reception day a month'),
  divisionCode: z.string().min(1).max(20),
});

/** 阅批: the leader, the date, the instruction, and the matters it reaches. */
export const leaderReviewSchema = z.object({
  leaderId: z.string().min(1).max(60),
  reviewedOn: isoDate,
  instruction: z.string().min(2).max(5000),
  caseNos: z.array(caseNo).min(1).max(200),
});

/** A reception day: the leader, the date, the place, and the matters received (linked, or registered on the spot). */
export const receptionDaySchema = z.object({
  leaderId: z.string().min(1).max(60),
  heldOn: isoDate,
  place: z.string().min(2).max(200),
  linked: z.array(caseNo).max(200).default([]).describe('matters already registered, received on the day'),
  /** Intake bodies; source, leader and date are set from the reception day, channel defaults to visit. */
  registered: z.array(z.record(z.string(), z.unknown())).max(50).default([]).describe('petitions registered on the spot (source leader_reception)'),
});

/** The joint meeting's group issues (联席会议). */
export const groupTopics = ['military', 'private_teachers', 'real_estate', 'internet_finance', 'environment', 'village_affairs', 'key_government_work', 'other'] as const;
export const groupTopicLabels: Record<(typeof groupTopics)[number], string> = {
  military: '涉军',
  private_teachers: '民办教师',
  real_estate: '房地产',
  internet_finance: '互联网金融',
  environment: '环境保护',
  village_affairs: '村务管理',
  key_government_work: '重点工作',
  other: '其他',
};

export const groupIssueSchema = z.object({
  topic: z.enum(groupTopics),
  title: z.string().min(2).max(300),
  divisionCode: z.string().min(1).max(20),
  caseNos: z.array(caseNo).max(1000).default([]),
});

export const groupLinkSchema = z.object({ caseNos: z.array(caseNo).min(1).max(1000) });

/** One batch: one decision, recorded on each matter of the batch. */
export const groupBatchSchema = z.object({
  caseNos: z.array(caseNo).min(1).max(1000),
  decision: z.string().min(2).max(5000),
  decidedOn: isoDate,
});

/** A petition registered on a reception day: the day's leader and date as its source, in person unless said. */
export function receptionIntake(body: Record<string, unknown>, leaderName: string, heldOn: string): ReturnType<typeof intakeSchema.safeParse> {
  return intakeSchema.safeParse({ channel: 'visit', ...body, source: 'leader_reception', leaderReception: { leaderName, date: heldOn } });
}
export type { Intake };
