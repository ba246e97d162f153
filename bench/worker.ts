// `npm run bench:worker`: does a worker's memory grow with the number of open matters it holds?
//
// It starts its own Temporal dev server (free ports, state under .tmp/), a PostgreSQL read model (DATABASE_URL, whose
// role may CREATE DATABASE, or a throwaway cluster), and the worker as its own process (`worker/main.ts`, with the
// WORKER_* settings of the environment), then opens N matters (a read-model row each, then the matter's workflow,
// started directly as intake does), waits until every one has run its first step (triage limit computed and
// projected: the matter now waits on its timers), and samples the worker's RSS. Then it opens more, up to the second
// size, and samples again. It prints RSS at rest, at each size, and the cost per matter. It asserts nothing.
//
//   npm run bench:worker                              # 2,000 and 10,000 open matters
//   npm run bench:worker -- --sizes 1000,3000 --json
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import { Client, Connection, WorkflowIdConflictPolicy } from '@temporalio/client';
import { loadConfig } from '../config';
import { migrate, openDatabase } from '../db/client';
import { seed } from '../db/seed';
import { startDevServer } from '../lib/dev-server';
import { temporalCliPath } from '../lib/temporal-binaries';
import { syntheticLetter } from './synthetic';
import type { petitionWorkflow } from '../workflows/petition';
import { WORKFLOW_ID_PREFIX, workflowIdFor } from '../workflows/ids';
import { testDatabaseUrl } from '../test/support/postgres';
import { freePort } from '../test/support/ports';
import { codecDataConverter, codecFor, generateKey } from '../lib/codec';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const HELP = `Usage: npm run bench:worker -- [options]

  --sizes <a,b>          open matters at the two measurements (env BENCH_WORKER_SIZES; default 2000,10000)
  --concurrency <count>  workflow starts in flight (default 16)
  --json                 print only { sizes, rssMiB, perMatterKiB, peakRssMiB } as JSON on standard output
  --help

The worker runs with the WORKER_* settings of this environment (WORKER_MAX_CACHED_WORKFLOWS and the others; README).
BENCH_WORKER_CPU_PROF=<dir> writes the worker's CPU profiles (one per thread) there.
The dev server is a throwaway one whose SQLite store does not wait for the disk (lib/dev-server.ts SQLITE_DURABILITY).`;

function fail(message: string): never {
  console.error(`bench:worker: ${message}`);
  process.exit(1);
}
const log = (line: string) => console.error(line);

