// `npm run worker`: the worker alone, against a Temporal cluster and a PostgreSQL server (as production runs it).
import { loadConfigOrExit } from '../config';
import { openReadModel, requireServers } from '../services/bootstrap';
import { startWorker } from './run';

const config = loadConfigOrExit();
const { temporalAddress } = requireServers(config, 'npm run worker');
const database = await openReadModel(config);
const worker = await startWorker({ config, address: temporalAddress, db: database.db });
console.log(`Worker polling task queue "${config.TEMPORAL_TASK_QUEUE}" on ${temporalAddress} (namespace ${config.TEMPORAL_NAMESPACE})`);
const stop = async () => {
  await worker.shutdown();
  await database.close();
  process.exit(0);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
await worker.done;
