// `npm run bench:worker-start`: how long a worker takes to start, with the workflow bundle built by webpack at the
// start (as Worker.create with workflowsPath does), from an empty bundle cache (cold), and from the cache (warm).
// It starts its own Temporal dev server on free loopback ports and an in-memory read model; the worker is the real
// startWorker (worker/run.ts) up to polling. Prints the median and the range of each, in seconds.
//   npm run bench:worker-start -- --runs 3 [--json]
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { NativeConnection, Worker } from '@temporalio/worker';
import { loadConfig } from '../config';
import { migrate, openDatabase } from '../db/client';
import { startDevServer } from '../lib/dev-server';
import { temporalCliPath } from '../lib/temporal-binaries';
import { codecDataConverter, codecFor } from '../lib/codec';
import { repoRoot } from '../worker/bundle';
import { startWorker, sharedWorkflowModules, workflowsPath } from '../worker/run';
import { freePort } from '../test/support/ports';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' }, json: { type: 'boolean', default: false } } });
const runs = Math.max(1, Number(values.runs));
const log = (m: string) => (values.json ? process.stderr : process.stdout).write(`${m}\n`);

const scratch = mkdtempSync(join(repoRoot, '.tmp', 'bench-worker-start-'));
const server = await startDevServer({ cliPath: temporalCliPath(), dataDir: scratch, port: await freePort(), uiPort: await freePort(), namespace: 'default' });
const database = await openDatabase({ memory: true });
await migrate(database);
const config = loadConfig({ NODE_ENV: 'test', TEMPORAL_ADDRESS: server.address, TEMPORAL_TASK_QUEUE: 'bench-worker-start', LOG_LEVEL: 'warn' });
const seconds = (t: number) => (performance.now() - t) / 1000;

/** The start as it was: webpack at every Worker.create. */
async function webpackStart(): Promise<number> {
  const t = performance.now();
  const connection = await NativeConnection.connect({ address: server.address });
  const worker = await Worker.create({
    connection,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    dataConverter: codecDataConverter(codecFor(config)),
    workflowsPath,
    bundlerOptions: { preloadModules: sharedWorkflowModules },
    activities: {},
  });
  const s = seconds(t);
  await worker.runUntil(Promise.resolve());
  await connection.close();
  return s;
}

/** startWorker up to polling, with the bundle cache in `dir`. */
async function cachedStart(dir: string): Promise<number> {
  process.env.WORKFLOW_BUNDLE_DIR = dir;
  const t = performance.now();
  const w = await startWorker({ config, address: server.address, db: database.db });
  const s = seconds(t);
  await w.shutdown();
  return s;
}

const results: Record<string, number[]> = { webpack: [], cold: [], warm: [] };
try {
  log(`bench:worker-start on ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, load ${loadavg()[0]!.toFixed(1)}, node ${process.version}; ${runs} runs`);
  for (let i = 0; i < runs; i++) {
    results.webpack!.push(await webpackStart());
    const dir = join(scratch, `bundles-${i}`);
    results.cold!.push(await cachedStart(dir));
    results.warm!.push(await cachedStart(dir));
    log(`  run ${i + 1}: webpack ${results.webpack!.at(-1)!.toFixed(1)} s, cold cache ${results.cold!.at(-1)!.toFixed(1)} s, warm cache ${results.warm!.at(-1)!.toFixed(1)} s`);
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
