import { eq, sql } from 'drizzle-orm';
import { WorkCalendar, unknownYearIn } from '../domain/calendar';
import { calendarOverrides, calendarYears, escalations, petitions } from '../db/schema';
import type { Db } from '../db/client';
import { explainRequested, type Deadline, type DeadlineExplanation, type DeadlineRequest } from '../domain/deadline';

/**
 * The working-day calendar as the workflows' activities see it: the package data, the admin's overrides (they beat
 * the package data) and the years an admin has declared complete.
 */
export async function loadCalendar(db: Db): Promise<WorkCalendar> {
  const [rows, years] = await Promise.all([db.select().from(calendarOverrides), db.select().from(calendarYears)]);
  return new WorkCalendar(
    rows.map((r) => ({ date: r.date, kind: r.kind, source: r.source, name: r.name })),
    years.filter((y) => y.complete).map((y) => y.year),
  );
}

/**
 * Limits waiting for a year's schedule, by year: what the open matters' and open escalations' last snapshots hold as
 * uncomputed (each reason names the year, see domain/calendar.ts CalendarUnknownYearError). A limit that started, or
 * that the act it waited for settled, is no longer there.
 */
export async function waitingLimitsByYear(db: Db): Promise<Map<number, number>> {
  const [fromMatters, fromEscalations] = await Promise.all([
    db
      .select({ reason: sql<string | null>`u.value->>'reason'` })
      .from(sql`${petitions}, jsonb_array_elements(coalesce(${petitions.state}->'uncomputed', '[]'::jsonb)) as u`)
      .where(eq(petitions.open, true)),
    db
      .select({ reason: sql<string | null>`u.value->>'reason'` })
      .from(sql`${escalations}, jsonb_array_elements(coalesce(${escalations.state}->'uncomputed', '[]'::jsonb)) as u`)
      .where(eq(escalations.status, 'open')),
  ]);
  const counts = new Map<number, number>();
  for (const r of [...fromMatters, ...fromEscalations]) {
    const y = r.reason ? unknownYearIn(r.reason) : undefined;
    if (y !== undefined) counts.set(y, (counts.get(y) ?? 0) + 1);
  }
  return counts;
}

/**
 * A limit as the workflows get it (their computeDeadline activity returns computeRequested on this same calendar)
 * with the explanation of its counting (GET /api/deadlines/preview). Throws NoSuchLimitError,
 * CalendarUnknownYearError, RangeError.
 */
export async function computeLimit(db: Db, req: DeadlineRequest): Promise<{ deadline: Deadline; explanation: DeadlineExplanation }> {
  return explainRequested(req, await loadCalendar(db));
}
