// Deadlines of a petition matter: pure arithmetic on Asia/Shanghai calendar dates.
// Imported by workflow code, so: no I/O, no Node built-ins, no clock reads, and calendar.ts (which pulls in
// chinese-days) only as a type — callers that need working days pass a WorkCalendar in.
import type { IsoDate, WorkCalendar } from './calendar';
import type { DeadlinePolicy, LimitKey } from './rules';

// --- Date primitives (Asia/Shanghai is UTC+8 all year: China has no DST) -------------------------------------

const DAY_MS = 86_400_000;
const SHANGHAI_OFFSET_MS = 8 * 3_600_000;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
// An instant must say its offset; a bare local time would be read in the host's time zone.
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/i;

/** True for a strict YYYY-MM-DD string naming a real calendar date. */
export function isIsoDate(value: unknown): value is IsoDate {
  if (typeof value !== 'string') return false;
  const m = ISO_DATE.exec(value);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (mo < 1 || mo > 12 || d < 1) return false;
  return d <= daysInMonth(y, mo);
}

/** Returns the date unchanged, or throws a RangeError naming what was wrong. */
export function assertIsoDate(value: unknown, what = 'date'): IsoDate {
  if (!isIsoDate(value)) {
    throw new RangeError(`Invalid ${what} ${JSON.stringify(value)}: expected a real calendar date as YYYY-MM-DD`);
  }
  return value;
}

/** Year of a (valid) IsoDate. */
export function yearOf(d: IsoDate): number {
  return Number(assertIsoDate(d).slice(0, 4));
}

/** Day of the week of d, 0 = Sunday … 6 = Saturday. */
export function weekdayOf(d: IsoDate): number {
  return new Date(toEpochDay(d) * DAY_MS).getUTCDay();
}

/** d plus n natural days (n may be negative). */
export function addNaturalDays(d: IsoDate, n: number): IsoDate {
  if (!Number.isInteger(n)) throw new RangeError(`Day count must be an integer, got ${n}`);
  return fromEpochDay(toEpochDay(d) + n);
}

/** Natural days from a to b (b − a). */
export function naturalDaysBetween(a: IsoDate, b: IsoDate): number {
  return toEpochDay(b) - toEpochDay(a);
}

/** The Asia/Shanghai calendar date of an instant (a Date, or an ISO string with Z or an offset). */
export function shanghaiDateOf(instant: Date | string): IsoDate {
  const ms = instantMs(instant);
  return new Date(ms + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);
}

/** ISO instant (Z) of 00:00 Asia/Shanghai at the start of d. */
export function startOfShanghaiDay(d: IsoDate): string {
  return new Date(toEpochDay(d) * DAY_MS - SHANGHAI_OFFSET_MS).toISOString();
}

/** ISO instant (Z) of 24:00 Asia/Shanghai at the end of d, i.e. d 16:00:00.000Z. */
export function endOfShanghaiDay(d: IsoDate): string {
  return new Date((toEpochDay(d) + 1) * DAY_MS - SHANGHAI_OFFSET_MS).toISOString();
}

function instantMs(instant: Date | string): number {
  let ms: number;
  if (instant instanceof Date) {
    ms = instant.getTime();
  } else {
    if (typeof instant !== 'string' || !ISO_INSTANT.test(instant)) {
      throw new RangeError(`Invalid instant ${JSON.stringify(instant)}: expected an ISO date-time with Z or an offset`);
    }
    ms = Date.parse(instant);
  }
  if (!Number.isFinite(ms)) throw new RangeError(`Invalid instant ${String(instant)}`);
  return ms;
}

