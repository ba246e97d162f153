/**
 * 挂牌督办 for 2026 Q3 (2026-07-01 – 2026-09-30), as the quarterly run on 2026-10-01 computes it: counties and the
 * city's responsible units ranked by the one ranking under the documented weights, the bottom two of each table
 * listed, the ranks per quarter as GET /api/listings/ranks serves them, and the listing rank as a measure. Rows are
 * written into PGlite by hand; each expected figure is worked out in the comment above it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { like } from 'drizzle-orm';
import type { Database } from '../../db/client';
import { tasks } from '../../db/schema';
import { listingRankMeasure } from '../../domain/listing-rank';
import { defaultListingWeights, parseListingWeights } from '../../domain/sweeps';
import { listingRanks, rankQuarter } from '../../read-model/listing';
import { computeFigure } from '../../read-model/measures';
import { runSweep, type SweepSettings } from '../../read-model/sweeps';
import { memoryDatabase } from '../support/harness';
import { fixtures } from '../support/read-model-fixtures';

const settings = (weights = defaultListingWeights): SweepSettings => ({ monthlySampleSize: 3, listingBottom: 2, listingRemediationDays: 90, listingWeights: weights, leaderReviewChannels: ['letter', 'online'] });
const Q3 = { from: '2026-07-01', to: '2026-09-30' };

let database: Database;

beforeAll(async () => {
  database = await memoryDatabase();
  const f = fixtures(database.db);
  // QT1: 青田, with the city housing bureau; two visits to Beijing in the quarter.
  await f.matter('QT1', { division: '331121', unitId: 'city-housing', registeredAt: '2026-07-05T10:00:00+08:00' });
  await f.visit('QT1', '2026-07-20T09:00:00+08:00', { level: 'national' });
  await f.visit('QT1', '2026-08-10T09:00:00+08:00', { level: 'national' });
  // JY1: 缙云, with the city natural-resources bureau; one visit to Beijing, its handling limit missed on 09-10.
  await f.matter('JY1', { division: '331122', unitId: 'city-natural-resources', registeredAt: '2026-07-06T10:00:00+08:00' });
  await f.visit('JY1', '2026-08-15T09:00:00+08:00', { level: 'national' });
  await f.deadline('JY1', 'handling', '2026-09-10', 'missed');
  // LD1: 莲都, with the same bureau; its handling limit met on 09-05.
  await f.matter('LD1', { division: '331102', unitId: 'city-natural-resources', registeredAt: '2026-07-07T10:00:00+08:00' });
  await f.deadline('LD1', 'handling', '2026-09-05', 'met');
  // QT2: 青田, city health commission, registered in Q2; visits to Beijing on 06-30 (Q2) and 10-02 (Q4): outside.
  await f.matter('QT2', { division: '331121', unitId: 'city-health', registeredAt: '2026-06-20T10:00:00+08:00' });
  await f.visit('QT2', '2026-06-30T23:00:00+08:00', { level: 'national' });
  await f.visit('QT2', '2026-10-02T09:00:00+08:00', { level: 'national' });
  // City-assigned backlog: the development and reform commission's still open; 遂昌's closed on 08-20.
  await f.backlog('B-FGW', { level: 'city', assignedOn: '2026-03-01', division: '331100', unitId: 'city-development-reform' });
  await f.backlog('B-SC', { level: 'city', assignedOn: '2026-03-01', division: '331123', closedOn: '2026-08-20' });
});
afterAll(async () => {
  await database?.close();
});

describe('the quarterly ranking of counties and responsible units (2026 Q3)', () => {
  it('ranks the counties and the development zone under the documented weights', async () => {
    const { counties } = await rankQuarter(database.db, Q3, settings());
    // Beijing visits: 青田 2, 缙云 1, the rest 0 — scored against the most (2): 0, 0.5, 1.
    // On-time reply: 缙云 0/1 → 0, 莲都 1/1 → 1. City backlog resolution: 遂昌 1/1 → 1. Everything else no data → 1.
    // 青田 = 0.25·0 + 0.75 = 0.75; 缙云 = 0.25·0.5 + 0.15·0 + 0.2 + 0.2 + 0.1 + 0.1 = 0.725; the other eight 1.
    expect(counties.map((r) => [r.divisionCode, r.score, r.rank])).toEqual([
      ['331102', 1, 1],
      ['331123', 1, 2],
      ['331124', 1, 3],
      ['331125', 1, 4],
      ['331126', 1, 5],
      ['331127', 1, 6],
      ['331181', 1, 7],
      ['LSKFQ', 1, 8],
      ['331121', 0.75, 9],
      ['331122', 0.725, 10],
    ]);
    const jy = counties.find((r) => r.divisionCode === '331122')!;
    expect(jy.parts.beijing_visits).toEqual({ value: 1, score: 0.5, weight: 0.25 });
    expect(jy.parts.on_time_reply).toEqual({ value: 0, score: 0, weight: 0.15 });
  });

  it('ranks the city’s responsible units by the same ranking, each figure the unit’s own matters and backlog', async () => {
    const { units } = await rankQuarter(database.db, Q3, settings());
    // Beijing visits by the matter's unit: housing 2, natural resources 1, health 0 (its visits fall outside Q3).
    // On-time reply: natural resources 1 of 2 (JY1 missed, LD1 met) → 0.5. City backlog: development-reform 0/1 → 0.
    // housing = 0.25·0 + 0.75 = 0.75; natural resources = 0.25·0.5 + 0.15·0.5 + 0.6 = 0.8;
    // development-reform = 0.2·0 + 0.8 = 0.8 (tie with natural resources, broken by id); the other three 1.
    expect(units.map((r) => [r.unitId, r.score, r.rank])).toEqual([
      ['city-ecology', 1, 1],
      ['city-health', 1, 2],
      ['city-human-resources', 1, 3],
      ['city-development-reform', 0.8, 4],
      ['city-natural-resources', 0.8, 5],
      ['city-housing', 0.75, 6],
    ]);
    const health = units.find((r) => r.unitId === 'city-health')!;
    expect(health.parts.beijing_visits!.value).toBe(0);
    expect(units.find((r) => r.unitId === 'city-natural-resources')!.parts.on_time_reply).toEqual({ value: 0.5, score: 0.5, weight: 0.15 });
  });

  it('the run on 2026-10-01 lists the bottom two of each table, with their tasks, and the digest holds both tables', async () => {
    const d = await runSweep(database.db, 'quarterly', '2026-10-01', settings());
    expect(d.id).toBe('quarterly-2026Q3');
    expect(d.listed!.map((l) => [l.id, l.subject, l.rank, l.score, l.dueDate])).toEqual([
      ['2026Q3-331121', 'division', 9, 0.75, '2026-12-30'],
      ['2026Q3-331122', 'division', 10, 0.725, '2026-12-30'],
      ['2026Q3-unit-city-natural-resources', 'unit', 5, 0.8, '2026-12-30'],
      ['2026Q3-unit-city-housing', 'unit', 6, 0.75, '2026-12-30'],
    ]);
    expect((d.body.ranking as unknown[]).length).toBe(10);
    expect((d.body.unitRanking as unknown[]).length).toBe(6);
    const rows = await database.db.select().from(tasks).where(like(tasks.caseNo, 'sweep:quarterly:2026Q3%'));
    const byRef = Object.fromEntries(rows.map((r) => [r.caseNo, r]));
    // A county's listing is followed by the bureau's supervisors of that county; a unit sees its own in its work list.
    expect(byRef['sweep:quarterly:2026Q3-331121']).toMatchObject({ assigneeRole: 'supervisor', unitId: null, divisionCode: '331121' });
    expect(byRef['sweep:quarterly:2026Q3-unit-city-housing']).toMatchObject({ assigneeRole: 'unit_head', unitId: 'city-housing', divisionCode: '331100' });
    expect(byRef['sweep:quarterly:2026Q3-unit-city-housing']!.detail).toContain('市级责任单位中排名第 6/6');
    expect(rows).toHaveLength(4);
  });

  it('the weights are configuration: on-time reply alone lists only those below 1 — 缙云, and natural resources', async () => {
    const d = await runSweep(database.db, 'quarterly', '2026-10-01', settings(parseListingWeights('on_time_reply:1')));
    // 缙云 0/1 → 0 and natural resources 0.5: the only ones with anything held against them.
    expect(d.listed!.map((l) => [l.id, l.score])).toEqual([
      ['2026Q3-331122', 0],
      ['2026Q3-unit-city-natural-resources', 0.5],
    ]);
    // The re-run of the quarter replaced its digest and its tasks.
    expect(await database.db.select().from(tasks).where(like(tasks.caseNo, 'sweep:quarterly:2026Q3%'))).toHaveLength(2);
    await runSweep(database.db, 'quarterly', '2026-10-01', settings()); // back to the documented weights
  });

  it('serves each county’s and unit’s rank and score per quarter, from the digests', async () => {
    const ranks = await listingRanks(database.db, { from: '2026-01-01', to: '2026-12-31' });
    expect(ranks).toHaveLength(16);
    expect(ranks.find((r) => r.id === '331121')).toMatchObject({ quarter: '2026Q3', from: '2026-07-01', to: '2026-09-30', subject: 'division', name: '青田县', rank: 9, of: 10, score: 0.75, listed: true });
    expect(ranks.find((r) => r.id === 'city-development-reform')).toMatchObject({ subject: 'unit', rank: 4, of: 6, score: 0.8, listed: false });
    expect(await listingRanks(database.db, { from: '2026-01-01', to: '2026-12-31', subject: 'unit', id: 'city-housing' })).toMatchObject([{ rank: 6, of: 6, listed: true }]);
    // A period that ends before the quarter's last day does not include it.
    expect(await listingRanks(database.db, { from: '2026-07-01', to: '2026-09-29' })).toEqual([]);
  });

  it('the listing rank as a measure: a county’s rank ÷ the number ranked, broken down by county city-wide', async () => {
    const params = (divisions: string[]) => ({ ...Q3, divisions, leaderReviewChannels: ['letter', 'online'] });
    // 青田: 9th of 10 → 9 / 10 = 0.9.
    expect(await computeFigure(database.db, listingRankMeasure, params(['331121']))).toMatchObject({ numerator: 9, denominator: 10, value: 0.9 });
    // 莲都: 1st of 10 → 0.1.
    expect(await computeFigure(database.db, listingRankMeasure, params(['331102']))).toMatchObject({ numerator: 1, denominator: 10, value: 0.1 });
    const city = await computeFigure(database.db, listingRankMeasure, params(['331100', '331102', '331121', '331122', '331123', '331124', '331125', '331126', '331127', '331181', 'LSKFQ']));
    expect(city.breakdown['331122']).toEqual({ numerator: 10, denominator: 10 });
    expect(Object.keys(city.breakdown)).toHaveLength(10);
    // Q2 has no quarterly digest: no rows.
    expect(await computeFigure(database.db, listingRankMeasure, { ...params(['331121']), from: '2026-04-01', to: '2026-06-30' })).toMatchObject({ numerator: 0, denominator: 0, value: null });
  });
});
