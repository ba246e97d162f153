// `npm run bench:public-timing`: do a wrong query code and a wrong factor cost the same on the petitioner's channel?
//
// Self-contained: an in-memory PGlite read model (migrated, seeded) with N matters written straight into `petitions`,
// the real Fastify app through inject() (nothing listens; Temporal is never called on this path), and interleaved
// POST /public/status requests: a wrong factor on an existing code (each code at most 5 times, below the lockout),
// and a code that matches no matter. Prints latency percentiles of each path and their ratios. Asserts nothing.
//
//   npm run bench:public-timing -- --n 1000
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { buildApp } from '../api/app';
import { loadConfig } from '../config';
import { migrate, openDatabase } from '../db/client';
import { seed } from '../db/seed';
import { petitions } from '../db/schema';
import { newQueryCode } from '../services/intake';
import { temporalClient } from '../services/bootstrap';

const { values } = parseArgs({ options: { n: { type: 'string' }, help: { type: 'boolean' } } });
if (values.help) {
  console.log('Usage: npm run bench:public-timing -- [--n <requests per path, default 1000>]');
  process.exit(0);
}
const n = Number(values.n ?? process.env.BENCH_N ?? 1000);
if (!Number.isInteger(n) || n < 10) throw new Error('--n must be a whole number ≥ 10');

const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', PUBLIC_RATE_PER_IP: '100000', PUBLIC_RATE_PER_CODE: '100000' });
const database = await openDatabase({ memory: true });
await migrate(database);
await seed(database.db, { devUsers: true });
// The status path never calls Temporal; the client connects lazily and is never used.
const temporal = temporalClient(config, '127.0.0.1:1');
const app = await buildApp({ config, database, temporal });
await app.ready();

const perCode = 5;
const codes: string[] = [];
const now = new Date();
for (let i = 0; i < Math.ceil(n / perCode) + 1; i++) {
  const code = newQueryCode();
  codes.push(code);
  await database.db.insert(petitions).values({
    caseNo: `BENCH${String(i).padStart(8, '0')}`,
    queryCode: code,
    workflowId: `bench-public-${i}`,
    status: 'TRIAGE',
    channel: 'letter',
    source: 'direct',
    divisionCode: '331102',
    category: 'urban_construction',
    purpose: 'complaint',
    summary: '性能测试',
    petitioners: [{ name: '测试', main: true, idType: 'resident_id', phone: '13900001234' }],
    personsCount: 1,
    flags: {},
    intake: {},
    receivedAt: now,
    registeredAt: now,
    registeredBy: 'registrar-city',
    firstReceiver: 'registrar-city',
  });
}

let ip = 0;
async function once(queryCode: string): Promise<number> {
  ip++;
  const t = performance.now();
  const res = await app.inject({ method: 'POST', url: '/public/status', payload: { queryCode, factor: '9000' }, remoteAddress: `10.${(ip >> 16) & 255}.${(ip >> 8) & 255}.${ip & 255}` });
  const ms = performance.now() - t;
  if (res.statusCode !== 401) throw new Error(`expected 401, got ${res.statusCode} ${res.body}`);
  return ms;
}

const wrongFactor: number[] = [];
const wrongCode: number[] = [];
// Warm-up, unmeasured.
for (let i = 0; i < 20; i++) await once(randomBytes(4).toString('hex').toUpperCase());
for (let i = 0; i < n; i++) {
  // Interleaved, so drift in the machine's load touches both paths alike.
  wrongFactor.push(await once(codes[Math.floor(i / perCode)]!));
  wrongCode.push(await once(randomBytes(4).toString('hex').toUpperCase()));
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};
const row = (name: string, xs: number[]) => [name, ...[50, 95, 99].map((p) => pct(xs, p).toFixed(2)), (xs.reduce((a, b) => a + b, 0) / xs.length).toFixed(2)];
const rows = [['path', 'p50 ms', 'p95 ms', 'p99 ms', 'mean ms'], row('wrong factor (code exists)', wrongFactor), row('wrong code (no such code)', wrongCode)];
rows.push(['ratio factor/code', ...[50, 95, 99].map((p) => (pct(wrongFactor, p) / pct(wrongCode, p)).toFixed(2)), (wrongFactor.reduce((a, b) => a + b, 0) / wrongCode.reduce((a, b) => a + b, 0)).toFixed(2)]);
for (const r of rows) console.log(r.map((c, i) => (i === 0 ? c.padEnd(28) : c.padStart(9))).join(''));

await app.close();
await temporal.connection.close().catch(() => undefined);
await database.close();
