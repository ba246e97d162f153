// `npx tsx bench/key-petitioners.ts <database URL> [runs] [--before]`: times the key-petitioners measure on a filled
// database (e.g. one kept by `npm run bench:scale -- --keep`): its figure and its whole report (figure, baseline
// 2025, monthly series) this year city-wide, this year for 莲都区, and over three years city-wide, median / max of
// `runs` (default 9), after checking each figure identical to the direct computation. --before computes every figure
// directly, as before the day facts (migration 0014). It measures; it asserts nothing but the identity.
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { isDeepStrictEqual } from 'node:util';
import { sql } from 'drizzle-orm';
import { openDatabase } from '../db/client';
import { measureByKey, type MeasureParams } from '../domain/measures';
import { computeFigure, computeFigureDirect, measureReport } from '../read-model/measures';
import { queryRows } from '../read-model/rows';

const args = process.argv.slice(2).filter((a) => a !== '--before');
const before = process.argv.includes('--before');
const url = args[0];
if (!url) {
  console.error('usage: npx tsx bench/key-petitioners.ts <database URL> [runs] [--before]');
  process.exit(1);
}
const runs = Number(args[1] ?? 9);
const database = await openDatabase({ url });
const db = database.db;
const kp = measureByKey('key_petitioners')!;
const def = before ? { ...kp, dayFacts: undefined, fromDayFacts: undefined } : kp;
const under = async (code: string) =>
  (
    await queryRows<{ code: string }>(
      db,
      sql`with recursive d(code) as (select code from divisions where code = ${code} union all select c.code from divisions c join d on c.parent_code = d.code) select code from d`,
    )
  ).map((r) => r.code);
const city = (await queryRows<{ code: string }>(db, sql`select code from divisions`)).map((r) => r.code);
const today = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
const year = today.slice(0, 4);
const channels = ['letter', 'online'];
const cases: [string, MeasureParams][] = [
  ['this year, city', { from: `${year}-01-01`, to: today, divisions: city, leaderReviewChannels: channels }],
  ['this year, 莲都区', { from: `${year}-01-01`, to: today, divisions: await under('331102'), leaderReviewChannels: channels }],
  ['three years, city', { from: `${Number(year) - 2}-01-01`, to: today, divisions: city, leaderReviewChannels: channels }],
];
const opts = { baselineYear: Number(year) - 1 };
const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');
const stat = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return `median ${s[Math.floor(s.length / 2)]!.toFixed(0)} ms, max ${s[s.length - 1]!.toFixed(0)} ms`;
};
async function time(f: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await f();
  return performance.now() - t0;
}

console.log(`${before ? 'direct (before)' : 'day facts'}; load ${load()}`);
for (const [label, p] of cases) {
  const fig = await computeFigure(db, def, p);
  const direct = await computeFigureDirect(db, kp, p);
  if (!isDeepStrictEqual(fig, direct)) process.exitCode = 1;
  console.log(`  ${label} ${p.from}..${p.to}: ${fig.numerator} petitioners; identical to the direct computation: ${isDeepStrictEqual(fig, direct)}`);
  const figure: number[] = [];
  const report: number[] = [];
  await measureReport(db, def, p, opts); // warm up
  for (let i = 0; i < runs; i++) {
    figure.push(await time(() => computeFigure(db, def, p)));
    report.push(await time(() => measureReport(db, def, p, opts)));
  }
  console.log(`    figure ${stat(figure)}; report ${stat(report)}`);
}
console.log(`load ${load()}`);
await database.close();
