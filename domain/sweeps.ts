/**
 * The scheduled sweeps of 天天清、周周结、月月检 and the quarterly 挂牌督办 (丽委办发〔2018〕51号 二（一）, 二（三）1):
 * when each runs (Asia/Shanghai), which period a run covers, the reproducible sample of 月月检, and the quarterly
 * ranking's weights. Pure: the sweep workflow, its activities and the tests call these.
 */
import { addNaturalDays, weekdayOf } from './dates';

export const sweepKinds = ['daily', 'weekly', 'monthly', 'quarterly'] as const;
export type SweepKind = (typeof sweepKinds)[number];

export const SWEEP_TIMEZONE = 'Asia/Shanghai';

/** Calendar specs (Temporal ScheduleSpec calendars) of each sweep, in Asia/Shanghai. */
export const sweepCalendars: Record<SweepKind, { hour: number; minute: number; dayOfWeek?: string; dayOfMonth?: number; month?: string[] }> = {
  daily: { hour: 17, minute: 30 }, // 天天清: every day at 17:30
  weekly: { hour: 17, minute: 30, dayOfWeek: 'FRIDAY' }, // 周周结: Friday 17:30, the week Monday–Sunday
  monthly: { hour: 9, minute: 0, dayOfMonth: 1 }, // 月月检: the 1st, 09:00, for the month before
  quarterly: { hour: 9, minute: 0, dayOfMonth: 1, month: ['JANUARY', 'APRIL', 'JULY', 'OCTOBER'] }, // 挂牌: the quarter before
};
export const sweepLabels: Record<SweepKind, string> = { daily: '天天清', weekly: '周周结', monthly: '月月检', quarterly: '挂牌督办' };

/** The period a run on `day` (its Asia/Shanghai date) covers. */
export function sweepPeriod(kind: SweepKind, day: string): { start: string; end: string; label: string } {
  if (kind === 'daily') return { start: day, end: day, label: day };
  if (kind === 'weekly') {
    const start = addNaturalDays(day, -((weekdayOf(day) + 6) % 7)); // Monday
    return { start, end: addNaturalDays(start, 6), label: `${start}–${addNaturalDays(start, 6)}` };
  }
  const y = Number(day.slice(0, 4));
  const m = Number(day.slice(5, 7));
  if (kind === 'monthly') {
    const [py, pm] = m === 1 ? [y - 1, 12] : [y, m - 1];
    const start = `${py}-${String(pm).padStart(2, '0')}-01`;
    return { start, end: addNaturalDays(`${y}-${String(m).padStart(2, '0')}-01`, -1), label: start.slice(0, 7) };
  }
  const q = Math.floor((m - 1) / 3); // this quarter 0..3; the run covers the one before
  const [qy, qq] = q === 0 ? [y - 1, 3] : [y, q - 1];
  const start = `${qy}-${String(qq * 3 + 1).padStart(2, '0')}-01`;
  const nextStart = qq === 3 ? `${qy + 1}-01-01` : `${qy}-${String(qq * 3 + 4).padStart(2, '0')}-01`;
  return { start, end: addNaturalDays(nextStart, -1), label: `${qy}Q${qq + 1}` };
}