function daysInMonth(y: number, mo: number): number {
  if (mo === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(mo) ? 30 : 31;
}

function toEpochDay(d: IsoDate): number {
  assertIsoDate(d);
  const t = new Date(0);
  // setUTCFullYear, unlike Date.UTC, does not map years 0–99 to 1900–1999.
  t.setUTCFullYear(Number(d.slice(0, 4)), Number(d.slice(5, 7)) - 1, Number(d.slice(8, 10)));
  return Math.round(t.getTime() / DAY_MS);
}

function fromEpochDay(n: number): IsoDate {
  const t = new Date(n * DAY_MS);
  const y = t.getUTCFullYear();
  if (y < 0 || y > 9999) throw new RangeError(`Date out of range (year ${y})`);
  return `${String(y).padStart(4, '0')}-${String(t.getUTCMonth() + 1).padStart(2, '0')}-${String(t.getUTCDate()).padStart(2, '0')}`;
}

// --- Deadlines --------------------------------------------------------------------------------------------------

export interface Deadline {
  key: LimitKey;
  /** The day of the triggering event; excluded from the count. */
  startDate: IsoDate;
  /** The last day of the limit. */
  dueDate: IsoDate;
  /** End of dueDate, 24:00 Asia/Shanghai, as an ISO instant (Z). */
  dueAt: string;
  policy: DeadlinePolicy;
  /** Days actually counted: policy.days, or the shorter length given (e.g. an extension of 20 of at most 30 d). */
  days: number;
  /** For an extension: the days granted. */
  extendedBy?: number;
  /** Natural days not counted (e.g. a hearing during re-review). */
  pausedDays?: number;
  /** The non-working day the limit first fell on, when it rolled forward to dueDate. */
  rolledFrom?: IsoDate;
}

export interface ComputeDeadlineOptions {
  /** A shorter length than policy.days (which is then the maximum), e.g. an extension of 20 d. */
  days?: number;
  /** Natural days during which the clock stops (e.g. a hearing); the count starts that many days later. */
  pausedDays?: number;
}

/**
 * Computes a limit (domain.md §3 counting): the start day is excluded; natural limits end on start + days;
 * working-day limits on the days-th working day after start; a window with rollForward that ends on a non-working
 * day moves to the next working day. A natural-day limit without rollForward never consults the calendar.
 */
export function computeDeadline(
  policy: DeadlinePolicy,
  startDate: IsoDate,
  calendar: WorkCalendar,
  opts: ComputeDeadlineOptions = {},
): Deadline {
  assertIsoDate(startDate, 'start date');
  const days = opts.days ?? policy.days;
  if (!Number.isInteger(days) || days < 1) {
    throw new RangeError(`${policy.key}: the length must be a whole number of days ≥ 1, got ${days}`);
  }
  if (days > policy.days) {
    throw new RangeError(`${policy.key}: ${days} d exceeds the maximum of ${policy.days} d (${policy.basis})`);
  }
  const paused = opts.pausedDays ?? 0;
  if (!Number.isInteger(paused) || paused < 0) {
    throw new RangeError(`${policy.key}: pausedDays must be a whole number ≥ 0, got ${paused}`);
  }

  const countFrom = addNaturalDays(startDate, paused);
  let dueDate: IsoDate;
  let rolledFrom: IsoDate | undefined;
  if (policy.counting === 'working') {
    dueDate = calendar.addWorkingDays(countFrom, days);
  } else {
    dueDate = addNaturalDays(countFrom, days);
    if (policy.rollForward) {
      const rolled = calendar.nextWorkingDayOnOrAfter(dueDate);
      if (rolled !== dueDate) rolledFrom = dueDate;
      dueDate = rolled;
    }
  }

  const deadline: Deadline = { key: policy.key, startDate, dueDate, dueAt: endOfShanghaiDay(dueDate), policy, days };
  if (policy.key === 'extension') deadline.extendedBy = days;
  if (paused > 0) deadline.pausedDays = paused;
  if (rolledFrom) deadline.rolledFrom = rolledFrom;
  return deadline;
}

/**
 * Reminder instants leadDays natural days before dueAt (e.g. [10, 3]), earliest first; leads that would fall
 * on or before the end of the start day (when the count begins) are dropped.
 */
export function reminderInstants(deadline: Deadline, leadDays: number[]): { leadDays: number; at: string }[] {
  const due = Date.parse(deadline.dueAt);
  const countBegins = Date.parse(endOfShanghaiDay(deadline.startDate));
  const leads = [...new Set(leadDays)];
  for (const lead of leads) {
    if (!Number.isInteger(lead) || lead < 0) throw new RangeError(`Reminder lead must be a whole number of days ≥ 0, got ${lead}`);
  }
  return leads
    .sort((a, b) => b - a)
    .map((lead) => ({ leadDays: lead, ms: due - lead * DAY_MS }))
    .filter((r) => r.ms > countBegins)
    .map((r) => ({ leadDays: r.leadDays, at: new Date(r.ms).toISOString() }));
}

/** True from dueAt (24:00 of the last day) on. */
export function isOverdue(deadline: Pick<Deadline, 'dueAt'>, nowIso: string): boolean {
  return instantMs(nowIso) >= Date.parse(deadline.dueAt);
}

/** One line for a case file, e.g. '处理期限 handling: 60 d (natural) from 2026-09-25 → 2026-11-24 24:00 Asia/Shanghai — 《信访工作条例》第三十四条'. */
export function describeDeadline(d: Deadline): string {
  const unit = d.policy.counting === 'working' ? 'WD' : 'd';
  const how = [d.policy.counting, ...(d.policy.rollForward ? ['rolls to next working day'] : [])].join(', ');
  const notes = [
    ...(d.pausedDays ? [`${d.pausedDays} d paused, not counted`] : []),
    ...(d.rolledFrom ? [`rolled forward from ${d.rolledFrom}`] : []),
  ];
  const suffix = notes.length ? ` (${notes.join('; ')})` : '';
  return `${d.policy.label}: ${d.days} ${unit} (${how}) from ${d.startDate} → ${d.dueDate} 24:00 Asia/Shanghai${suffix} — ${d.policy.basis}`;
}
