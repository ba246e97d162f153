// `npm start`: the whole service on embedded defaults — a Temporal dev server and PGlite under ./data, the worker,
// and the API — or, with TEMPORAL_ADDRESS / DATABASE_URL, against those servers instead.
import { loadConfigOrExit } from '../config';
import { openReadModel, temporalClient } from '../services/bootstrap';
import { startRecoveryLoop } from '../services/recovery';
import { startRollupLoop } from '../read-model/measure-rollup';
import { startWorker } from '../worker/run';
import { startApi } from '../api/server';
import { startDevServer, type DevServer } from '../lib/dev-server';
import { temporalCliPath } from '../lib/temporal-binaries';
import { codecFor, devKeyFile } from '../lib/codec';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const config = loadConfigOrExit();

const stops: (() => Promise<void>)[] = [];
let stopping = false;
async function stopAll(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    console.log('\nStopping…');
    for (const stop of stops.reverse()) await stop().catch((err) => console.error(err));
  }
  process.exit(code);
}
process.once('SIGINT', () => void stopAll(0));
process.once('SIGTERM', () => void stopAll(0));

// The console (web/): npm install built it; build again here if its sources changed since (a no-op otherwise).
spawnSync(process.execPath, [fileURLToPath(new URL('./build-web.mjs', import.meta.url))], { stdio: 'inherit' });

try {
  let address = config.TEMPORAL_ADDRESS;
  let uiUrl: string | undefined;
  if (!address) {
    console.log(`Starting the Temporal dev server (state in ${config.DATA_DIR}/temporal)…`);
    const server: DevServer = await startDevServer({
      cliPath: temporalCliPath(),
      dataDir: config.DATA_DIR,
      port: config.TEMPORAL_DEV_PORT,
      uiPort: config.TEMPORAL_UI_PORT,
      namespace: config.TEMPORAL_NAMESPACE,
      // The UI asks the API's codec endpoint to decrypt payloads (api/routes/codec.ts).
      codecEndpoint: `http://${config.HOST === '0.0.0.0' ? '127.0.0.1' : config.HOST}:${config.PORT}/codec`,
    });
    stops.push(() => server.stop());
    address = server.address;
    uiUrl = server.uiUrl;
  }
  const database = await openReadModel(config);
  stops.push(() => database.close());
  const worker = await startWorker({ config, address, db: database.db });
  stops.push(() => worker.shutdown());
  const recoveryClient = temporalClient(config, address);
  const stopRecovery = startRecoveryLoop({ db: database.db, temporal: recoveryClient, config }, (msg) => console.log(msg));
  stops.push(startRollupLoop(database.db, config.LEADER_REVIEW_CHANNELS, (msg) => console.log(msg)));
  stops.push(async () => {
    await stopRecovery();
    await recoveryClient.connection.close().catch(() => undefined);
  });
  const api = await startApi({ config, database, temporalAddress: address });
  stops.push(() => api.close());

  console.log('');
  console.log(`  Temporal      ${address} (namespace ${config.TEMPORAL_NAMESPACE})${uiUrl ? '' : ' — external'}`);
  if (uiUrl) console.log(`  Temporal UI   ${uiUrl} (to decode: its Codec Server setting with cross-origin credentials, README)`);
  console.log(`  Database      ${database.kind === 'pglite' ? `PGlite in ${config.DATA_DIR}/pglite` : 'PostgreSQL (DATABASE_URL)'}`);
  console.log(`  Worker        task queue "${config.TEMPORAL_TASK_QUEUE}"`);
  console.log(`  API           ${api.url}   docs ${api.url}/docs   ready ${api.url}/health/ready`);
  console.log(`  Codec         ${api.url}/codec (payloads encrypted with key "${codecFor(config).activeKeyId}"${config.codecKeys ? '' : `, from ${devKeyFile(config.DATA_DIR)}`})`);
  console.log(`  Console       ${api.url}/`);
  console.log('\nCtrl-C stops everything.');
  worker.done.catch(async (err) => {
    console.error('The worker stopped:', err);
    await stopAll(1);
  });
} catch (err) {
  console.error('Start failed:', err instanceof Error ? err.message : err);
  await stopAll(1);
}
