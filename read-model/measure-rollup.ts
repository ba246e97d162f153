/**
 * The measures' daily aggregates (issue 11): measure_daily holds each daily measure's rows summed per Asia/Shanghai
 * day, division and breakdown label, so a year's figure reads a few thousand rows, not every matter of ten years.
 *
 * How they stay identical to the direct computation (test/read-model/measure-rollup.test.ts proves it):
 * - the rows are the very SQL of domain/measures.ts (`facts`), taken per matter without a period or jurisdiction;
 * - statement triggers on every table a measure reads mark the changed matters in measure_dirty, in the changing
 *   transaction (migration 0008);
 * - `drainMeasureFacts` takes a batch of marked matters, recomputes their facts, and applies the difference from
 *   what each contributed before (measure_contributions) to measure_daily, in one transaction;
 * - every read of a figure drains first, and a loop in the worker drains in the background, so reads seldom wait.
 * A distinct measure (key petitioners) cannot be summed by day: the same drain replaces each taken matter's day facts
 * in measure_day_facts (its `dayFacts`, the SQL its direct rows are made from), and a figure is made from those.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db/client';
import { measures, type FactScope, type MeasureDef } from '../domain/measures';
import { queryRows } from './rows';
import { startLoop } from '../lib/loop';

type Fact = [measure: string, day: string, division: string, cat: string, num: number, den: number, rows: number];

/** One lock for every drain and rebuild: they read contributions and write differences. */
const ROLLUP_LOCK = 74_110_011;

const dailyMeasures = (): MeasureDef[] => measures.filter((m) => m.daily && m.facts);
const dayFactMeasures = (): MeasureDef[] => measures.filter((m) => m.dayFacts);

/** Replaces the day facts (measure_day_facts) of the scope's matters, or of every matter, by their facts now. */
async function replaceDayFacts(t: Db, scope: FactScope): Promise<void> {
  for (const m of dayFactMeasures()) {
    await t.execute(
      scope.caseNos
        ? sql`delete from measure_day_facts where measure = ${m.key} and case_no in (${sql.join(
            scope.caseNos.map((c) => sql`${c}`),
            sql`, `,
          )})`
        : sql`delete from measure_day_facts where measure = ${m.key}`,
    );
    await t.execute(sql`
      insert into measure_day_facts (measure, case_no, day, cat, ref, division_code, open, ended_at)
      select ${m.key}, f.case_no, f.day, f.cat, f.ref, f.division, f.open, f.ended_at from (${m.dayFacts!(scope)}) f`);
  }
}

/** Every daily measure's rows for the scope, grouped into (case, measure, day, division, cat) buckets. */
function factsQuery(scope: FactScope): SQL {
  return sql.join(
    dailyMeasures().map(
      (m) => sql`
      select r.case_no, ${m.key}::text as measure, r.day::text as day, r.division::text as division, coalesce(r.cat::text, '') as cat,
             coalesce(sum(r.num), 0)::int8 as num, coalesce(sum(r.den), 0)::int8 as den, count(*)::int8 as rows
        from (${m.facts!(scope)}) r
       where r.day is not null and r.case_no is not null
       group by r.case_no, r.day, r.division, coalesce(r.cat::text, '')`,
    ),
    sql` union all `,
  );
}

export interface DrainReport {
  matters: number;
  buckets: number;
}

/**
 * Applies the changes of up to `batch` marked matters per transaction until none is left (or `maxRounds`).
 * Returns how many matters were taken and how many daily buckets changed.
 */
