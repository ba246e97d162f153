/**
 * 挂牌督办's quarterly ranking over the read model: the figures of the weighted measures for each county (and the
 * development zone) and for each of the city's responsible units, ranked by the one ranking of domain/sweeps.ts.
 * Figures come from the measures' own statements (computeFigure): a county with the measure's jurisdiction rule,
 * a unit by filtering the same rows to that unit (domain/sweeps.ts unitAttribution).
 */
import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { digests, divisions, units } from '../db/schema';
import { measureByKey, type MeasureDef, type MeasureParams } from '../domain/measures';
import { rankSubjects, unitAttribution, type RankedDivision, type RankedUnit, type RankInput, type ListingSubject } from '../domain/sweeps';
import { computeFigure, computeFigureDirect } from './measures';
import { measureReadState } from './measure-rollup';

export const CITY_CODE = '331100';

export interface RankingSettings {
  listingWeights: Record<string, { weight: number; better: 'higher' | 'lower' }>;
  leaderReviewChannels: string[];
}

export interface QuarterRanking {
  counties: RankedDivision[];
  units: RankedUnit[];
}

/** The same measure with its rows narrowed to one responsible unit (the matter's unit, or the backlog case's). */
export function forUnit(def: MeasureDef, unitId: string): MeasureDef {
  const by = unitAttribution[def.key];
  if (!by) throw new Error(`measure ${def.key} cannot be attributed to a unit (domain/sweeps.ts unitAttribution)`);
  return {
    ...def,
    rows: (p) =>
      by === 'backlog_case'
        ? sql`select r.* from (${def.rows(p)}) r join backlog_cases ub on ub.id = r.ref where ub.unit_id = ${unitId}`
        : sql`select r.* from (${def.rows(p)}) r join petitions up on up.case_no = r.case_no where up.unit_id = ${unitId}`,
  };
}

/** Every division code under `code` (itself included). */
function subtree(all: { code: string; parentCode: string | null }[], code: string): string[] {
  const out = [code];
  for (let i = 0; i < out.length; i++) for (const d of all) if (d.parentCode === out[i]) out.push(d.code);
  return out;
}

/** Both tables of a quarter's ranking, for the period [from, to] (Asia/Shanghai dates). */
export async function rankQuarter(db: Db, period: { from: string; to: string }, settings: RankingSettings): Promise<QuarterRanking> {
  const all = await db.select().from(divisions);
  const counties = all.filter((d) => d.parentCode === CITY_CODE).sort((a, b) => (a.code < b.code ? -1 : 1));
  const cityUnits = await db
    .select()
    .from(units)
    .where(and(eq(units.kind, 'city_department'), eq(units.divisionCode, CITY_CODE)))
    .orderBy(units.id);
  const keys = Object.keys(settings.listingWeights);
  const defs = keys.map((k) => {
    const def = measureByKey(k);
    if (!def) throw new Error(`LISTING_WEIGHTS names no measure ${k}`);
    return def;
  });
  const base = (divisionCodes: string[]): MeasureParams => ({ from: period.from, to: period.to, divisions: divisionCodes, leaderReviewChannels: settings.leaderReviewChannels });

  const countyRows: (RankInput & { divisionCode: string })[] = [];
  for (const d of counties) {
    const values: RankInput['values'] = {};
    const params = base(subtree(all, d.code));
    // One read state per county (a bounded drain and a look at what is still marked there), not one per measure.
    const state = defs.some((def) => def.daily) ? await measureReadState(db, params) : undefined;
    for (const def of defs) values[def.key] = { value: (await computeFigure(db, def, params, state)).value, kind: def.kind };
    countyRows.push({ id: d.code, divisionCode: d.code, name: d.name, values });
  }
  const cityWide = subtree(all, CITY_CODE);
  const unitRows: (RankInput & { unitId: string; divisionCode: string })[] = [];
  for (const u of cityUnits) {
    const values: RankInput['values'] = {};
    for (const def of defs) values[def.key] = { value: (await computeFigureDirect(db, forUnit(def, u.id), base(cityWide))).value, kind: def.kind };
    unitRows.push({ id: u.id, unitId: u.id, divisionCode: u.divisionCode, name: u.name, values });
  }
  return { counties: rankSubjects(countyRows, settings.listingWeights), units: rankSubjects(unitRows, settings.listingWeights) };
}

export interface RankEntry {
  quarter: string;
  from: string;
  to: string;
  subject: ListingSubject;
  id: string;
  name: string;
  divisionCode: string;
  rank: number;
  of: number;
  score: number;
  listed: boolean;
  parts: RankedDivision['parts'];
}

/**
 * Each county's and unit's position per quarter, as the quarterly digests recorded it (a re-run of a quarter
 * replaces its digest): quarters whose last day falls in [from, to], oldest first. Digests written before units
 * were ranked have the county table only.
 */
export async function listingRanks(db: Db, q: { from: string; to: string; subject?: ListingSubject; id?: string }): Promise<RankEntry[]> {
  const rows = await db
    .select()
    .from(digests)
    .where(and(eq(digests.kind, 'quarterly'), sql`${digests.periodEnd} between ${q.from}::date and ${q.to}::date`))
    .orderBy(digests.periodStart);
  const out: RankEntry[] = [];
  for (const d of rows) {
    const b = d.body as { quarter: string; ranking?: RankedDivision[]; unitRanking?: RankedUnit[]; listed?: { id: string; subject?: ListingSubject; divisionCode: string; unitId?: string }[] };
    const listed = b.listed ?? [];
    const tables: [ListingSubject, (RankedDivision | RankedUnit)[]][] = [
      ['division', b.ranking ?? []],
      ['unit', b.unitRanking ?? []],
    ];
    for (const [subject, table] of tables) {
      if (q.subject && q.subject !== subject) continue;
      for (const r of table) {
        const id = subject === 'unit' ? (r as RankedUnit).unitId : r.divisionCode;
        if (q.id && q.id !== id) continue;
        const isListed = listed.some((l) => (subject === 'unit' ? l.subject === 'unit' && l.unitId === id : (l.subject ?? 'division') === 'division' && l.divisionCode === id));
        out.push({ quarter: b.quarter, from: d.periodStart, to: d.periodEnd, subject, id, name: r.name, divisionCode: r.divisionCode, rank: r.rank, of: table.length, score: r.score, listed: isListed, parts: r.parts });
      }
    }
  }
  return out;
}
