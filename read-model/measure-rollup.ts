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
 * - a loop in the worker drains in the background until nothing is marked (20 batches of 500 a round, a round every
 *   5 s), logging its progress on long work;
 * - a read of a figure drains a bounded amount first (`READ_DRAIN`: at most 200 matters, no new batch after 100 ms,
 *   never waiting for the lock), then `measureReadState` tells whether matters still marked lie in the jurisdiction
 *   read (now, or when they were last rolled up). None: the aggregates are exact for it. Up to 1,000: the reading
 *   statement corrects the aggregates for them (`dailyRows`: their old contributions off, their rows now on). More:
 *   the read computes the daily measures directly from their rows, and says so (`direct`, `pending`). Never a stale
 *   figure: after a bulk change (an UPDATE of 90,000 matters, a backlog import) reads stay right and bounded by the
 *   period's rows rather than by the backlog, while the background drain catches up.
 * A distinct measure (key petitioners) cannot be summed by day: the same drain replaces each taken matter's day facts
 * in measure_day_facts (its `dayFacts`, the SQL its direct rows are made from), and a figure is made from those when
 * no marked matter lies in the jurisdiction read (else from its rows: read-model/measures.ts `keptRows`).
 */
import { sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db/client';
import { measures, type FactScope, type MeasureDef, type MeasureParams } from '../domain/measures';
import { queryRows } from './rows';
import { startLoop } from '../lib/loop';

type Fact = [measure: string, day: string, division: string, cat: string, num: number, den: number, rows: number];

/** One lock for every drain and rebuild: they read contributions and write differences. */
export const ROLLUP_LOCK = 74_110_011;

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
  /** Nothing was left marked when the drain stopped. */
  empty: boolean;
  /** It stopped because another drain or a rebuild held the lock (only with `tryLock`). */
  locked: boolean;
}

export interface DrainOptions {
  /** Matters per transaction. */
  batch?: number;
  maxRounds?: number;
  /** No new batch is started once this many milliseconds have passed (a batch under way is finished). */
  budgetMs?: number;
  /** Give up instead of waiting when another drain or a rebuild holds the lock. */
  tryLock?: boolean;
}

/**
 * What a read of the measures may drain before it answers: at most 4 batches of 50 matters (200), and no new batch
 * after 100 ms. A matter takes about 2–3 ms on the loaded 2-core machine (docs/SCALING.md), so a read spends about
 * 100–250 ms here at worst, and never waits for the lock: after a bulk change the rest is left to the background
 * drain, and the read computes what it cannot read exactly from the aggregates directly.
 */
export const READ_DRAIN = { batch: 50, maxRounds: 4, budgetMs: 100, tryLock: true } as const satisfies DrainOptions;

/**
 * Applies the changes of up to `batch` marked matters per transaction until none is left (or `maxRounds`, or
 * `budgetMs`, or the lock is busy with `tryLock`). Returns how many matters were taken, how many daily buckets
 * changed, and why it stopped.
 */
