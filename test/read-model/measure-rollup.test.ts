/**
 * The measures' daily aggregates give exactly the figures of the direct computation (issue 11: "the figures must be
 * identical to the direct computation, as a test proves"), for every daily measure and for key petitioners (a
 * distinct count, kept as day facts), every period and jurisdiction, after the matters change, and whether they were
 * built incrementally (the triggers and the drain) or rebuilt at once.
 *
 * The read model here is 160 matters drawn with a fixed seed over 2025–2026 in three divisions: every kind of row a
 * measure reads (visits, repeats, triage, replies, meetings, evaluations, limits, escalations, leader reviews).
 */
import { readFileSync } from 'node:fs';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../db/client';
import { deadlines, events, petitions } from '../../db/schema';
import { measures, type MeasureParams } from '../../domain/measures';
import { CORRECT_MAX, drainMeasureFacts, measureReadState, READ_DRAIN, rebuildMeasureAggregates, startRollupLoop } from '../../read-model/measure-rollup';
import { computeFigure, computeFigureDirect, measureReport } from '../../read-model/measures';
import { queryRows } from '../../read-model/rows';
import { memoryDatabase } from '../support/harness';
import { fixtures } from '../support/read-model-fixtures';

const CHANNELS = ['letter', 'online'];
const DIVISIONS = ['331102', '331121', '331181'];
/** Everything read from kept aggregates: the daily measures' sums and key petitioners' day facts. */
const kept = measures.filter((m) => m.daily || m.dayFacts);
const daily = measures.filter((m) => m.daily);

let database: Database;
let f: ReturnType<typeof fixtures>;

