import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { FastifyError, FastifyReply } from 'fastify';
import { z } from 'zod';
import { and, asc, eq, inArray } from 'drizzle-orm';
import { ApplicationFailure } from '@temporalio/common';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { deadlines, notices, units } from '../../db/schema';
import * as C from '../../domain/commands';
import { chineseLabel, stageLabels } from '../../domain/public';
import { shanghaiDateOf } from '../../domain/dates';
import type { Status } from '../../domain/petition';
import { ServiceError } from '../../services/errors';
import { unlockQueryCode, verifyPetitioner, type VerifiedMatter } from '../../services/public-channel';
import { executeCommand, idempotencyHeader } from '../../services/temporal-calls';
import { evaluationUpdate } from '../../workflows/messages';
import { errorHandler } from '../errors';
import { noticeHtml } from '../notice-html';
import type { ApiDeps } from '../context';
import { anyJson, errorResponses, htmlPage } from '../responses';

const here = dirname(fileURLToPath(import.meta.url));
const page = readFileSync(join(here, '..', '..', 'public', 'index.html'), 'utf8');
const script = readFileSync(join(here, '..', '..', 'public', 'status.js'), 'utf8');

const UNIT_ONLY_LIMITS = new Set(['objection']);

/** The credentials of the public channel: always in the body, never in a URL. */
const credentials = z.object({
  queryCode: z.string().trim().min(4).max(32).describe('the query code (查询码) printed on the registration receipt'),
  factor: z
    .string()
    .trim()
    .regex(/^[0-9]{3}[0-9Xx]$/, 'the last 4 digits of the registered phone (or of the ID number)')
    .describe('last 4 digits of the registered phone, or of the ID number when no phone was registered'),
});

const noStore = (reply: FastifyReply) =>
  reply
    .header('cache-control', 'no-store')
    .header('referrer-policy', 'no-referrer')
    .header('x-content-type-options', 'nosniff')
    .header('x-frame-options', 'DENY');

/**
 * The petitioner's own channel (最多跑一次): a zh-CN page at /public/ and its JSON endpoints. No token: the query
 * code and a second factor only the petitioner knows (services/public-channel.ts verifyPetitioner). Answers hold
 * the matter's stage, unit, limits and notices, and nobody's personal data.
 */
