/**
 * The quarterly listing rank as a measure (domain.md §6 "the quarterly listing rank (weights configurable)"), in
 * the shape of domain/measures.ts: its rows are the positions the quarterly digests recorded (read-model/sweeps.ts
 * writes them with the one ranking of domain/sweeps.ts, LISTING_WEIGHTS), one row per county and quarter.
 *
 *   ref      `<quarter>:<division code>`, e.g. 2026Q3:331121
 *   num      the county's rank in that quarter (1 = best)
 *   den      how many were ranked that quarter
 *   cat      the division code, so a city-wide figure breaks down by county
 *
 * For one county and one quarter the figure is rank ÷ ranked (0.3 = 3rd of 10); over several quarters it is the
 * mean position. Lower is better; there is no numeric target (the bottom LISTING_BOTTOM are listed).
 * Responsible units are ranked in the same digests but have no division of their own (they are the city's
 * departments), so they are served by GET /api/listings/ranks?subject=unit, not by this measure.
 */
import { sql } from 'drizzle-orm';

// Typed as a MeasureDef where domain/measures.ts lists it (no import back, so no cycle).
export const listingRankMeasure = {
  key: 'listing_rank',
  name: '挂牌督办季度排名',
  kind: 'rate' as const,
  numerator: 'the county’s rank in each quarterly 挂牌督办 ranking (1 = best; weighted measures, LISTING_WEIGHTS)',
  denominator: 'the number of counties (and the development zone) ranked in that quarter',
  period: 'quarters whose last day falls in the period (each quarterly run’s digest)',
  jurisdiction: 'the ranked county itself: a county’s own rank; a city-wide figure sums every county’s (read its breakdown by county)',
  rows: (p: { from: string; to: string; divisions: string[] }) => sql`
    select (d.body->>'quarter') || ':' || (r->>'divisionCode') as ref, null as case_no,
           (r->>'rank')::int as num, jsonb_array_length(d.body->'ranking') as den, r->>'divisionCode' as cat
      from digests d cross join lateral jsonb_array_elements(d.body->'ranking') r
     where d.kind = 'quarterly' and d.period_end >= ${p.from}::date and d.period_end <= ${p.to}::date
       and ${p.divisions.length ? sql`r->>'divisionCode' in (${sql.join(
         p.divisions.map((c) => sql`${c}`),
         sql`, `,
       )})` : sql`false`}`,
};
