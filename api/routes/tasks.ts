import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { and, desc, eq, isNull, sql, type SQL } from 'drizzle-orm';
import { tasks } from '../../db/schema';
import { jurisdictionWhere } from '../repositories/matters';
import type { ApiDeps } from '../context';

/** GET /api/tasks: what the signed-in user must do next across matters, overdue first, then by deadline. */
const routes: FastifyPluginAsyncZod<{ deps: ApiDeps }> = async (app, { deps }) => {
  const { db } = deps.database;
  app.get(
    '/tasks',
    { schema: { tags: ['tasks'], summary: 'Your work list across matters', querystring: z.object({ limit: z.coerce.number().int().min(1).max(500).default(100) }) } },
    async (req) => {
      app.requirePermission(req, 'read');
      const p = req.principal;
      const where: SQL[] = [];
      const scope = jurisdictionWhere(app, p, tasks);
      if (scope) where.push(scope);
      // The head sees the unit's whole list; a handler all but the leader's own meetings; bureau users their role's.
      if (p.role === 'unit_handler') where.push(eq(tasks.assigneeRole, 'unit_handler'));
      else if (p.role !== 'admin' && p.role !== 'unit_head') where.push(isNull(tasks.unitId), eq(tasks.assigneeRole, p.role));
      const rows = await db
        .select()
        .from(tasks)
        .where(where.length ? and(...where) : undefined)
        .orderBy(desc(tasks.overdue), sql`${tasks.dueAt} asc nulls last`)
        .limit(req.query.limit);
      return { items: rows.map((t) => ({ ...t, dueAt: t.dueAt?.toISOString() ?? null })) };
    },
  );
};
export default routes;
