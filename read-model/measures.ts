import { sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db/client';
import { judge, measures, monthsOf, shiftToYear, valueOf, type MeasureDef, type MeasureParams, type MeasureStatus } from '../domain/measures';
import { dailyRows, measureReadState, type MeasureReadState } from './measure-rollup';
import { queryRows } from './rows';

export { queryRows };
export type { MeasureReadState };

export interface Figure {
  numerator: number;
  denominator: number | null;
  value: number | null;
  breakdown: Record<string, { numerator: number; denominator: number | null }>;
}

/**
 * One measure over one period and jurisdiction. A daily measure is read from the daily aggregates as `state` says
 * (measure-rollup.ts `measureReadState`, taken once per request; taken here when not given): as they stand, corrected
 * in the statement for the few changed matters of the jurisdiction not yet rolled up, or, when there are many, not at
 * all: the figure is then computed from its rows. Never a stale figure. A measure kept in day facts (key petitioners)
 * is read from those the same way: corrected for the few changed matters waiting, or from its rows when there are
 * many. The other measures are always computed from their rows.
 */
export async function computeFigure(db: Db, def: MeasureDef, params: MeasureParams, state?: MeasureReadState): Promise<Figure> {
  if (def.fromDayFacts) return figureOfRows(db, def, await keptRows(db, def, params, state));
  if (!def.daily) return computeFigureDirect(db, def, params);
  const s = state ?? (await measureReadState(db, params));
  if (s.direct) return computeFigureDirect(db, def, params);
  return figureOf(def, await dailySums(db, def, params, sql`cat`, s));
}

/**
 * A measure's rows of the period as the figure reads them: for a measure kept in day facts (key petitioners), its
 * rows from measure_day_facts, corrected for the few marked matters of the jurisdiction (`state.correct`), or its
 * direct rows when there are many (never a stale figure); for any other measure its direct rows.
 */
async function keptRows(db: Db, def: MeasureDef, params: MeasureParams, state?: MeasureReadState): Promise<SQL> {
  if (!def.fromDayFacts) return def.rows(params);
  const s = state ?? (await measureReadState(db, params));
  return s.direct ? def.rows(params) : dayFactRows(def, params, s.correct);
}

/**
 * A measure's rows of the period from its kept day facts (measure_day_facts). Marked matters not yet rolled up
 * (`correct`) have their kept facts replaced by their facts as they are now, made by the SQL the drain stores
 * (`dayFacts`), as the daily measures' reading statement corrects their sums (measure-rollup.ts dailyRows).
 */
function dayFactRows(def: MeasureDef, params: MeasureParams, correct: string[] = []): SQL {
  const kept = sql`select case_no, day, cat, ref, division_code as division, open, ended_at from measure_day_facts where measure = ${def.key}`;
  if (!correct.length) return def.fromDayFacts!(params, kept);
  const marked = sql.join(
    correct.map((c) => sql`${c}`),
    sql`, `,
  );
  return def.fromDayFacts!(
    params,
    sql`${kept} and case_no not in (${marked})
        union all
        select f.case_no, f.day, f.cat, f.ref, f.division, f.open, f.ended_at
          from (${def.dayFacts!({ allTime: true, leaderReviewChannels: params.leaderReviewChannels, caseNos: correct })}) f`,
  );
}

/** The numerator of a measure's rows: the sum of num, or for a distinct measure the distinct refs with num > 0. */
const numeratorOf = (def: MeasureDef): SQL =>
  def.aggregate === 'distinct' ? sql`count(distinct ref) filter (where num > 0)::float8` : sql`coalesce(sum(num), 0)::float8`;

/**
 * The sums of a daily measure's buckets in the period and jurisdiction, grouped by `by` (cat, or a month), corrected
 * for the marked matters of the jurisdiction when there are a few (measure-rollup.ts dailyRows).
 */
async function dailySums(db: Db, def: MeasureDef, params: MeasureParams, by: SQL, state: MeasureReadState): Promise<{ key: string; num: number; den: number }[]> {
  if (!params.divisions.length) return [];
  const rows = await queryRows<{ key: string; num: number; den: number }>(
    db,
    sql`select ${by} as key, sum(num)::float8 as num, sum(den)::float8 as den
          from (${dailyRows(def, params, state.correct)}) b
         group by 1 having sum(rows) > 0`,
  );
  return rows.map((r) => ({ key: r.key, num: Number(r.num), den: Number(r.den) }));
}

function figureOf(def: MeasureDef, byCat: { key: string; num: number; den: number }[]): Figure {
  const numerator = byCat.reduce((a, c) => a + c.num, 0);
  const denominator = def.kind === 'rate' ? byCat.reduce((a, c) => a + c.den, 0) : null;
  return {
    numerator,
    denominator,
    value: valueOf(def, numerator, denominator),
    breakdown: Object.fromEntries(
      byCat
        .filter((c) => c.key !== '')
        .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
        .map((c) => [c.key, { numerator: c.num, denominator: def.kind === 'rate' ? c.den : null }]),
    ),
  };
}

/** One measure over one period and jurisdiction: the sums of its rows (domain/measures.ts says what they are). */
export async function computeFigureDirect(db: Db, def: MeasureDef, params: MeasureParams): Promise<Figure> {
  return figureOfRows(db, def, def.rows(params));
}

/** The figure of a measure's rows: the sum of num over the sum of den, or the distinct refs with num > 0. */
async function figureOfRows(db: Db, def: MeasureDef, rows: SQL): Promise<Figure> {
  const num = numeratorOf(def);
  // The total and each category in one pass over the rows (grouping sets): the rows are read once, not twice.
  const groups = await queryRows<{ total: boolean; cat: string | null; num: number; den: number | null }>(
    db,
    sql`select grouping(cat) = 1 as total, cat, ${num} as num, sum(den)::float8 as den
          from (${rows}) r group by grouping sets ((), (cat)) order by cat`,
  );
  const total = groups.find((g) => g.total);
  const cats = groups.filter((g): g is typeof g & { cat: string } => !g.total && g.cat !== null);
  const numerator = Number(total?.num ?? 0);
  const denominator = def.kind === 'rate' ? Number(total?.den ?? 0) : null;
  return {
    numerator,
    denominator,
    value: valueOf(def, numerator, denominator),
    breakdown: Object.fromEntries(cats.map((c) => [c.cat, { numerator: Number(c.num), denominator: def.kind === 'rate' ? Number(c.den ?? 0) : null }])),
  };
}

export interface MeasureReport extends Figure {
  key: string;
  name: string;
  kind: MeasureDef['kind'];
  formula: { numerator: string; denominator: string | null; period: string; jurisdiction: string };
  target: (MeasureDef['target'] & { value?: number }) | null;
  /** The figure the target is judged against: the value itself, or for a reduction the baseline year's figure × (1 − %). */
  targetValue: number | null;
  baseline: { year: number; from: string; to: string; value: number | null } | null;
  status: MeasureStatus;
  series: { month: string; numerator: number; denominator: number | null; value: number | null }[];
}

export interface MeasureOptions {
  baselineYear: number;
  series?: boolean;
  /** The request's read state (measureReadState), when it has one; else a daily measure takes it. */
  state?: MeasureReadState;
}

/** A daily measure's sums per month of the period from its rows (the direct counterpart of the aggregates' series). */
async function directMonthlySums(db: Db, def: MeasureDef, params: MeasureParams): Promise<{ key: string; num: number; den: number }[]> {
  const rows = await queryRows<{ key: string; num: number; den: number | null }>(
    db,
    sql`select to_char(r.day, 'YYYY-MM') as key, coalesce(sum(r.num), 0)::float8 as num, sum(r.den)::float8 as den
          from (${def.rows(params)}) r group by 1`,
  );
  return rows.map((r) => ({ key: r.key, num: Number(r.num), den: Number(r.den ?? 0) }));
}

/** The monthly series from sums per month (a month without a row counts 0). */
function seriesOf(def: MeasureDef, months: { month: string }[], byMonth: Map<string, { num: number | null; den: number | null }>): MeasureReport['series'] {
  return months.map((m) => {
    const r = byMonth.get(m.month);
    const numerator = Number(r?.num ?? 0);
    const denominator = def.kind === 'rate' ? Number(r?.den ?? 0) : null;
    return { month: m.month, numerator, denominator, value: valueOf(def, numerator, denominator) };
  });
}

/** The same period of the baseline year, for a measure whose target is a reduction on it (else null). */
async function baselineOf(db: Db, def: MeasureDef, params: MeasureParams, opts: MeasureOptions, state: MeasureReadState | undefined): Promise<MeasureReport['baseline']> {
  if (def.target?.kind !== 'reduction') return null;
  const years = Number(params.to.slice(0, 4)) - Number(params.from.slice(0, 4));
  const from = shiftToYear(params.from, opts.baselineYear);
  const to = shiftToYear(params.to, opts.baselineYear + years);
  const b = await computeFigure(db, def, { ...params, from, to }, state);
  return { year: opts.baselineYear, from, to, value: b.value };
}

/** A report's monthly series (empty when the request asks for none). */
async function seriesOfReport(db: Db, def: MeasureDef, params: MeasureParams, opts: MeasureOptions, state: MeasureReadState | undefined): Promise<MeasureReport['series']> {
  const series: MeasureReport['series'] = [];
  if (opts.series !== false && def.daily) {
    // One query for every month: the aggregates (or the rows) are per day, and the months partition the period.
    const sums = !state || state.direct ? await directMonthlySums(db, def, params) : await dailySums(db, def, params, sql`to_char(day, 'YYYY-MM')`, state);
    const byMonth = new Map(sums.map((r) => [r.key, r]));
    series.push(...seriesOf(def, monthsOf(params.from, params.to), byMonth));
  } else if (opts.series !== false && def.fromDayFacts && state && !state.direct) {
    // One query for every month: each month's rows from the day facts (a month's own end decides who counts),
    // counted per month.
    const months = monthsOf(params.from, params.to);
    const byMonth = new Map(
      (
        await queryRows<{ month: string; num: number; den: number | null }>(
          db,
          sql`select month, ${numeratorOf(def)} as num, sum(den)::float8 as den
                from (${sql.join(
                  months.map((m) => sql`select ${m.month}::text as month, r.* from (${dayFactRows(def, { ...params, from: m.from, to: m.to }, state.correct)}) r`),
                  sql` union all `,
                )}) r
               group by month`,
        )
      ).map((r) => [r.month, r]),
    );
    series.push(...seriesOf(def, months, byMonth));
  } else if (opts.series !== false) {
    for (const m of monthsOf(params.from, params.to)) {
      const f = await computeFigure(db, def, { ...params, from: m.from, to: m.to }, state);
      series.push({ month: m.month, numerator: f.numerator, denominator: f.denominator, value: f.value });
    }
  }
  return series;
}

export async function measureReport(db: Db, def: MeasureDef, params: MeasureParams, opts: MeasureOptions): Promise<MeasureReport> {
  const state = def.daily || def.fromDayFacts ? (opts.state ?? (await measureReadState(db, params))) : undefined;
  // The figure, the baseline and the series read the same rows for different periods and do not depend on each
  // other: at once (on PostgreSQL each on its own backend; PGlite runs them in turn).
  const [figure, baseline, series] = await Promise.all([computeFigure(db, def, params, state), baselineOf(db, def, params, opts, state), seriesOfReport(db, def, params, opts, state)]);
  const { targetValue, status } = judge(def, figure.value, baseline?.value ?? null);
  return {
    key: def.key,
    name: def.name,
    kind: def.kind,
    ...figure,
    formula: { numerator: def.numerator, denominator: def.denominator ?? null, period: def.period, jurisdiction: def.jurisdiction },
    target: def.target ?? null,
    targetValue,
    baseline,
    status,
    series,
  };
}

/** Measures of one report computed at once (allMeasures). */
const MEASURES_AT_ONCE = 2;

/**
 * Every measure, with the request's read state: how many changed matters the aggregates have yet to take in, and
 * whether the daily measures were computed directly for that reason.
 */
export async function allMeasures(db: Db, params: MeasureParams, opts: MeasureOptions): Promise<{ items: MeasureReport[]; aggregates: { pending: number; direct: boolean } }> {
  const state = opts.state ?? (await measureReadState(db, params));
  // Two at once, each reading its figure, baseline and series at once: at most six of the pool's ten connections, the
  // rest stay for other requests. On PostgreSQL each query runs on its own backend, so the two cores both work on a
  // leader's report; PGlite has one connection and runs them in turn, as before. Items keep the catalogue's order.
  const items: MeasureReport[] = new Array(measures.length);
  let next = 0;
  const lane = async () => {
    for (let i = next++; i < measures.length; i = next++) items[i] = await measureReport(db, measures[i]!, params, { ...opts, state });
  };
  await Promise.all(Array.from({ length: Math.min(MEASURES_AT_ONCE, measures.length) }, lane));
  return { items, aggregates: { pending: state.pending, direct: state.direct } };
}

export interface DrillRow {
  ref: string;
  caseNo: string | null;
  cat: string | null;
  num: number;
  den: number | null;
  status: string | null;
  divisionCode: string | null;
  unitId: string | null;
  registeredAt: string | null;
}

/**
 * The rows behind a numerator or a denominator, with the matter each one belongs to. Rows of `distinct` measures
 * are keyed by a hashed petitioner key: it is replaced by an ordinal (P1, P2, …) so no identifier leaves.
 */
export async function drillDown(
  db: Db,
  def: MeasureDef,
  params: MeasureParams,
  side: 'numerator' | 'denominator',
  page: { limit: number; offset: number },
): Promise<{ total: number; items: DrillRow[] }> {
  const rows = await keptRows(db, def, params);
  const where = side === 'numerator' ? sql`r.num > 0` : def.kind === 'rate' ? sql`r.den > 0` : sql`true`;
  const [count] = await queryRows<{ n: number }>(db, sql`select count(*)::int as n from (${rows}) r where ${where}`);
  const items = await queryRows<{ ref: string; case_no: string | null; cat: string | null; num: number; den: number | null; status: string | null; division_code: string | null; unit_id: string | null; registered_at: string | Date | null }>(
    db,
    sql`select r.ref, r.case_no, r.cat, r.num::float8 as num, r.den::float8 as den, p.status, p.division_code, p.unit_id, p.registered_at
          from (${rows}) r left join petitions p on p.case_no = r.case_no
         where ${where} order by r.ref, r.case_no limit ${page.limit} offset ${page.offset}`,
  );
  const ordinals = new Map<string, string>();
  return {
    total: Number(count?.n ?? 0),
    items: items.map((r) => {
      let ref = r.ref;
      if (def.aggregate === 'distinct') {
        if (!ordinals.has(ref)) ordinals.set(ref, `P${ordinals.size + 1 + page.offset}`);
        ref = ordinals.get(ref)!;
      }
      return {
        ref,
        caseNo: r.case_no,
        cat: r.cat,
        num: Number(r.num),
        den: r.den === null ? null : Number(r.den),
        status: r.status,
        divisionCode: r.division_code,
        unitId: r.unit_id,
        registeredAt: r.registered_at === null ? null : new Date(r.registered_at).toISOString(),
      };
    }),
  };
}

export type { MeasureParams };
export { measures };
