// `npm run bench:intake`: how much the API's intake costs on top of starting the workflow directly.
//
// Against a RUNNING stack (`npm start` in another terminal, or `npm run api` + `npm run worker`), it registers N
// petitions through POST /api/petitions and starts N petitionWorkflow executions straight through the Temporal
// client, with the same concurrency, and prints throughput and latency percentiles of each path and their ratios.
// It measures; it asserts nothing.
//
//   npm run bench:intake -- --n 200 --concurrency 8 --api http://127.0.0.1:3000 --temporal 127.0.0.1:7233
//   BENCH_N=200 BENCH_CONCURRENCY=8 BENCH_API_URL=… TEMPORAL_ADDRESS=… npm run bench:intake
//
// The direct executions get workflow ids "bench-petition-BENCH-<run>-<i>" and are terminated at the end. The API's
// matters are real registrations: they stay in the read model and keep running (summary "性能测试 <run> …").
import { cpus, totalmem } from 'node:os';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { Client, Connection, WorkflowIdConflictPolicy } from '@temporalio/client';
import { loadConfig, type AppConfig } from '../config';
import { workflowIdFor } from '../services/intake';
import { syntheticLetter } from './synthetic';
import { stateQuery } from '../workflows/messages';
import type { petitionWorkflow } from '../workflows/petition';
import { codecDataConverter, codecFor } from '../lib/codec';

// --- Options ---------------------------------------------------------------------------------------------------------

const HELP = `Usage: npm run bench:intake -- [options]

  --n <count>            petitions per path (env BENCH_N; default 200)
  --concurrency <count>  requests in flight per path (env BENCH_CONCURRENCY; default 8)
  --warmup <count>       unmeasured requests per path first (env BENCH_WARMUP; default = concurrency)
  --api <url>            the running API (env BENCH_API_URL; default http://127.0.0.1:3000)
  --temporal <host:port> the Temporal frontend (env TEMPORAL_ADDRESS; default 127.0.0.1:7233)
  --user <id>            the development user that registers (default registrar-city)
  --json                 also print the figures as one JSON line
  --help

Namespace and task queue come from TEMPORAL_NAMESPACE / TEMPORAL_TASK_QUEUE, as for the service.
Start the stack first (npm start); the benchmark refuses to run unless GET /health/ready says ready.`;

interface Options {
  n: number;
  concurrency: number;
  warmup: number;
  apiUrl: string;
  temporalAddress: string;
  userId: string;
  json: boolean;
}

function options(): Options {
  const { values } = parseArgs({
    options: {
      n: { type: 'string' },
      concurrency: { type: 'string', short: 'c' },
      warmup: { type: 'string' },
      api: { type: 'string' },
      temporal: { type: 'string' },
      user: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    allowPositionals: false,
  });
  if (values.help) {
    console.log(HELP);
    process.exit(0);
  }
  const env = process.env;
  const whole = (name: string, raw: string | undefined, fallback: number, min: number): number => {
    if (raw === undefined || raw === '') return fallback;
    const v = Number(raw);
    if (!Number.isInteger(v) || v < min) fail(`${name} must be a whole number ≥ ${min}, got "${raw}"`);
    return v;
  };
  const concurrency = whole('concurrency', values.concurrency ?? env.BENCH_CONCURRENCY, 8, 1);
  return {
    n: whole('n', values.n ?? env.BENCH_N, 200, 1),
    concurrency,
    warmup: whole('warmup', values.warmup ?? env.BENCH_WARMUP, concurrency, 0),
    apiUrl: (values.api ?? env.BENCH_API_URL ?? 'http://127.0.0.1:3000').replace(/\/+$/, ''),
    temporalAddress: values.temporal ?? env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233',
    userId: values.user ?? 'registrar-city',
    json: values.json ?? false,
  };
}

function fail(message: string): never {
  console.error(`bench:intake: ${message}`);
  process.exit(1);
}

// --- Measuring -------------------------------------------------------------------------------------------------------

interface PhaseResult {
  label: string;
  n: number;
  ok: number;
  errors: string[];
  /** Latency of each successful request, ms. */
  latencies: number[];
  wallMs: number;
  /** Workflow ids started by the successful requests. */
  workflowIds: string[];
  /** From the phase's first request until every workflow had run its first step (triage limit computed, projected). */
  settledMs?: number;
  unsettled?: number;
}

/** Nearest-rank percentile of ascending values. */
function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

function summary(r: PhaseResult) {
  const sorted = [...r.latencies].sort((a, b) => a - b);
  const mean = sorted.reduce((s, x) => s + x, 0) / (sorted.length || 1);
  return {
    throughput: r.ok / (r.wallMs / 1000),
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1] ?? Number.NaN,
    mean,
  };
}

