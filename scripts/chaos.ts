// `npm run chaos`: are matters lost, duplicated or stuck when the parts of the service crash under load?
//
// It starts its own stack on loopback, as production runs it split: a PostgreSQL cluster of its own (initdb/pg_ctl,
// commits durable), a Temporal dev server keeping its state in a file (so it survives a restart), the worker
// (`worker/main.ts`, what `npm run worker` runs) and the API (`api/server.ts`, what `npm run api` runs) as separate
// processes with NODE_ENV=production, a random JWT_SECRET and the development login off. It then submits N matters
// through `POST /api/petitions`, each from a client that retries (same body, same Idempotency-Key) on a network
// error, a timeout or a 5xx, while it kills the worker, the API and Temporal with SIGKILL and restarts PostgreSQL with
// `pg_ctl restart -m immediate`, one fault per batch of matters, restarting each. At the end it waits for the matters
// to settle and prints submitted / acknowledged / in Temporal / in read model / duplicated / lost / stuck. Exit 1 on
// any defect (below); 2 if the stack could not be started.
//
//   npm run chaos                                      # 100 matters, one fault of each kind
//   npm run chaos -- --matters 300 --faults worker,api,temporal,postgres,worker,api,temporal,postgres,all --json
//
// Processes are started with `node --import tsx <entry>` rather than through npm (npm and tsx would stand between the
// kill and the process: a SIGKILL of the wrapper leaves the real process running).
import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import { Client, Connection } from '@temporalio/client';
import { migrate, openDatabase } from '../db/client';
import { devUsers, seed } from '../db/seed';
import { users } from '../db/schema';
import { startDevServer, type DevServer } from '../lib/dev-server';
import { temporalCliPath } from '../lib/temporal-binaries';
import { ownCluster, type OwnCluster } from '../test/support/postgres';
import { freePort } from '../test/support/ports';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const FAULTS = ['worker', 'api', 'temporal', 'postgres', 'all'] as const;
type Fault = (typeof FAULTS)[number];

const HELP = `Usage: npm run chaos -- [options]

  --matters <n>        matters to submit (default 100)
  --faults <a,b,…>     the faults, in order, one per batch of matters: worker, api, temporal (SIGKILL and restart),
                       postgres (pg_ctl restart -m immediate), all (the four at once); default worker,api,temporal,postgres
  --concurrency <n>    clients submitting at once (default 6)
  --downtime <s>       seconds a killed part stays down before its restart (default 3)
  --settle <s>         at most this long for every matter to settle after the last answer (default 180)
  --json               print only the figures as JSON on standard output (progress goes to standard error)
  --keep               keep the run's folder under .tmp/ (logs of every process)
  --help

Defects (any makes the exit status 1): a submission never acknowledged; one refused with a 4xx; a matter duplicated
(two rows for one Idempotency-Key, or a petition workflow without a row); lost (acknowledged, but its row or its
workflow missing); stuck (a row whose workflow is not running, or that never got past REGISTERED); a process that
exited without being killed (crashed).`;

interface Options {
  matters: number;
  faults: Fault[];
  concurrency: number;
  downtimeMs: number;
  settleMs: number;
  json: boolean;
  keep: boolean;
}

function fail(message: string, code = 2): never {
  console.error(`chaos: ${message}`);
  process.exit(code);
}

