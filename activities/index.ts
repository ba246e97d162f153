import { ApplicationFailure } from '@temporalio/activity';
import { computeRequested } from '../domain/deadline';
import { CalendarUnknownYearError } from '../domain/calendar';
import { NoSuchLimitError } from '../domain/rules';
import { renderNotice } from '../domain/notices';
import type { Db } from '../db/client';
import { loadCalendar } from '../read-model/calendar';
import { projectEscalation, projectPetition } from '../read-model/projection';
import { notices } from '../db/schema';
import type { PetitionActivities } from './types';
import type { CampaignActivities } from './campaign-types';
import { afterPetitionProjected, createCampaignActivities, type CampaignDeps } from './campaign';
import type { ReconcileActivities } from './reconcile-types';
import { createReconcileActivities } from './reconcile';
import type { RecoveryDeps } from '../services/recovery';

export interface ActivityDeps {
  db: Db;
  /**
   * The campaign's workflows (backlog cases) are started and signalled from activities with this client. The worker
   * always gives it; without it (a test calling one petition activity directly) the campaign's activities refuse and
   * the hook after a matter's projection does not run.
   */
  campaign?: Omit<CampaignDeps, 'db'>;
  /** The reconciliation job's client and configuration (the worker gives them); without them its activity refuses. */
  reconcile?: Omit<RecoveryDeps, 'db'>;
}

export function createActivities({ db, campaign, reconcile }: ActivityDeps): PetitionActivities & CampaignActivities & ReconcileActivities {
  const campaignDeps: CampaignDeps | undefined = campaign && { db, ...campaign };
  const notConfigured = async (): Promise<never> => {
    throw ApplicationFailure.nonRetryable('the campaign activities need createActivities({ campaign })', 'NotConfigured');
  };
  return {
    ...(campaignDeps ? createCampaignActivities(campaignDeps) : { projectBacklog: notConfigured, runSweep: notConfigured, projectListing: notConfigured }),
    ...(reconcile ? createReconcileActivities({ db, ...reconcile }) : { reconcileOrphans: notConfigured }),
    async computeDeadline(req) {
      try {
        return computeRequested(req, await loadCalendar(db));
      } catch (err) {
        // Business refusals are final: retrying will not make a calendar year known.
        if (err instanceof CalendarUnknownYearError) throw ApplicationFailure.nonRetryable(err.message, 'CalendarUnknownYear');
        if (err instanceof NoSuchLimitError || err instanceof RangeError) throw ApplicationFailure.nonRetryable(err.message, 'InvalidInput');
        throw err;
      }
    },

    async project(req) {
      await projectPetition(db, req);
      // The campaign's reactions (a new backlog case, a backlog case reopened) live on this side of the projection.
      if (campaignDeps) await afterPetitionProjected(campaignDeps, req);
    },

    async projectOverlay(req) {
      await projectEscalation(db, req);
    },

    async fileNotice(req) {
      const { title, body, legalBasis } = renderNotice(req);
      await db
        .insert(notices)
        .values({ id: req.id, caseNo: req.caseNo, kind: req.kind, title, body, legalBasis, issuedAt: new Date(req.issuedAt), issuedBy: req.issuedBy })
        .onConflictDoNothing();
    },
  };
}
