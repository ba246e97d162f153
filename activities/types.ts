import type { Deadline, DeadlineRequest } from '../domain/deadline';
import type { PetitionSnapshot, TimelineEntry } from '../domain/matter';
import type { EscalationState } from '../domain/escalation';
import type { NoticeRequest } from '../domain/record';

export type { DeadlineRequest };

export interface ProjectRequest {
  workflowId: string;
  caseNo: string;
  events: TimelineEntry[];
  snapshot: PetitionSnapshot;
}

export interface ProjectEscalationRequest {
  workflowId: string;
  caseNo: string;
  events: TimelineEntry[];
  snapshot: EscalationState;
}

/** The activities the workflows call; implemented by createActivities. */
export interface PetitionActivities {
  /** Computes a limit on the working-day calendar (package data + admin overrides from the database). */
  computeDeadline(req: DeadlineRequest): Promise<Deadline>;
  /** Writes timeline events and the state snapshot to the read model; idempotent by event id and seq. */
  project(req: ProjectRequest): Promise<void>;
  /**
   * Writes an escalation's events and state. (Its released activity name says "overlay": running workflows and
   * stored histories schedule it by that name.)
   */
  projectOverlay(req: ProjectEscalationRequest): Promise<void>;
  /** Renders a written notice from its template into the matter's dossier; idempotent by notice id. */
  fileNotice(req: NoticeRequest): Promise<void>;
}
