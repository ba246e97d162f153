import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { desc, inArray, sql } from 'drizzle-orm';
import { backlogCases, petitions, reconciliationRuns } from '../../db/schema';
import { unitRoles } from '../../domain/access';
import { quoteValue, visibilityQueryProblem } from '../../domain/visibility-query';
import { ServiceError } from '../../services/errors';
import { temporalCall } from '../../services/temporal-calls';
import type { ApiDeps } from '../context';
import { anyJson } from '../responses';

type Attrs = Record<string, unknown[] | undefined>;
const first = (a: Attrs, k: string) => (a[k]?.[0] as string | boolean | Date | undefined) ?? null;

/** Supervisors' queries on live workflow state (Temporal visibility), with the caller's jurisdiction appended. */
const GRPC_INVALID_ARGUMENT = 3;

const reconciliationRun = z.object({
  id: z.number().int(),
  at: z.string().describe('when the run ended (ISO 8601)'),
  trigger: z.enum(['schedule', 'command']).describe('the reconcile Schedule, or `npm run reconcile`'),
  repair: z.boolean(),
  rowsWithoutWorkflow: z.array(z.string()).describe('case numbers of matters whose workflow Temporal did not know'),
  workflowsWithoutRow: z.array(z.string()).describe('running petition workflows with no matter (terminated when repaired)'),
  repaired: z.array(z.string()),
  failed: z.array(z.object({ id: z.string(), error: z.string() })),
});


