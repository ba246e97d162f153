import { WorkCalendar } from '../domain/calendar';
import { calendarOverrides } from '../db/schema';
import type { Db } from '../db/client';

/** The working-day calendar with the admin's overrides from the database (they beat the package data). */
export async function loadCalendar(db: Db): Promise<WorkCalendar> {
  const rows = await db.select().from(calendarOverrides);
  return new WorkCalendar(rows.map((r) => ({ date: r.date, kind: r.kind, source: r.source })));
}
