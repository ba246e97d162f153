import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { and, eq, inArray, isNull, notInArray, type SQL } from 'drizzle-orm';
import { deadlines, petitions, tasks } from '../../db/schema';
import { CalendarUnknownYearError, type WorkCalendar } from '../../domain/calendar';
import { addNaturalDays, naturalDaysBetween, shanghaiDateOf } from '../../domain/dates';
import type { DeadlinePolicy } from '../../domain/rules';
import { loadCalendar } from '../../read-model/calendar';
import { unitRoles } from '../../domain/access';
import { ascKey, cursorOf, decodeCursor, descKey, divisionScope, pageRows, type Sort } from '../paging';
import type { ApiDeps } from '../context';
import { formatQuery, jsonOrTable, sendTable, type Column } from '../export';

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

/** Overdue first, then by deadline (none last); case, source and kind (the key) make it total, so that a cursor is exact. */
const sort: Sort = { name: 'tasks', keys: [descKey(tasks.overdue, 'bool'), ascKey(tasks.dueAt, 'time'), ascKey(tasks.caseNo, 'text'), ascKey(tasks.source, 'text'), ascKey(tasks.kind, 'text')] };
const cursorFields = ['overdue', 'dueAt', 'caseNo', 'source', 'kind'];

/**
 * GET /api/tasks: what the signed-in user must do next across matters, overdue first, then by deadline. Each user's
 * filter is one of the tasks_*_due_idx indexes' prefixes (db/schema/petitions.ts), so the list reads its rows and stops.
 */
const routes: FastifyPluginAsyncZod<{ deps: ApiDeps }> = async (app, { deps }) => {
  const { db } = deps.database;
  app.get(
    '/tasks',
    {
      schema: {
        tags: ['tasks'],
        summary: 'Your work list across matters: overdue first, then least time left',
        description: 'nextCursor (null at the end) gives the rest: ?cursor=<nextCursor>.',
        querystring: z.object({
          limit: z.coerce.number().int().min(1).max(500).default(100),
          cursor: z.string().max(1000).optional().describe('the nextCursor of the previous response: the tasks after it'),
          format: formatQuery.describe('json (default), or the list as a csv or xlsx file'),
        }),
        response: { 200: jsonOrTable(z.object({ items: z.array(taskItem), nextCursor: z.string().nullable() })) },
      },
    },
    async (req, reply) => {
      app.requirePermission(req, 'read');
      const p = req.principal;
      const where: SQL[] = [];
      let scopes: SQL[] | undefined;
      if (p.role === 'admin') {
        // everything
      } else if (unitRoles.includes(p.role)) {
        where.push(eq(tasks.unitId, p.unitId ?? '-'));
        // The head sees the unit's whole list (one piece per role, each in index order); a handler all but the
        // leader's own meetings.
        if (p.role === 'unit_handler') where.push(eq(tasks.assigneeRole, 'unit_handler'));
        else scopes = [...unitRoles.map((r) => eq(tasks.assigneeRole, r)), notInArray(tasks.assigneeRole, [...unitRoles])];
      } else {
        // Bureau users: their role's tasks not bound to a unit, in their divisions.
        where.push(isNull(tasks.unitId), eq(tasks.assigneeRole, p.role));
        const d = divisionScope(tasks.divisionCode, app.divisionsUnder(p.divisionCode ?? '-'), app.allDivisions());
        if (d.where) where.push(d.where);
        scopes = d.scopes;
      }
      const limit = req.query.limit;
      const page = await pageRows<typeof tasks.$inferSelect>({
        query: (w) => db.select().from(tasks).where(w),
        where: and(...where),
        scopes,
        sort,
        after: req.query.cursor ? decodeCursor(sort, req.query.cursor) : undefined,
        offset: 0,
        limit: limit + 1,
      });
      const taskRows = page.slice(0, limit);
      // The matters' status and summary, for this page only.
      const pageCases = [...new Set(taskRows.map((t) => t.caseNo))];
      const matters = pageCases.length
        ? await db.select({ caseNo: petitions.caseNo, status: petitions.status, summary: petitions.summary, receivedAt: petitions.receivedAt }).from(petitions).where(inArray(petitions.caseNo, pageCases))
        : [];
      const byCase = new Map(matters.map((m) => [m.caseNo, m]));
      const rows = taskRows.map((t) => {
        const m = byCase.get(t.caseNo);
        return { task: { ...t, dueAt: t.dueAt ? new Date(t.dueAt) : null }, status: m?.status ?? null, summary: m?.summary ?? null, receivedAt: m?.receivedAt ?? null };
      });
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
      const body = {
        nextCursor: page.length > limit ? cursorOf(sort, taskRows[taskRows.length - 1]!, cursorFields) : null,
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
      if (req.query.format !== 'json') return sendTable(reply, req.query.format, 'tasks', taskColumns, body.items);
      return body;
    },
  );
};

type TaskRow = { caseNo: string; kind: string; detail: string | null; assigneeRole: string; unitId: string | null; dueAt: string | null; overdue: boolean; status: string | null; limit: { label: string; basis: string } | null; timeLeft: { days: number; counting: string } | null };
const taskColumns: Column<TaskRow>[] = [
  { header: '信访件编号', value: (t) => t.caseNo },
  { header: '事项', value: (t) => t.detail ?? t.kind },
  { header: '承办角色', value: (t) => t.assigneeRole },
  { header: '承办单位', value: (t) => t.unitId },
  { header: '状态', value: (t) => t.status },
  { header: '期限', value: (t) => t.limit?.label },
  { header: '依据', value: (t) => t.limit?.basis },
  { header: '到期', value: (t) => t.dueAt },
  { header: '剩余', value: (t) => (t.timeLeft ? `${t.timeLeft.days}${t.timeLeft.counting === 'working' ? '个工作日' : '日'}` : null) },
  { header: '超期', value: (t) => (t.overdue ? '是' : '否') },
];
export default routes;