function options(): Options {
  const { values } = parseArgs({
    options: {
      matters: { type: 'string' },
      faults: { type: 'string' },
      concurrency: { type: 'string' },
      downtime: { type: 'string' },
      settle: { type: 'string' },
      json: { type: 'boolean', default: false },
      keep: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    process.exit(0);
  }
  const matters = Number(values.matters ?? 100);
  if (!Number.isInteger(matters) || matters < 1) fail('--matters must be a whole number ≥ 1');
  const faults = (values.faults ?? 'worker,api,temporal,postgres').split(',').map((f) => f.trim()).filter(Boolean);
  for (const f of faults) if (!(FAULTS as readonly string[]).includes(f)) fail(`--faults: unknown fault "${f}" (${FAULTS.join(', ')})`);
  const concurrency = Number(values.concurrency ?? 6);
  if (!Number.isInteger(concurrency) || concurrency < 1) fail('--concurrency must be a whole number ≥ 1');
  const downtime = Number(values.downtime ?? 3);
  const settle = Number(values.settle ?? 180);
  if (!(downtime >= 0) || !(settle > 0)) fail('--downtime must be ≥ 0 and --settle > 0');
  return { matters, faults: faults as Fault[], concurrency, downtimeMs: downtime * 1000, settleMs: settle * 1000, json: values.json ?? false, keep: values.keep ?? false };
}

const opt = options();
const log = (line: string) => console.error(`[${((performance.now() - t0) / 1000).toFixed(1).padStart(6)} s] ${line}`);
const t0 = performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// --- The stack -----------------------------------------------------------------------------------------------------

mkdirSync(join(repoRoot, '.tmp'), { recursive: true });
const runDir = mkdtempSync(join(repoRoot, '.tmp', 'chaos-'));
const run = randomBytes(3).toString('hex');
const taskQueue = `chaos-${run}`;
const jwtSecret = randomBytes(32).toString('hex');
// Production refuses to start without payload keys: one random AES-256 key for the run (lib/codec.ts).
const codecKeys = `chaos:${randomBytes(32).toString('base64')}`;

/** HS256 bearer token, as the API signs them (sub, iat, exp): there is no development login in production mode. */
function token(sub: string): string {
  const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const iat = Math.floor(Date.now() / 1000);
  const head = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ sub, iat, exp: iat + 4 * 3600 })}`;
  return `${head}.${createHmac('sha256', jwtSecret).update(head).digest('base64url')}`;
}

interface Proc {
  name: string;
  child?: ChildProcess;
  start(): Promise<void>;
}

function nodeProcess(name: string, entry: string, env: NodeJS.ProcessEnv, ready: (line: string) => boolean, readyUrl?: string): Proc {
  const logFile = createWriteStream(join(runDir, `${name}.log`), { flags: 'a' });
  const proc: Proc = {
    name,
    async start() {
      logFile.write(`\n--- start ${new Date().toISOString()}\n`);
      const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, entry)], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
      proc.child = child;
      // A process that ends without being killed here crashed: a defect of its own.
      child.once('exit', (code, signal) => {
        if (!killed.has(child)) {
          crashes.push(`${name} exited by itself (${signal ?? `code ${code}`})`);
          log(`${name} CRASHED (${signal ?? `code ${code}`}); see ${join(runDir, `${name}.log`)}`);
        }
      });
      let seen = false;
      child.stdout!.on('data', (b: Buffer) => {
        logFile.write(b);
        if (!seen && b.toString().split('\n').some(ready)) seen = true;
      });
      child.stderr!.on('data', (b: Buffer) => logFile.write(b));
      const deadline = Date.now() + 180_000;
      while (!seen) {
        if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${name} exited (${child.exitCode ?? child.signalCode}) while starting; see ${join(runDir, `${name}.log`)}`);
        if (Date.now() > deadline) throw new Error(`${name} did not start within 180 s; see ${join(runDir, `${name}.log`)}`);
        await sleep(100);
      }
      if (readyUrl) await waitFor(async () => (await fetch(readyUrl, { signal: AbortSignal.timeout(2000) })).ok, `${name} to answer`, 60_000);
    },
  };
  return proc;
}

async function waitFor(check: () => Promise<boolean>, what: string, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      if (await check()) return;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(250);
  }
}

const killed = new WeakSet<ChildProcess>();
const crashes: string[] = [];

function kill9(child: ChildProcess | undefined): Promise<void> {
  if (child) killed.add(child);
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((res) => {
    child.once('exit', () => res());
    child.kill('SIGKILL');
  });
}

let pg: OwnCluster | undefined;
let temporal: DevServer | undefined;
let worker: Proc | undefined;
let api: Proc | undefined;
let temporalPorts: { port: number; uiPort: number };

async function startTemporal(): Promise<DevServer> {
  return startDevServer({ cliPath: temporalCliPath(), dataDir: runDir, ...temporalPorts, namespace: 'default' });
}