/** Progress while a phase runs: cli-progress bars on a terminal, a line per quarter otherwise (logs, CI). */
interface Progress {
  bar(label: string, total: number): { update(done: number, rate: string, errors: number): void; stop(): void };
  stop(): void;
}

function createProgress(): Progress {
  if (process.stderr.isTTY) {
    const bars = new cliProgress.MultiBar(
      { format: '  {phase} [{bar}] {value}/{total}  {rate} req/s  errors {errors}', hideCursor: true, clearOnComplete: false, barsize: 30, gracefulExit: true },
      cliProgress.Presets.shades_classic,
    );
    return {
      bar(label, total) {
        const b = bars.create(total, 0, { phase: label.padEnd(8), rate: '-', errors: 0 });
        return { update: (done, rate, errors) => b.update(done, { rate, errors }), stop: () => b.stop() };
      },
      stop: () => bars.stop(),
    };
  }
  return {
    bar(label, total) {
      let shown = 0;
      return {
        update(done, rate, errors) {
          const quarter = Math.floor((done / total) * 4);
          if (quarter > shown) {
            shown = quarter;
            console.error(`  ${label.padEnd(8)} ${done}/${total}${rate !== '-' ? `  ${rate} req/s` : ''}${errors ? `  errors ${errors}` : ''}`);
          }
        },
        stop() {},
      };
    },
    stop() {},
  };
}

let interrupted = false;

