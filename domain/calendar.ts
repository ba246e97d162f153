// Working-day calendar of mainland China (domain.md §7): official holidays and 调休 make-up days from the
// `chinese-days` package, overridden by an admin-maintained table. Activities only — workflows must not import
// this file (it pulls in chinese-days); they import dates.ts / deadline.ts / rules.ts and receive computed dates.
import chineseDays from 'chinese-days';
import { addNaturalDays, assertIsoDate, weekdayOf, yearOf, type IsoDate, type WorkingDays } from './dates';

export type { IsoDate };

export interface CalendarOverride {
  date: IsoDate;
  kind: 'workday' | 'holiday';
  /** The document that decided it, e.g. 国办发明电〔2025〕7号. */
  source: string;
}

export interface DayInfo {
  date: IsoDate;
  working: boolean;
  source: 'override' | 'package' | 'weekday';
  /** Holiday name from the package ('National Day,国庆节,3'), or the override's source document. */
  name?: string;
}

export class CalendarUnknownYearError extends Error {
  readonly year: number;
  constructor(year: number) {
    super(
      `The working-day calendar has no official data for ${year}: an admin must enter that year's holiday and ` +
        `make-up workday overrides (the State Council publishes each year's schedule in November).`,
    );
    this.name = 'CalendarUnknownYearError';
    this.year = year;
  }
}

// getDayDetail names a day that is not in its holiday/workday tables after its weekday.
const WEEKDAY_NAMES = new Set(['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday']);

// The package data is static, so coverage per year is computed once per process.
const packageYears = new Map<number, boolean>();

/** True if chinese-days carries the official schedule for year y (it has at least one holiday entry that year). */
function packageKnowsYear(y: number): boolean {
  let known = packageYears.get(y);
  if (known === undefined) {
    // includeWeekends=false lists only the package's holiday table, so an uncovered year (2027 in 1.5.7) is empty.
    known = chineseDays.getHolidaysInRange(`${pad4(y)}-01-01`, `${pad4(y)}-12-31`, false).length > 0;
    packageYears.set(y, known);
  }
  return known;
}

function pad4(y: number): string {
  return String(y).padStart(4, '0');
}

export class WorkCalendar implements WorkingDays {
  private readonly overrides = new Map<IsoDate, CalendarOverride>();
  private readonly overrideYears = new Set<number>();

  constructor(overrides: CalendarOverride[] = []) {
    for (const o of overrides) {
      assertIsoDate(o.date, 'override date');
      if (o.kind !== 'workday' && o.kind !== 'holiday') {
        throw new RangeError(`Calendar override for ${o.date}: kind must be 'workday' or 'holiday', got ${String(o.kind)}`);
      }
      const prior = this.overrides.get(o.date);
      if (prior && prior.kind !== o.kind) {
        throw new RangeError(`Conflicting calendar overrides for ${o.date}: ${prior.kind} (${prior.source}) vs ${o.kind} (${o.source})`);
      }
      this.overrides.set(o.date, { ...o });
      this.overrideYears.add(yearOf(o.date));
    }
  }

  /** Whether the calendar may answer for year y: package data, or at least one override that year. */
  knowsYear(y: number): boolean {
    if (!Number.isInteger(y) || y < 1 || y > 9999) throw new RangeError(`Invalid year ${y}`);
    return this.overrideYears.has(y) || packageKnowsYear(y);
  }

  /** Why d is or is not a working day. Throws CalendarUnknownYearError rather than guess Mon–Fri. */
  dayInfo(d: IsoDate): DayInfo {
    assertIsoDate(d);
    const o = this.overrides.get(d);
    if (o) return { date: d, working: o.kind === 'workday', source: 'override', name: o.source };
    const y = yearOf(d);
    if (!this.knowsYear(y)) throw new CalendarUnknownYearError(y);
    // Only the table lookup is taken from the package: its own weekday/date fields shift by a day when the
    // process time zone is west of UTC (it parses 'YYYY-MM-DD' as UTC midnight, then reads local fields).
    const detail = chineseDays.getDayDetail(d);
    if (!WEEKDAY_NAMES.has(detail.name)) return { date: d, working: detail.work, source: 'package', name: detail.name };
    const wd = weekdayOf(d);
    return { date: d, working: wd >= 1 && wd <= 5, source: 'weekday' };
  }

  isWorkingDay(d: IsoDate): boolean {
    return this.dayInfo(d).working;
  }

  /** The n-th working day after start (start itself excluded), n ≥ 1. */
  addWorkingDays(start: IsoDate, n: number): IsoDate {
    assertIsoDate(start);
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`Working-day count must be a whole number ≥ 1, got ${n}`);
    let d = start;
    let left = n;
    for (let guard = 0; left > 0; guard++) {
      if (guard > n * 7 + 366) throw new RangeError(`No ${n} working days found after ${start}: check the overrides`);
      d = addNaturalDays(d, 1);
      if (this.isWorkingDay(d)) left--;
    }
    return d;
  }

  /** d if it is a working day, else the next working day. */
  nextWorkingDayOnOrAfter(d: IsoDate): IsoDate {
    assertIsoDate(d);
    let cur = d;
    for (let guard = 0; !this.isWorkingDay(cur); guard++) {
      if (guard > 366) throw new RangeError(`No working day found on or after ${d}: check the overrides`);
      cur = addNaturalDays(cur, 1);
    }
    return cur;
  }
}