async function killTemporal(): Promise<void> {
  if (temporal?.pid) {
    try {
      process.kill(temporal.pid, 'SIGKILL');
    } catch {
      // already gone
    }
    await waitFor(async () => !alive(temporal!.pid!), 'Temporal to exit', 10_000);
  }
  await temporal?.stop().catch(() => undefined);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function teardown(): Promise<void> {
  for (const p of [api, worker]) {
    if (p?.child && p.child.exitCode === null && p.child.signalCode === null) {
      killed.add(p.child);
      p.child.kill('SIGTERM');
      await Promise.race([new Promise((r) => p.child!.once('exit', r)), sleep(10_000)]);
      await kill9(p.child);
    }
  }
  await temporal?.stop().catch(() => undefined);
  await pg?.stop().catch(() => undefined);
  if (!opt.keep) rmSync(runDir, { recursive: true, force: true });
}
process.once('SIGINT', () => void teardown().then(() => process.exit(130)));

// --- The clients ---------------------------------------------------------------------------------------------------

interface Matter {
  i: number;
  key: string;
  attempts: number;
  caseNo?: string;
  /** A 4xx: the service refused a request a retry of which it had acknowledged, or should have. */
  refused?: string;
  givenUp?: boolean;
}

const ID_PREFIX = `3311021980${String(Number.parseInt(run, 16) % 100).padStart(2, '0')}`;
const summaryOf = (i: number) => `混沌测试 ${run} #${i}：小区旁违章建筑影响采光通风，请求依法拆除`;
function bodyOf(i: number) {
  return {
    channel: 'letter',
    divisionCode: '331102',
    category: 'urban_construction',
    purpose: 'complaint',
    summary: summaryOf(i),
    // A distinct petitioner each: every matter is an initial petition, none a possible repeat of another.
    petitioners: [{ name: '测试人', main: true, idNumber: `${ID_PREFIX}${String(i).padStart(6, '0')}`, phone: '13900000000' }],
  };
}

const CLIENT_TIMEOUT_MS = 10_000;
const CLIENT_DEADLINE_MS = 300_000;

/** One client's matter: retried with the same body and key until a 2xx, a 4xx, or its deadline. */
async function submit(m: Matter, apiUrl: string, bearer: string): Promise<void> {
  const body = JSON.stringify(bodyOf(m.i));
  const until = Date.now() + CLIENT_DEADLINE_MS;
  for (let backoff = 250; ; backoff = Math.min(backoff * 2, 4000)) {
    m.attempts += 1;
    try {
      const res = await fetch(`${apiUrl}/api/petitions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${bearer}`, 'idempotency-key': m.key },
        body,
        signal: AbortSignal.timeout(CLIENT_TIMEOUT_MS),
      });
      const text = await res.text();
      if (res.status >= 200 && res.status < 300) {
        m.caseNo = (JSON.parse(text) as { caseNo: string }).caseNo;
        return;
      }
      if (res.status >= 400 && res.status < 500 && res.status !== 429) {
        m.refused = `${res.status} ${text.slice(0, 200)}`;
        return;
      }
    } catch {
      // connection refused or reset, or no answer in time: the same request again
    }
    if (Date.now() > until) {
      m.givenUp = true;
      return;
    }
    await sleep(backoff + Math.random() * backoff);
  }
}

// --- The run -------------------------------------------------------------------------------------------------------

interface Figures {
  matters: number;
  faults: Fault[];
  submitted: number;
  acknowledged: number;
  inTemporal: number;
  inReadModel: number;
  duplicated: number;
  lost: number;
  stuck: number;
  unanswered: number;
  refused: number;
  crashed: number;
  attempts: number;
  seconds: number;
  faultLog: { fault: Fault; at: number; downSeconds: number }[];
  node: string;
}

