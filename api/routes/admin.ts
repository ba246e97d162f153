import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { asc } from 'drizzle-orm';
import { calendarOverrides } from '../../db/schema';
import { isoDate } from '../../domain/petition';
import type { ApiDeps } from '../context';


const override = z.object({
  date: isoDate,
  kind: z.enum(['workday', 'holiday']),
  source: z.string().min(2).max(200).describe('the document, e.g. 国办发明电〔2026〕N号'),
});

/** The working-day calendar's overrides: next year's State Council schedule is entered here when published. */
const routes: FastifyPluginAsyncZod<{ deps: ApiDeps }> = async (app, { deps }) => {
  const { db } = deps.database;
  app.get('/admin/calendar-overrides', { schema: { tags: ['admin'], summary: 'The working-day calendar’s single overrides', response: { 200: z.object({ items: z.array(z.object({ date: z.string(), kind: z.enum(['workday', 'holiday']), name: z.string().nullable(), source: z.string(), createdBy: z.string(), createdAt: z.date() })) }) } } }, async (req) => {
    app.requirePermission(req, 'read');
    return { items: await db.select().from(calendarOverrides).orderBy(asc(calendarOverrides.date)) };
  });
  app.post('/admin/calendar-overrides', { schema: { tags: ['admin'], body: z.object({ overrides: z.array(override).min(1).max(400) }), response: { 201: z.object({ saved: z.number().int().describe('days saved') }) } } }, async (req, reply) => {
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
