import { describe, it, expect } from 'vitest';
import { WorkCalendar, CalendarUnknownYearError, packageYears } from '../../domain/calendar';
import { addNaturalDays, shanghaiDateOf, startOfShanghaiDay, endOfShanghaiDay } from '../../domain/dates';

const calendar = new WorkCalendar();

describe('working days from the official schedule (chinese-days)', () => {
  it('the 3rd working day after 2026-09-30 is 2026-10-10 (a Saturday make-up day)', () => {
    expect(calendar.addWorkingDays('2026-09-30', 3)).toBe('2026-10-10');
    expect(calendar.dayInfo('2026-10-10')).toMatchObject({ working: true, source: 'package' });
  });

  it('2026 National Day holiday 2026-10-01..10-07 is not worked; 2026-10-08 is', () => {
    for (let d = '2026-10-01'; d <= '2026-10-07'; d = addNaturalDays(d, 1)) {
      expect(calendar.isWorkingDay(d), d).toBe(false);
    }
    expect(calendar.isWorkingDay('2026-10-08')).toBe(true);
  });

  it('2026 Mid-Autumn holiday is 2026-09-25..09-27 (Friday to Sunday)', () => {
    expect(calendar.isWorkingDay('2026-09-24')).toBe(true);
    expect(calendar.isWorkingDay('2026-09-25')).toBe(false);
    expect(calendar.dayInfo('2026-09-25').name).toContain('中秋');
  });

  it('2026 make-up working days (国办发明电〔2025〕7号) are worked although they fall on weekends', () => {
    // 1-04 Sun, 2-14 Sat, 2-28 Sat, 5-09 Sat, 9-20 Sun, 10-10 Sat
    for (const d of ['2026-01-04', '2026-02-14', '2026-02-28', '2026-05-09', '2026-09-20', '2026-10-10']) {
      expect(calendar.isWorkingDay(d), d).toBe(true);
    }
    // The weekends next to them are not.
    for (const d of ['2026-09-19', '2026-10-11', '2026-02-15', '2026-05-10']) {
      expect(calendar.isWorkingDay(d), d).toBe(false);
    }
  });

  it('2026 Spring Festival 2026-02-15..02-23 is not worked', () => {
    for (let d = '2026-02-15'; d <= '2026-02-23'; d = addNaturalDays(d, 1)) {
      expect(calendar.isWorkingDay(d), d).toBe(false);
    }
    expect(calendar.isWorkingDay('2026-02-24')).toBe(true);
  });

  it('2025 National Day + Mid-Autumn 2025-10-01..10-08 off, 2025-09-28 (Sun) and 2025-10-11 (Sat) worked', () => {
    for (let d = '2025-10-01'; d <= '2025-10-08'; d = addNaturalDays(d, 1)) {
      expect(calendar.isWorkingDay(d), d).toBe(false);
    }
    expect(calendar.isWorkingDay('2025-09-28')).toBe(true);
    expect(calendar.isWorkingDay('2025-10-11')).toBe(true);
    expect(calendar.isWorkingDay('2025-10-09')).toBe(true);
  });

  it('2025 Spring Festival 2025-01-28..02-04 off, 2025-01-26 (Sun) and 2025-02-08 (Sat) worked', () => {
    for (let d = '2025-01-28'; d <= '2025-02-04'; d = addNaturalDays(d, 1)) {
      expect(calendar.isWorkingDay(d), d).toBe(false);
    }
    expect(calendar.isWorkingDay('2025-01-26')).toBe(true);
    expect(calendar.isWorkingDay('2025-02-08')).toBe(true);
    expect(calendar.isWorkingDay('2025-02-05')).toBe(true);
  });

  it('an ordinary weekend is not worked and an ordinary weekday is', () => {
    expect(calendar.dayInfo('2026-03-07')).toEqual({ date: '2026-03-07', working: false, source: 'weekday', label: '周末' });
    expect(calendar.dayInfo('2026-03-09')).toEqual({ date: '2026-03-09', working: true, source: 'weekday' });
  });

  it('the next working day on or after the National Day holiday is 2026-10-08', () => {
    expect(calendar.nextWorkingDayOnOrAfter('2026-10-01')).toBe('2026-10-08');
    expect(calendar.nextWorkingDayOnOrAfter('2026-10-08')).toBe('2026-10-08');
  });
});

