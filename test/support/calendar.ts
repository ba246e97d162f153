// Tests on the real clock reach into the next year from early December on (a 30-day review window, a 60-day reply):
// chinese-days carries no year until the State Council has published its schedule, and the service refuses to guess
// one (domain/calendar.ts knowsYear). Those tests declare the years they reach, as an operator must, with a schedule
// marked as a test's own.
import { packageYears } from '../../domain/calendar';
import { shanghaiDateOf } from '../../domain/dates';

/** The years from today (Asia/Shanghai) to `days` days ahead that chinese-days does not carry. */
export function yearsUnknownWithin(days: number, now = new Date()): number[] {
  const from = Number(shanghaiDateOf(now).slice(0, 4));
  const to = Number(shanghaiDateOf(new Date(now.getTime() + days * 86_400_000)).slice(0, 4));
  const known = new Set(packageYears());
  return Array.from({ length: to - from + 1 }, (_, i) => from + i).filter((y) => !known.has(y));
}

/** A year's schedule for POST /api/admin/calendar/years/:year: New Year's Day only, named as a test's. */
export const testYearSchedule = (year: number) => ({
  sourceDocument: `测试用${year}年节假日安排（非国务院办公厅通知）`,
  holidays: [{ name: '元旦', from: `${year}-01-01`, to: `${year}-01-01` }],
  workdays: [],
});

/**
 * Declares, as the admin, every year a course of `days` days from today reaches that the package does not carry.
 * `post` sends the admin's POST and answers its status code.
 */
export async function declareYearsReached(post: (path: string, body: unknown) => Promise<number>, days = 150): Promise<number[]> {
  const years = yearsUnknownWithin(days);
  for (const y of years) {
    const status = await post(`/api/admin/calendar/years/${y}`, testYearSchedule(y));
    if (status !== 201 && status !== 200) throw new Error(`declaring ${y}: ${status}`);
  }
  return years;
}
