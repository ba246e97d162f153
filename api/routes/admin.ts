import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { asc } from 'drizzle-orm';
import { calendarOverrides } from '../../db/schema';
import { isoDate } from '../../domain/petition';
import { WorkCalendar } from '../../domain/calendar';
import { shanghaiDateOf } from '../../domain/dates';
import type { ApiDeps } from '../context';

const override = z.object({
  date: isoDate,
  kind: z.enum(['workday', 'holiday']),
  source: z.string().min(2).max(200).describe('the document, e.g. 国办发明电〔2026〕N号'),
});

/** The working-day calendar's overrides: next year's State Council schedule is entered here when published. */
const routes: FastifyPluginAsyncZod<{ deps: ApiDeps }> = async (app, { deps }) => {
  const { db } = deps.database;
  app.get('/admin/calendar-overrides', { schema: { tags: ['admin'] } }, async (req) => {
    app.requirePermission(req, 'read');
    return { items: await db.select().from(calendarOverrides).orderBy(asc(calendarOverrides.date)) };
  });
  app.get(
    '/admin/calendar-years',
    {
      schema: {
        tags: ['admin'],
        summary: "Each year's calendar: from the package data, from overrides only, or unknown (limits into it are refused)",
        response: { 200: z.object({ items: z.array(z.object({ year: z.number().int(), package: z.boolean(), overrides: z.number().int(), known: z.boolean() })) }) },
      },
    },
    async (req) => {
      app.requirePermission(req, 'read');
      const rows = await db.select({ date: calendarOverrides.date }).from(calendarOverrides);
      const packageOnly = new WorkCalendar();
      const thisYear = Number(shanghaiDateOf(new Date()).slice(0, 4));
      const items = [thisYear - 1, thisYear, thisYear + 1].map((year) => {
        const overrides = rows.filter((r) => r.date.startsWith(`${year}-`)).length;
        const fromPackage = packageOnly.knowsYear(year);
        return { year, package: fromPackage, overrides, known: fromPackage || overrides > 0 };
      });
      return { items };
    },
  );
  app.post('/admin/calendar-overrides', { schema: { tags: ['admin'], body: z.object({ overrides: z.array(override).min(1).max(400) }) } }, async (req, reply) => {
    app.requirePermission(req, 'admin');
    const rows = req.body.overrides.map((o) => ({ ...o, createdBy: req.principal.id }));
    await db.transaction(async (tx) => {
      for (const r of rows) {
        await tx.insert(calendarOverrides).values(r).onConflictDoUpdate({ target: calendarOverrides.date, set: { kind: r.kind, source: r.source, createdBy: r.createdBy, createdAt: new Date() } });
      }
    });
    return reply.status(201).send({ saved: rows.length });
  });
};
export default routes;