/** mulberry32: the same matters on every run. */
function random(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rnd = random(20260311);
const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
const chance = (p: number) => rnd() < p;
/** An instant d days after 2025-01-01 08:00 Shanghai, at some hour of the day (some cross midnight UTC). */
function at(d: number, hour = Math.floor(rnd() * 24)): string {
  const t = new Date(Date.UTC(2025, 0, 1, 0, 0) + d * 86_400_000 + (hour - 8) * 3_600_000 + Math.floor(rnd() * 60) * 60_000);
  return t.toISOString();
}
const dateOf = (iso: string) => new Date(new Date(iso).getTime() + 8 * 3_600_000).toISOString().slice(0, 10);

const periods: [string, string][] = [
  ['2025-01-01', '2026-12-31'],
  ['2025-03-01', '2025-03-31'],
  ['2025-07-01', '2025-09-30'],
  ['2026-01-01', '2026-12-31'],
  ['2026-02-14', '2026-02-14'],
  ['2025-12-29', '2026-01-04'],
];
const jurisdictions = [['331102'], ['331121', '331181'], DIVISIONS, []];

async function expectIdentical(label: string) {
  for (const def of kept) {
    for (const [from, to] of periods) {
      for (const divisions of jurisdictions) {
        const params: MeasureParams = { from, to, divisions, leaderReviewChannels: CHANNELS };
        const direct = await computeFigureDirect(database.db, def, params);
        const aggregated = await computeFigure(database.db, def, params);
        expect(aggregated, `${label}: ${def.key} ${from}..${to} ${divisions.join('+') || 'none'}`).toEqual(direct);
      }
    }
  }
}

const marked = async () => (await queryRows<{ n: number }>(database.db, sql`select count(*)::int as n from measure_dirty`))[0]!.n;

/**
 * A backlog import in one statement per table: `times` copies (case number `<no>~<i>`) of every matter of `divisions`,
 * with its submissions, events, limits and escalations, as a bulk change lands in the read model.
 */
async function importCopies(times: number, divisions: string[]): Promise<void> {
  const keyed: Record<string, string[]> = {
    petitions: ['case_no', 'query_code', 'workflow_id'],
    submissions: ['id', 'case_no'],
    events: ['id', 'case_no', 'stream'],
    deadlines: ['case_no'],
    escalations: ['id', 'case_no'],
  };
  const inDivisions = sql.join(
    divisions.map((d) => sql`${d}`),
    sql`, `,
  );
  for (const [table, keys] of Object.entries(keyed)) {
    const cols = (
      await queryRows<{ c: string }>(
        database.db,
        sql`select column_name as c from information_schema.columns where table_name = ${table} and is_generated = 'NEVER' and is_identity = 'NO' order by ordinal_position`,
      )
    ).map((r) => r.c);
    const list = sql.raw(cols.map((c) => `"${c}"`).join(', '));
    const values = sql.raw(cols.map((c) => (keys.includes(c) ? `t."${c}" || '~' || g` : `t."${c}"`)).join(', '));
    await database.db.execute(sql`
      insert into ${sql.raw(`"${table}"`)} (${list})
      select ${values} from ${sql.raw(`"${table}"`)} t cross join generate_series(1, ${times}) g
       where t.case_no not like '%~%' and t.case_no in (select case_no from petitions where division_code in (${inDivisions}))`);
  }
}

beforeAll(async () => {
  database = await memoryDatabase();
  f = fixtures(database.db);
  await f.leader('L1', { level: 'county', division: '331102' });
  const triage = ['triage.assigned', 'triage.forwarded', 'triage.routed', 'triage.not_accepted', 'triage.linked'];
  const verdicts = ['satisfied', 'basically_satisfied', 'unsatisfied'];
  for (let i = 0; i < 160; i++) {
    const caseNo = `M${String(i).padStart(3, '0')}`;
    const d0 = Math.floor(rnd() * 700);
    const registeredAt = at(d0);
    const division = pick(DIVISIONS);
    const channel = pick(['letter', 'online', 'visit', 'phone']);
    const pkey = `k${Math.floor(rnd() * 60)}`;
    const persons = 1 + Math.floor(rnd() * 7);
    const open = chance(0.3);
    // An ended matter ended 40–180 days after it came (no draw of rnd: the other rows stay as they were).
    const endedAt = open ? undefined : new Date(new Date(registeredAt).getTime() + (40 + ((i * 37) % 141)) * 86_400_000).toISOString();
    await f.matter(caseNo, { division, channel, registeredAt, pkey, persons, open, endedAt });
    await f.event(caseNo, pick(triage), at(d0 + (chance(0.6) ? 0 : 1 + Math.floor(rnd() * 3))));
    await f.deadline(caseNo, 'acceptance', dateOf(at(d0 + 15)), pick(['met', 'missed', 'pending'] as const));
    if (chance(0.3)) await f.visit(caseNo, at(d0 + Math.floor(rnd() * 90)), { level: pick(['national', 'province', 'city']), persons: 1 + Math.floor(rnd() * 6), abnormalInBeijing: chance(0.3), collective: chance(0.3) });
    if (chance(0.2)) await f.repeat(caseNo, at(d0 + Math.floor(rnd() * 120)), pick(['letter', 'visit']));
    if (chance(0.4)) await f.event(caseNo, 'meeting.held', at(d0 + 5), { meeting: 1 });
    else if (chance(0.3)) await f.event(caseNo, 'meeting.exempted', at(d0 + 5), { meeting: 1 });
    if (chance(0.75)) {
      const r = d0 + 20 + Math.floor(rnd() * 40);
      await f.event(caseNo, 'replied', at(r));
      await f.deadline(caseNo, 'handling', dateOf(at(d0 + 60)), pick(['met', 'missed'] as const));
      if (chance(0.5)) await f.event(caseNo, 'meeting.held', at(r), { meeting: 2 });
      if (chance(0.3)) await f.event(caseNo, 'review.requested', at(r + Math.floor(rnd() * 40)));
      if (chance(0.7)) {
        await f.event(caseNo, 'evaluated', at(r + 3), { unit: pick(verdicts), bureau: pick(verdicts) });
        if (chance(0.15)) await f.event(caseNo, 'evaluated', at(r + 40), { unit: 'unsatisfied', bureau: pick(verdicts) });
      } else await f.event(caseNo, 'evaluation.expired', at(r + 30));
      if (chance(0.3)) await f.event(caseNo, 'meeting.held', at(r + 8), { meeting: 3 });
      if (chance(0.3)) await f.event(caseNo, 'return_visit', at(r + 10));
    }
    if (chance(0.15)) await f.overlay(caseNo, { kind: 'investigation', trigger: pick(['new_backlog', 'skip_level']), openedAt: at(d0 + 30), status: pick(['open', 'completed']) });
    if (chance(0.15))
      await f.overlay(caseNo, { kind: 'warning_slip', trigger: 'two_visits', openedAt: at(d0 + 10), deadlines: [{ key: 'warningExplanation', dueDate: dateOf(at(d0 + 14)), status: pick(['met', 'missed', 'pending']) }] });
    if (chance(0.1))
      await f.overlay(caseNo, { kind: 'three_party_review', trigger: 'abnormal_in_beijing', openedAt: at(d0 + 10), deadlines: [{ key: 'threePartyReview', dueDate: dateOf(at(d0 + 31)), status: pick(['met', 'missed']) }] });
    if (chance(0.2)) await f.review('L1', dateOf(at(d0 + 2)), [caseNo]);
  }
});

// Key petitioners: petitioners with several matters in several divisions (k0–k59 over 160 matters), matters with
// repeats on several days, two on one day, across midnight UTC and a year end, a skip-level investigation beside
// repeats, and ends before, inside and after the periods (above, 40–180 days after registration).
beforeAll(async () => {
  const matters = await queryRows<{ case_no: string; registered_at: string }>(database.db, sql`select case_no, registered_at::text from petitions order by case_no`);
  for (const [i, m] of matters.entries()) {
    if (i % 5 !== 0) continue;
    const t0 = new Date(m.registered_at).getTime();
    for (const days of [3, 3, 11 + (i % 17), 33 + (i % 50)]) await f.repeat(m.case_no, new Date(t0 + days * 86_400_000 + (i % 24) * 3_600_000).toISOString());
    if (i % 15 === 0) await f.overlay(m.case_no, { kind: 'investigation', trigger: 'skip_level', openedAt: new Date(t0 + 11 * 86_400_000).toISOString() });
  }
  await f.matter('KP1', { division: '331121', registeredAt: '2025-12-20T10:00:00+08:00', pkey: 'k1' });
  await f.repeat('KP1', '2025-12-31T23:30:00+08:00');
  await f.repeat('KP1', '2026-01-01T00:10:00+08:00');
});

afterAll(async () => {
  await database?.close();
});

describe('daily aggregates of the measures', () => {
  it('every daily measure, over a day, a week across the new year, months, a quarter and years, in one, two, all and no divisions, equals its direct computation', { timeout: 300_000 }, async () => {
    await expectIdentical('built by the drain');
    const n = (await queryRows<{ n: number }>(database.db, sql`select count(*)::int as n from measure_daily where rows > 0`))[0]!.n;
    expect(n).toBeGreaterThan(500); // the buckets are really there, and the drain made them
    // Key petitioners are really there too, under both labels, and the period's end really decides some of them.
    const kp = measures.find((m) => m.key === 'key_petitioners')!;
    const all = await computeFigure(database.db, kp, { from: '2025-01-01', to: '2026-12-31', divisions: DIVISIONS, leaderReviewChannels: CHANNELS });
    expect(all.numerator).toBeGreaterThan(10);
    expect(Object.keys(all.breakdown)).toEqual(['repeat', 'skip_level']);
    const [h1, h2] = await Promise.all([
      computeFigure(database.db, kp, { from: '2025-01-01', to: '2025-06-30', divisions: DIVISIONS, leaderReviewChannels: CHANNELS }),
      computeFigure(database.db, kp, { from: '2025-07-01', to: '2025-12-31', divisions: DIVISIONS, leaderReviewChannels: CHANNELS }),
    ]);
    const year = await computeFigure(database.db, kp, { from: '2025-01-01', to: '2025-12-31', divisions: DIVISIONS, leaderReviewChannels: CHANNELS });
    expect(year.numerator).not.toBe(h1.numerator + h2.numerator); // distinct petitioners, and ends inside the year
  });

  it('stays identical as matters change: a repeat after the reply, a meeting held, a limit decided, a matter moved, an event withdrawn', { timeout: 300_000 }, async () => {
    const replied = await queryRows<{ case_no: string; at: string }>(database.db, sql`select case_no, min(at)::text as at from events where type = 'replied' group by case_no order by case_no limit 6`);
    for (const r of replied.slice(0, 3)) await f.repeat(r.case_no, new Date(new Date(r.at).getTime() + 5 * 86_400_000).toISOString());
    for (const r of replied.slice(3, 6)) await f.event(r.case_no, 'meeting.held', new Date(new Date(r.at).getTime() + 86_400_000).toISOString(), { meeting: 3 });
    await database.db.update(deadlines).set({ status: 'met' }).where(eq(deadlines.status, 'pending'));
    await database.db.update(petitions).set({ divisionCode: '331121' }).where(eq(petitions.caseNo, 'M007'));
    // Key petitioners: a matter with repeats ends (inside some periods), another is reopened, one changes petitioner.
    await database.db.update(petitions).set({ open: false, state: { endedAt: '2026-01-02T03:00:00.000Z' } as never }).where(eq(petitions.caseNo, 'KP1'));
    const ended = (await queryRows<{ case_no: string }>(database.db, sql`select case_no from petitions where not open and ended_at is not null and case_no like 'M%' order by case_no limit 1`))[0]!.case_no;
    await database.db.update(petitions).set({ open: true, state: {} as never }).where(eq(petitions.caseNo, ended));
    await database.db.update(petitions).set({ petitionerKey: 'k2' }).where(eq(petitions.caseNo, 'M005'));
    await database.db.delete(events).where(eq(events.id, (await database.db.select({ id: events.id }).from(events).where(eq(events.type, 'evaluated')).limit(1))[0]!.id));
    const n = (await queryRows<{ n: number }>(database.db, sql`select count(*)::int as n from measure_dirty`))[0]!.n;
    expect(n).toBeGreaterThan(6); // the triggers marked the changed matters
    await expectIdentical('after the changes');
    const left = (await queryRows<{ left: number }>(database.db, sql`select count(*)::int as left from measure_dirty`))[0]!.left;
    expect(left).toBe(0);
  });

  it('a rebuild from scratch gives the same buckets as the incremental drain', async () => {
    await drainMeasureFacts(database.db, CHANNELS);
    const snapshot = () =>
      queryRows<Record<string, unknown>>(database.db, sql`select measure, day::text, division_code, cat, num::int, den::int, rows::int from measure_daily where rows > 0 order by 1, 2, 3, 4`);
    const facts = () =>
      queryRows<Record<string, unknown>>(database.db, sql`select measure, case_no, day::text, cat, ref, division_code, open, ended_at::text from measure_day_facts order by 1, 2, 3, 4`);
    const incremental = await snapshot();
    const incrementalFacts = await facts();
    expect(incrementalFacts.length).toBeGreaterThan(100);
    await rebuildMeasureAggregates(database.db, CHANNELS);
    expect(await snapshot()).toEqual(incremental);
    expect(await facts()).toEqual(incrementalFacts);
    // The migration that made measure_day_facts filled it for the matters already there with its own copy of the
    // SQL: it gives the same facts.
    const migration = readFileSync(new URL('../../db/migrations/0014_measure_day_facts.sql', import.meta.url), 'utf8');
    const backfill = migration.split('--> statement-breakpoint').find((st) => st.includes('INSERT INTO "measure_day_facts"'))!;
    await database.db.execute(sql`delete from measure_day_facts`);
    await database.db.execute(sql.raw(backfill));
    expect(await facts()).toEqual(incrementalFacts);
  });

  it('the monthly series read from the aggregates equals the month-by-month direct figures', async () => {
    for (const def of kept) {
      const params: MeasureParams = { from: '2025-11-15', to: '2026-03-10', divisions: DIVISIONS, leaderReviewChannels: CHANNELS };
      const report = await measureReport(database.db, def, params, { baselineYear: 2024 });
      const direct = [];
      for (const [month, from, to] of [
        ['2025-11', '2025-11-15', '2025-11-30'],
        ['2025-12', '2025-12-01', '2025-12-31'],
        ['2026-01', '2026-01-01', '2026-01-31'],
        ['2026-02', '2026-02-01', '2026-02-28'],
        ['2026-03', '2026-03-01', '2026-03-10'],
      ] as const) {
        const fig = await computeFigureDirect(database.db, def, { ...params, from, to });
        direct.push({ month, numerator: fig.numerator, denominator: fig.denominator, value: fig.value });
      }
      expect(report.series, def.key).toEqual(direct);
    }
  });
});

describe('after a bulk change (a backlog import of 5,000 matters)', () => {
  const year: MeasureParams = { from: '2025-01-01', to: '2026-12-31', divisions: DIVISIONS, leaderReviewChannels: CHANNELS };

  it('a read drains at most its bound, answers the direct figures, and leaves the rest marked; the background drain then empties the marks and the aggregates equal the direct figures', { timeout: 600_000 }, async () => {
    await drainMeasureFacts(database.db, CHANNELS);
    expect(await marked()).toBe(0);
    // Every matter of 331121 and 331181 copied 50 times: none of the copies lies in 331102.
    await importCopies(50, ['331121', '331181']);
    const imported = await marked();
    expect(imported).toBeGreaterThan(5_000);

    // The supervisor's request: every daily measure with its baseline and monthly series, one read state for all.
    const state = await measureReadState(database.db, year);
    const left = await marked();
    expect(imported - left).toBeGreaterThan(0);
    expect(imported - left).toBeLessThanOrEqual(READ_DRAIN.batch * READ_DRAIN.maxRounds); // 200, not 5,000
    expect(state).toEqual({ pending: left, direct: true });
    for (const def of daily) {
      const report = await measureReport(database.db, def, year, { baselineYear: 2024, state });
      const direct = await computeFigureDirect(database.db, def, year);
      expect({ numerator: report.numerator, denominator: report.denominator, value: report.value, breakdown: report.breakdown }, def.key).toEqual(direct);
      const march = report.series.find((m) => m.month === '2026-03')!;
      const marchDirect = await computeFigureDirect(database.db, def, { ...year, from: '2026-03-01', to: '2026-03-31' });
      expect(march, def.key).toEqual({ month: '2026-03', numerator: marchDirect.numerator, denominator: marchDirect.denominator, value: marchDirect.value });
    }
    // A figure read alone (the backlog page, the listing) takes its own bounded drain and is as right.
    const one = daily.find((d) => d.key === 'daily_clearance')!;
    expect(await computeFigure(database.db, one, year)).toEqual(await computeFigureDirect(database.db, one, year));
    const stillMarked = await marked();
    expect(stillMarked).toBeGreaterThanOrEqual(left - READ_DRAIN.batch * READ_DRAIN.maxRounds);
    expect(stillMarked).toBeGreaterThan(0);

    // 331102 holds none of the marked matters: its aggregates are exact and are read as they are.
    const yongjia: MeasureParams = { ...year, divisions: ['331102'] };
    const untouched = await measureReadState(database.db, yongjia);
    expect(untouched.direct).toBe(false);
    expect(untouched.pending).toBeGreaterThan(0);
    for (const def of daily) expect(await computeFigure(database.db, def, yongjia, untouched), def.key).toEqual(await computeFigureDirect(database.db, def, yongjia));

    // A matter moved out of 331102 still counts there in the aggregates until it is rolled up: 331102's figures are
    // corrected for it (its old contribution taken off), whether or not this read's own drain reached it.
    const [moved] = await queryRows<{ case_no: string }>(database.db, sql`select case_no from measure_contributions where case_no in (select case_no from petitions where division_code = '331102') order by case_no limit 1`);
    await database.db.update(petitions).set({ divisionCode: '331181' }).where(eq(petitions.caseNo, moved!.case_no));
    const afterMove = await measureReadState(database.db, yongjia);
    expect(afterMove.direct).toBe(false);
    if (await queryRows(database.db, sql`select 1 from measure_dirty where case_no = ${moved!.case_no}`).then((r) => r.length)) expect(afterMove.correct).toEqual([moved!.case_no]);
    for (const def of daily) expect(await computeFigure(database.db, def, yongjia, afterMove), def.key).toEqual(await computeFigureDirect(database.db, def, yongjia));

    // The worker's background drain goes on until nothing is marked, and says so.
    const logged: string[] = [];
    const stop = startRollupLoop(database.db, CHANNELS, (m) => logged.push(m), 50, { batch: 500, maxRounds: 2 });
    const until = Date.now() + 400_000;
    while (!logged.some((m) => /caught up/.test(m)) && Date.now() < until) await new Promise((r) => setTimeout(r, 200));
    await stop();
    expect(await marked()).toBe(0);
    expect(logged.some((m) => /still marked/.test(m))).toBe(true);
    expect(logged.some((m) => /caught up/.test(m))).toBe(true);
    expect(await measureReadState(database.db, year)).toEqual({ pending: 0, direct: false });
    for (const def of daily) {
      for (const divisions of [DIVISIONS, ['331102'], ['331121', '331181']]) {
        const params = { ...year, divisions };
        expect(await computeFigure(database.db, def, params, { pending: 0, direct: false }), def.key).toEqual(await computeFigureDirect(database.db, def, params));
      }
    }
  });

  it('a few hundred matters changed: a read corrects the aggregates and the day facts for them in its statement, figures, baselines and series equal to the direct computation', { timeout: 300_000 }, async () => {
    await drainMeasureFacts(database.db, CHANNELS);
    // Limits decided the other way and evaluations a day later on 8 of the 50 copies (about 430 matters), and a
    // reply withdrawn: more than a read's drain takes, fewer than it corrects for.
    const some = sql`case_no ~ '~[1-8]$'`;
    await database.db.execute(sql`update deadlines set status = case status when 'met' then 'missed' else 'met' end where status in ('met', 'missed') and ${some}`);
    await database.db.execute(sql`update events set at = at + interval '1 day' where type = 'evaluated' and ${some}`);
    await database.db.execute(sql`delete from events where type = 'replied' and case_no = 'M003~1'`);
    // Key petitioners' day facts too: one open matter of each petitioner who came back in the period turns out to be
    // one petitioner's (a dozen matters; the key petitioners fall to a few).
    await database.db.execute(
      sql`update petitions set petitioner_key = 'one-petitioner' where case_no in (
            select distinct on (p.petitioner_key) p.case_no from petitions p
             where p.petitioner_key is not null and p.open and p.division_code in (${sql.join(DIVISIONS.map((d) => sql`${d}`), sql`, `)})
               and exists (select 1 from submissions s where s.case_no = p.case_no and not s.initial and s.received_at >= '2025-11-15' and s.received_at < '2026-03-11')
             order by p.petitioner_key, p.case_no)`,
    );
    const changed = await marked();
    expect(changed).toBeGreaterThan(READ_DRAIN.batch * READ_DRAIN.maxRounds);
    expect(changed).toBeLessThanOrEqual(CORRECT_MAX);
    const state = await measureReadState(database.db, year);
    expect(state.direct).toBe(false);
    expect(state.pending).toBeGreaterThanOrEqual(changed - READ_DRAIN.batch * READ_DRAIN.maxRounds);
    expect(state.correct).toHaveLength(state.pending);
    for (const def of kept) {
      const params = { ...year, from: '2025-11-15', to: '2026-03-10' };
      const report = await measureReport(database.db, def, params, { baselineYear: 2024, state });
      expect({ numerator: report.numerator, denominator: report.denominator, value: report.value, breakdown: report.breakdown }, def.key).toEqual(await computeFigureDirect(database.db, def, params));
      for (const [month, from, to] of [['2025-11', '2025-11-15', '2025-11-30'], ['2026-02', '2026-02-01', '2026-02-28']] as const) {
        const d = await computeFigureDirect(database.db, def, { ...params, from, to });
        expect(report.series.find((m) => m.month === month), `${def.key} ${month}`).toEqual({ month, numerator: d.numerator, denominator: d.denominator, value: d.value });
      }
      if (report.baseline) {
        const b = await computeFigureDirect(database.db, def, { ...params, from: report.baseline.from, to: report.baseline.to });
        expect(report.baseline.value, def.key).toBe(b.value);
      }
    }
    expect(await marked()).toBe(state.pending); // the reports drained nothing more: they were corrected, not waited for
    // The correction is what made them equal: the kept day facts alone, as they stand, give other figures.
    const params = { ...year, from: '2025-11-15', to: '2026-03-10' };
    const stale = [];
    for (const def of kept.filter((m) => m.dayFacts)) {
      const uncorrected = await measureReport(database.db, def, params, { baselineYear: 2024, state: { ...state, correct: [] }, series: false });
      const direct = await computeFigureDirect(database.db, def, params);
      if (uncorrected.numerator !== direct.numerator || uncorrected.denominator !== direct.denominator) stale.push(def.key);
    }
    expect(stale.length).toBeGreaterThan(0);
  });
});