/** Runs `count` requests with `concurrency` in flight; each request reports the workflow id it started. */
async function runPhase(
  label: string,
  count: number,
  concurrency: number,
  request: (i: number) => Promise<string>,
  progress?: Progress,
): Promise<PhaseResult> {
  const result: PhaseResult = { label, n: count, ok: 0, errors: [], latencies: [], wallMs: 0, workflowIds: [] };
  const bar = progress?.bar(label, count);
  let next = 0;
  const started = performance.now();
  const lane = async () => {
    while (!interrupted) {
      const i = next++;
      if (i >= count) return;
      const t0 = performance.now();
      try {
        const workflowId = await request(i);
        result.latencies.push(performance.now() - t0);
        result.workflowIds.push(workflowId);
        result.ok += 1;
      } catch (err) {
        result.errors.push((err as Error).message);
      }
      const done = result.ok + result.errors.length;
      const secs = (performance.now() - started) / 1000;
      bar?.update(done, (done / secs).toFixed(1), result.errors.length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
  result.wallMs = performance.now() - started;
  bar?.stop();
  return result;
}

/**
 * Waits until each workflow has finished its first step: status TRIAGE (the triage limit is computed) with no
 * activity or workflow task pending (the projection has been written). Queries go to the worker too, so this
 * polls only after the phase's requests are done, and a few at a time.
 */
async function waitSettled(client: Client, ids: string[], since: number, progress?: Progress, timeoutMs = 180_000): Promise<{ settledMs: number; unsettled: number }> {
  let pending = [...ids];
  const bar = progress?.bar('settled', ids.length);
  const deadline = performance.now() + timeoutMs;
  while (pending.length && !interrupted && performance.now() < deadline) {
    const still: string[] = [];
    let cursor = 0;
    const lane = async () => {
      while (cursor < pending.length) {
        const id = pending[cursor++]!;
        try {
          const handle = client.workflow.getHandle(id);
          const state = await handle.query(stateQuery);
          if (state.status === 'REGISTERED') {
            still.push(id);
            continue;
          }
          const { raw } = await handle.describe();
          if ((raw.pendingActivities?.length ?? 0) > 0 || raw.pendingWorkflowTask) still.push(id);
        } catch {
          still.push(id);
        }
      }
    };
    await Promise.all(Array.from({ length: 4 }, lane));
    pending = still;
    bar?.update(ids.length - pending.length, '-', 0);
    if (pending.length) await new Promise((res) => setTimeout(res, 250));
  }
  bar?.stop();
  return { settledMs: performance.now() - since, unsettled: pending.length };
}

// --- The two paths ---------------------------------------------------------------------------------------------------

interface Api {
  url: string;
  token: string;
}

async function httpJson(url: string, init: RequestInit = {}): Promise<{ status: number; body: unknown }> {
  const res = await fetch(url, init);
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, body };
}

async function checkReady(apiUrl: string): Promise<void> {
  let r: { status: number; body: unknown };
  try {
    r = await httpJson(`${apiUrl}/health/ready`, { signal: AbortSignal.timeout(5_000) });
  } catch (err) {
    fail(
      `no API answers at ${apiUrl} (${(err as Error).cause instanceof Error ? ((err as Error).cause as Error).message : (err as Error).message}).\n` +
        '  Start the stack first — `npm start` in another terminal — and wait for it to print the API address,\n' +
        '  or point the benchmark at it with --api <url> / BENCH_API_URL.',
    );
  }
  if (r.status !== 200) {
    fail(`the stack at ${apiUrl} is not ready (GET /health/ready → ${r.status}): ${JSON.stringify(r.body)}\n  Wait until npm start has finished starting, or fix the backing service named above.`);
  }
}

async function devToken(apiUrl: string, userId: string): Promise<string> {
  const r = await httpJson(`${apiUrl}/auth/dev-token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ userId }),
  });
  if (r.status === 404 && typeof r.body === 'object' && r.body && (r.body as { error?: string }).error !== 'NotFound') {
    fail('POST /auth/dev-token is not there: the development login is off (AUTH_DEV_LOGIN=false or NODE_ENV=production).');
  }
  if (r.status !== 200) fail(`POST /auth/dev-token for ${userId} → ${r.status}: ${JSON.stringify(r.body)}`);
  return (r.body as { token: string }).token;
}

/** One letter on a Liandu building complaint; a distinct petitioner each, so every request is an initial petition. */
function intakeBody(run: string, i: number, idDigits: string) {
  return {
    channel: 'letter',
    divisionCode: '331102',
    category: 'urban_construction',
    purpose: 'complaint',
    summary: `性能测试 ${run} #${i}：小区旁违章建筑影响采光通风，请求依法拆除`,
    petitioners: [{ name: '测试人', main: true, idNumber: `${idDigits}${String(i).padStart(6, '0')}`, phone: '13900000000' }],
  };
}

async function registerViaApi(api: Api, run: string, i: number, idDigits: string): Promise<string> {
  const r = await httpJson(`${api.url}/api/petitions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${api.token}`, 'idempotency-key': `bench-${run}-${i}` },
    body: JSON.stringify(intakeBody(run, i, idDigits)),
  });
  if (r.status !== 201) throw new Error(`POST /api/petitions → ${r.status}: ${JSON.stringify(r.body).slice(0, 300)}`);
  return (r.body as { workflowId: string }).workflowId;
}

/** The same start as services/intake.ts makes after its database writes, without them. */
async function startDirect(client: Client, config: AppConfig, run: string, i: number, userId: string): Promise<string> {
  const now = new Date().toISOString();
  const caseNo = `BENCH-${run}-${String(i).padStart(5, '0')}`;
  const workflowId = `bench-${workflowIdFor(caseNo)}`;
  const input = syntheticLetter(config, caseNo, now, userId);
  await client.workflow.start<typeof petitionWorkflow>('petitionWorkflow', {
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    workflowId,
    args: [input],
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
  });
  return workflowId;
}

