import type { TimelineEntry } from '../domain/matter';
import type { BacklogState } from '../domain/backlog';
import type { DigestRecord, ListingState, SweepKind } from '../domain/sweeps';

export interface ProjectBacklogRequest {
  workflowId: string;
  events: TimelineEntry[];
  snapshot: BacklogState;
}

/** The activities of the campaign's workflows (backlog cases, sweeps, listings); implemented in activities/campaign.ts. */
export interface CampaignActivities {
  projectBacklog(req: ProjectBacklogRequest): Promise<void>;
  /** One scheduled sweep for the run's Asia/Shanghai day: writes its digest and the units' notices. */
  runSweep(req: { kind: SweepKind; day: string }): Promise<DigestRecord>;
  projectListing(state: ListingState): Promise<void>;
}
