import { z } from 'zod';
import { isoDate, satisfaction, statutoryChannels } from './petition';

/**
 * Bodies of caseworkers' commands. The API validates them with these schemas; the workflow receives the
 * parsed value plus the acting user (`Actor`) and checks only what depends on the matter's state.
 */
export const forwardSchema = z.object({
  /** 转送 (forward to the competent body) or 交办 (assign with a follow-up duty). */
  mode: z.enum(['forward', 'assign']),
  unitId: z.string().min(1).max(60),
  note: z.string().max(2000).optional(),
});
export const routeSchema = z.object({
  channel: z.enum(statutoryChannels),
  organ: z.string().min(1).max(200),
  notice: z.string().min(5).max(5000),
});
export const notAcceptSchema = z.object({ reason: z.string().min(5).max(5000) });
export const linkSchema = z.object({ caseNo: z.string().min(3).max(40) });

export const acceptSchema = z.object({ acceptedOn: isoDate.optional(), note: z.string().max(2000).optional() });
export const objectSchema = z.object({ reason: z.string().min(5).max(5000), objectedOn: isoDate.optional() });

export const extendSchema = z.object({
  days: z.number().int().min(1).max(30),
  reason: z.string().min(5).max(2000),
});

export const meetingSchema = z
  .object({
    /** 三见面: ① unit meets petitioner, ② result delivered face to face, ③ leader meets an unsatisfied petitioner. */
    meeting: z.union([z.literal(1), z.literal(2), z.literal(3)]),
    date: isoDate.optional(),
    place: z.string().min(1).max(200).optional(),
    participants: z.array(z.string().min(1).max(100)).max(50).optional(),
    notes: z.string().max(5000).optional(),
    evidence: z.array(z.string().max(300)).max(20).optional(),
    /** Exempt with a reason (anonymous, refused) instead of a meeting record. */
    exemption: z.string().min(2).max(1000).optional(),
  })
  .superRefine((v, ctx) => {
    if (!v.exemption && (!v.date || !v.place || !v.participants?.length))
      ctx.addIssue({ code: 'custom', path: ['date'], message: 'a meeting needs date, place and participants, or an exemption with its reason' });
  });

export const replySchema = z.object({
  /** 处理意见书 */
  request: z.string().min(2).max(5000),
  facts: z.string().min(2).max(10000),
  opinion: z.string().min(2).max(10000),
  legalBasis: z.string().min(2).max(2000),
  deliveryMethod: z.enum(['in_person', 'post', 'online', 'sms']),
  deliveredOn: isoDate.optional(),
});

/** How an evaluation reached the record. */
export const evaluationMethods = ['phone', 'visit', 'letter', 'query_code'] as const;

export const evaluationSchema = z
  .object({
    unit: z.enum(satisfaction),
    bureau: z.enum(satisfaction),
    reason: z.string().max(2000).optional(),
    evaluatedOn: isoDate.optional(),
    /**
     * How a bureau user took the petitioner's evaluation on their behalf (电话, 走访, 信函); the petitioner's own
     * evaluation through the query-code channel is `query_code`.
     */
    method: z.enum(evaluationMethods).optional(),
  })
  .superRefine((v, ctx) => {
    if ((v.unit === 'unsatisfied' || v.bureau === 'unsatisfied') && !v.reason?.trim())
      ctx.addIssue({ code: 'custom', path: ['reason'], message: 'an unsatisfied evaluation needs its reason' });
  });

export const returnVisitSchema = z.object({ date: isoDate.optional(), notes: z.string().min(2).max(5000) });
export const sendBackSchema = z.object({ reason: z.string().min(5).max(2000) });

export const reviewRequestSchema = z.object({ requestedOn: isoDate.optional(), grounds: z.string().min(2).max(5000) });
export const reviewDecisionSchema = z.object({
  outcome: z.enum(['upheld', 'changed', 'revoked']),
  decision: z.string().min(5).max(10000),
  decidedOn: isoDate.optional(),
  /** When the decision reached the petitioner (default: the day it was decided): the re-review window runs from it. */
  deliveredOn: isoDate.optional(),
});
/** 发出信访预警单: the bureau's own slip for another abnormal risk, with its reason. */
export const warnSchema = z.object({ reason: z.string().min(5).max(2000) });
export const hearingSchema = z.object({ action: z.enum(['start', 'end']), date: isoDate.optional(), note: z.string().max(2000).optional() });

export type Forward = z.output<typeof forwardSchema>;
export type Route = z.output<typeof routeSchema>;
export type NotAccept = z.output<typeof notAcceptSchema>;
export type Link = z.output<typeof linkSchema>;
export type Accept = z.output<typeof acceptSchema>;
export type ObjectTo = z.output<typeof objectSchema>;
export type Extend = z.output<typeof extendSchema>;
export type Meeting = z.output<typeof meetingSchema>;
export type Reply = z.output<typeof replySchema>;
export type Evaluation = z.output<typeof evaluationSchema>;
export type ReturnVisit = z.output<typeof returnVisitSchema>;
export type SendBack = z.output<typeof sendBackSchema>;
export type ReviewRequest = z.output<typeof reviewRequestSchema>;
export type ReviewDecision = z.output<typeof reviewDecisionSchema>;
export type Hearing = z.output<typeof hearingSchema>;
