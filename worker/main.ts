// `npm run worker`: the worker alone, against a Temporal cluster and a PostgreSQL server (as production runs it).
import { loadConfigOrExit } from '../config';
import { openReadModel, requireServers, temporalClient } from '../services/bootstrap';
import { startRecoveryLoop } from '../services/recovery';
import { startRollupLoop } from '../read-model/measure-rollup';
import { startWorker } from './run';

const config = loadConfigOrExit();
const { temporalAddress } = requireServers(config, 'npm run worker');
const database = await openReadModel(config);
const worker = await startWorker({ config, address: temporalAddress, db: database.db });
// Matters whose workflow start did not complete (the API died, Temporal was down): started from the intake outbox.
const client = temporalClient(config, temporalAddress);
const stopRecovery = startRecoveryLoop({ db: database.db, temporal: client, config }, (msg) => console.log(msg));
// The measures' daily aggregates, rolled up in the background so that reads seldom find changes waiting.
const stopRollup = startRollupLoop(database.db, config.LEADER_REVIEW_CHANNELS, (msg) => console.log(msg));
console.log(`Worker polling task queue "${config.TEMPORAL_TASK_QUEUE}" on ${temporalAddress} (namespace ${config.TEMPORAL_NAMESPACE})`);
const stop = async () => {
  await stopRecovery();
  await stopRollup();
  await client.connection.close().catch(() => undefined);
  await worker.shutdown();
  await database.close();
  process.exit(0);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
await worker.done;
