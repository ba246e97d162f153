import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { asc, desc, eq, gte, ilike, inArray, lt, or, sql } from 'drizzle-orm';
import { auditLog, deadlines, events, notices, petitions, submissions } from '../../db/schema';
import { intakeSchema, statuses, channels } from '../../domain/petition';
import { maskId, maskName, maskPhone } from '../../domain/access';
import { describeDeadline } from '../../domain/deadline';
import { endOfShanghaiDay, startOfShanghaiDay } from '../../domain/dates';
import { isoDate } from '../../domain/petition';
import { registerPetition } from '../../services/intake';
import { jurisdictionWhere, loadMatter } from '../repositories/matters';
import { ServiceError } from '../../services/errors';
import { stateQuery } from '../../workflows/messages';
import type { ApiDeps } from '../context';
import { booleanQuery, caseParams, pageQuery } from '../params';
import { listPage } from '../repositories/list';
import { temporalCall } from '../../services/temporal-calls';


const listQuery = z.object({
  status: z
    .string()
    .optional()
    .transform((s) => (s ? s.split(',') : undefined))
    .pipe(z.array(z.enum(statuses)).optional()),
  divisionCode: z.string().max(20).optional(),
  unitId: z.string().max(60).optional(),
  channel: z.enum(channels).optional(),
  overdue: booleanQuery.optional(),
  open: booleanQuery.optional(),
  from: isoDate.optional().describe('registered on or after (Asia/Shanghai date)'),
  to: isoDate.optional().describe('registered on or before (Asia/Shanghai date)'),
  q: z.string().min(1).max(100).optional().describe('text in the case number or summary'),
  sort: z.enum(['deadline', 'registered']).default('deadline'),
  ...pageQuery,
});

/** Petitioners as lists show them: names, ID numbers and phones masked, addresses left out. */
function maskPetitioners(ps: { name: string; main?: boolean; idNumber?: string | null; phone?: string | null }[]) {
  return ps.map((x) => ({ name: maskName(x.name), main: !!x.main, idNumber: maskId(x.idNumber), phone: maskPhone(x.phone) }));
}