describe('years without official data', () => {
  it('knows 2004–2026 from the package but not 2003 or 2027', () => {
    expect(calendar.knowsYear(2004)).toBe(true);
    expect(calendar.knowsYear(2026)).toBe(true);
    expect(calendar.knowsYear(2003)).toBe(false);
    expect(calendar.knowsYear(2027)).toBe(false);
  });

  it("refuses to guess whether 2027-03-01 is a working day", () => {
    expect(() => calendar.isWorkingDay('2027-03-01')).toThrow(CalendarUnknownYearError);
    try {
      calendar.isWorkingDay('2027-01-01');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(CalendarUnknownYearError);
      expect((e as CalendarUnknownYearError).year).toBe(2027);
      expect((e as Error).name).toBe('CalendarUnknownYearError');
      expect((e as Error).message).toMatch(/2027.*admin.*declare it complete/);
    }
  });

  it('counting working days across New Year 2027 refuses too', () => {
    expect(() => calendar.addWorkingDays('2026-12-30', 3)).toThrow(CalendarUnknownYearError);
  });

  it('does not answer for 2027 after its first overrides: only once an admin declares the schedule complete', () => {
    const overrides = [
      { date: '2027-01-01', kind: 'holiday' as const, source: 'test: 2027 schedule', name: '元旦' },
      { date: '2027-02-06', kind: 'workday' as const, source: 'test: 2027 schedule', name: '春节' },
    ];
    const partial = new WorkCalendar(overrides);
    expect(partial.knowsYear(2027)).toBe(false);
    expect(() => partial.isWorkingDay('2027-03-01')).toThrow(CalendarUnknownYearError);
    // An override itself still answers for its own day.
    expect(partial.isWorkingDay('2027-01-01')).toBe(false);

    const cal = new WorkCalendar(overrides, [2027]);
    expect(cal.knowsYear(2027)).toBe(true);
    expect(cal.yearSource(2027)).toBe('declared');
    expect(cal.isWorkingDay('2027-03-01')).toBe(true); // Monday
    expect(cal.isWorkingDay('2027-01-01')).toBe(false);
    expect(cal.dayInfo('2027-02-06')).toEqual({ date: '2027-02-06', working: true, source: 'override', name: 'test: 2027 schedule', label: '春节调休上班' });
    expect(cal.dayInfo('2027-01-01')).toMatchObject({ working: false, label: '元旦' });
    expect(cal.addWorkingDays('2026-12-31', 1)).toBe('2027-01-04');
  });

  it('2004–2026 stay known from the package whatever the admin has declared, and 2026 has its names', () => {
    const cal = new WorkCalendar([], [2027]);
    expect(packageYears()).toEqual(Array.from({ length: 23 }, (_, i) => 2004 + i));
    for (const y of packageYears()) expect(cal.yearSource(y)).toBe('package');
    expect(cal.yearSource(2028)).toBeUndefined();
    expect(cal.dayInfo('2026-10-01')).toMatchObject({ working: false, source: 'package', label: '国庆节' });
    expect(cal.dayInfo('2026-10-10')).toMatchObject({ working: true, source: 'package', label: '国庆节调休上班' });
    expect(cal.dayInfo('2026-10-08')).toEqual({ date: '2026-10-08', working: true, source: 'weekday' });
  });

  it('an override beats the package: with 2026-10-09 a holiday the 3rd working day after 2026-09-30 is 2026-10-12', () => {
    const cal = new WorkCalendar([{ date: '2026-10-09', kind: 'holiday', source: 'test: made-up notice' }]);
    expect(cal.isWorkingDay('2026-10-09')).toBe(false);
    expect(cal.addWorkingDays('2026-09-30', 3)).toBe('2026-10-12');
    const cal2 = new WorkCalendar([{ date: '2026-10-07', kind: 'workday', source: 'test: made-up notice' }]);
    expect(cal2.addWorkingDays('2026-09-30', 1)).toBe('2026-10-07');
  });

  it('rejects contradictory overrides for one date', () => {
    expect(
      () =>
        new WorkCalendar([
          { date: '2026-10-09', kind: 'holiday', source: 'a' },
          { date: '2026-10-09', kind: 'workday', source: 'b' },
        ]),
    ).toThrow(RangeError);
  });
});

describe('date strings', () => {
  it('rejects anything but a real YYYY-MM-DD date', () => {
    for (const bad of ['2026-9-30', '2026-02-30', '2026-13-01', '2026/09/30', '2026-09-30T00:00:00Z', '', '20260930']) {
      expect(() => calendar.isWorkingDay(bad), bad).toThrow(RangeError);
    }
    expect(() => calendar.addWorkingDays('2026-09-30', 0)).toThrow(RangeError);
    expect(() => new WorkCalendar([{ date: '2027-02-29', kind: 'holiday', source: 'x' }])).toThrow(RangeError);
  });

  it('adds natural days across month, year and leap-day boundaries', () => {
    expect(addNaturalDays('2026-09-25', 60)).toBe('2026-11-24');
    expect(addNaturalDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addNaturalDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addNaturalDays('2026-03-01', -1)).toBe('2026-02-28');
  });

  it('the Shanghai date of an instant is the UTC date shifted by 8 hours', () => {
    expect(shanghaiDateOf('2026-09-30T15:59:59.999Z')).toBe('2026-09-30');
    expect(shanghaiDateOf('2026-09-30T16:00:00.000Z')).toBe('2026-10-01');
    expect(shanghaiDateOf(new Date(Date.UTC(2026, 11, 31, 16)))).toBe('2027-01-01');
    expect(shanghaiDateOf('2026-10-01T00:30:00+08:00')).toBe('2026-10-01');
    // Without an offset the instant would depend on the host's time zone.
    expect(() => shanghaiDateOf('2026-10-01T00:30:00')).toThrow(RangeError);
  });

  it('a Shanghai day runs from 16:00Z the day before to 16:00Z', () => {
    expect(startOfShanghaiDay('2026-11-24')).toBe('2026-11-23T16:00:00.000Z');
    expect(endOfShanghaiDay('2026-11-24')).toBe('2026-11-24T16:00:00.000Z');
  });
});
