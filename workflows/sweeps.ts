/**
 * The scheduled sweeps (天天清 daily 17:30, 周周结 weekly, 月月检 monthly, 挂牌督办 quarterly), each run a
 * `sweepWorkflow` started by a Temporal Schedule (services/schedules.ts), and each quarterly listing a
 * `listingWorkflow` with its own remediation limit. The work is in the `runSweep` activity (read-model/sweeps.ts),
 * retried on failure; a run that still fails shows as failed in the schedule's recent actions (GET /api/schedules).
 */
import { condition, defineQuery, defineUpdate, proxyActivities, setHandler, startChild, ParentClosePolicy, ApplicationFailure, allHandlersFinished } from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { CampaignActivities } from '../activities/campaign-types';
import { endOfShanghaiDay, shanghaiDateOf } from '../domain/dates';
import type { ListingInput, ListingState, SweepKind } from '../domain/sweeps';

export type { ListingInput, ListingState } from '../domain/sweeps';
import type { Actor } from './messages';

const acts = proxyActivities<CampaignActivities>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes', maximumAttempts: 8 },
});

export interface SweepInput {
  kind: SweepKind;
}

export async function sweepWorkflow({ kind }: SweepInput): Promise<{ digestId: string; listed: string[] }> {
  const day = shanghaiDateOf(new Date(Date.now()));
  const digest = await acts.runSweep({ kind, day });
  const listed: string[] = [];
  for (const l of digest.listed ?? []) {
    const workflowId = `listing-${l.id}`;
    try {
      await startChild(listingWorkflow, {
        workflowId,
        parentClosePolicy: ParentClosePolicy.ABANDON,
        args: [{ id: l.id, quarter: digest.periodStart.slice(0, 4) + 'Q' + (Math.floor(Number(digest.periodStart.slice(5, 7)) / 3) + 1), divisionCode: l.divisionCode, ...(l.unitId ? { unitId: l.unitId } : {}), name: l.name, rank: l.rank, score: l.score, dueDate: l.dueDate, digestId: digest.id }],
      });
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }
    listed.push(workflowId);
  }
  return { digestId: digest.id, listed };
}

export const listingQuery = defineQuery<ListingState>('listing');
/** The listed division's written rectification report; the bureau accepts it and the listing ends. */
export const remediationUpdate = defineUpdate<ListingState, [{ report: string; actor: Actor }]>('remediate');

/** One 挂牌督办 listing: remediation due by `dueDate` (24:00 Asia/Shanghai), escalated (约谈) when missed. */
export async function listingWorkflow(input: ListingInput): Promise<ListingState> {
  const s: ListingState = { ...input, status: 'listed', reports: [], seq: 0 };
  let changed = false;
  setHandler(listingQuery, () => s);
  setHandler(
    remediationUpdate,
    async ({ report, actor }) => {
      s.reports.push({ report, by: actor.id, at: new Date(Date.now()).toISOString() });
      s.status = 'remediated';
      s.seq++;
      await acts.projectListing(s);
      changed = true;
      return s;
    },
    {
      validator: ({ actor, report }) => {
        if (!['supervisor', 'admin'].includes(actor.role)) throw ApplicationFailure.create({ type: 'Forbidden', message: 'the bureau accepts a listing’s remediation', nonRetryable: true });
        if (s.status === 'remediated') throw ApplicationFailure.create({ type: 'IllegalState', message: 'the listing is remediated already', nonRetryable: true });
        if (!report.trim()) throw ApplicationFailure.create({ type: 'InvalidInput', message: 'the report is empty', nonRetryable: true });
      },
    },
  );
  s.seq++;
  await acts.projectListing(s);
  const due = Date.parse(endOfShanghaiDay(s.dueDate));
  const inTime = await condition(() => changed, Math.max(due - Date.now(), 1));
  if (!inTime) {
    s.status = 'overdue';
    s.escalatedAt = new Date(Date.now()).toISOString();
    s.seq++;
    await acts.projectListing(s);
    // A late report is still accepted.
    await condition(() => changed);
  }
  await condition(allHandlersFinished);
  return s;
}