async function main(): Promise<Figures> {
  log(`chaos ${run}: ${opt.matters} matters, faults ${opt.faults.join(', ') || 'none'}; ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}; logs in ${runDir}`);
  temporalPorts = { port: await freePort(), uiPort: await freePort() };
  const apiPort = await freePort();
  const [cluster, server] = await Promise.all([ownCluster({ durable: true }), startTemporal()]);
  pg = cluster;
  temporal = server;
  const admin = postgres(pg.url, { max: 1, onnotice: () => undefined });
  await admin.unsafe('CREATE DATABASE petitions');
  await admin.end();
  const dbUrl = new URL(pg.url);
  dbUrl.pathname = '/petitions';
  {
    const database = await openDatabase({ url: dbUrl.toString() });
    await migrate(database);
    await seed(database.db, { devUsers: false });
    // Production has no development users: the registrar is put into the users table, as an operator would.
    await database.db.insert(users).values(devUsers.find((u) => u.id === 'registrar-city')!).onConflictDoNothing();
    await database.close();
  }
  log(`PostgreSQL on ${dbUrl.host}, Temporal on ${temporal.address}`);

  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'production',
    TEMPORAL_ADDRESS: temporal.address,
    DATABASE_URL: dbUrl.toString(),
    TEMPORAL_TASK_QUEUE: taskQueue,
    JWT_SECRET: jwtSecret,
    TEMPORAL_CODEC_KEYS: codecKeys,
    DATA_DIR: runDir,
    HOST: '127.0.0.1',
    PORT: String(apiPort),
    LOG_LEVEL: 'warn',
    // The clients are one address: the per-address limits are not what is tested here.
    RATE_LIMIT_PUBLIC_PER_MINUTE: '100000',
    RECOVERY_INTERVAL_MS: '3000',
    ...(process.env.TEMPORAL_CLI_PATH ? { TEMPORAL_CLI_PATH: process.env.TEMPORAL_CLI_PATH } : {}),
  };
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  worker = nodeProcess('worker', 'worker/main.ts', env, (l) => l.includes('Worker polling'));
  api = nodeProcess('api', 'api/server.ts', env, (l) => l.includes('API listening'), `${apiUrl}/health/live`);
  await Promise.all([worker.start(), api.start()]);
  await waitFor(async () => (await fetch(`${apiUrl}/health/ready`)).ok, 'the API to be ready', 60_000);
  log(`worker and API up (${apiUrl}); submitting`);

  const bearer = token('registrar-city');
  const matters: Matter[] = Array.from({ length: opt.matters }, (_, i) => ({ i, key: `chaos-${run}-${i}`, attempts: 0 }));
  const batches = opt.faults.length + 1;
  const faultLog: Figures['faultLog'] = [];
  let next = 0;
  let released = 0;
  let started = 0;
  const clients = Array.from({ length: Math.min(opt.concurrency, opt.matters) }, async () => {
    for (;;) {
      while (next >= released && next < matters.length) await sleep(50);
      if (next >= matters.length) return;
      const m = matters[next++]!;
      started += 1;
      await submit(m, apiUrl, bearer);
      // A little pacing: the faults of a batch land while its requests are in flight.
      await sleep(50 + Math.random() * 100);
    }
  });

  for (let b = 0; b < batches; b++) {
    const end = Math.round(((b + 1) * opt.matters) / batches);
    released = end;
    const fault = opt.faults[b];
    if (!fault) break;
    // The fault strikes once half of this batch has been sent.
    const half = Math.round(((b + 0.5) * opt.matters) / batches);
    while (started < half) await sleep(20);
    const at = (performance.now() - t0) / 1000;
    await inject(fault, apiUrl);
    const down = (performance.now() - t0) / 1000 - at;
    faultLog.push({ fault, at: Math.round(at * 10) / 10, downSeconds: Math.round(down * 10) / 10 });
    log(`${fault}: back after ${down.toFixed(1)} s; ${matters.filter((m) => m.caseNo).length}/${opt.matters} acknowledged`);
    while (matters.slice(0, end).some((m) => !m.caseNo && !m.refused && !m.givenUp)) await sleep(100);
  }
  await Promise.all(clients);
  log(`every submission answered: ${matters.filter((m) => m.caseNo).length} acknowledged; waiting for the matters to settle`);

  return settle(matters, dbUrl.toString(), faultLog);
}

async function inject(fault: Fault, apiUrl: string): Promise<void> {
  const kinds = fault === 'all' ? (['worker', 'api', 'temporal', 'postgres'] as const) : [fault];
  log(`fault: ${fault}`);
  // Down: processes killed with SIGKILL; PostgreSQL stopped at once and started again (its own restart).
  await Promise.all(
    kinds.map(async (k) => {
      if (k === 'worker') await kill9(worker!.child);
      if (k === 'api') await kill9(api!.child);
      if (k === 'temporal') await killTemporal();
    }),
  );
  if (kinds.includes('postgres' as never)) pg!.restartImmediate();
  await sleep(opt.downtimeMs);
  if (kinds.includes('temporal' as never)) temporal = await startTemporal();
  await Promise.all([kinds.includes('worker' as never) ? worker!.start() : undefined, kinds.includes('api' as never) ? api!.start() : undefined]);
  await waitFor(async () => (await fetch(`${apiUrl}/health/live`)).ok, 'the API', 60_000);
}