/** A 32-bit seed from a text (FNV-1a), so a run's sample can be drawn again from its recorded seed. */
export function seedOf(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** mulberry32: a small, well-known PRNG; the same seed gives the same sequence everywhere. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** k items drawn without replacement (partial Fisher–Yates over the sorted input), reproducible from the seed. */
export function sample<T>(items: readonly T[], k: number, seed: number, key: (t: T) => string): T[] {
  const pool = [...items].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  const rnd = prng(seed);
  const n = Math.min(k, pool.length);
  for (let i = 0; i < n; i++) {
    const j = i + Math.floor(rnd() * (pool.length - i));
    [pool[i], pool[j]] = [pool[j]!, pool[i]!];
  }
  return pool.slice(0, n);
}

/**
 * 挂牌 ranking weights (documented defaults; LISTING_WEIGHTS overrides them as `key:weight,…`). Each measure's
 * value becomes a 0..1 score — a rate as it is (or 1 − rate when lower is better), a count against the
 * largest among those ranked (1 − value / max) — and the weighted mean of the scores ranks the divisions; a
 * measure without data for a division counts as its best score there (nothing to hold against it).
 */
export const defaultListingWeights: Record<string, { weight: number; better: 'higher' | 'lower' }> = {
  beijing_visits: { weight: 0.25, better: 'lower' },
  new_backlog_rate: { weight: 0.2, better: 'lower' },
  backlog_resolution_city: { weight: 0.2, better: 'higher' },
  on_time_reply: { weight: 0.15, better: 'higher' },
  one_time_resolution: { weight: 0.1, better: 'higher' },
  satisfaction_unit: { weight: 0.1, better: 'higher' },
};

export function parseListingWeights(text: string | undefined): Record<string, { weight: number; better: 'higher' | 'lower' }> {
  if (!text) return defaultListingWeights;
  const out: Record<string, { weight: number; better: 'higher' | 'lower' }> = {};
  for (const part of text.split(',')) {
    const [key, w] = part.split(':');
    const base = defaultListingWeights[key!.trim()];
    if (!base || !w || !Number.isFinite(Number(w)) || Number(w) < 0) throw new Error(`LISTING_WEIGHTS: "${part}" — use key:weight with keys ${Object.keys(defaultListingWeights).join(', ')}`);
    out[key!.trim()] = { ...base, weight: Number(w) };
  }
  return out;
}

/**
 * Whose figure a measure's row is when the ranking is by responsible unit: the matter's unit in charge
 * (petitions.unit_id), or for the backlog measures the backlog case's unit (backlog_cases.unit_id). Counties take
 * each measure's own jurisdiction rule (the problem location, or the backlog case's division).
 */
export const unitAttribution: Record<string, 'matter' | 'backlog_case'> = {
  beijing_visits: 'matter',
  new_backlog_rate: 'matter',
  backlog_resolution_national: 'backlog_case',
  backlog_resolution_province: 'backlog_case',
  backlog_resolution_city: 'backlog_case',
  on_time_reply: 'matter',
  one_time_resolution: 'matter',
  satisfaction_unit: 'matter',
  satisfaction_bureau: 'matter',
};

/** The two tables of a quarterly listing: counties (and the development zone), and the city's departments. */
export type ListingSubject = 'division' | 'unit';
export const listingSubjectLabels: Record<ListingSubject, string> = { division: '县（市、区）', unit: '市级责任单位' };

export interface RankInput {
  id: string;
  name: string;
  values: Record<string, { value: number | null; kind: 'count' | 'rate' }>;
}

export interface Ranked {
  /** Division code of a county, or unit id of a responsible unit. */
  id: string;
  name: string;
  score: number;
  parts: Record<string, { value: number | null; score: number; weight: number }>;
  rank: number;
}

/** A county's row of the ranking (the division code kept under its old name for digests already written). */
export interface RankedDivision extends Ranked {
  divisionCode: string;
}
/** A responsible unit's row of the ranking. */
export interface RankedUnit extends Ranked {
  unitId: string;
  divisionCode: string;
}

/**
 * The one ranking of 挂牌督办, for counties and units alike: each measure's value becomes a 0..1 score, the
 * weighted mean of the scores ranks the subjects, best first (rank 1); ties by id. A count is scored against the
 * largest among the subjects ranked together, so each table is ranked on its own.
 */
export function rankSubjects<T extends RankInput>(rows: readonly T[], weights: Record<string, { weight: number; better: 'higher' | 'lower' }>): (Omit<T, 'values'> & Ranked)[] {
  const maxOf = (k: string) => Math.max(0, ...rows.map((r) => r.values[k]?.value ?? 0));
  const total = Object.values(weights).reduce((s, w) => s + w.weight, 0) || 1;
  const scored = rows.map(({ values, ...rest }) => {
    const parts: Ranked['parts'] = {};
    let sum = 0;
    for (const [k, w] of Object.entries(weights)) {
      const v = values[k];
      let score = 1;
      if (v && v.value !== null) {
        if (v.kind === 'rate') score = w.better === 'higher' ? v.value : 1 - v.value;
        else {
          const max = maxOf(k);
          score = max === 0 ? 1 : w.better === 'lower' ? 1 - v.value / max : v.value / max;
        }
      }
      parts[k] = { value: v?.value ?? null, score: Math.round(score * 10_000) / 10_000, weight: w.weight };
      sum += score * w.weight;
    }
    return { ...rest, score: Math.round((sum / total) * 10_000) / 10_000, parts, rank: 0 } as unknown as Omit<T, 'values'> & Ranked;
  });
  scored.sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  scored.forEach((s, i) => (s.rank = i + 1));
  return scored;
}

/**
 * The bottom `bottom` of a ranking are listed — only those with something held against them (a score below 1):
 * a table where every subject scores 1 lists none.
 */
export function bottomOf<T extends Ranked>(ranking: readonly T[], bottom: number): T[] {
  const candidates = ranking.filter((r) => r.score < 1);
  return bottom > 0 ? candidates.slice(-bottom) : [];
}

// --- What a sweep run returns and a listing workflow keeps (workflows/sweeps.ts) ----------------------------

export interface DigestRecord {
  id: string;
  kind: SweepKind;
  periodStart: string;
  periodEnd: string;
  body: Record<string, unknown>;
  /** Quarterly: the counties and units to list, each to become a listing workflow. */
  listed?: ListedEntry[];
}

export interface ListedEntry {
  id: string;
  /** Absent on listings of digests written before units were ranked: a division. */
  subject?: ListingSubject;
  divisionCode: string;
  /** The listed unit (subject `unit`). */
  unitId?: string;
  name: string;
  rank: number;
  score: number;
  dueDate: string;
}

/** A listing workflow's input: the listed entry of its quarter's digest (a unit when `unitId` is set). */
export interface ListingInput extends Omit<ListedEntry, 'subject'> {
  quarter: string;
  digestId: string;
}

export interface ListingState extends ListingInput {
  status: 'listed' | 'remediated' | 'overdue';
  reports: { report: string; by: string; at: string }[];
  escalatedAt?: string;
  seq: number;
}

