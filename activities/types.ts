import type { Deadline } from '../domain/deadline';
import type { LimitKey } from '../domain/rules';
import type { NoticeInput } from '../domain/notices';
import type { PetitionState, TimelineEntry } from '../workflows/types';
import type { OverlayState } from '../workflows/overlay';

export interface DeadlineRequest {
  key: LimitKey;
  startDate: string;
  /** A shorter length than the policy's (an extension of fewer than 30 days). */
  days?: number;
  /** Natural days not counted (a hearing during re-review). */
  pausedDays?: number;
  evaluationDays?: number;
  investigationDays?: number;
}

export interface ProjectRequest {
  workflowId: string;
  caseNo: string;
  events: TimelineEntry[];
  snapshot: PetitionState;
}

export interface ProjectOverlayRequest {
  workflowId: string;
  caseNo: string;
  events: TimelineEntry[];
  snapshot: OverlayState;
}

export interface FileNoticeRequest extends NoticeInput {
  id: string;
  issuedAt: string;
  issuedBy: string | null;
}

/** The activities a petition workflow calls; implemented by createActivities. */
export interface PetitionActivities {
  /** Computes a limit on the working-day calendar (package data + admin overrides from the database). */
  computeDeadline(req: DeadlineRequest): Promise<Deadline>;
  /** Writes timeline events and the state snapshot to the read model; idempotent by event id and seq. */
  project(req: ProjectRequest): Promise<void>;
  /** Writes a child workflow's (warning slip, three-party review, investigation) events and state. */
  projectOverlay(req: ProjectOverlayRequest): Promise<void>;
  /** Renders a written notice from its template into the matter's dossier; idempotent by notice id. */
  fileNotice(req: FileNoticeRequest): Promise<void>;
}
