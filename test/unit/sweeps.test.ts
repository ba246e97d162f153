import { describe, expect, it } from 'vitest';
import { bottomOf, defaultListingWeights, parseListingWeights, rankSubjects, sample, sweepPeriod, unitAttribution } from '../../domain/sweeps';

describe('the periods a sweep run covers (Asia/Shanghai dates)', () => {
  it('daily, weekly (Monday–Sunday), the month before, the quarter before', () => {
    expect(sweepPeriod('daily', '2026-11-27')).toMatchObject({ start: '2026-11-27', end: '2026-11-27' });
    expect(sweepPeriod('weekly', '2026-11-27')).toMatchObject({ start: '2026-11-23', end: '2026-11-29' }); // a Friday
    expect(sweepPeriod('weekly', '2026-11-29')).toMatchObject({ start: '2026-11-23' }); // the Sunday of that week
    expect(sweepPeriod('monthly', '2026-03-01')).toMatchObject({ start: '2026-02-01', end: '2026-02-28', label: '2026-02' });
    expect(sweepPeriod('monthly', '2026-01-01')).toMatchObject({ start: '2025-12-01', end: '2025-12-31' });
    expect(sweepPeriod('quarterly', '2026-10-01')).toMatchObject({ start: '2026-07-01', end: '2026-09-30', label: '2026Q3' });
    expect(sweepPeriod('quarterly', '2026-01-01')).toMatchObject({ start: '2025-10-01', end: '2025-12-31', label: '2025Q4' });
  });
});

describe('月月检 sample', () => {
  it('is reproducible from its seed, whatever the input order, and without repeats', () => {
    const items = ['A', 'B', 'C', 'D', 'E', 'F', 'G'];
    const s1 = sample(items, 3, 12345, (x) => x);
    expect(sample([...items].reverse(), 3, 12345, (x) => x)).toEqual(s1);
    expect(new Set(s1).size).toBe(3);
    expect(sample(items, 10, 1, (x) => x).sort()).toEqual(items);
    // Another seed, over many draws, picks differently at least once.
    expect([1, 2, 3, 4, 5].some((seed) => sample(items, 3, seed, (x) => x).join() !== s1.join())).toBe(true);
  });
});

describe('挂牌 ranking under the documented weights', () => {
  it('scores each division by the weighted measures and ranks the lowest last', () => {
    const rate = (value: number | null) => ({ value, kind: 'rate' as const });
    const count = (value: number) => ({ value, kind: 'count' as const });
    const ranked = rankSubjects(
      [
        // A: 4 Beijing visits (the most → score 0), new backlog 10% (0.9), on-time reply 50%; the rest no data (1).
        { id: 'A', name: 'A县', values: { beijing_visits: count(4), new_backlog_rate: rate(0.1), on_time_reply: rate(0.5) } },
        // B: 2 visits (1 − 2/4 = 0.5), everything else perfect or no data.
        { id: 'B', name: 'B县', values: { beijing_visits: count(2), backlog_resolution_city: rate(1) } },
        // C: nothing held against it.
        { id: 'C', name: 'C县', values: { beijing_visits: count(0) } },
      ],
      defaultListingWeights,
    );
    // A = 0.25·0 + 0.2·0.9 + 0.2·1 + 0.15·0.5 + 0.1·1 + 0.1·1 = 0.655; B = 0.25·0.5 + 0.75 = 0.875; C = 1.
    expect(ranked.map((r) => [r.id, r.score, r.rank])).toEqual([
      ['C', 1, 1],
      ['B', 0.875, 2],
      ['A', 0.655, 3],
    ]);
  });

  it('lists the bottom ones with something held against them: never a subject scoring 1, however few are below', () => {
    const rate = (value: number) => ({ value, kind: 'rate' as const });
    const ranked = rankSubjects(
      [
        // Ties are broken by id: 甲 and 乙 both score 1 (no data), 丙 0.9 · 0.15 + 0.85 = 0.985, 丁 0.6 · 0.15 + 0.85 = 0.94.
        { id: 'u1', name: '甲局', values: {} },
        { id: 'u2', name: '乙局', values: {} },
        { id: 'u3', name: '丙局', values: { on_time_reply: rate(0.9) } },
        { id: 'u4', name: '丁局', values: { on_time_reply: rate(0.6) } },
      ],
      defaultListingWeights,
    );
    expect(ranked.map((r) => [r.id, r.score, r.rank])).toEqual([
      ['u1', 1, 1],
      ['u2', 1, 2],
      ['u3', 0.985, 3],
      ['u4', 0.94, 4],
    ]);
    expect(bottomOf(ranked, 2).map((r) => r.id)).toEqual(['u3', 'u4']);
    expect(bottomOf(ranked, 3).map((r) => r.id)).toEqual(['u3', 'u4']);
    expect(bottomOf(ranked.slice(0, 2), 2)).toEqual([]);
  });

  it('every measure that may be weighted says whose figure it is when units are ranked', () => {
    for (const key of Object.keys(defaultListingWeights)) expect(unitAttribution[key], key).toBeDefined();
  });

  it('weights are configuration: LISTING_WEIGHTS replaces the defaults, unknown keys are refused', () => {
    expect(parseListingWeights('beijing_visits:1')).toEqual({ beijing_visits: { weight: 1, better: 'lower' } });
    expect(() => parseListingWeights('nonsense:1')).toThrow(/LISTING_WEIGHTS/);
    expect(parseListingWeights(undefined)).toBe(defaultListingWeights);
  });
});