async function settle(matters: Matter[], dbUrl: string, faultLog: Figures['faultLog']): Promise<Figures> {
  const sql = postgres(dbUrl, { max: 2, onnotice: () => undefined });
  const client = new Client({ connection: await Connection.connect({ address: temporal!.address }), namespace: 'default' });
  type Row = { case_no: string; workflow_id: string; status: string; summary: string };
  let rows: Row[] = [];
  let workflows = new Map<string, string>();
  const deadline = Date.now() + opt.settleMs;
  const acked = matters.filter((m) => m.caseNo);
  for (;;) {
    rows = await sql<Row[]>`select case_no, workflow_id, status, summary from petitions where summary like ${`混沌测试 ${run} #%`}`;
    workflows = new Map();
    for await (const wf of client.workflow.list({ query: `WorkflowType = 'petitionWorkflow'` })) workflows.set(wf.workflowId, wf.status.name);
    const unsettled = rows.filter((r) => r.status === 'REGISTERED' || workflows.get(r.workflow_id) !== 'RUNNING').length;
    const missing = acked.filter((m) => !rows.some((r) => r.case_no === m.caseNo)).length;
    if ((unsettled === 0 && missing === 0) || Date.now() > deadline) break;
    log(`  settling: ${unsettled} matters not yet running their first step`);
    await sleep(3000);
  }
  await sql.end();
  await client.connection.close();

  const rowsBySummary = new Map<string, number>();
  for (const r of rows) rowsBySummary.set(r.summary, (rowsBySummary.get(r.summary) ?? 0) + 1);
  const rowIds = new Set(rows.map((r) => r.workflow_id));
  const extraRows = [...rowsBySummary.values()].reduce((s, n) => s + n - 1, 0);
  const workflowsWithoutRow = [...workflows.entries()].filter(([id, status]) => status === 'RUNNING' && !rowIds.has(id)).length;
  const byCase = new Map(rows.map((r) => [r.case_no, r]));
  const lost = acked.filter((m) => {
    const r = byCase.get(m.caseNo!);
    return !r || !workflows.has(r.workflow_id);
  }).length;
  const stuck = rows.filter((r) => workflows.has(r.workflow_id) && (workflows.get(r.workflow_id) !== 'RUNNING' || r.status === 'REGISTERED')).length
    + rows.filter((r) => !workflows.has(r.workflow_id) && !acked.some((m) => m.caseNo === r.case_no)).length;
  return {
    matters: opt.matters,
    faults: opt.faults,
    submitted: matters.filter((m) => m.attempts > 0).length,
    acknowledged: acked.length,
    inTemporal: rows.filter((r) => workflows.get(r.workflow_id) === 'RUNNING').length + workflowsWithoutRow,
    inReadModel: rows.length,
    duplicated: extraRows + workflowsWithoutRow,
    lost,
    stuck,
    unanswered: matters.filter((m) => m.givenUp).length,
    refused: matters.filter((m) => m.refused).length,
    crashed: crashes.length,
    attempts: matters.reduce((s, m) => s + m.attempts, 0),
    seconds: Math.round((performance.now() - t0) / 100) / 10,
    faultLog,
    node: process.version,
  };
}

let figures: Figures;
try {
  figures = await main();
} catch (err) {
  log(`the run failed: ${(err as Error).stack ?? String(err)}`);
  opt.keep = true;
  await teardown();
  fail(`the run failed; logs kept in ${runDir}`);
}
await teardown();

const defects = figures.duplicated + figures.lost + figures.stuck + figures.unanswered + figures.refused + figures.crashed;
if (opt.json) {
  console.log(JSON.stringify({ ...figures, defects }));
} else {
  const rowsOut: [string, number | string][] = [
    ['submitted', figures.submitted],
    ['acknowledged', figures.acknowledged],
    ['in Temporal', figures.inTemporal],
    ['in read model', figures.inReadModel],
    ['duplicated', figures.duplicated],
    ['lost', figures.lost],
    ['stuck', figures.stuck],
    ['unanswered', figures.unanswered],
    ['refused (4xx)', figures.refused],
    ['crashed', figures.crashed],
  ];
  console.log(`\nchaos ${run}: ${figures.matters} matters, ${figures.attempts} requests, ${figures.seconds} s, node ${figures.node}`);
  for (const f of figures.faultLog) console.log(`  fault ${f.fault.padEnd(8)} at ${f.at} s, back after ${f.downSeconds} s`);
  for (const [k, v] of rowsOut) console.log(`  ${k.padEnd(14)} ${String(v).padStart(6)}`);
  console.log(defects ? `\n${defects} defect(s)` : '\nno defect');
}
process.exit(defects ? 1 : 0);
