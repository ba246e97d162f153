/**
 * The shapes of a petition matter (信访事项), in one neutral place that the workflow, the activities, the read model
 * and the API all import (none of them imports another for these). Types only, no behaviour.
 *
 * Three shapes, on purpose:
 * - `PetitionState`: what the workflow holds and carries across continue-as-new (its history replays against it);
 * - `PetitionSnapshot`: what the `project` activity writes to the read model (the `petitions.state` column);
 * - `PetitionView`: what `GET /api/petitions/:caseNo/state` answers (the live state, as released).
 */
import type { DeadlineEntry, Task, TimelineEntry } from './record';
import type { LimitKey } from './rules';
import type { DeadlineRequest } from './deadline';
import type { Status, channels } from './petition';
import type * as C from './commands';
import type { Visit, VisitLevel } from './triggers';
import type { EscalationSummary } from './escalation';

export { deadlineStatuses, type DeadlineEntry, type DeadlineStatus, type Task, type TimelineEntry } from './record';

export type Channel = (typeof channels)[number];

/** The acting user, as the API authenticated them. */
export interface Actor {
  id: string;
  role: string;
  unitId?: string | null;
}

/** What the workflow is started with. No personal data: that stays in the read model. */
export interface PetitionInput {
  caseNo: string;
  channel: Channel;
  source: string;
  divisionCode: string;
  personsCount: number;
  /** When the registering body received it (ISO instant); limits count from its Asia/Shanghai date. */
  receivedAt: string;
  registeredAt: string;
  registeredBy: { id: string; role: string };
  /** Units accused in a report; never routed to (2022 条例 第三十条). */
  accusedUnitIds: string[];
  /** The level competent for the matter: a visit above it is skip-level (越级). Absent on matters before visits existed. */
  competentLevel?: VisitLevel;
  settings: PetitionSettings;
  /** Set when the matter continues as new: everything it had. */
  carried?: PetitionState;
}

export interface PetitionSettings {
  reminderLeadDays: number[];
  evaluationDays: number;
  investigationDays: number;
  /** How long a matter that has ended still answers late requests before the workflow completes. */
  lingerDays: number;
  /** Continue as new after this many history events (bounded history for long lives). */
  historyLimit: number;
}

export interface MeetingRecord extends Omit<C.Meeting, 'meeting'> {
  recordedBy: string;
  recordedAt: string;
}

export interface ReviewRecord {
  requestedOn: string;
  grounds: string;
  decidedOn?: string;
  outcome?: C.ReviewDecision['outcome'];
  decision?: string;
  /** 复核 hearings: their duration is not counted in the decision limit. */
  hearings: { start: string; end?: string }[];
}

/** Another letter/visit/call/message on an open matter (件次), signalled to its workflow. */
export interface SubmissionSignal {
  id: string;
  channel: Channel;
  receivedAt: string;
  summary: string;
  registeredBy: string;
}

export type EvaluationRecord = (Omit<C.Evaluation, 'evaluatedOn'> & { evaluatedOn: string; on: string }) | { expired: true; on: string };

export interface PetitionState {
  caseNo: string;
  status: Status;
  divisionCode: string;
  channel: Channel;
  source: string;
  personsCount: number;
  receivedAt: string;
  registeredAt: string;
  unitId: string | null;
  handOff?: { mode: 'forward' | 'assign'; unitId: string; at: string; by: string; note?: string };
  routing?: { channel: string; organ: string };
  notAccepted?: { reason: string };
  linkedTo?: string;
  objections: { reason: string; on: string; unitId: string | null }[];
  acceptedOn?: string;
  extension?: { days: number; reason: string; approvedBy: string; on: string };
  meetings: Partial<Record<'1' | '2' | '3', MeetingRecord>>;
  reply?: Omit<C.Reply, 'deliveredOn'> & { deliveredOn: string; noticeId: string };
  evaluation?: EvaluationRecord;
  returnVisits: { date: string; notes: string; by: string }[];
  review?: ReviewRecord;
  reReview?: ReviewRecord;
  submissions: { total: number; repeats: number; lastAt?: string; refused: number; recentIds: string[] };
  deadlines: DeadlineEntry[];
  overdue: boolean;
  /** The latest notices (the dossier in the read model has all). */
  notices: { id: string; kind: string; issuedAt: string }[];
  tasks: Task[];
  /** Last events of the timeline; the full timeline is in the read model. */
  recent: TimelineEntry[];
  endedAt?: string;
  seq: number;
  runs: number;
  accusedUnitIds: string[];
  settings: PetitionSettings;
  /** Visits since the initial petition (the latest 100; counts cover all). */
  visits: Visit[];
  visitCounts: Record<VisitLevel, number>;
  /**
   * The escalation child workflows by workflow id, as they last reported. (The field keeps its released name:
   * running matters carry it across continue-as-new.)
   */
  overlays: Record<string, EscalationSummary>;
  /** The limit the matter now runs against (for lists sorted by deadline). */
  current?: { key: LimitKey; dueAt: string };
  /**
   * Limits waiting for the calendar: they fall in a year whose schedule an admin has not declared complete yet.
   * They start the moment it is (a signal from the calendar admin, or the daily retry).
   */
  uncomputed?: UncomputedLimit[];
}

export interface UncomputedLimit {
  id: string;
  req: DeadlineRequest;
  reason: string;
}

/** What the read model keeps of the workflow's state (`petitions.state`): what its readers use, nothing more. */
export interface PetitionSnapshot {
  caseNo: string;
  status: Status;
  divisionCode: string;
  unitId: string | null;
  linkedTo?: string;
  current?: { key: LimitKey; dueAt: string };
  overdue: boolean;
  deadlines: DeadlineEntry[];
  tasks: Task[];
  /** Submissions (件次) on the matter: every letter, call, message and visit after the first is a repeat. */
  submissions: { total: number; repeats: number; refused: number; lastAt?: string };
  visitCounts: Record<VisitLevel, number>;
  /** Limits waiting for next year's calendar (the admin's calendar status counts them). */
  uncomputed: UncomputedLimit[];
  endedAt?: string;
  /** The next event seq: the snapshot replaces an older one only (`last_event_seq`). */
  seq: number;
}

/** The live state as the API answers it: the released shape, every field of the workflow's state. */
export type PetitionView = PetitionState;

export function snapshotOf(s: PetitionState): PetitionSnapshot {
  return {
    caseNo: s.caseNo,
    status: s.status,
    divisionCode: s.divisionCode,
    unitId: s.unitId,
    ...(s.linkedTo ? { linkedTo: s.linkedTo } : {}),
    ...(s.current ? { current: s.current } : {}),
    overdue: s.overdue,
    deadlines: s.deadlines,
    tasks: s.tasks,
    submissions: { total: s.submissions.total, repeats: s.submissions.repeats, refused: s.submissions.refused, ...(s.submissions.lastAt ? { lastAt: s.submissions.lastAt } : {}) },
    visitCounts: s.visitCounts,
    uncomputed: s.uncomputed ?? [],
    ...(s.endedAt ? { endedAt: s.endedAt } : {}),
    seq: s.seq,
  };
}

export function viewOf(s: PetitionState): PetitionView {
  return s;
}
