/**
 * The escalations of a matter (domain.md §4): warning slips (信访预警单), three-party reviews (三方会审) and
 * accountability investigations (一事双查). Each runs as a child workflow of the matter; this file holds their
 * shapes and the schemas of their steps, once, for the workflows, the read model and the API.
 */
import { z } from 'zod';
import { isoDate } from './petition';
import { recommendations } from './triggers';
import type { DeadlineEntry, Task, TimelineEntry } from './record';
import { isOverdue } from './deadline';
import type { DeadlineRequest } from './deadline';

export type { DeadlineRequest };

export const escalationKinds = ['warning_slip', 'three_party_review', 'investigation'] as const;
export type EscalationKind = (typeof escalationKinds)[number];

export const escalationStatuses = ['open', 'completed', 'closed'] as const;
export type EscalationStatus = (typeof escalationStatuses)[number];

/** What every escalation is started with. */
export interface EscalationStart {
  caseNo: string;
  parentWorkflowId: string;
  divisionCode: string;
  unitId: string | null;
  trigger: string;
  /** Reminders before its limits, as for the matter's (absent on escalations started before they had them). */
  reminderLeadDays?: number[];
}

export interface EscalationState {
  id: string;
  kind: EscalationKind;
  caseNo: string;
  parentWorkflowId: string;
  status: EscalationStatus;
  trigger: string;
  divisionCode: string;
  unitId: string | null;
  openedAt: string;
  closedAt?: string;
  deadlines: DeadlineEntry[];
  /** Limits that could not be computed yet (a working-day limit into a year the calendar does not know). */
  uncomputed: { id: string; req: DeadlineRequest; reason: string }[];
  overdue: boolean;
  /** The limit it now runs against. */
  current?: { key: string; dueAt: string };
  /** Kind-specific record (participants, explanations, findings …). */
  details: Record<string, unknown>;
  recent: TimelineEntry[];
  seq: number;
  /** Its obligations on someone's work list (GET /api/tasks). */
  tasks?: Task[];
}

/** What an escalation tells its matter, and what the matter shows of it. */
export interface EscalationSummary {
  id: string;
  kind: EscalationKind;
  trigger: string;
  status: EscalationStatus | 'starting';
  dueAt: string | null;
  overdue: boolean;
}

// --- Warning slip (信访预警单) ------------------------------------------------------------------------------------

export interface WarningSlipInput extends EscalationStart {
  /** two_visits: the campaign's trigger; bureau: issued by a bureau user for another abnormal risk. */
  reason: string;
  issuedBy: string;
}

export const explanationSchema = z.object({ no: z.number().int().min(1), content: z.string().min(10).max(20000) });
export type ExplanationCommand = z.output<typeof explanationSchema>;

export interface Explanation {
  no: number;
  visitId: string;
  visitAt: string;
  addressee: 'leading_group_head' | 'main_leaders';
  deadlineId: string;
  content?: string;
  submittedBy?: string;
  submittedAt?: string;
}

// --- Three-party review (三方会审) --------------------------------------------------------------------------------

export interface ThreePartyReviewInput extends EscalationStart {
  visit: { id: string; at: string; level: string; persons: number };
}

/** The steps of a three-party review, each recorded by its own command, in this order. */
export const threePartyReviewSteps = {
  participants: z.object({
    countyLeader: z.string().min(1).max(100),
    unitRepresentative: z.string().min(1).max(100),
    judicialExpert: z.string().min(1).max(100),
    others: z.array(z.string().max(100)).max(20).optional(),
  }),
  session: z.object({
    date: isoDate,
    place: z.string().min(1).max(200),
    petitionersPresent: z.array(z.string().min(1).max(100)).min(1).max(200),
    notes: z.string().min(1).max(20000),
  }),
  recording: z.object({
    fileName: z.string().min(1).max(200),
    contentType: z.string().min(3).max(100),
    size: z.number().int().min(1),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    storedAs: z.string().min(1).max(200),
  }),
  archive: z.object({
    receiptNo: z.string().min(1).max(100),
    receivedOn: isoDate,
    office: z.string().min(1).max(200).default('丽水市信访工作联席会议办公室'),
  }),
};
export type Participants = z.output<typeof threePartyReviewSteps.participants>;
export type Session = z.output<typeof threePartyReviewSteps.session>;
export type Recording = z.output<typeof threePartyReviewSteps.recording>;
export type ArchiveReceipt = z.output<typeof threePartyReviewSteps.archive>;
export type ThreePartyReviewRecord = { participants?: Participants; session?: Session; recording?: Recording; archive?: ArchiveReceipt };
export type ThreePartyReviewStep = { participants: Participants } | { session: Session } | { recording: Recording } | { archive: ArchiveReceipt };

// --- Accountability investigation (一事双查) -----------------------------------------------------------------------

export interface InvestigationInput extends EscalationStart {
  /** What started it: the repeat submission's or the skip-level visit's id. */
  triggerRef: string;
  /** Asia/Shanghai date of the triggering event. */
  triggeredOn: string;
  investigationDays: number;
}

export const findingsSchema = z.object({
  handlingFinding: z.string().min(5).max(20000),
  accountabilityFinding: z.string().min(5).max(20000),
  recommendation: z.enum(recommendations),
});
export type Findings = z.output<typeof findingsSchema>;

// --- Obligations on the work lists -----------------------------------------------------------------------------------

/** A task against one of the escalation's limits (its due instant, overdue while it runs past it or stays missed). */
function taskAgainst(s: EscalationState, deadlineId: string | undefined, task: Omit<Task, 'dueAt' | 'overdue'>, nowIso: string): Task {
  const d = s.deadlines.find((x) => x.id === deadlineId && (x.status === 'pending' || (x.status === 'missed' && !x.closedAt)));
  return { ...task, dueAt: d?.dueAt ?? null, overdue: !!d && (d.status === 'missed' || isOverdue(d, nowIso)) };
}

/**
 * What an open escalation asks of whom: the warned unit's explanations (its leaders when the slip went to a
 * locality with no unit yet: the division's supervisors), the bureau's three-party review and investigation.
 */
export function escalationTasks(s: EscalationState, nowIso: string): Task[] {
  if (s.status !== 'open') return [];
  switch (s.kind) {
    case 'warning_slip': {
      const explanations = (s.details.explanations ?? []) as Explanation[];
      return explanations
        .filter((e) => !e.content)
        .map((e) =>
          taskAgainst(s, e.deadlineId, {
            kind: `explain-${e.no}`,
            assigneeRole: s.unitId ? 'unit_handler' : 'supervisor',
            unitId: s.unitId,
            detail: `预警单书面说明（第${e.no}次，再次上访后3个工作日内，致${e.addressee === 'leading_group_head' ? '上级信访工作领导小组组长' : '上级党委政府主要领导'}）`,
          }, nowIso),
        );
    }
    case 'three_party_review': {
      const record = (s.details.record ?? {}) as ThreePartyReviewRecord;
      const next = !record.participants ? '确定参加人员' : !record.session ? '召开会审' : !record.recording ? '上传录音录像' : '立卷归档';
      return [taskAgainst(s, 'review3', { kind: 'threePartyReview', assigneeRole: 'supervisor', unitId: null, detail: `三方会审（15个工作日内）：${next}` }, nowIso)];
    }
    case 'investigation':
      return [taskAgainst(s, 'investigation', { kind: 'investigate', assigneeRole: 'supervisor', unitId: null, detail: '一事双查：查明办理情况和责任，提出处理建议' }, nowIso)];
  }
}