export async function drainMeasureFacts(db: Db, leaderReviewChannels: string[], opts: DrainOptions = {}): Promise<DrainReport> {
  const batch = opts.batch ?? 500;
  const report: DrainReport = { matters: 0, buckets: 0, empty: false, locked: false };
  const started = Date.now();
  for (let round = 0; round < (opts.maxRounds ?? Infinity); round++) {
    if (opts.budgetMs !== undefined && round > 0 && Date.now() - started >= opts.budgetMs) break;
    const [any] = await queryRows<{ one: number }>(db, sql`select 1 as one from measure_dirty limit 1`);
    if (!any) {
      report.empty = true;
      break;
    }
    const done = await db.transaction(async (tx) => {
      const t = tx as unknown as Db;
      if (opts.tryLock) {
        const [lock] = await queryRows<{ ok: boolean }>(t, sql`select pg_try_advisory_xact_lock(${ROLLUP_LOCK}) as ok`);
        if (!lock?.ok) return -1;
      } else await t.execute(sql`select pg_advisory_xact_lock(${ROLLUP_LOCK})`);
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
    if (done < 0) {
      report.locked = true;
      break;
    }
    if (!done) {
      report.empty = true;
      break;
    }
    report.matters += done;
  }
  return report;
}

/** Whether a read may take the daily aggregates as they are, for its jurisdiction. */
export interface MeasureReadState {
  /** Matters changed and not yet rolled up into the aggregates (after this read's bounded drain). */
  pending: number;
  /**
   * More of them lie in the jurisdiction read (their division now, or at their last roll-up) than `correct` may
   * hold, or too many are pending to tell cheaply: the daily measures are computed directly from their rows.
   */
  direct: boolean;
  /**
   * The marked matters that lie in the jurisdiction, when there are a few: the reading statement takes off what
   * each contributed at its last roll-up and adds its rows as they are now (`dailyRows`).
   */
  correct?: string[];
}

/** Above this many pending matters a read does not look for which divisions they touch: it computes directly. */
const TOUCH_CHECK_MAX = 20_000;
/** Up to this many marked matters in the jurisdiction, a read corrects the aggregates; above, it computes directly. */
export const CORRECT_MAX = 1_000;

const list = (xs: string[]) =>
  sql.join(
    xs.map((x) => sql`${x}`),
    sql`, `,
  );

/**
 * A read's bounded drain (`READ_DRAIN`), then what the aggregates need to be exact for `divisions`. They are as they
 * stand when no marked matter lies in those divisions now (its fresh rows carry its present division) nor did when
 * last rolled up (what it contributed then, in measure_contributions, is what the aggregates hold of it): every
 * other matter's contribution is up to date. Else the few such matters are corrected for, or the read computes
 * directly. A matter marked after this looked changed after the read began.
 */
export async function measureReadState(db: Db, params: { divisions: string[]; leaderReviewChannels: string[] }): Promise<MeasureReadState> {
  const drained = await drainMeasureFacts(db, params.leaderReviewChannels, READ_DRAIN);
  if (drained.empty) return { pending: 0, direct: false };
  const [count] = await queryRows<{ n: number }>(db, sql`select count(*)::int as n from measure_dirty`);
  const pending = Number(count?.n ?? 0);
  if (!pending || !params.divisions.length) return { pending, direct: false };
  if (pending > TOUCH_CHECK_MAX) return { pending, direct: true };
  const divisions = list(params.divisions);
  const touching = await queryRows<{ case_no: string }>(
    db,
    sql`select d.case_no from measure_dirty d join petitions p on p.case_no = d.case_no where p.division_code in (${divisions})
        union
        select d.case_no from measure_dirty d join measure_contributions c on c.case_no = d.case_no
         where exists (select 1 from jsonb_array_elements(c.facts) f where f->>2 in (${divisions}))
        limit ${CORRECT_MAX + 1}`,
  );
  if (!touching.length) return { pending, direct: false };
  if (touching.length > CORRECT_MAX) return { pending, direct: true };
  return { pending, direct: false, correct: touching.map((r) => r.case_no).sort() };
}

/**
 * One daily measure's buckets in the period and divisions, as rows (day, cat, num, den, rows) to be summed. With
 * `correct`, the statement also takes off what those matters (the ones still marked when it runs) contributed at
 * their last roll-up and adds their rows as they are now: the drain's own difference, applied in the read. One
 * statement, so the aggregates, the marks, the contributions and the matters are read in one snapshot.
 */
export function dailyRows(def: MeasureDef, params: MeasureParams, correct?: string[]): SQL {
  const divisions = list(params.divisions);
  const inPeriod = (day: SQL) => sql`${day} >= ${params.from}::date and ${day} <= ${params.to}::date`;
  const aggregates = sql`select day, cat, num, den, rows from measure_daily
       where measure = ${def.key} and ${inPeriod(sql`day`)} and division_code in (${divisions})`;
  if (!correct?.length) return aggregates;
  const stillMarked = (col: SQL) => sql`${col} in (${list(correct)}) and ${col} in (select case_no from measure_dirty)`;
  return sql`${aggregates}
    union all
    select (f->>1)::date, f->>3, -(f->>4)::int8, -(f->>5)::int8, -(f->>6)::int8
      from measure_contributions c cross join lateral jsonb_array_elements(c.facts) f
     where ${stillMarked(sql`c.case_no`)} and f->>0 = ${def.key} and ${inPeriod(sql`(f->>1)::date`)} and f->>2 in (${divisions})
    union all
    select r.day::date, coalesce(r.cat::text, ''), coalesce(r.num, 0)::int8, coalesce(r.den, 0)::int8, 1::int8
      from (${def.facts!({ allTime: true, leaderReviewChannels: params.leaderReviewChannels, caseNos: correct })}) r
     where r.case_no in (select case_no from measure_dirty) and ${inPeriod(sql`r.day::date`)} and r.division in (${divisions})`;
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
  // Every row was just replaced: the tables the measures read are vacuumed and analyzed now, not whenever autovacuum
  // comes by. Until then the planner estimated one row and chose plans for one, and the index-only scans fetched every
  // row from the table (the visibility map unset): 908 ms instead of 370 ms for a three-year report (docs/SCALING.md).
  // Outside the transaction above: VACUUM cannot run in one.
  await db.execute(sql`vacuum (analyze) measure_daily, measure_day_facts, measure_contributions`);
}

/**
 * The worker's background drain: every round drains up to 20 batches of 500 matters (`perRound`), and the next round follows
 * `intervalMs` later, until nothing is marked. Long work (a bulk change) is logged round by round with what is left,
 * and once more when it is done. Returns a stop function.
 */
export function startRollupLoop(db: Db, leaderReviewChannels: string[], log: (msg: string) => void, intervalMs = 5_000, perRound: Pick<DrainOptions, 'batch' | 'maxRounds'> = { maxRounds: 20 }): () => Promise<void> {
  let catchingUp = 0;
  return startLoop(
    'measures',
    async () => {
      const started = Date.now();
      const r = await drainMeasureFacts(db, leaderReviewChannels, perRound);
      if (!r.matters && !catchingUp) return;
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      if (!r.empty) {
        const [left] = await queryRows<{ n: number }>(db, sql`select count(*)::int as n from measure_dirty`);
        catchingUp += r.matters;
        log(`measures: ${r.matters} matters rolled up into ${r.buckets} daily buckets in ${seconds} s; ${Number(left?.n ?? 0)} still marked (reads compute directly where they lie)`);
      } else if (catchingUp) {
        log(`measures: aggregates caught up (${catchingUp + r.matters} matters rolled up)`);
        catchingUp = 0;
      } else if (r.matters >= 1_000) log(`measures: ${r.matters} matters rolled up into ${r.buckets} daily buckets in ${seconds} s`);
    },
    log,
    intervalMs,
  );
}