export async function drainMeasureFacts(db: Db, leaderReviewChannels: string[], opts: { batch?: number; maxRounds?: number } = {}): Promise<DrainReport> {
  const batch = opts.batch ?? 500;
  const report: DrainReport = { matters: 0, buckets: 0 };
  for (let round = 0; round < (opts.maxRounds ?? Infinity); round++) {
    const [any] = await queryRows<{ one: number }>(db, sql`select 1 as one from measure_dirty limit 1`);
    if (!any) break;
    const done = await db.transaction(async (tx) => {
      const t = tx as unknown as Db;
      await t.execute(sql`select pg_advisory_xact_lock(${ROLLUP_LOCK})`);
      const taken = await queryRows<{ case_no: string }>(
        t,
        sql`delete from measure_dirty where case_no in (select case_no from measure_dirty order by marked_at, case_no limit ${batch}) returning case_no`,
      );
      if (!taken.length) return 0;
      const caseNos = taken.map((r) => r.case_no);
      await replaceDayFacts(t, { allTime: true, leaderReviewChannels, caseNos });
      const fresh = await queryRows<{ case_no: string; measure: string; day: string; division: string; cat: string; num: string | number; den: string | number; rows: string | number }>(
        t,
        factsQuery({ allTime: true, leaderReviewChannels, caseNos }),
      );
      const before = await queryRows<{ case_no: string; facts: Fact[] }>(
        t,
        sql`select case_no, facts from measure_contributions where case_no in (${sql.join(
          caseNos.map((c) => sql`${c}`),
          sql`, `,
        )})`,
      );
      const delta = new Map<string, Fact>();
      const add = (f: Fact, sign: 1 | -1) => {
        const k = `${f[0]}\u0000${f[1]}\u0000${f[2]}\u0000${f[3]}`;
        const d = delta.get(k) ?? [f[0], f[1], f[2], f[3], 0, 0, 0];
        d[4] += sign * f[4];
        d[5] += sign * f[5];
        d[6] += sign * f[6];
        delta.set(k, d);
      };
      const after = new Map<string, Fact[]>();
      for (const r of fresh) {
        const f: Fact = [r.measure, r.day, r.division, r.cat, Number(r.num), Number(r.den), Number(r.rows)];
        add(f, 1);
        after.set(r.case_no, [...(after.get(r.case_no) ?? []), f]);
      }
      for (const r of before) for (const f of r.facts) add(f, -1);
      const changed = [...delta.values()].filter((d) => d[4] !== 0 || d[5] !== 0 || d[6] !== 0);
      for (let i = 0; i < changed.length; i += 2000) {
        const chunk = changed.slice(i, i + 2000);
        await t.execute(sql`
          insert into measure_daily (measure, day, division_code, cat, num, den, rows)
          values ${sql.join(
            chunk.map((d) => sql`(${d[0]}, ${d[1]}::date, ${d[2]}, ${d[3]}, ${d[4]}, ${d[5]}, ${d[6]})`),
            sql`, `,
          )}
          on conflict (measure, day, division_code, cat) do update
            set num = measure_daily.num + excluded.num, den = measure_daily.den + excluded.den, rows = measure_daily.rows + excluded.rows`);
      }
      await t.execute(sql`delete from measure_contributions where case_no in (${sql.join(
        caseNos.map((c) => sql`${c}`),
        sql`, `,
      )})`);
      if (after.size) {
        await t.execute(sql`insert into measure_contributions (case_no, facts) values ${sql.join(
          [...after].map(([caseNo, facts]) => sql`(${caseNo}, ${JSON.stringify(facts)}::jsonb)`),
          sql`, `,
        )}`);
      }
      report.buckets += changed.length;
      return caseNos.length;
    });
    if (!done) break;
    report.matters += done;
  }
  return report;
}

/**
 * Rebuilds every aggregate from scratch in SQL (after a bulk fill, or to check the drain): what the drain of every
 * matter would give, in a few statements.
 */
export async function rebuildMeasureAggregates(db: Db, leaderReviewChannels: string[]): Promise<void> {
  await db.transaction(async (tx) => {
    const t = tx as unknown as Db;
    await t.execute(sql`select pg_advisory_xact_lock(${ROLLUP_LOCK})`);
    await t.execute(sql`delete from measure_dirty`);
    await t.execute(sql`delete from measure_daily`);
    await t.execute(sql`delete from measure_contributions`);
    await replaceDayFacts(t, { allTime: true, leaderReviewChannels });
    await t.execute(sql`create temporary table measure_facts_rebuild on commit drop as ${factsQuery({ allTime: true, leaderReviewChannels })}`);
    await t.execute(sql`
      insert into measure_daily (measure, day, division_code, cat, num, den, rows)
      select measure, day::date, division, cat, sum(num), sum(den), sum(rows) from measure_facts_rebuild group by measure, day, division, cat`);
    await t.execute(sql`
      insert into measure_contributions (case_no, facts)
      select case_no, jsonb_agg(jsonb_build_array(measure, day, division, cat, num, den, rows) order by measure, day, division, cat)
        from measure_facts_rebuild group by case_no`);
  });
}

/** The worker's background drain, so that reads seldom find work waiting. Returns a stop function. */
export function startRollupLoop(db: Db, leaderReviewChannels: string[], log: (msg: string) => void, intervalMs = 5_000): () => Promise<void> {
  return startLoop(
    'measures',
    async () => {
      const r = await drainMeasureFacts(db, leaderReviewChannels, { maxRounds: 20 });
      if (r.matters >= 1_000) log(`measures: ${r.matters} matters rolled up into ${r.buckets} daily buckets`);
    },
    log,
    intervalMs,
  );
}