const { values } = parseArgs({
  options: {
    sizes: { type: 'string' },
    concurrency: { type: 'string' },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (values.help) {
  console.log(HELP);
  process.exit(0);
}
const sizes = (values.sizes ?? process.env.BENCH_WORKER_SIZES ?? '2000,10000').split(',').map((s) => Number(s.trim()));
if (sizes.length !== 2 || sizes.some((s) => !Number.isInteger(s) || s < 1) || sizes[1]! <= sizes[0]!) fail('--sizes takes two whole numbers a < b, e.g. 2000,10000');
const concurrency = Number(values.concurrency ?? 16);
if (!Number.isInteger(concurrency) || concurrency < 1) fail('--concurrency must be a whole number ≥ 1');

/** Resident set size of a process, bytes (Linux /proc). */
function rssOf(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmRSS for ${pid}`);
  return Number(m[1]) * 1024;
}

/** The median of a few samples a second apart: RSS moves with the garbage collector. */
async function sampleRss(pid: number, n = 5): Promise<number> {
  const xs: number[] = [];
  for (let i = 0; i < n; i++) {
    xs.push(rssOf(pid));
    await new Promise((r) => setTimeout(r, 1000));
  }
  xs.sort((a, b) => a - b);
  return xs[Math.floor(n / 2)]!;
}

const MiB = 2 ** 20;
const started = performance.now();
log(`bench:worker on ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}; sizes ${sizes.join(', ')}`);

mkdirSync(join(repoRoot, '.tmp'), { recursive: true });
const dataDir = mkdtempSync(join(repoRoot, '.tmp', 'bench-worker-'));
const pg = process.env.DATABASE_URL ? undefined : await testDatabaseUrl();
const adminUrl = process.env.DATABASE_URL ?? pg!.url;
const admin = postgres(adminUrl, { max: 1, onnotice: () => undefined });
const dbName = `bench_worker_${Date.now().toString(36)}`;
await admin.unsafe(`CREATE DATABASE "${dbName}"`);
const dbUrl = new URL(adminUrl);
dbUrl.pathname = `/${dbName}`;
const temporal = await startDevServer({ cliPath: temporalCliPath(), dataDir, port: await freePort(), uiPort: await freePort(), namespace: 'default', durability: 'none' });
let worker: ChildProcess | undefined;

async function cleanup() {
  if (worker && worker.exitCode === null) {
    worker.kill('SIGTERM');
    await new Promise((r) => worker!.once('exit', r));
  }
  await temporal.stop().catch(() => undefined);
  await admin.unsafe(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`).catch(() => undefined);
  await admin.end();
  await pg?.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
process.once('SIGINT', () => void cleanup().then(() => process.exit(130)));

try {
  const database = await openDatabase({ url: dbUrl.toString() });
  await migrate(database);
  await seed(database.db, { devUsers: false });
  await database.close();
  const sql = postgres(dbUrl.toString(), { max: 4, onnotice: () => undefined });

  const taskQueue = `bench-worker-${randomUUID().slice(0, 8)}`;
  const env = { ...process.env, TEMPORAL_ADDRESS: temporal.address, DATABASE_URL: dbUrl.toString(), TEMPORAL_TASK_QUEUE: taskQueue, LOG_LEVEL: 'warn', NODE_ENV: 'production', JWT_SECRET: randomUUID(), TEMPORAL_CODEC_KEYS: `bench:${generateKey()}` };
  const config = loadConfig(env);
  worker = spawn(process.execPath, [...(process.env.BENCH_WORKER_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_WORKER_CPU_PROF] : []), '--import', 'tsx', join(repoRoot, 'worker', 'main.ts')], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((res, rej) => {
    worker!.once('exit', (code) => rej(new Error(`the worker exited (${code}) before polling`)));
    worker!.stdout!.on('data', (b: Buffer) => {
      if (b.toString().includes('Worker polling')) res();
    });
  });
  const pid = worker.pid!;
  log(`  worker pid ${pid}: cache ${config.WORKER_MAX_CACHED_WORKFLOWS}, ${config.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS} workflow tasks, ${config.WORKER_MAX_CONCURRENT_ACTIVITIES} activities at once`);
  const atRest = await sampleRss(pid);
  log(`  at rest: RSS ${(atRest / MiB).toFixed(0)} MiB`);

  const client = new Client({ connection: await Connection.connect({ address: temporal.address }), namespace: 'default', dataConverter: codecDataConverter(codecFor(config)) });
  let peak = atRest;
  const caseNo = (i: number) => `BW${String(i).padStart(8, '0')}`;

  /** Opens matters [from, to): their read-model rows in one statement, then their workflows. */
  async function open(from: number, to: number) {
    const now = new Date().toISOString();
    await sql.unsafe(
      `INSERT INTO petitions (case_no, query_code, workflow_id, status, channel, source, division_code, category, purpose, summary,
         petitioners, persons_count, flags, intake, received_at, registered_at, registered_by, first_receiver)
       SELECT 'BW' || lpad(i::text, 8, '0'), 'Q' || i, '${WORKFLOW_ID_PREFIX}BW' || lpad(i::text, 8, '0'), 'REGISTERED', 'letter', 'direct', '331102',
         'urban_construction', 'complaint', '小区旁违章建筑影响采光通风，请求依法拆除', '[{"name":"测试人","main":true}]', 1, '{}', '{}', $1, $1,
         'registrar-city', 'registrar-city'
       FROM generate_series(${from}, ${to - 1}) AS i`,
      [now],
    );
    let next = from;
    const t0 = performance.now();
    const lane = async () => {
      while (next < to) {
        const i = next++;
        const input = syntheticLetter(config, caseNo(i), now);
        await client.workflow.start<typeof petitionWorkflow>('petitionWorkflow', {
          taskQueue,
          workflowId: workflowIdFor(caseNo(i)),
          args: [input],
          workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
        });
      }
    };
    await Promise.all(Array.from({ length: concurrency }, lane));
    log(`  started ${to - from} matters in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
    // Settled: every matter has run its first step (status projected past REGISTERED). A progress line every 30 s
    // (settled, rate, worker RSS); it fails only when nothing settles for 10 minutes, so a large size is not cut short.
    let last = { n: Number.POSITIVE_INFINITY, at: performance.now() };
    let lastLine = performance.now();
    for (;;) {
      const [r] = await sql<{ n: number }[]>`select count(*)::int as n from petitions where case_no like 'BW%' and status = 'REGISTERED'`;
      const waiting = r!.n;
      if (waiting === 0) break;
      const now = performance.now();
      if (waiting < last.n) last = { n: waiting, at: now };
      else if (now - last.at > 10 * 60_000) fail(`${waiting} matters unsettled, none settled in 10 minutes`);
      if (now - lastLine >= 30_000) {
        lastLine = now;
        const settled = to - waiting;
        const rss = rssOf(pid);
        peak = Math.max(peak, rss);
        log(`    ${settled.toLocaleString('en')} of ${to.toLocaleString('en')} settled (${((settled - from) / ((now - t0) / 1000)).toFixed(1)}/s since this batch's first start), worker RSS ${(rss / MiB).toFixed(0)} MiB`);
      }
      await new Promise((res) => setTimeout(res, 2000));
    }
    log(`  ${to} open matters settled ${((performance.now() - t0) / 1000).toFixed(0)} s after the first start (${((to - from) / ((performance.now() - t0) / 1000)).toFixed(1)}/s)`);
  }

  const rss: number[] = [];
  let opened = 0;
  for (const n of sizes) {
    await open(opened, n);
    opened = n;
    rss.push(await sampleRss(pid));
    peak = Math.max(peak, rss[rss.length - 1]!);
    log(`  ${n} open matters: worker RSS ${(rss[rss.length - 1]! / MiB).toFixed(0)} MiB`);
  }
  const [a, b] = sizes as [number, number];
  const perMatterFirst = (rss[0]! - atRest) / a;
  const perMatterMore = (rss[1]! - rss[0]!) / (b - a);
  await sql.end();
  await client.connection.close();

  const result = { sizes: [a, b], rssMiB: { atRest: atRest / MiB, [a]: rss[0]! / MiB, [b]: rss[1]! / MiB }, perMatterKiB: { [`0-${a}`]: perMatterFirst / 1024, [`${a}-${b}`]: perMatterMore / 1024 }, peakRssMiB: peak / MiB };
  if (values.json) console.log(JSON.stringify(result));
  else {
    console.log(`\nWorker RSS (cache ${config.WORKER_MAX_CACHED_WORKFLOWS} workflows; ${((performance.now() - started) / 60000).toFixed(1)} min in all)\n`);
    console.log('| Open matters | RSS (MiB) | per matter since the previous row (KiB) |');
    console.log('|---:|---:|---:|');
    console.log(`| 0 | ${(atRest / MiB).toFixed(0)} | |`);
    console.log(`| ${a.toLocaleString('en')} | ${(rss[0]! / MiB).toFixed(0)} | ${(perMatterFirst / 1024).toFixed(1)} |`);
    console.log(`| ${b.toLocaleString('en')} | ${(rss[1]! / MiB).toFixed(0)} | ${(perMatterMore / 1024).toFixed(1)} |`);
    console.log(`\nHighest RSS sampled while they were opened: ${(peak / MiB).toFixed(0)} MiB`);
  }
} finally {
  await cleanup();
}
process.exit(0);
