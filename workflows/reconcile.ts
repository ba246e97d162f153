/**
 * The reconciliation job (issue 10, defect 2): a `reconcileWorkflow` started every RECONCILE_INTERVAL_MINUTES by the
 * `reconcile` Schedule (services/schedules.ts). The work is the `reconcileOrphans` activity, the same function as
 * `npm run reconcile` (services/recovery.ts runReconciliation): it reports (a reconciliation_runs row supervisors
 * read, the workflow's result, a log line) and repairs matters without their workflow and workflows without their
 * matter.
 */
import { log, proxyActivities } from '@temporalio/workflow';
import type { ReconcileActivities, ReconcileRunResult } from '../activities/reconcile-types';

const acts = proxyActivities<ReconcileActivities>({
  // Lists every petition workflow in visibility: generous, and retried a few times before the run fails (the next
  // run of the Schedule goes ahead either way).
  startToCloseTimeout: '15 minutes',
  retry: { initialInterval: '10 seconds', backoffCoefficient: 2, maximumInterval: '2 minutes', maximumAttempts: 3 },
});

export interface ReconcileInput {
  repair: boolean;
}

export async function reconcileWorkflow({ repair }: ReconcileInput): Promise<ReconcileRunResult> {
  const run = await acts.reconcileOrphans({ repair, trigger: 'schedule' });
  const found = run.rowsWithoutWorkflow.length + run.workflowsWithoutRow.length;
  const summary = { reconciliationRun: run.runId, rowsWithoutWorkflow: run.rowsWithoutWorkflow, workflowsWithoutRow: run.workflowsWithoutRow, repaired: run.repaired, failed: run.failed };
  if (found || run.failed.length) log.warn('reconciliation found orphans', summary);
  else log.info('reconciliation: nothing to repair', { reconciliationRun: run.runId });
  return run;
}
