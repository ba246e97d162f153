import type { Client } from '@temporalio/client';
import type { Db } from '../db/client';
import { closedBacklogCovering, projectBacklog } from '../read-model/backlog';
import { projectListing, runSweep, type SweepSettings } from '../read-model/sweeps';
import { startNewBacklogCase, type BacklogDeps } from '../services/backlog';
import { shanghaiDateOf } from '../domain/dates';
import { describeMissed } from '../domain/backlog';
import type { ProjectRequest } from './types';
import type { CampaignActivities } from './campaign-types';

export interface CampaignDeps {
  db: Db;
  /** A client for starting and signalling the campaign's workflows from activities. */
  temporal: Client;
  taskQueue: string;
  checkInDays?: number;
  sweeps: SweepSettings;
}

export function createCampaignActivities(deps: CampaignDeps): CampaignActivities {
  return {
    async projectBacklog(req) {
      await projectBacklog(deps.db, req);
    },
    async runSweep({ kind, day }) {
      return runSweep(deps.db, kind, day, deps.sweeps);
    },
    async projectListing(state) {
      await projectListing(deps.db, state);
    },
  };
}

/**
 * Runs after a matter's events are projected (inside the `project` activity, so a failure is retried with it and
 * the petition workflow's commands do not change):
 * - `overlay.started` with trigger new_backlog (一事双查 for 新增积案) → the matter's backlog case `backlog-new-<caseNo>`;
 * - `submission.linked` on a matter covered by a closed backlog case → that case reopens (signal deduplicated by
 *   the submission id).
 * Both are idempotent: USE_EXISTING starts and deduplicated signals.
 */
export async function afterPetitionProjected(deps: CampaignDeps, req: ProjectRequest): Promise<void> {
  const backlogDeps: BacklogDeps = { db: deps.db, temporal: deps.temporal, taskQueue: deps.taskQueue, checkInDays: deps.checkInDays };
  for (const e of req.events) {
    if (e.type === 'overlay.started' && e.data.trigger === 'new_backlog') {
      await startNewBacklogCase(backlogDeps, { caseNo: req.caseNo, at: e.at, reason: describeMissed(req.snapshot.deadlines, e.at) });
    } else if (e.type === 'submission.linked') {
      for (const b of await closedBacklogCovering(deps.db, req.caseNo)) {
        const subId = String(e.data.id ?? e.seq);
        await deps.temporal.workflow
          .getHandle(b.workflowId)
          .signal('reopen', { ref: `${req.caseNo}:${subId}`, caseNo: req.caseNo, on: shanghaiDateOf(e.at), note: '信访人再次信访' });
      }
    }
  }
}