async function terminateAll(client: Client, ids: string[]): Promise<{ terminated: number; failed: number }> {
  let terminated = 0;
  let failed = 0;
  let cursor = 0;
  const lane = async () => {
    while (cursor < ids.length) {
      const id = ids[cursor++]!;
      try {
        await client.workflow.getHandle(id).terminate('intake benchmark finished');
        terminated++;
      } catch {
        failed++;
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, lane));
  return { terminated, failed };
}

// --- Report ----------------------------------------------------------------------------------------------------------

const fmt = (x: number, digits = 1) => (Number.isFinite(x) ? x.toFixed(digits) : '-');

function report(opts: Options, config: AppConfig, api: PhaseResult, direct: PhaseResult, startedAt: Date): void {
  const a = summary(api);
  const d = summary(direct);
  const cpu = cpus();
  const rows: [string, string, string, string][] = [
    ['throughput (req/s)', fmt(a.throughput), fmt(d.throughput), fmt(a.throughput / d.throughput, 2)],
    ['latency p50 (ms)', fmt(a.p50), fmt(d.p50), fmt(a.p50 / d.p50, 2)],
    ['latency p95 (ms)', fmt(a.p95), fmt(d.p95), fmt(a.p95 / d.p95, 2)],
    ['latency p99 (ms)', fmt(a.p99), fmt(d.p99), fmt(a.p99 / d.p99, 2)],
    ['latency max (ms)', fmt(a.max), fmt(d.max), fmt(a.max / d.max, 2)],
    ['latency mean (ms)', fmt(a.mean), fmt(d.mean), fmt(a.mean / d.mean, 2)],
    ['succeeded / errors', `${api.ok} / ${api.errors.length}`, `${direct.ok} / ${direct.errors.length}`, ''],
    ['wall time (s)', fmt(api.wallMs / 1000, 2), fmt(direct.wallMs / 1000, 2), fmt(api.wallMs / direct.wallMs, 2)],
    [
      'all settled after (s)',
      api.settledMs === undefined ? '-' : `${fmt(api.settledMs / 1000, 2)}${api.unsettled ? ` (${api.unsettled} not)` : ''}`,
      direct.settledMs === undefined ? '-' : `${fmt(direct.settledMs / 1000, 2)}${direct.unsettled ? ` (${direct.unsettled} not)` : ''}`,
      api.settledMs && direct.settledMs ? fmt(api.settledMs / direct.settledMs, 2) : '',
    ],
  ];
  const head: [string, string, string, string] = ['', 'API POST /api/petitions', 'direct workflow.start', 'API/direct'];
  const widths = [0, 1, 2, 3].map((c) => Math.max(...[head, ...rows].map((r) => r[c]!.length)));
  const line = (r: string[]) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('   ');

  console.log('');
  console.log(`Intake benchmark, ${startedAt.toISOString()}`);
  console.log(`  machine     ${cpu.length} cores (${cpu[0]?.model.trim() ?? 'unknown CPU'}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}, ${process.platform}`);
  console.log(`  target      API ${opts.apiUrl}; Temporal ${opts.temporalAddress}, namespace ${config.TEMPORAL_NAMESPACE}, task queue "${config.TEMPORAL_TASK_QUEUE}"`);
  console.log(`  load        N=${opts.n} per path, concurrency ${opts.concurrency}, ${opts.warmup} unmeasured warm-up requests per path; API first, then direct`);
  console.log('');
  console.log(line(head));
  for (const r of rows) console.log(line(r));
  console.log('');
  console.log('  Latency: one request, client side — the API path is the whole POST (auth, Idempotency-Key, case number,');
  console.log('  intake rows, workflow start, response); the direct path is client.workflow.start alone. Throughput: successful');
  console.log('  requests ÷ wall time of the phase. Settled: until every workflow had computed its triage limit and projected it.');
  console.log('  Percentiles are nearest-rank over this run only; nothing is asserted.');
  console.log('');
  console.log('  Note: the direct starts skip registration, so they have no row in the read model\'s petitions table. Their');
  console.log('  first projection (read-model/projection.ts) inserts the timeline events (case numbers BENCH-…) and updates');
  console.log('  no matter, because it only updates an existing row — with embedded PGlite as with PostgreSQL. Those event');
  console.log('  rows stay; the direct workflows are terminated. The API-registered matters are real and stay open.');
  for (const r of [api, direct]) {
    if (r.errors.length) {
      const kinds = new Map<string, number>();
      for (const e of r.errors) kinds.set(e, (kinds.get(e) ?? 0) + 1);
      console.log(`\n  ${r.label} errors:`);
      for (const [msg, count] of [...kinds].slice(0, 5)) console.log(`    ${count}× ${msg}`);
    }
  }
  if (opts.json) {
    const pick = (r: PhaseResult, s: ReturnType<typeof summary>) => ({ ok: r.ok, errors: r.errors.length, wallMs: r.wallMs, settledMs: r.settledMs, ...s });
    console.log(
      JSON.stringify({
        at: startedAt.toISOString(),
        cores: cpu.length,
        n: opts.n,
        concurrency: opts.concurrency,
        api: pick(api, a),
        direct: pick(direct, d),
        ratios: { throughput: a.throughput / d.throughput, p50: a.p50 / d.p50, p95: a.p95 / d.p95, p99: a.p99 / d.p99 },
      }),
    );
  }
}

// --- Main ------------------------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const opts = options();
  let config: AppConfig;
  try {
    config = loadConfig();
  } catch (err) {
    fail((err as Error).message);
  }

  await checkReady(opts.apiUrl);
  const api: Api = { url: opts.apiUrl, token: await devToken(opts.apiUrl, opts.userId) };

  let connection: Connection;
  try {
    connection = await Connection.connect({ address: opts.temporalAddress, connectTimeout: '5s' });
  } catch (err) {
    fail(`cannot connect to Temporal at ${opts.temporalAddress}: ${(err as Error).message}\n  Give the address the stack uses with --temporal / TEMPORAL_ADDRESS.`);
  }
  const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE, dataConverter: codecDataConverter(codecFor(config)) });

  const run = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  const idDigits = String(Number.parseInt(randomBytes(4).toString('hex'), 16)).padStart(12, '0').slice(0, 12);
  const direct: string[] = [];
  const startedAt = new Date();

  // Ctrl-C: stop issuing requests, then still terminate what this run started directly.
  process.once('SIGINT', () => {
    interrupted = true;
    console.error('\nInterrupted: finishing the requests in flight, then terminating the direct workflows…');
  });

  console.log(`Intake benchmark ${run}: N=${opts.n} per path, concurrency ${opts.concurrency}, API ${opts.apiUrl}, Temporal ${opts.temporalAddress}`);
  const bars = createProgress();
  try {
    if (opts.warmup > 0) {
      const wa = await runPhase('warm-up API', opts.warmup, opts.concurrency, (i) => registerViaApi(api, `${run}w`, i, idDigits.slice(0, 11) + '9'));
      const w = await runPhase('warm-up direct', opts.warmup, opts.concurrency, (i) => startDirect(client, config, `${run}w`, i, opts.userId));
      direct.push(...w.workflowIds);
      await waitSettled(client, [...wa.workflowIds, ...w.workflowIds], performance.now());
    }

    const apiStart = performance.now();
    const apiPhase = await runPhase('API', opts.n, opts.concurrency, (i) => registerViaApi(api, run, i, idDigits), bars);
    // Let the worker finish the API-started workflows before the direct path runs, so the phases do not overlap.
    Object.assign(apiPhase, await waitSettled(client, apiPhase.workflowIds, apiStart, bars));

    const directStart = performance.now();
    const directPhase = await runPhase('direct', opts.n, opts.concurrency, (i) => startDirect(client, config, run, i, opts.userId), bars);
    direct.push(...directPhase.workflowIds);
    Object.assign(directPhase, await waitSettled(client, directPhase.workflowIds, directStart, bars));
    bars.stop();

    if (!interrupted) report(opts, config, apiPhase, directPhase, startedAt);
  } finally {
    bars.stop();
    if (direct.length) {
      const t = await terminateAll(client, direct);
      console.log(`\nTerminated ${t.terminated} of the ${direct.length} directly started workflows (bench-petition-BENCH-${run}-…)${t.failed ? `; ${t.failed} could not be terminated` : ''}.`);
    }
    await connection.close();
  }
  if (interrupted) process.exit(130);
}

await main();