const routes: FastifyPluginAsyncZod<{ deps: ApiDeps }> = async (app, { deps }) => {
  const { db } = deps.database;

  function scoped(req: FastifyRequest, query: string | undefined): string {
    if (query) {
      const problem = visibilityQueryProblem(query);
      if (problem) throw new ServiceError(400, 'InvalidInput', `query: ${problem}`, { query: problem });
    }
    const p = req.principal;
    let scope: string | null = null;
    if (unitRoles.includes(p.role)) scope = `UnitId = ${quoteValue(p.unitId ?? '-')}`;
    else if (p.role !== 'admin') scope = `DivisionCode IN (${app.divisionsUnder(p.divisionCode ?? '-').map(quoteValue).join(', ')})`;
    return [query ? `(${query})` : null, scope].filter(Boolean).join(' AND ');
  }

  async function list(q: string, limit: number) {
    try {
      // Under the deadline like every Temporal call of the API (503 with Retry-After past it); a list of thousands
      // (the reconciliation's) reads page after page, so it gets one deadline per 1,000 asked for.
      const ms = deps.config.TEMPORAL_CALL_TIMEOUT_MS * Math.max(1, Math.ceil(limit / 1000));
      return await temporalCall(deps, 'the workflow list', () => listPage(q, limit), ms);
    } catch (err) {
      // Temporal's own parser has the last word on a query the lexical check let through (a bare literal, a
      // comparison without an attribute): its refusal is the caller's error, with its reason, not a 500.
      const cause = (err as { cause?: { code?: unknown; details?: unknown } }).cause;
      if (cause?.code === GRPC_INVALID_ARGUMENT) {
        const reason = String(cause.details ?? 'invalid query').replace(/^invalid query:\s*/i, '');
        throw new ServiceError(400, 'InvalidInput', `query: ${reason}`, { query: reason });
      }
      throw err;
    }
  }

  async function listPage(q: string, limit: number) {
    const out = [];
    for await (const w of deps.temporal.workflow.list({ query: q, pageSize: Math.min(limit, 100) })) {
      const a = (w.searchAttributes ?? {}) as Attrs;
      out.push({
        workflowId: w.workflowId,
        type: w.type,
        status: w.status.name,
        startTime: w.startTime.toISOString(),
        attributes: { status: first(a, 'PetitionStatus'), divisionCode: first(a, 'DivisionCode'), unitId: first(a, 'UnitId'), overdue: first(a, 'Overdue'), nextDueAt: first(a, 'NextDueAt'), backlog: first(a, 'Backlog'), escalationKinds: (a.EscalationKinds as string[] | undefined) ?? [] },
      });
      if (out.length >= limit) break;
    }
    return out;
  }

  app.get(
    '/workflows',
    { schema: { tags: ['workflows'], summary: 'A visibility query over live workflows (e.g. Overdue = true AND Backlog = true), within your jurisdiction', querystring: z.object({ query: z.string().max(1000).optional(), limit: z.coerce.number().int().min(1).max(500).default(100) }), response: { 200: anyJson('the query as run (your jurisdiction appended) and the workflows it found') } } },
    async (req) => {
      app.requirePermission(req, 'readMeasures');
      const q = scoped(req, req.query.query);
      return { query: q, items: await list(q, req.query.limit) };
    },
  );

  app.get(
    '/workflows/reconcile',
    { schema: { tags: ['workflows'], summary: 'Compares visibility with the read model for running matters and backlog cases; lists each disagreement', response: { 200: anyJson('what was checked and each disagreement') } } },
    async (req) => {
      app.requirePermission(req, 'readMeasures');
      const running = await list(scoped(req, "ExecutionStatus = 'Running' AND WorkflowType IN ('petitionWorkflow', 'backlogCaseWorkflow')"), 10_000);
      const matters = running.filter((w) => w.type === 'petitionWorkflow');
      const cases = running.filter((w) => w.type === 'backlogCaseWorkflow');
      const rows = matters.length ? await db.select().from(petitions).where(inArray(petitions.workflowId, matters.map((w) => w.workflowId))) : [];
      const bl = cases.length ? await db.select().from(backlogCases).where(inArray(backlogCases.workflowId, cases.map((w) => w.workflowId))) : [];
      const disagreements: { workflowId: string; field: string; visibility: unknown; readModel: unknown }[] = [];
      const cmp = (workflowId: string, field: string, v: unknown, r: unknown) => {
        if ((v ?? null) !== (r ?? null)) disagreements.push({ workflowId, field, visibility: v ?? null, readModel: r ?? null });
      };
      for (const w of matters) {
        const r = rows.find((x) => x.workflowId === w.workflowId);
        if (!r) {
          disagreements.push({ workflowId: w.workflowId, field: 'row', visibility: 'running', readModel: null });
          continue;
        }
        cmp(w.workflowId, 'status', w.attributes.status, r.status);
        cmp(w.workflowId, 'divisionCode', w.attributes.divisionCode, r.divisionCode);
        cmp(w.workflowId, 'unitId', w.attributes.unitId, r.unitId);
        cmp(w.workflowId, 'overdue', w.attributes.overdue, r.overdue);
      }
      for (const w of cases) {
        const r = bl.find((x) => x.workflowId === w.workflowId);
        if (!r) {
          disagreements.push({ workflowId: w.workflowId, field: 'row', visibility: 'running', readModel: null });
          continue;
        }
        cmp(w.workflowId, 'status', w.attributes.status, r.status.toUpperCase());
        cmp(w.workflowId, 'divisionCode', w.attributes.divisionCode, r.divisionCode);
        cmp(w.workflowId, 'unitId', w.attributes.unitId, r.unitId);
      }
      return { checked: { matters: matters.length, backlogCases: cases.length }, agree: disagreements.length === 0, disagreements };
    },
  );

  // The reconciliation job's runs (issue 10, defect 2: services/recovery.ts runReconciliation), newest first.
  app.get(
    '/workflows/reconciliations',
    {
      schema: {
        tags: ['workflows'],
        summary: 'The reconciliation runs, newest first: matters without their workflow and workflows without their matter, found and repaired',
        querystring: z.object({ limit: z.coerce.number().int().min(1).max(200).default(20), found: z.enum(['true', 'false']).optional().describe('true: only the runs that found an orphan; false: only those that found none') }),
        response: { 200: z.object({ items: z.array(reconciliationRun) }) },
      },
    },
    async (req) => {
      app.requirePermission(req, 'readMeasures');
      const orphansFound = sql`jsonb_array_length(${reconciliationRuns.rowsWithoutWorkflow}) + jsonb_array_length(${reconciliationRuns.workflowsWithoutRow})`;
      const rows = await deps.database.db
        .select()
        .from(reconciliationRuns)
        .where(req.query.found === undefined ? undefined : req.query.found === 'true' ? sql`${orphansFound} > 0` : sql`${orphansFound} = 0`)
        .orderBy(desc(reconciliationRuns.id))
        .limit(req.query.limit);
      return { items: rows.map((r) => ({ ...r, at: r.at.toISOString(), trigger: r.trigger as 'schedule' | 'command' })) };
    },
  );
};
export default routes;
