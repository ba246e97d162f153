// `npm run reconcile [-- --repair]`: one reconciliation run now, the same function the worker's `reconcile` Schedule
// runs every RECONCILE_INTERVAL_MINUTES (services/recovery.ts runReconciliation): compares the read model with
// Temporal and reports matters without their workflow and petition workflows without their matter; with --repair,
// starts the missing workflows (idempotently) and terminates orphan workflows. The run is recorded (trigger
// 'command') like the Schedule's. Exit status 1 if anything was found and not repaired.
import { loadConfigOrExit } from '../config';
import { openReadModel, requireServers, temporalClient } from '../services/bootstrap';
import { runReconciliation } from '../services/recovery';

const config = loadConfigOrExit();
const { temporalAddress } = requireServers(config, 'npm run reconcile');
const repair = process.argv.includes('--repair');
const database = await openReadModel(config);
const temporal = temporalClient(config, temporalAddress);
try {
  const report = await runReconciliation({ db: database.db, temporal, config }, { repair, trigger: 'command' });
  console.log(JSON.stringify(report, null, 2));
  const found = report.rowsWithoutWorkflow.length + report.workflowsWithoutRow.length;
  process.exitCode = found > report.repaired.length ? 1 : 0;
} finally {
  await temporal.connection.close().catch(() => undefined);
  await database.close();
}
