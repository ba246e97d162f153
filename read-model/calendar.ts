import { and, eq, exists, gt, notExists, or, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import { WorkCalendar, unknownYearIn } from '../domain/calendar';
import { calendarOverrides, calendarYears, events, escalations, petitions } from '../db/schema';
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
 * Limits waiting for a year's schedule, by year: each `deadline.not_computed` event (its reason names the year, see
 * domain/calendar.ts CalendarUnknownYearError) with no later `deadline.started` of the same limit (the same `id`,
 * or the same `key` for events without an id) in the same stream, whose matter or escalation is still open.
 */
export async function waitingLimitsByYear(db: Db): Promise<Map<number, number>> {
  const later = alias(events, 'later');
  const rows = await db
    .select({ reason: sql<string | null>`${events.data}->>'reason'` })
    .from(events)
    .where(
      and(
        eq(events.type, 'deadline.not_computed'),
        notExists(
          db
            .select({ one: sql`1` })
            .from(later)
            .where(
              and(
                eq(later.stream, events.stream),
                gt(later.seq, events.seq),
                eq(later.type, 'deadline.started'),
                sql`case when ${events.data}->>'id' is not null then ${later.data}->>'id' = ${events.data}->>'id'
                         else ${later.data}->>'key' = ${events.data}->>'key' end`,
              ),
            ),
        ),
        or(
          exists(db.select({ one: sql`1` }).from(escalations).where(and(eq(escalations.id, events.stream), eq(escalations.status, 'open')))),
          exists(db.select({ one: sql`1` }).from(petitions).where(and(eq(petitions.workflowId, events.stream), eq(petitions.open, true)))),
        ),
      ),
    );
  const counts = new Map<number, number>();
  for (const r of rows) {
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