const routes: FastifyPluginAsyncZod<{ deps: ApiDeps }> = async (app, { deps }) => {
  const { db } = deps.database;

  app.post(
    '/petitions',
    {
      schema: {
        tags: ['petitions'],
        summary: 'Register a petition (or link a submission to an open matter) and start its workflow',
        headers: z.object({ 'idempotency-key': z.string().min(8).max(200).optional() }).passthrough(),
        body: intakeSchema,
      },
    },
    async (req, reply) => {
      app.requirePermission(req, 'register');
      const p = req.principal;
      // Unknown for everyone, admin included (parentOf is undefined only for codes not in the divisions table;
      // an admin used to reach the insert and get a 500 from the foreign key).
      if (app.parentOf(req.body.divisionCode) === undefined)
        throw new ServiceError(400, 'InvalidInput', `unknown division ${req.body.divisionCode}`, { divisionCode: 'unknown division code' });
      app.requireJurisdiction(req, { divisionCode: req.body.divisionCode });
      if (req.body.linkToCaseNo) await loadMatter(app, db, req, req.body.linkToCaseNo);
      const result = await registerPetition({ db, temporal: deps.temporal, config: deps.config }, p, req.body, req.headers['idempotency-key']);
      return reply.status(result.outcome === 'registered' ? 201 : 200).send(result);
    },
  );

  app.get('/petitions', { schema: { tags: ['petitions'], summary: 'List matters in your jurisdiction (personal data masked)', querystring: listQuery } }, async (req) => {
    app.requirePermission(req, 'read');
    const q = req.query;
    const like = q.q ? `%${q.q.replace(/[%_\\]/g, (c) => `\\${c}`)}%` : undefined;
    const where = [
      jurisdictionWhere(app, req.principal, petitions),
      q.status && inArray(petitions.status, q.status),
      q.divisionCode && inArray(petitions.divisionCode, app.divisionsUnder(q.divisionCode)),
      q.unitId && eq(petitions.unitId, q.unitId),
      q.channel && eq(petitions.channel, q.channel),
      q.overdue !== undefined ? eq(petitions.overdue, q.overdue) : undefined,
      q.open !== undefined ? eq(petitions.open, q.open) : undefined,
      q.from && gte(petitions.registeredAt, new Date(startOfShanghaiDay(q.from))),
      q.to && lt(petitions.registeredAt, new Date(endOfShanghaiDay(q.to))),
      like && or(ilike(petitions.caseNo, like), ilike(petitions.summary, like)),
    ];
    const orderBy =
      q.sort === 'deadline'
        ? [desc(petitions.open), sql`${petitions.currentDueAt} asc nulls last`, desc(petitions.registeredAt)]
        : [desc(petitions.registeredAt)];
    return listPage(db, petitions, { where: where.map((c) => c || undefined), orderBy, page: q.page, pageSize: q.pageSize, omit: ['state', 'intake'] }, (r) => ({
      caseNo: r.caseNo,
      status: r.status,
      channel: r.channel,
      source: r.source,
      divisionCode: r.divisionCode,
      unitId: r.unitId,
      category: r.category,
      summary: r.summary.length > 120 ? `${r.summary.slice(0, 120)}…` : r.summary,
      petitioners: maskPetitioners(r.petitioners),
      personsCount: r.personsCount,
      receivedAt: r.receivedAt.toISOString(),
      registeredAt: r.registeredAt.toISOString(),
      currentDeadline: r.currentDeadlineKey ? { key: r.currentDeadlineKey, dueAt: r.currentDueAt?.toISOString() ?? null } : null,
      overdue: r.overdue,
      open: r.open,
    }));
  });

  const detailQuery = z.object({
    personalData: z.enum(['full', 'masked']).default('full').describe("masked: petitioners' personal data masked as in lists, and the read is not audited"),
  });
  app.get('/petitions/:caseNo', { schema: { tags: ['petitions'], summary: 'A matter with its full record and timeline (read audited unless masked)', params: caseParams, querystring: detailQuery } }, async (req) => {
    app.requirePermission(req, 'read');
    const row = await loadMatter(app, db, req, req.params.caseNo);
    const masked = req.query.personalData === 'masked';
    const [timeline, dls, docs, subs] = await Promise.all([
      db.select().from(events).where(eq(events.caseNo, row.caseNo)).orderBy(asc(events.seq)),
      db.select().from(deadlines).where(eq(deadlines.caseNo, row.caseNo)).orderBy(asc(deadlines.dueAt)),
      db.select({ id: notices.id, kind: notices.kind, title: notices.title, issuedAt: notices.issuedAt, legalBasis: notices.legalBasis }).from(notices).where(eq(notices.caseNo, row.caseNo)).orderBy(asc(notices.issuedAt)),
      db.select().from(submissions).where(eq(submissions.caseNo, row.caseNo)).orderBy(asc(submissions.receivedAt)),
    ]);
    // PIPL: every read of full personal data is recorded.
    if (!masked) await db.insert(auditLog).values({ userId: req.principal.id, action: 'read_petition', caseNo: row.caseNo, detail: { ip: req.ip } });
    const { state, ...rest } = row;
    return {
      ...rest,
      ...(masked ? { petitioners: maskPetitioners(row.petitioners), personalData: 'masked' as const } : { personalData: 'full' as const }),
      tasks: state?.tasks ?? [],
      deadlines: dls.map((d) => ({ ...d, description: describeDeadline({ ...d, dueAt: d.dueAt.toISOString(), days: d.policy.days }) })),
      timeline,
      notices: docs,
      submissions: subs,
    };
  });

  app.get('/petitions/:caseNo/state', { schema: { tags: ['petitions'], summary: "The matter's live state, from its workflow", params: caseParams } }, async (req) => {
    app.requirePermission(req, 'read');
    const row = await loadMatter(app, db, req, req.params.caseNo);
    return temporalCall(deps, `the state of ${row.caseNo}`, () => deps.temporal.workflow.getHandle(row.workflowId).query(stateQuery));
  });
};

export default routes;
