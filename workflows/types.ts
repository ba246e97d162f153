import type { Deadline } from '../domain/deadline';
import type { LimitKey } from '../domain/rules';
import type { Status } from '../domain/petition';
import type * as C from '../domain/commands';
import type { Visit, VisitLevel } from '../domain/triggers';
import type { OverlaySummary } from './overlay';

export type Channel = 'letter' | 'visit' | 'online' | 'phone';

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

/** met: done in time; missed: escalated at the limit; expired: a window closed unused; paused: a hearing runs. */
export type DeadlineStatus = 'pending' | 'met' | 'missed' | 'expired' | 'cancelled' | 'paused';

export interface DeadlineEntry extends Deadline {
  id: string;
  status: DeadlineStatus;
  /** Lead days whose reminder has been recorded. */
  reminded: number[];
  escalatedAt?: string;
  closedAt?: string;
}

export interface MeetingRecord extends Omit<C.Meeting, 'meeting'> {
  recordedBy: string;
  recordedAt: string;
}

export interface Task {
  kind: string;
  assigneeRole: string;
  unitId: string | null;
  dueAt: string | null;
  overdue: boolean;
  detail: string;
}

export interface TimelineEntry {
  seq: number;
  type: string;
  at: string;
  actor: string | null;
  data: Record<string, unknown>;
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

export interface SubmissionSignal {
  id: string;
  channel: Channel;
  receivedAt: string;
  summary: string;
  registeredBy: string;
}

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
  evaluation?: (Omit<C.Evaluation, 'evaluatedOn'> & { evaluatedOn: string; on: string }) | { expired: true; on: string };
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
  /** The escalation child workflows by workflow id, as they last reported. */
  overlays: Record<string, OverlaySummary>;
  /** The limit the matter now runs against (for lists sorted by deadline). */
  current?: { key: LimitKey; dueAt: string };
}
