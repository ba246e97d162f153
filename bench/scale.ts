// `npm run bench:scale`: are lists, work lists and records as fast over years of matters as over a day?
//
// For each size it makes a fresh database (on its own throwaway PostgreSQL cluster under .tmp/, or on the server of
// DATABASE_URL, whose role may CREATE DATABASE), applies the migrations, fills it in SQL with N synthetic matters
// shaped like real ones (bench/scale-fill.ts), starts the API on it, and times GET requests one after another with a
// supervisor's, a county supervisor's and a unit handler's token: p50/p95/p99 per endpoint, and the growth of each
// p95 from the smaller size to the larger. It measures; it asserts nothing. The database is dropped afterwards.
//
//   npm run bench:scale                                   # 100,000 and 1,000,000 matters
//   npm run bench:scale -- --sizes 20000,200000 --json   # JSON: { sizes, endpoints: [{ name, p95: {a, b}, growth }] }
import { cpus, totalmem } from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import { loadConfig } from '../config';
import { openDatabase, migrate } from '../db/client';
import { seed } from '../db/seed';
import { startApi } from '../api/server';
import { testDatabaseUrl } from '../test/support/postgres';
import { freePort } from '../test/support/ports';
import { fill, type FillReport } from './scale-fill';
import { rebuildMeasureAggregates } from '../read-model/measure-rollup';

const HELP = `Usage: npm run bench:scale -- [options]

  --sizes <a,b>        matters in the two databases (env BENCH_SIZES; default 100000,1000000)
  --requests <count>   timed requests per endpoint (env BENCH_REQUESTS; default 200)
  --seconds <s>        at most this long per endpoint, whichever comes first (default 20)
  --deep-page <n>      the deep page timed, reached by following nextCursor (default 500)
  --json               print only the JSON summary on standard output (progress goes to standard error)
  --keep               keep the databases (with DATABASE_URL only) and print their URLs, e.g. for EXPLAIN
  --databases <a,b>    measure two kept databases of DATABASE_URL's server again (no fill; sizes from their rows)
  --help

DATABASE_URL: a server whose role may CREATE DATABASE (one database per size, dropped at the end). Unset: a
throwaway cluster from the PostgreSQL server binaries (/usr/lib/postgresql/*/bin) under .tmp/.`;

interface Options {
  sizes: [number, number];
  requests: number;
  seconds: number;
  json: boolean;
  keep: boolean;
  deepPage: number;
  databases?: [string, string];
}

