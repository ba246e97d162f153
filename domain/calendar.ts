// Working-day calendar of mainland China (domain.md §7): official holidays and 调休 make-up days from the
// `chinese-days` package, overridden by an admin-maintained table. Activities only — workflows must not import
// this file (it pulls in chinese-days); they import dates.ts / deadline.ts / rules.ts and receive computed dates.
import chineseDays from 'chinese-days';
import { addNaturalDays, assertIsoDate, weekdayOf, yearOf, type DayFacts, type IsoDate, type WorkingDays } from './dates';

export type { IsoDate };

export interface CalendarOverride {
  date: IsoDate;
  kind: 'workday' | 'holiday';
  /** The document that decided it, e.g. 国办发明电〔2025〕7号. */
  source: string;
  /** The holiday it belongs to (国庆节), or the holiday a make-up working day is for. */
  name?: string | null;
}

export interface DayInfo extends DayFacts {
  date: IsoDate;
  working: boolean;
  source: 'override' | 'package' | 'weekday';
  /** Holiday name from the package ('National Day,国庆节,3'), or the override's source document. */
  name?: string;
  /**
   * What a person calls the day, when it is not an ordinary weekday: the holiday (国庆节, 春节) for a holiday or a
   * make-up working day (调休上班) of it, 周末 for a Saturday or Sunday.
   */
  label?: string;
}

export class CalendarUnknownYearError extends Error {
  readonly year: number;
  constructor(year: number) {
    super(
      `The working-day calendar has no official data for ${year}: an admin must import that year's holiday and ` +
        `make-up workday schedule and declare it complete (the State Council publishes each year's schedule in November).`,
    );
    this.name = 'CalendarUnknownYearError';
    this.year = year;
  }
}

// getDayDetail names a day that is not in its holiday/workday tables after its weekday.
const WEEKDAY_NAMES = new Set(['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday']);

// The package data is static, so coverage per year is computed once per process.
const packageYearCache = new Map<number, boolean>();

/** True if chinese-days carries the official schedule for year y (it has at least one holiday entry that year). */
function packageKnowsYear(y: number): boolean {
  let known = packageYearCache.get(y);
  if (known === undefined) {
    // includeWeekends=false lists only the package's holiday table, so an uncovered year (2027 in 1.5.7) is empty.
    known = chineseDays.getHolidaysInRange(`${pad4(y)}-01-01`, `${pad4(y)}-12-31`, false).length > 0;
    packageYearCache.set(y, known);
  }
  return known;
}

let packageYearList: number[] | undefined;
/** The years chinese-days carries official schedules for (2004–2026 in 1.5.7), ascending. */
export function packageYears(): number[] {
  if (!packageYearList) {
    packageYearList = [];
    for (let y = 1990; y <= 2100; y++) if (packageKnowsYear(y)) packageYearList.push(y);
  }
  return [...packageYearList];
}

/** The year named by a CalendarUnknownYearError's message (as recorded in `deadline.not_computed` events). */
export function unknownYearIn(message: string): number | undefined {
  const m = /has no official data for (\d{4})/.exec(message);
  return m ? Number(m[1]) : undefined;
}

/** The Chinese name in a chinese-days holiday name ('National Day,国庆节,3' → 国庆节). */
function chineseName(packageName: string): string {
  const parts = packageName.split(',');
  return parts[1]?.trim() || packageName;
}

function pad4(y: number): string {
  return String(y).padStart(4, '0');
}

/** 国庆节 for a holiday, 国庆节调休上班 for its make-up working day, 周末 for a weekend with no name. */
function labelFor(working: boolean, weekend: boolean, holiday: string | undefined): string | undefined {
  if (holiday) return working ? (weekend ? `${holiday}调休上班` : undefined) : holiday;
  if (!working && weekend) return '周末';
  return undefined;
}

