import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { and, asc, eq, inArray, sql, type SQL } from 'drizzle-orm';
import type { UpdateDefinition } from '@temporalio/client';
import { backlogCases, events } from '../../db/schema';
import * as B from '../../domain/backlog';
import { ImportRefused } from '../../domain/backlog';
import type { Permission } from '../../domain/access';
import { measureByKey } from '../../domain/measures';
import { computeFigure } from '../../read-model/measures';
import { backlogRef } from '../../read-model/backlog';
import { assignCentralBacklog, importBacklog } from '../../services/backlog';
import { ServiceError } from '../../services/errors';
import { maskBacklogRow, maskBacklogState, maskEventData } from '../../domain/masking';
import { executeCommand, idempotencyHeader, temporalCall } from '../../services/temporal-calls';
import type { Actor } from '../../workflows/messages';
import { isoDate, SANE_YEARS } from '../../domain/petition';
import * as W from '../../workflows/backlog';
import { formatQuery, jsonOrTable, sendTable, type Column } from '../export';
import { periodQuery, resolveScope } from '../scope';
import type { ApiDeps } from '../context';
import { jurisdictionWhere } from '../repositories/matters';
import { anyJson, errorResponses } from '../responses';
import { backlogDetail, backlogList, backlogProgress, backlogStateRead } from '../schemas';
import { answerWithPersonalData, personalDataQuery, wantsFullRecord } from '../personal-data';

type Row = typeof backlogCases.$inferSelect;

const columns: Column<Row>[] = [
  { header: 'id', value: (r) => r.id },
  { header: 'source', value: (r) => r.source },
  { header: 'assigningLevel', value: (r) => r.assigningLevel },
  { header: 'assigningBody', value: (r) => r.assigningBody },
  { header: 'assignedOn', value: (r) => r.assignedOn },
  { header: 'divisionCode', value: (r) => r.divisionCode },
  { header: 'unitId', value: (r) => r.unitId },
  { header: 'area', value: (r) => r.areaName },
  { header: '包案领导 leader', value: (r) => r.leaderName },
  { header: 'leaderMissing', value: (r) => r.leaderMissing },
  { header: 'targetDate', value: (r) => r.targetDate },
  { header: 'status', value: (r) => r.status },
  { header: 'closureCategory', value: (r) => r.closureCategory },
  { header: 'closedOn', value: (r) => r.closedOn },
  { header: 'reopenCount', value: (r) => r.reopenCount },
];

const idParams = z.object({ id: z.string().min(3).max(120) });

/** A backlog command: its route, body, permission and the workflow Update it runs (typed by its argument). */
interface CommandSpec<B extends object> {
  path: string;
  summary: string;
  body: z.ZodType<B>;
  permission: Permission;
  update: UpdateDefinition<W.BacklogState, [B & { actor: Actor }]>;
}
/** Every backlog command, each given to `register` with its own argument type (the schema must fit the Update). */
function eachCommand(register: <B extends object>(spec: CommandSpec<B>) => void): void {
  register({ path: 'plan', summary: '包案 leader, 专班, target date, 三跨三分离 flags, check-in interval', body: B.planSchema, permission: 'backlogManage', update: W.planUpdate });
  register({ path: 'dossier', summary: '一案一档: add a document or a meeting to the dossier', body: B.dossierEntrySchema, permission: 'backlogCheckIn', update: W.dossierUpdate });
  register({ path: 'check-ins', summary: 'The 包案 leader’s periodic check-in', body: B.checkInSchema, permission: 'backlogCheckIn', update: W.checkInUpdate });
  register({ path: 'supervisions', summary: '疑难案件实地督查: 三见 and recommendations', body: B.supervisionSchema, permission: 'backlogManage', update: W.supervisionUpdate });
  register({ path: 'recommendations/resolve', summary: 'Close an on-site supervision recommendation with its outcome', body: B.resolveRecommendationSchema, permission: 'backlogCheckIn', update: W.resolveRecommendationUpdate });
  register({ path: 'close', summary: 'Close under 三到位一处理 (category, evidence; the bureau confirms)', body: B.closureSchema, permission: 'backlogManage', update: W.closeBacklogUpdate });
}