function options(): Options {
  const { values } = parseArgs({
    options: {
      sizes: { type: 'string' },
      requests: { type: 'string' },
      seconds: { type: 'string' },
      json: { type: 'boolean', default: false },
      keep: { type: 'boolean', default: false },
      databases: { type: 'string' },
      'deep-page': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    process.exit(0);
  }
  const sizes = (values.sizes ?? process.env.BENCH_SIZES ?? '100000,1000000').split(',').map((s) => Number(s.trim()));
  if (sizes.length !== 2 || sizes.some((s) => !Number.isInteger(s) || s < 1000)) fail('--sizes takes two whole numbers ≥ 1000, e.g. 20000,200000');
  const requests = Number(values.requests ?? process.env.BENCH_REQUESTS ?? 200);
  const seconds = Number(values.seconds ?? 20);
  if (!Number.isInteger(requests) || requests < 5) fail('--requests must be a whole number ≥ 5');
  if (!(seconds > 0)) fail('--seconds must be positive');
  if (values.keep && !process.env.DATABASE_URL) fail('--keep needs DATABASE_URL (a throwaway cluster goes with the run)');
  const databases = values.databases?.split(',');
  if (databases && (databases.length !== 2 || !process.env.DATABASE_URL)) fail('--databases takes two database names on the server of DATABASE_URL');
  const deepPage = Number(values['deep-page'] ?? 500);
  if (!Number.isInteger(deepPage) || deepPage < 2) fail('--deep-page must be a whole number ≥ 2');
  return { sizes: [sizes[0]!, sizes[1]!], requests, seconds, deepPage, json: values.json ?? false, keep: values.keep ?? false, databases: databases as [string, string] | undefined };
}

function fail(message: string): never {
  console.error(`bench:scale: ${message}`);
  process.exit(1);
}

/** Nearest-rank percentile of ascending values. */
function percentile(sorted: number[], p: number): number {
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

interface Timing {
  name: string;
  n: number;
  p50: number;
  p95: number;
  p99: number;
  rows: number;
}

interface Endpoint {
  name: string;
  user: string;
  /** The path of the i-th request (some endpoints vary it, e.g. a different matter each time). */
  path: (i: number) => string;
}

const log = (line: string) => console.error(line);

async function runSize(n: number, adminUrl: string | undefined, opt: Options): Promise<{ fill: FillReport; timings: Timing[] }> {
  const server = adminUrl ? undefined : await testDatabaseUrl();
  const baseUrl = adminUrl ?? server!.url;
  const dbName = `bench_scale_${n}_${Date.now().toString(36)}`;
  const admin = postgres(baseUrl, { max: 1, onnotice: () => undefined });
  await admin.unsafe(`CREATE DATABASE "${dbName}"`);
  const url = new URL(baseUrl);
  url.pathname = `/${dbName}`;
  try {
    const config = loadConfig({ ...process.env, NODE_ENV: 'development', LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn', RATE_LIMIT_RECORD_READS_PER_MINUTE: '1000000' /* it times reads, not the per-user limiter */, DATABASE_URL: url.toString(), HOST: '127.0.0.1', PORT: String(await freePort()) });
    const database = await openDatabase({ url: url.toString() });
    await migrate(database);
    await seed(database.db, { devUsers: true });

    log(`\n${n.toLocaleString('en')} matters: filling ${dbName}`);
    const sql = postgres(url.toString(), { max: 1, onnotice: () => undefined });
    const report = await fill(sql, n, log);
    await sql.end();
    log(`  filled in ${report.seconds.toFixed(0)} s, ${(report.bytes / 2 ** 20).toFixed(0)} MiB`);
    // The fill bypasses the triggers that mark changed matters: the measures' daily aggregates are built at once,
    // as `npm run measures:rebuild` does after a restore.
    const r0 = performance.now();
    await rebuildMeasureAggregates(database.db, config.LEADER_REVIEW_CHANNELS);
    log(`  measure aggregates rebuilt in ${((performance.now() - r0) / 1000).toFixed(1)} s`);

    // The API as it runs in production, on a real port; lists never call Temporal, so its address is not dialled.
    const api = await startApi({ config, database, temporalAddress: '127.0.0.1:1' });
    try {
      const timings = await measure(api.url, database, opt);
      return { fill: report, timings };
    } finally {
      await api.close();
      await database.close();
    }
  } finally {
    if (opt.keep) log(`  kept: ${url.toString()}`);
    else await admin.unsafe(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`).catch(() => undefined);
    await admin.end();
    await server?.stop();
  }
}

/** Measures a database filled by an earlier run (--keep), as it is. */
async function remeasure(name: string, opt: Options): Promise<{ n: number; fill: FillReport; timings: Timing[] }> {
  const url = new URL(process.env.DATABASE_URL!);
  url.pathname = `/${name}`;
  const config = loadConfig({ ...process.env, NODE_ENV: 'development', LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn', RATE_LIMIT_RECORD_READS_PER_MINUTE: '1000000' /* it times reads, not the per-user limiter */, DATABASE_URL: url.toString(), HOST: '127.0.0.1', PORT: String(await freePort()) });
  const database = await openDatabase({ url: url.toString() });
  const sql = postgres(url.toString(), { max: 1, onnotice: () => undefined });
  const [r] = await sql<{ n: number; b: string }[]>`select count(*)::int as n, pg_database_size(current_database())::text as b from petitions`;
  await sql.end();
  log(`\n${r!.n.toLocaleString('en')} matters in ${name}`);
  const api = await startApi({ config, database, temporalAddress: '127.0.0.1:1' });
  try {
    return { n: r!.n, fill: { seconds: 0, rows: {}, bytes: Number(r!.b) }, timings: await measure(api.url, database, opt) };
  } finally {
    await api.close();
    await database.close();
  }
}

async function getJson(url: string, token: string): Promise<{ status: number; body: unknown; ms: number }> {
  const t0 = performance.now();
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  const text = await res.text();
  const ms = performance.now() - t0;
  return { status: res.status, body: text ? JSON.parse(text) : undefined, ms };
}

async function measure(apiUrl: string, database: Awaited<ReturnType<typeof openDatabase>>, opt: Options): Promise<Timing[]> {
  const tokens: Record<string, string> = {};
  for (const user of ['supervisor-city', 'supervisor-liandu', 'handler-liandu-housing', 'registrar-city']) {
    const res = await fetch(`${apiUrl}/auth/dev-token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userId: user }) });
    if (res.status !== 200) fail(`POST /auth/dev-token ${user} → ${res.status}`);
    tokens[user] = ((await res.json()) as { token: string }).token;
  }
  // Matters for the full record: spread over the whole table.
  const { sql } = await import('drizzle-orm');
  const sample = (await database.db.execute(sql`select case_no from petitions tablesample system (1) limit 500`)) as unknown as { case_no: string }[];
  const rowsOf = (r: unknown) => ((r as { rows?: unknown[] })?.rows ?? (r as unknown[])) as { case_no: string }[];
  const caseNos = rowsOf(sample).map((r) => r.case_no);
  if (!caseNos.length) fail('no matters to read');

  // A deep page: the cursor after page deepPage - 1 of the default list, found by walking the pages once.
  const deep = await deepCursor(apiUrl, tokens['supervisor-city']!, opt.deepPage - 1);
  const month = new Date(Date.now() - 400 * 86_400_000).toISOString().slice(0, 10);
  const monthEnd = new Date(Date.now() - 370 * 86_400_000).toISOString().slice(0, 10);

  const L = '/api/petitions';
  const endpoints: Endpoint[] = [
    { name: 'list, default sort', user: 'supervisor-city', path: () => L },
    { name: 'list, status=IN_HANDLING', user: 'supervisor-city', path: () => `${L}?status=IN_HANDLING` },
    { name: 'list, status=CLOSED', user: 'supervisor-city', path: () => `${L}?status=CLOSED` },
    { name: 'list, status=REVIEW,RE_REVIEW', user: 'supervisor-city', path: () => `${L}?status=REVIEW,RE_REVIEW` },
    { name: 'list, open=true', user: 'supervisor-city', path: () => `${L}?open=true` },
    { name: 'list, overdue=true', user: 'supervisor-city', path: () => `${L}?overdue=true` },
    { name: 'list, one division (331102)', user: 'supervisor-city', path: () => `${L}?divisionCode=331102` },
    { name: 'list, one unit', user: 'supervisor-city', path: () => `${L}?unitId=liandu-housing` },
    { name: 'list, channel=visit', user: 'supervisor-city', path: () => `${L}?channel=visit` },
    { name: 'list, a month (from/to)', user: 'supervisor-city', path: () => `${L}?from=${month}&to=${monthEnd}` },
    { name: 'list, q=采光', user: 'supervisor-city', path: () => `${L}?q=${encodeURIComponent('采光')}` },
    { name: 'list, q=拖欠农民工工资', user: 'supervisor-city', path: () => `${L}?q=${encodeURIComponent('拖欠农民工工资')}` },
    { name: 'list, sort=registered', user: 'supervisor-city', path: () => `${L}?sort=registered` },
    { name: 'list, page 2', user: 'supervisor-city', path: () => `${L}?page=2` },
    ...(deep ? [{ name: 'list, deep page (cursor)', user: 'supervisor-city', path: () => `${L}?cursor=${encodeURIComponent(deep)}` }] : [{ name: 'list, deep page (offset)', user: 'supervisor-city', path: () => `${L}?page=${opt.deepPage}` }]),
    { name: 'list, county supervisor', user: 'supervisor-liandu', path: () => L },
    { name: 'list, unit handler', user: 'handler-liandu-housing', path: () => L },
    { name: 'work list, city registrar', user: 'registrar-city', path: () => '/api/tasks' },
    { name: 'work list, city supervisor', user: 'supervisor-city', path: () => '/api/tasks' },
    { name: 'work list, unit handler', user: 'handler-liandu-housing', path: () => '/api/tasks' },
    { name: 'full record', user: 'supervisor-city', path: (i) => `${L}/${caseNos[i % caseNos.length]}` },
  ];
  // The campaign measures, where the API has them (issue 8).
  const probe = await getJson(`${apiUrl}/api/measures`, tokens['supervisor-city']!);
  if (probe.status === 200) {
    // All 26 measures in one request, over the periods and jurisdictions a leader asks for: this year (the default),
    // last month, three years (the fill's whole history), ten years (the longest period the API takes), one county.
    const today = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
    const year = Number(today.slice(0, 4));
    const lastMonth = new Date(Date.UTC(year, Number(today.slice(5, 7)) - 2, 1)).toISOString().slice(0, 10);
    const lastMonthEnd = new Date(Date.UTC(year, Number(today.slice(5, 7)) - 1, 0)).toISOString().slice(0, 10);
    endpoints.push(
      { name: 'measures', user: 'supervisor-city', path: () => '/api/measures' },
      { name: 'measures, last month', user: 'supervisor-city', path: () => `/api/measures?from=${lastMonth}&to=${lastMonthEnd}` },
      { name: 'measures, three years', user: 'supervisor-city', path: () => `/api/measures?from=${year - 2}-01-01` },
      { name: 'measures, ten years', user: 'supervisor-city', path: () => `/api/measures?from=${year - 10}-01-01` },
      { name: 'measures, one county', user: 'supervisor-liandu', path: () => '/api/measures' },
      // The slowest single measure (distinct petitioners: no sum of days gives it) over the longest period.
      { name: 'key petitioners, ten years', user: 'supervisor-city', path: () => `/api/measures/key_petitioners?from=${year - 10}-01-01` },
    );
  }

  const out: Timing[] = [];
  for (const e of endpoints) {
    const token = tokens[e.user]!;
    const ms: number[] = [];
    let rows = 0;
    for (let i = 0; i < 5; i++) await getJson(`${apiUrl}${e.path(i)}`, token); // warm up
    const stopAt = performance.now() + opt.seconds * 1000;
    for (let i = 0; i < opt.requests && performance.now() < stopAt; i++) {
      const r = await getJson(`${apiUrl}${e.path(i + 5)}`, token);
      if (r.status !== 200) fail(`${e.name}: GET ${e.path(i)} → ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
      rows = (r.body as { items?: unknown[] }).items?.length ?? rows;
      ms.push(r.ms);
    }
    ms.sort((a, b) => a - b);
    const t = { name: e.name, n: ms.length, p50: percentile(ms, 50), p95: percentile(ms, 95), p99: percentile(ms, 99), rows };
    log(`  ${e.name.padEnd(34)} p50 ${t.p50.toFixed(1).padStart(7)}  p95 ${t.p95.toFixed(1).padStart(7)}  p99 ${t.p99.toFixed(1).padStart(7)} ms  (${t.n} requests, ${rows} items)`);
    out.push(t);
  }
  return out;
}

/** The nextCursor after `pages` pages of the default list (undefined when the API has no cursors). */
async function deepCursor(apiUrl: string, token: string, pages: number): Promise<string | undefined> {
  let cursor: string | undefined;
  for (let p = 0; p < pages; p++) {
    const r = await getJson(`${apiUrl}/api/petitions${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ''}`, token);
    if (r.status !== 200) fail(`walking to page ${pages}: ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
    const next = (r.body as { nextCursor?: string | null }).nextCursor;
    if (next === undefined) return undefined;
    if (next === null) return cursor;
    cursor = next;
  }
  return cursor;
}

const opt = options();
const started = performance.now();
log(`bench:scale on ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}; sizes ${opt.sizes.join(', ')}`);
const results: { n: number; fill: FillReport; timings: Timing[] }[] = [];
if (opt.databases) for (const name of opt.databases) results.push(await remeasure(name, opt));
else for (const n of opt.sizes) results.push({ n, ...(await runSize(n, process.env.DATABASE_URL, opt)) });

const [a, b] = results as [(typeof results)[0], (typeof results)[0]];
const endpoints = a.timings.map((t) => {
  const other = b.timings.find((x) => x.name === t.name);
  const p95b = other?.p95 ?? Number.NaN;
  return { name: t.name, p95: { [a.n]: round(t.p95), [b.n]: round(p95b) }, growth: round(p95b / t.p95, 2) };
});
function round(x: number, digits = 1) {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

if (opt.json) {
  console.log(JSON.stringify({ sizes: [a.n, b.n], endpoints }));
} else {
  console.log(`\np95 in ms, requests one after another (${((performance.now() - started) / 60000).toFixed(1)} min in all)\n`);
  console.log(`| Endpoint | ${a.n.toLocaleString('en')} | ${b.n.toLocaleString('en')} | growth |`);
  console.log('|---|---:|---:|---:|');
  for (const e of endpoints) console.log(`| ${e.name} | ${e.p95[a.n]} | ${e.p95[b.n]} | ×${e.growth} |`);
  for (const r of results) console.log(`\n${r.n.toLocaleString('en')} matters filled in ${r.fill.seconds.toFixed(0)} s (${(r.fill.bytes / 2 ** 20).toFixed(0)} MiB): ${Object.entries(r.fill.rows).map(([t, c]) => `${t} ${c}`).join(', ')}`);
}
process.exit(0);
