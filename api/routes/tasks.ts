import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { and, desc, eq, inArray, isNull, sql, type SQL } from 'drizzle-orm';
import { deadlines, petitions, tasks } from '../../db/schema';
import { CalendarUnknownYearError, type WorkCalendar } from '../../domain/calendar';
import { addNaturalDays, naturalDaysBetween, shanghaiDateOf } from '../../domain/dates';
import type { DeadlinePolicy } from '../../domain/rules';
import { loadCalendar } from '../../read-model/calendar';
import { jurisdictionWhere } from '../repositories/matters';
import type { ApiDeps } from '../context';

const taskItem = z.object({
  caseNo: z.string(),
  kind: z.string(),
  assigneeRole: z.string(),
  unitId: z.string().nullable(),
  divisionCode: z.string(),
  dueAt: z.string().nullable(),
  overdue: z.boolean(),
  detail: z.string().nullable(),
  status: z.string().nullable(),
  summary: z.string().nullable(),
  receivedAt: z.string().nullable(),
  limit: z
    .object({
      key: z.string(),
      label: z.string(),
      basis: z.string(),
      days: z.number(),
      counting: z.enum(['natural', 'working']),
      dueDate: z.string(),
    })
    .nullable()
    .describe('the limit the task runs against, with its legal basis'),
  timeLeft: z
    .object({ days: z.number().int(), counting: z.enum(['natural', 'working']) })
    .nullable()
    .describe('days from today (Asia/Shanghai) to the due date, counted as the limit counts them; negative when overdue; null when unknown (calendar year not entered)'),
});

/** Working days in (from, to] — or minus the working days in (to, from] when to is earlier. */
function workingDaysBetween(calendar: WorkCalendar, from: string, to: string): number {
  const sign = to >= from ? 1 : -1;
  let n = 0;
  for (let d = from; d !== to; ) {
    d = addNaturalDays(d, sign);
    if (calendar.isWorkingDay(d)) n += sign;
  }
  return n;
}

/** GET /api/tasks: what the signed-in user must do next across matters, overdue first, then by deadline. */
const routes: FastifyPluginAsyncZod<{ deps: ApiDeps }> = async (app, { deps }) => {
  const { db } = deps.database;
  app.get(
    '/tasks',
    {
      schema: {
        tags: ['tasks'],
        summary: 'Your work list across matters: overdue first, then least time left',
        querystring: z.object({ limit: z.coerce.number().int().min(1).max(500).default(100) }),
        response: { 200: z.object({ items: z.array(taskItem) }) },
      },
    },
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
        .select({ task: tasks, status: petitions.status, summary: petitions.summary, receivedAt: petitions.receivedAt })
        .from(tasks)
        .leftJoin(petitions, eq(petitions.caseNo, tasks.caseNo))
        .where(where.length ? and(...where) : undefined)
        .orderBy(desc(tasks.overdue), sql`${tasks.dueAt} asc nulls last`)
        .limit(req.query.limit);
      // The limit each task runs against: the matter's open deadline with the task's due instant.
      const caseNos = [...new Set(rows.filter((r) => r.task.dueAt).map((r) => r.task.caseNo))];
      const open = caseNos.length
        ? await db
            .select()
            .from(deadlines)
            .where(and(inArray(deadlines.caseNo, caseNos), inArray(deadlines.status, ['pending', 'missed', 'paused'])))
        : [];
      const calendar = await loadCalendar(db);
      const today = shanghaiDateOf(new Date());
      return {
        items: rows.map(({ task: t, status, summary, receivedAt }) => {
          const d = t.dueAt ? open.find((x) => x.caseNo === t.caseNo && x.dueAt.getTime() === t.dueAt!.getTime()) : undefined;
          const policy = d?.policy as DeadlinePolicy | undefined;
          let timeLeft: { days: number; counting: 'natural' | 'working' } | null = null;
          if (d && policy) {
            try {
              timeLeft = {
                counting: policy.counting,
                days: policy.counting === 'working' ? workingDaysBetween(calendar, today, d.dueDate) : naturalDaysBetween(today, d.dueDate),
              };
            } catch (err) {
              if (!(err instanceof CalendarUnknownYearError)) throw err;
            }
          } else if (t.dueAt) {
            timeLeft = { counting: 'natural', days: naturalDaysBetween(today, shanghaiDateOf(t.dueAt)) };
          }
          return {
            ...t,
            dueAt: t.dueAt?.toISOString() ?? null,
            status,
            summary: summary && summary.length > 80 ? `${summary.slice(0, 80)}…` : summary,
            receivedAt: receivedAt?.toISOString() ?? null,
            limit: d && policy ? { key: d.key, label: policy.label, basis: policy.basis, days: policy.days, counting: policy.counting, dueDate: d.dueDate } : null,
            timeLeft,
          };
        }),
      };
    },
  );
};
export default routes;
