import { runReconciliation, type RecoveryDeps } from '../services/recovery';
import type { ReconcileActivities } from './reconcile-types';

/** The reconciliation activity: the very function `npm run reconcile` calls (services/recovery.ts). */
export function createReconcileActivities(deps: RecoveryDeps): ReconcileActivities {
  return {
    async reconcileOrphans(req) {
      return runReconciliation(deps, req);
    },
  };
}
