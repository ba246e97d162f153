import { describe, expect, it } from 'vitest';
import { defaultListingWeights, parseListingWeights, rankDivisions, sample, sweepPeriod } from '../../domain/sweeps';

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
    const ranked = rankDivisions(
      [
        // A: 4 Beijing visits (the most → score 0), new backlog 10% (0.9), on-time reply 50%; the rest no data (1).
        { divisionCode: 'A', name: 'A县', values: { beijing_visits: count(4), new_backlog_rate: rate(0.1), on_time_reply: rate(0.5) } },
        // B: 2 visits (1 − 2/4 = 0.5), everything else perfect or no data.
        { divisionCode: 'B', name: 'B县', values: { beijing_visits: count(2), backlog_resolution_city: rate(1) } },
        // C: nothing held against it.
        { divisionCode: 'C', name: 'C县', values: { beijing_visits: count(0) } },
      ],
      defaultListingWeights,
    );
    // A = 0.25·0 + 0.2·0.9 + 0.2·1 + 0.15·0.5 + 0.1·1 + 0.1·1 = 0.655; B = 0.25·0.5 + 0.75 = 0.875; C = 1.
    expect(ranked.map((r) => [r.divisionCode, r.score, r.rank])).toEqual([
      ['C', 1, 1],
      ['B', 0.875, 2],
      ['A', 0.655, 3],
    ]);
  });

  it('weights are configuration: LISTING_WEIGHTS replaces the defaults, unknown keys are refused', () => {
    expect(parseListingWeights('beijing_visits:1')).toEqual({ beijing_visits: { weight: 1, better: 'lower' } });
    expect(() => parseListingWeights('nonsense:1')).toThrow(/LISTING_WEIGHTS/);
    expect(parseListingWeights(undefined)).toBe(defaultListingWeights);
  });
});
