import type { ReconcileRun, ReconcileTrigger } from '../services/recovery';

export type ReconcileRunResult = ReconcileRun;

/** The reconciliation job's activity (activities/reconcile.ts); the reconcile Schedule's workflow calls it. */
export interface ReconcileActivities {
  /** One reconciliation run: report and (with repair) repair both kinds of orphan; recorded in reconciliation_runs. */
  reconcileOrphans(req: { repair: boolean; trigger: ReconcileTrigger }): Promise<ReconcileRunResult>;
}
