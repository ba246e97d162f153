// `npm run worker`: the worker alone, against a Temporal cluster and a PostgreSQL server (as production runs it).
import { loadConfig } from '../config';
import { openReadModel } from '../services/bootstrap';
import { startWorker } from './run';

const config = loadConfig();
if (!config.TEMPORAL_ADDRESS || !config.DATABASE_URL) {
  console.error('npm run worker needs TEMPORAL_ADDRESS and DATABASE_URL (PGlite is one process\'s database: use `npm start` for the embedded setup).');
  process.exit(2);
}
const database = await openReadModel(config);
const worker = await startWorker({ config, address: config.TEMPORAL_ADDRESS, db: database.db });
console.log(`Worker polling task queue "${config.TEMPORAL_TASK_QUEUE}" on ${config.TEMPORAL_ADDRESS} (namespace ${config.TEMPORAL_NAMESPACE})`);
const stop = async () => {
  await worker.shutdown();
  await database.close();
  process.exit(0);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
await worker.done;
