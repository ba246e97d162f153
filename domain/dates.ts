// Calendar dates and instants in Asia/Shanghai: pure arithmetic, no calendar data. The neutral home of the date
// types every other module uses (rules, deadlines, the working-day calendar), so none of them imports another for them.

/** A calendar date in Asia/Shanghai, YYYY-MM-DD. */
export type IsoDate = string;

/** What a working-day calendar says of one day (domain/calendar.ts DayInfo), for explaining a deadline. */
export interface DayFacts {
  date: IsoDate;
  working: boolean;
  /** The package's holiday name or an override's source document. */
  name?: string;
  /** 国庆节, 国庆节调休上班, 周末: what a person calls the day when it is not an ordinary weekday. */
  label?: string;
}

/** What deadline arithmetic needs of a working-day calendar; domain/calendar.ts implements it with holiday data. */
export interface WorkingDays {
  /** The n-th working day after d (d itself excluded); with `trace`, every day looked at is pushed to it. */
  addWorkingDays(d: IsoDate, n: number, trace?: DayFacts[]): IsoDate;
  /** d if it is a working day, else the next one; with `trace`, every day looked at is pushed to it. */
  nextWorkingDayOnOrAfter(d: IsoDate, trace?: DayFacts[]): IsoDate;
}

// --- Date primitives (Asia/Shanghai is UTC+8 all year: China has no DST) -------------------------------------

export const DAY_MS = 86_400_000;
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

export function instantMs(instant: Date | string): number {
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

