// `npm run bench:worker-start`: how long Worker.create takes with the workflow bundle built by webpack at the start
// (as with workflowsPath), from an empty bundle cache (cold: built, then used), and from the cache (warm); and the
// whole startWorker (worker/run.ts) with a warm cache. It starts its own Temporal dev server on free loopback ports
// and an in-memory read model. Prints the median and the range of each, in seconds.
//   npm run bench:worker-start -- --runs 3 [--json]
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { loadConfig } from '../config';
import { migrate, openDatabase } from '../db/client';
import { startDevServer } from '../lib/dev-server';
import { temporalCliPath } from '../lib/temporal-binaries';
import { codecDataConverter, codecFor } from '../lib/codec';
import { cachedWorkflowBundle, repoRoot } from '../worker/bundle';
import { startWorker, sharedWorkflowModules, workflowBundleSpec, workflowsPath } from '../worker/run';
import { freePort } from '../test/support/ports';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' }, json: { type: 'boolean', default: false } } });
const runs = Math.max(1, Number(values.runs));
const log = (m: string) => (values.json ? process.stderr : process.stdout).write(`${m}\n`);

Runtime.install({ logger: new DefaultLogger('WARN') });
const scratch = mkdtempSync(join(repoRoot, '.tmp', 'bench-worker-start-'));
const server = await startDevServer({ cliPath: temporalCliPath(), dataDir: scratch, port: await freePort(), uiPort: await freePort(), namespace: 'default' });
const database = await openDatabase({ memory: true });
await migrate(database);
const config = loadConfig({ NODE_ENV: 'test', TEMPORAL_ADDRESS: server.address, TEMPORAL_TASK_QUEUE: 'bench-worker-start', LOG_LEVEL: 'warn' });
const seconds = (t: number) => (performance.now() - t) / 1000;

/**
 * Worker.create up to a worker ready to run: with webpack at the start (as before worker/bundle.ts), or with the
 * bundle from the cache in `dir` (cold: an empty folder, so it is built first; warm: found).
 */
async function create(how: 'webpack' | { dir: string }): Promise<number> {
  const t = performance.now();
  const connection = await NativeConnection.connect({ address: server.address });
  const dataConverter = codecDataConverter(codecFor(config));
  const worker = await Worker.create({
    connection,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    dataConverter,
    ...(how === 'webpack'
      ? { workflowsPath, bundlerOptions: { preloadModules: sharedWorkflowModules } }
      : { workflowBundle: { codePath: (await cachedWorkflowBundle(workflowBundleSpec(dataConverter), { dir: how.dir })).codePath } }),
    activities: {},
  });
  const s = seconds(t);
  await worker.runUntil(Promise.resolve());
  await connection.close();
  return s;
}

/** The whole startWorker (worker/run.ts: connections, Worker.create, the sweeps' schedules) with a warm cache. */
async function fullStart(dir: string): Promise<number> {
  process.env.WORKFLOW_BUNDLE_DIR = dir;
  const t = performance.now();
  const w = await startWorker({ config, address: server.address, db: database.db });
  const s = seconds(t);
  await w.shutdown();
  return s;
}

const results: Record<string, number[]> = { webpack: [], cold: [], warm: [], startWorker: [] };
try {
  log(`bench:worker-start on ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, load ${loadavg()[0]!.toFixed(1)}, node ${process.version}; ${runs} runs`);
  for (let i = 0; i < runs; i++) {
    const dir = join(scratch, `bundles-${i}`);
    results.webpack!.push(await create('webpack'));
    results.cold!.push(await create({ dir }));
    results.warm!.push(await create({ dir }));
    results.startWorker!.push(await fullStart(dir));
    const last = Object.entries(results).map(([k, xs]) => `${k} ${xs.at(-1)!.toFixed(1)} s`);
    log(`  run ${i + 1}: ${last.join(', ')}`);
  }
} finally {
  await database.close();
  await server.stop();
  rmSync(scratch, { recursive: true, force: true });
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const summary = Object.fromEntries(Object.entries(results).map(([k, xs]) => [k, { median: median(xs), min: Math.min(...xs), max: Math.max(...xs) }]));
if (values.json) console.log(JSON.stringify({ runs, load: loadavg()[0], seconds: summary }));
else for (const [k, v] of Object.entries(summary)) log(`${k.padEnd(8)} median ${v.median.toFixed(1)} s (${v.min.toFixed(1)}–${v.max.toFixed(1)})`);
process.exit(0);
