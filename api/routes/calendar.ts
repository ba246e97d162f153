import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { and, asc, eq, gte, lte, sql } from 'drizzle-orm';
import { auditLog, calendarOverrides, calendarYears, petitions } from '../../db/schema';
import { calendarKnownSignal } from '../../workflows/messages';
import { addNaturalDays, naturalDaysBetween } from '../../domain/dates';
import { packageYears } from '../../domain/calendar';
import { isoDate, SANE_YEARS } from '../../domain/petition';
import { loadCalendar, waitingLimitsByYear } from '../../read-model/calendar';
import { ServiceError } from '../../services/errors';
import { temporalCall, TemporalTimeout } from '../../services/temporal-calls';
import type { ApiDeps } from '../context';


const calendarStatus = z.object({
  years: z.array(
    z.object({
      year: z.number().int(),
      complete: z.boolean(),
      knownFrom: z.string().nullable().describe('where the year is known from: the package, or an import'),
      sourceDocument: z.string().nullable(),
      declaredBy: z.string().nullable(),
      declaredAt: z.string().nullable(),
      overrides: z.number().int(),
      waitingLimits: z.number().int().describe('limits of open matters waiting for this year'),
    }),
  ),
});
const name = z.string().trim().min(1).max(40);
const yearParams = z.object({ year: z.coerce.number().int().min(SANE_YEARS.from).max(SANE_YEARS.to) });
const schedule = z.object({
  sourceDocument: z.string().trim().min(2).max(200).describe('the State Council notice, e.g. 国办发明电〔2026〕N号'),
  holidays: z
    .array(z.object({ name: name.describe('e.g. 春节'), from: isoDate, to: isoDate }))
    .min(1)
    .max(20)
    .describe('each holiday as a range of days off, weekends inside it included'),
  workdays: z
    .array(z.object({ date: isoDate, name: name.describe('the holiday it makes up for, e.g. 春节') }))
    .max(20)
    .default([])
    .describe('make-up working days (调休上班), usually Saturdays or Sundays'),
  complete: z.boolean().default(true).describe('false saves the schedule without declaring the year known'),
});

/**
 * The working-day calendar's years: an admin imports a year's State Council schedule in one request and declares
 * it complete; only then does the year count as known (domain/calendar.ts WorkCalendar.knowsYear).
 */