/** The backlog register (化积案): import, central assignment, list with progress against targets, and the case's commands. */
const routes: FastifyPluginAsyncZod<{ deps: ApiDeps }> = async (app, { deps }) => {
  const { db } = deps.database;
  const backlogDeps = () => ({ db, temporal: deps.temporal, taskQueue: deps.config.TEMPORAL_TASK_QUEUE, checkInDays: deps.config.BACKLOG_CHECK_IN_DAYS, config: deps.config });

  app.addContentTypeParser('text/csv', { parseAs: 'string', bodyLimit: 5 * 1024 * 1024 }, (_req, body, done) => done(null, body));

  app.post(
    '/admin/backlog/import',
    {
      schema: {
        tags: ['backlog'],
        summary: 'Import historic backlog from a CSV shaped like the 2018 leader-area table (text/csv); validated whole, idempotent',
        querystring: z.object({ year: z.coerce.number().int().min(SANE_YEARS.from).max(SANE_YEARS.to), assignedOn: isoDate.optional(), fileName: z.string().max(200).optional() }),
        response: {
          200: anyJson('this file was imported before: nothing new'),
          201: anyJson('imported: the cases and their workflows'),
          ...errorResponses(422),
        },
      },
    },
    async (req, reply) => {
      app.requirePermission(req, 'admin');
      if (typeof req.body !== 'string') throw new ServiceError(415, 'UnsupportedMediaType', 'send the CSV as text/csv');
      try {
        const result = await importBacklog(backlogDeps(), req.body, { year: req.query.year, assignedOn: req.query.assignedOn, importedBy: req.principal.id, fileName: req.query.fileName });
        return reply.status(result.imported ? 201 : 200).send(result);
      } catch (err) {
        if (err instanceof ImportRefused) return reply.status(422).send({ statusCode: 422, error: 'ImportRefused', message: `the file was refused whole; nothing was imported (${err.errors.length} bad line(s))`, errors: err.errors });
        throw err;
      }
    },
  );

  app.post(
    '/backlog',
    { schema: { tags: ['backlog'], summary: 'Central assignment (上级交办) of a backlog case by level, with the assigning body and date', body: B.centralAssignmentSchema, headers: z.object({ 'idempotency-key': z.string().min(8).max(200) }), response: { 201: z.object({ id: z.string(), workflowId: z.string() }).describe('assigned: the backlog case and its workflow'), ...errorResponses(404) } } },
    async (req, reply) => {
      app.requirePermission(req, 'backlogManage');
      app.requireJurisdiction(req, { divisionCode: req.body.divisionCode });
      const r = await assignCentralBacklog(backlogDeps(), req.body, `${req.principal.id}:${req.headers['idempotency-key']}`);
      return reply.status(201).send(r);
    },
  );

  app.get(
    '/backlog',
    {
      schema: {
        tags: ['backlog'],
        summary: 'The backlog register in your jurisdiction',
        querystring: z.object({
          status: z.enum(['open', 'closed']).optional(),
          level: z.enum(B.assigningLevels).optional(),
          source: z.enum(['new_backlog', 'central_assignment', 'import']).optional(),
          leader: z.string().max(100).optional(),
          limit: z.coerce.number().int().min(1).max(1000).default(100),
          offset: z.coerce.number().int().min(0).default(0),
          format: formatQuery,
        }),
        response: { 200: jsonOrTable(backlogList) },
      },
    },
    async (req, reply) => {
      app.requirePermission(req, 'read');
      const q = req.query;
      const where = [jurisdictionWhere(app, req.principal, backlogCases)];
      if (q.status) where.push(eq(backlogCases.status, q.status));
      if (q.level) where.push(eq(backlogCases.assigningLevel, q.level));
      if (q.source) where.push(eq(backlogCases.source, q.source));
      if (q.leader) where.push(eq(backlogCases.leaderName, q.leader));
      const cond = and(...where.filter((w): w is SQL => !!w));
      const [{ n }] = (await db.select({ n: sql<number>`count(*)::int` }).from(backlogCases).where(cond)) as [{ n: number }];
      const rows = await db.select().from(backlogCases).where(cond).orderBy(asc(backlogCases.id)).limit(q.limit).offset(q.offset);
      if (q.format !== 'json') return sendTable(reply, q.format, 'backlog', columns, rows);
      // The assignment's reason is free text (it may name the petitioner): withheld as lists withhold free text; the
      // case's full record (GET /backlog/:id?personalData=full, audited) has it.
      return { total: Number(n), items: rows.map(({ state: _s, ...r }) => maskBacklogRow(r)) };
    },
  );

  app.get(
    '/backlog-progress',
    { schema: { tags: ['backlog'], summary: 'Resolution by assigning level against the targets, and per 包案 leader', querystring: periodQuery.extend({ format: formatQuery }), response: { 200: jsonOrTable(backlogProgress), ...errorResponses(404) } } },
    async (req, reply) => {
      app.requirePermission(req, 'readMeasures');
      const scope = resolveScope(app, req, req.query);
      const params = { ...scope, leaderReviewChannels: deps.config.LEADER_REVIEW_CHANNELS };
      const levels = [];
      for (const level of ['national', 'province', 'city'] as const) {
        const def = measureByKey(`backlog_resolution_${level}`)!;
        const f = await computeFigure(db, def, params);
        const target = def.target?.kind === 'atLeast' ? def.target.value : null;
        levels.push({ level, assigned: f.denominator, closed: f.numerator, rate: f.value, target, status: f.value === null ? ('no_data' as const) : target !== null && f.value >= target ? ('met' as const) : ('not_met' as const) });
      }
      const byLeader = (await db
        .select({ leader: backlogCases.leaderName, assigned: sql<number>`count(*)::int`, closed: sql<number>`count(*) filter (where ${backlogCases.status} = 'closed')::int`, reopened: sql<number>`coalesce(sum(${backlogCases.reopenCount}), 0)::int` })
        .from(backlogCases)
        .where(and(inArray(backlogCases.divisionCode, scope.divisions), sql`${backlogCases.assignedOn} <= ${scope.to}::date`))
        .groupBy(backlogCases.leaderName)
        .orderBy(asc(backlogCases.leaderName))) as { leader: string | null; assigned: number; closed: number; reopened: number }[];
      if (req.query.format !== 'json')
        return sendTable(reply, req.query.format, `backlog-progress-${scope.divisionCode}-${scope.to}`, [
          { header: 'leader', value: (r: (typeof byLeader)[number]) => r.leader ?? '（未填）' },
          { header: 'assigned', value: (r) => r.assigned },
          { header: 'closed', value: (r) => r.closed },
          { header: 'reopened', value: (r) => r.reopened },
        ], byLeader);
      return { to: scope.to, divisionCode: scope.divisionCode, levels, byLeader };
    },
  );

  async function loadCase(req: FastifyRequest, id: string): Promise<Row> {
    const [row] = await db.select().from(backlogCases).where(eq(backlogCases.id, id));
    if (!row) throw new ServiceError(404, 'NotFound', `no backlog case ${id}`);
    app.requireJurisdiction(req, row);
    return row;
  }

  // The case's record (check-in notes, the dossier's participants and notes, on-site supervision findings) is
  // personal data: masked unless asked for in full, which only those who keep the record may (backlogCheckIn), audited
  // (api/personal-data.ts, as the commands' answers).
  const detailQuery = personalDataQuery('(those who keep the case: supervisors, unit heads, admin) notes and names in clear, the read audited');
  const fullReadAudit = (row: Row) => ({ action: 'read_backlog', caseNo: backlogRef(row.id), detail: { id: row.id } });
  app.get('/backlog/:id', { schema: { tags: ['backlog'], summary: 'A backlog case: register row, live state and timeline (masked unless personalData=full, which is audited)', params: idParams, querystring: detailQuery, response: { 200: backlogDetail } } }, async (req) => {
    app.requirePermission(req, 'read');
    const full = wantsFullRecord(app, req, 'backlogCheckIn');
    const row = await loadCase(req, req.params.id);
    const timeline = await db.select().from(events).where(eq(events.caseNo, backlogRef(row.id))).orderBy(asc(events.at), asc(events.seq));
    const maskCase = (c: typeof row & { timeline: typeof timeline }) => ({ ...maskBacklogRow(c), state: maskBacklogState(c.state), timeline: c.timeline.map((e) => ({ ...e, data: maskEventData(e.data) })) });
    return answerWithPersonalData(db, req, full, { ...row, timeline }, maskCase, fullReadAudit(row));
  });

  // Each command is an Update under the Idempotency-Key (services/temporal-calls.ts executeCommand): a retry with the
  // same key is the same Update and applies once; the key with another body → 422; past the deadline → 503.
  const commandQuery = personalDataQuery('(those who keep the case: supervisors, unit heads, admin) the new state with notes and names in clear, the read audited as read_backlog (as GET /backlog/:id)');
  function commandRoute<Body extends object>(spec: CommandSpec<Body>) {
    app.post(
      `/backlog/:id/${spec.path}`,
      { schema: { tags: ['backlog'], summary: spec.summary, params: idParams, querystring: commandQuery, headers: idempotencyHeader, body: spec.body, response: { 200: backlogStateRead.describe('the new state, masked unless personalData=full (as GET /backlog/:id)'), ...errorResponses(409, 422) } } },
      async (req) => {
        app.requirePermission(req, spec.permission);
        const full = wantsFullRecord(app, req, 'backlogCheckIn');
        const row = await loadCase(req, req.params.id);
        const { id, role, unitId } = req.principal;
        const body = req.body as Body; // validated by spec.body
        const state = await executeCommand({ ...deps, db }, deps.temporal.workflow.getHandle(row.workflowId), spec.update, [{ ...body, actor: { id, role, unitId } }], {
          caseNo: row.workflowId,
          userId: id,
          idempotencyKey: req.headers['idempotency-key'],
          scope: `backlog.${spec.path}:${row.id}`,
          body,
        });
        // The new state carries the check-in notes, the dossier and the findings: answered as GET /backlog/:id does.
        return answerWithPersonalData(db, req, full, state, maskBacklogState, fullReadAudit(row));
      },
    );
  }
  eachCommand(commandRoute);

  app.post(
    '/backlog/:id/reopen',
    { schema: { tags: ['backlog'], summary: 'Petitioned again: link the new matter (or say why) and reopen a closed case', params: idParams, body: z.object({ caseNo: z.string().min(3).max(40).optional(), on: isoDate, note: z.string().min(2).max(2000) }), response: { 202: z.object({ accepted: z.literal(true) }).describe('the reopening was sent to the case’s workflow') } } },
    async (req, reply) => {
      app.requirePermission(req, 'backlogManage');
      const row = await loadCase(req, req.params.id);
      const ref = `manual:${req.body.caseNo ?? ''}:${req.body.on}:${req.body.note}`;
      // The workflow takes a reopening once per ref, so a retried signal changes nothing.
      await temporalCall(deps, `reopening ${row.id}`, () => deps.temporal.workflow.getHandle(row.workflowId).signal(W.reopenSignal, { ref, caseNo: req.body.caseNo ?? null, on: req.body.on, note: req.body.note }));
      return reply.status(202).send({ accepted: true });
    },
  );
};
export default routes;