export class WorkCalendar implements WorkingDays {
  private readonly overrides = new Map<IsoDate, CalendarOverride>();
  private readonly declaredYears: ReadonlySet<number>;

  /**
   * @param overrides the admin's overrides (they beat the package data)
   * @param completeYears the years an admin has declared complete (calendar_years.complete)
   */
  constructor(overrides: CalendarOverride[] = [], completeYears: Iterable<number> = []) {
    this.declaredYears = new Set(completeYears);
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
    }
  }

  /**
   * THE known-year rule: the calendar may answer for year y when chinese-days carries that year's official schedule
   * (2004–2026), or when an admin has declared the year's schedule complete. An override alone does not make a year
   * known: a partly entered year would count its missing holidays as working days.
   */
  knowsYear(y: number): boolean {
    if (!Number.isInteger(y) || y < 1 || y > 9999) throw new RangeError(`Invalid year ${y}`);
    return this.declaredYears.has(y) || packageKnowsYear(y);
  }

  /** Where the knowledge of year y comes from: 'declared' wins over 'package'; undefined when unknown. */
  yearSource(y: number): 'declared' | 'package' | undefined {
    if (this.declaredYears.has(y)) return 'declared';
    return packageKnowsYear(y) ? 'package' : undefined;
  }

  /** Why d is or is not a working day. Throws CalendarUnknownYearError rather than guess Mon–Fri. */
  dayInfo(d: IsoDate): DayInfo {
    assertIsoDate(d);
    const wd = weekdayOf(d);
    const weekend = wd === 0 || wd === 6;
    const o = this.overrides.get(d);
    if (o) {
      const working = o.kind === 'workday';
      const label = labelFor(working, weekend, o.name ?? undefined);
      return { date: d, working, source: 'override', name: o.source, ...(label ? { label } : {}) };
    }
    const y = yearOf(d);
    if (!this.knowsYear(y)) throw new CalendarUnknownYearError(y);
    // Only the table lookup is taken from the package: its own weekday/date fields shift by a day when the
    // process time zone is west of UTC (it parses 'YYYY-MM-DD' as UTC midnight, then reads local fields).
    const detail = chineseDays.getDayDetail(d);
    if (!WEEKDAY_NAMES.has(detail.name)) {
      const label = labelFor(detail.work, weekend, chineseName(detail.name));
      return { date: d, working: detail.work, source: 'package', name: detail.name, ...(label ? { label } : {}) };
    }
    return { date: d, working: !weekend, source: 'weekday', ...(weekend ? { label: '周末' } : {}) };
  }

  isWorkingDay(d: IsoDate): boolean {
    return this.dayInfo(d).working;
  }

  /**
   * The n-th working day after start (start itself excluded), n ≥ 1. With `trace`, every day looked at after
   * start is pushed to it, in order (the deadline explanation reads the skipped and make-up days from it).
   */
  addWorkingDays(start: IsoDate, n: number, trace?: DayInfo[]): IsoDate {
    assertIsoDate(start);
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`Working-day count must be a whole number ≥ 1, got ${n}`);
    let d = start;
    let left = n;
    for (let guard = 0; left > 0; guard++) {
      if (guard > n * 7 + 366) throw new RangeError(`No ${n} working days found after ${start}: check the overrides`);
      d = addNaturalDays(d, 1);
      const info = this.dayInfo(d);
      trace?.push(info);
      if (info.working) left--;
    }
    return d;
  }

  /** d if it is a working day, else the next working day. With `trace`, every day looked at is pushed to it. */
  nextWorkingDayOnOrAfter(d: IsoDate, trace?: DayInfo[]): IsoDate {
    assertIsoDate(d);
    let cur = d;
    for (let guard = 0; ; guard++) {
      if (guard > 366) throw new RangeError(`No working day found on or after ${d}: check the overrides`);
      const info = this.dayInfo(cur);
      trace?.push(info);
      if (info.working) return cur;
      cur = addNaturalDays(cur, 1);
    }
  }
}