const routes: FastifyPluginAsyncZod<{ deps: ApiDeps }> = async (app, { deps }) => {
  const { db } = deps.database;

  app.post(
    '/admin/calendar/years/:year',
    {
      schema: {
        tags: ['admin'],
        summary: "Import a whole year's holiday schedule (holidays and make-up working days) and declare it complete",
        params: yearParams,
        body: schedule,
        response: {
          201: z
            .object({
              year: z.number().int(),
              complete: z.boolean(),
              woken: z.number().int().describe('open matters told that their waiting limits can now start'),
              sourceDocument: z.string(),
              holidayDays: z.number().int(),
              workdays: z.number().int(),
              declaredBy: z.string(),
              declaredAt: z.string(),
            })
            .describe('saved'),
        },
      },
    },
    async (req, reply) => {
      app.requirePermission(req, 'admin');
      const { year } = req.params;
      const { sourceDocument, holidays, workdays, complete } = req.body;
      const inYear = (d: string) => d.startsWith(`${year}-`);
      const fields: Record<string, string> = {};
      const days = new Map<string, { kind: 'holiday' | 'workday'; name: string }>();
      holidays.forEach((h, i) => {
        if (h.to < h.from) fields[`holidays.${i}`] = `ends (${h.to}) before it starts (${h.from})`;
        else if (naturalDaysBetween(h.from, h.to) > 14) fields[`holidays.${i}`] = 'a holiday of more than 15 days';
        else if (!inYear(h.from) || !inYear(h.to)) fields[`holidays.${i}`] = `not within ${year}: enter days of another year in that year's schedule`;
        else
          for (let d = h.from; d <= h.to; d = addNaturalDays(d, 1)) {
            if (days.has(d)) fields[`holidays.${i}`] = `${d} is listed twice`;
            days.set(d, { kind: 'holiday', name: h.name });
          }
      });
      workdays.forEach((w, i) => {
        if (!inYear(w.date)) fields[`workdays.${i}`] = `not within ${year}`;
        else if (days.has(w.date)) fields[`workdays.${i}`] = `${w.date} is also listed as a ${days.get(w.date)!.kind}`;
        else days.set(w.date, { kind: 'workday', name: w.name });
      });
      if (Object.keys(fields).length) throw new ServiceError(400, 'InvalidInput', `invalid schedule for ${year}: ${Object.keys(fields).join(', ')}`, fields);

      const now = new Date();
      const by = req.principal.id;
      await db.transaction(async (tx) => {
        // The import replaces whatever the year had: one document, one schedule.
        await tx.delete(calendarOverrides).where(and(gte(calendarOverrides.date, `${year}-01-01`), lte(calendarOverrides.date, `${year}-12-31`)));
        const rows = [...days].map(([date, d]) => ({ date, kind: d.kind, name: d.name, source: sourceDocument, createdBy: by, createdAt: now }));
        if (rows.length) await tx.insert(calendarOverrides).values(rows);
        await tx
          .insert(calendarYears)
          .values({ year, complete, sourceDocument, declaredBy: by, declaredAt: now })
          .onConflictDoUpdate({ target: calendarYears.year, set: { complete, sourceDocument, declaredBy: by, declaredAt: now } });
        await tx.insert(auditLog).values({
          userId: by,
          action: complete ? 'calendar.year_declared' : 'calendar.year_imported',
          detail: { year, sourceDocument, holidays: holidays.length, holidayDays: rows.filter((r) => r.kind === 'holiday').length, workdays: workdays.length, ip: req.ip },
        });
      });
      // Matters whose limits wait for a calendar year are told at once (the daily retry catches any missed here).
      const woken = complete ? await wakeWaitingMatters(year) : 0;
      return reply.status(201).send({
        year,
        complete,
        woken,
        sourceDocument,
        holidayDays: [...days.values()].filter((d) => d.kind === 'holiday').length,
        workdays: workdays.length,
        declaredBy: by,
        declaredAt: now.toISOString(),
      });
    },
  );

  /** Signals every open matter with a limit waiting for the calendar; answers how many were told. */
  async function wakeWaitingMatters(year: number): Promise<number> {
    const waiting = await db
      .select({ workflowId: petitions.workflowId })
      .from(petitions)
      .where(and(eq(petitions.open, true), sql`jsonb_array_length(coalesce(${petitions.state}->'uncomputed', '[]'::jsonb)) > 0`));
    let told = 0;
    for (const { workflowId } of waiting) {
      try {
        await temporalCall(deps, `telling ${workflowId} the calendar`, () => deps.temporal.workflow.getHandle(workflowId).signal(calendarKnownSignal, { year }));
        told++;
      } catch (err) {
        // A matter that has just ended, or Temporal briefly away: its daily retry starts the limit.
        app.log.warn({ err, workflowId }, 'could not tell a matter its calendar year is known');
        // Temporal did not answer within the deadline: the others would wait as long; the daily retry tells them.
        if (err instanceof TemporalTimeout) break;
      }
    }
    return told;
  }

  app.get('/admin/calendar/status', { schema: { tags: ['admin'], summary: 'Which calendar years are complete, and how many limits wait on each year', response: { 200: calendarStatus } } }, async (req) => {
    app.requirePermission(req, 'read');
    const [declared, overrides, waiting, calendar] = await Promise.all([
      db.select().from(calendarYears).orderBy(asc(calendarYears.year)),
      db.select({ date: calendarOverrides.date }).from(calendarOverrides),
      waitingLimitsByYear(db),
      loadCalendar(db),
    ]);
    const overridesByYear = new Map<number, number>();
    for (const o of overrides) overridesByYear.set(Number(o.date.slice(0, 4)), (overridesByYear.get(Number(o.date.slice(0, 4))) ?? 0) + 1);
    const years = [...new Set([...packageYears(), ...declared.map((d) => d.year), ...overridesByYear.keys(), ...waiting.keys()])].sort((a, b) => a - b);
    const byYear = new Map(declared.map((d) => [d.year, d]));
    return {
      years: years.map((year) => {
        const d = byYear.get(year);
        return {
          year,
          complete: calendar.knowsYear(year),
          knownFrom: calendar.yearSource(year) ?? null,
          sourceDocument: d?.sourceDocument ?? null,
          declaredBy: d?.declaredBy ?? null,
          declaredAt: d?.declaredAt.toISOString() ?? null,
          overrides: overridesByYear.get(year) ?? 0,
          waitingLimits: waiting.get(year) ?? 0,
        };
      }),
    };
  });
};
export default routes;