const routes: FastifyPluginAsyncZod<{ deps: ApiDeps }> = async (app, { deps }) => {
  const { db } = deps.database;
  const limits = { perIp: deps.config.PUBLIC_RATE_PER_IP, perCode: deps.config.PUBLIC_RATE_PER_CODE };
  const verify = (body: { queryCode: string; factor: string }, ip: string) => verifyPetitioner(db, { ...body, ip }, limits);

  // 429 carries Retry-After; everything else as the rest of the API answers.
  app.setErrorHandler((err, req, reply) => {
    if (err instanceof ServiceError && err.statusCode === 429 && err.fields?.retryAfter) void reply.header('retry-after', err.fields.retryAfter);
    noStore(reply);
    errorHandler(err as FastifyError, req, reply);
  });

  const hidden = { hide: true };
  app.get('/cx', { schema: hidden }, async (_req, reply) => reply.redirect('/public/'));
  app.get('/public', { schema: hidden }, async (_req, reply) => reply.redirect('/public/'));
  app.get('/public/', { schema: hidden }, async (_req, reply) =>
    noStore(reply)
      .header('content-security-policy', "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; form-action 'none'")
      .type('text/html; charset=utf-8')
      .send(page),
  );
  app.get('/public/status.js', { schema: hidden }, async (_req, reply) => noStore(reply).type('text/javascript; charset=utf-8').send(script));

  /** The unit in charge: the matter's unit, else the petition bureau of its division (or the nearest above). */
  async function unitInCharge(m: VerifiedMatter): Promise<{ name: string } | null> {
    if (m.unitId) {
      const [u] = await db.select({ name: units.name }).from(units).where(eq(units.id, m.unitId));
      return u ? { name: u.name } : null;
    }
    const bureaus = await db.select({ name: units.name, divisionCode: units.divisionCode }).from(units).where(eq(units.kind, 'petition_bureau'));
    for (let code: string | null | undefined = m.divisionCode, depth = 0; code && depth < 10; code = app.parentOf(code), depth++) {
      const b = bureaus.find((x) => x.divisionCode === code);
      if (b) return { name: b.name };
    }
    return null;
  }

  app.post(
    '/public/status',
    { schema: { tags: ['public'], summary: "The petitioner's view of their matter, by query code and second factor", security: [], body: credentials, response: { 200: anyJson('the stage, the unit in charge, the limits and notices; nobody’s personal data'), ...errorResponses(401, 423) } } },
    async (req, reply) => {
      const m = await verify(req.body, req.ip);
      const [unit, open, filed] = await Promise.all([
        unitInCharge(m),
        db
          .select()
          .from(deadlines)
          .where(and(eq(deadlines.caseNo, m.caseNo), inArray(deadlines.status, ['pending', 'paused'])))
          .orderBy(asc(deadlines.dueAt)),
        db.select().from(notices).where(eq(notices.caseNo, m.caseNo)).orderBy(asc(notices.issuedAt)),
      ]);
      // The unit's own window to object to its remit is no date of the petitioner's.
      const limitsNow = open.filter((d) => !UNIT_ONLY_LIMITS.has(d.key)).map((d) => ({
        key: d.key,
        label: chineseLabel((d.policy as { label: string }).label),
        dueDate: d.dueDate,
        dueAt: d.dueAt.toISOString(),
        paused: d.status === 'paused',
      }));
      const evaluation = limitsNow.find((l) => l.key === 'evaluation');
      return noStore(reply).send({
        caseNo: m.caseNo,
        registeredOn: shanghaiDateOf(m.registeredAt),
        stage: { status: m.status, label: stageLabels[m.status as Status] ?? m.status, open: m.open },
        unit,
        nextLimit: limitsNow[0] ?? null,
        limits: limitsNow,
        notices: filed.map((n) => ({ id: n.id, kind: n.kind, title: n.title, issuedOn: shanghaiDateOf(n.issuedAt) })),
        evaluation: { open: evaluation !== undefined, dueDate: evaluation?.dueDate ?? null },
      });
    },
  );

  app.post(
    '/public/notices/:id/print',
    {
      schema: {
        tags: ['public'],
        summary: 'A notice of the matter as a printable HTML document (same query code and factor)',
        security: [],
        params: z.object({ id: z.string().min(1).max(80) }),
        body: credentials,
        response: { 200: htmlPage('the notice, ready to print'), ...errorResponses(401, 423) },
      },
    },
    async (req, reply) => {
      const m = await verify(req.body, req.ip);
      const [n] = await db.select().from(notices).where(and(eq(notices.id, req.params.id), eq(notices.caseNo, m.caseNo)));
      if (!n) throw new ServiceError(404, 'NotFound', `该事项没有文书 ${req.params.id}（no such notice on this matter）`);
      return noStore(reply).type('text/html; charset=utf-8').send(noticeHtml(n));
    },
  );

  app.post(
    '/public/evaluation',
    {
      schema: {
        tags: ['public'],
        summary: "The petitioner's own evaluation of the unit and the bureau, within the evaluation window",
        security: [],
        headers: idempotencyHeader,
        body: z.intersection(credentials, C.evaluationSchema),
        response: { 200: anyJson('recorded: the new stage'), ...errorResponses(401, 409, 423) },
      },
    },
    async (req, reply) => {
      const { queryCode, factor, unit, bureau, reason } = req.body;
      const m = await verify({ queryCode, factor }, req.ip);
      // The petitioner evaluates on the day they do it: no backdating through this channel.
      const actor = { id: `petitioner:${m.caseNo}`, role: 'petitioner', unitId: null };
      try {
        // Under the Idempotency-Key (the petitioner's, per matter): a retry after a 503 is the same Update, applied once.
        // The key's request is the evaluation itself, not the credentials.
        const state = await executeCommand({ ...deps, db }, deps.temporal.workflow.getHandle(m.workflowId), evaluationUpdate, [{ unit, bureau, reason, actor }], {
          caseNo: m.caseNo,
          userId: actor.id,
          idempotencyKey: req.headers['idempotency-key'],
          scope: `public.evaluation:${m.caseNo}`,
          body: { unit, bureau, reason: reason ?? null },
        });
        return noStore(reply).send({
          caseNo: m.caseNo,
          stage: { status: state.status, label: stageLabels[state.status] ?? state.status },
          evaluatedOn: state.evaluation && 'evaluatedOn' in state.evaluation ? state.evaluation.evaluatedOn : null,
        });
      } catch (err) {
        if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure && err.cause.type === 'IllegalState') {
          throw new ServiceError(409, 'IllegalState', `现在不能评价：不在评价期内或已评价（${err.cause.message}）`);
        }
        throw err;
      }
    },
  );

  app.post(
    '/api/admin/query-codes/:code/unlock',
    {
      schema: {
        tags: ['admin'],
        summary: 'Lift the lock of a query code after checking the petitioner in person (audited)',
        params: z.object({ code: z.string().trim().min(4).max(32) }),
        body: z.object({ reason: z.string().trim().min(2).max(500) }),
        response: { 200: z.object({ unlocked: z.literal(true) }) },
      },
    },
    async (req) => {
      app.requirePermission(req, 'admin');
      if (!(await unlockQueryCode(db, req.params.code, req.principal.id, req.body.reason))) {
        throw new ServiceError(404, 'NotFound', 'no failed attempts recorded for this query code');
      }
      return { unlocked: true as const };
    },
  );
};
export default routes;
