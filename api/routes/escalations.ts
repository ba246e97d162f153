import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { z } from 'zod';
import { and, desc, eq, inArray, sql } from 'drizzle-orm';
import type { UpdateDefinition } from '@temporalio/client';
import { auditLog, escalations } from '../../db/schema';
import { maskEscalationState } from '../../domain/masking';
import { escalationStatuses, explanationSchema, findingsSchema, threePartyReviewSteps, type EscalationKind, type EscalationState, type ThreePartyReviewStep } from '../../domain/escalation';
import type { Actor } from '../../domain/matter';
import { ServiceError } from '../../services/errors';
import { concludeUpdate, escalationQuery, explainUpdate, threePartyReviewStepUpdate } from '../../workflows/messages';
import type { Permission } from '../../domain/access';
import type { ApiDeps } from '../context';
import { formatQuery, jsonOrTable, sendTable, type Column } from '../export';
import { booleanQuery, escalationParams, pageQuery } from '../params';
import { listPage } from '../repositories/list';
import { executeCommand, idempotencyHeader, temporalCall, updateIdFor } from '../../services/temporal-calls';
import { jurisdictionWhere } from '../repositories/matters';
import { receiveToFile, tooLarge } from '../upload';
import { errorResponses } from '../responses';
import { escalationList, escalationState, escalationStateRead } from '../schemas';
import { answerWithPersonalData, personalDataQuery, wantsFullRecord } from '../personal-data';

const listQuery = z.object({
  status: z.enum(escalationStatuses).optional(),
  caseNo: z.string().max(40).optional(),
  divisionCode: z.string().max(20).optional(),
  overdue: booleanQuery.optional(),
  ...pageQuery,
  format: formatQuery.describe('json (default), or the page as a csv or xlsx file'),
});

/** An escalation list as a table (CSV/XLSX). */
const escalationColumns: Column<typeof escalations.$inferSelect>[] = [
  { header: '编号', value: (r) => r.id },
  { header: '信访件编号', value: (r) => r.caseNo },
  { header: '类别', value: (r) => r.kind },
  { header: '起因', value: (r) => r.trigger },
  { header: '状态', value: (r) => r.status },
  { header: '问题属地', value: (r) => r.divisionCode },
  { header: '单位', value: (r) => r.unitId },
  { header: '到期', value: (r) => r.dueAt?.toISOString() },
  { header: '超期', value: (r) => (r.overdue ? '是' : '否') },
  { header: '开始', value: (r) => r.openedAt.toISOString() },
];

const kinds: { path: string; kind: EscalationKind; tag: string }[] = [
  { path: 'warning-slips', kind: 'warning_slip', tag: 'warning slips' },
  { path: 'three-party-reviews', kind: 'three_party_review', tag: 'three-party reviews' },
  { path: 'investigations', kind: 'investigation', tag: 'investigations' },
];

/** The escalation child workflows: lists (overdue first) from the read model, live state and commands via Temporal. */
const routes: FastifyPluginAsyncZod<{ deps: ApiDeps }> = async (app, { deps }) => {
  const { db } = deps.database;

  async function loadEscalation(req: Parameters<typeof app.requirePermission>[0], id: string, kind: EscalationKind) {
    const [row] = await db.select().from(escalations).where(and(eq(escalations.id, id), eq(escalations.kind, kind)));
    if (!row) throw new ServiceError(404, 'NotFound', `no ${kind.replaceAll('_', ' ')} ${id}`);
    app.requireJurisdiction(req, row);
    return row;
  }
  // A command answers with the new state, which carries what others wrote (a session's notes and petitioners present,
  // explanations, findings): masked as the lists mask it unless asked for in full, which is audited as the live
  // state's read is (api/personal-data.ts).
  const answer = (req: Parameters<typeof app.requirePermission>[0], full: boolean, row: { id: string; caseNo: string; kind: EscalationKind }, state: EscalationState) =>
    answerWithPersonalData(db, req, full, state, maskEscalationState, { action: 'read_escalation', caseNo: row.caseNo, detail: { id: row.id, kind: row.kind } });
  async function command<U>(
    req: Parameters<typeof app.requirePermission>[0],
    id: string,
    kind: EscalationKind,
    permission: Permission,
    update: UpdateDefinition<EscalationState, [U]>,
    arg: (actor: Actor) => U,
  ) {
    app.requirePermission(req, permission);
    const full = wantsFullRecord(app, req);
    const row = await loadEscalation(req, id, kind);
    const { id: userId, role, unitId } = req.principal;
    const key = (req.headers as { 'idempotency-key'?: string })['idempotency-key'];
    const state = await executeCommand({ ...deps, db }, deps.temporal.workflow.getHandle(id), update, [arg({ id: userId, role, unitId })], { caseNo: id, userId, idempotencyKey: key, scope: `${update.name}:${id}`, body: req.body });
    return answer(req, full, row, state);
  }
  const querystring = personalDataQuery('the new state with names and free text in clear, the read audited as read_escalation (as GET /<kind>/:id)');

  for (const { path, kind, tag } of kinds) {
    app.get(`/${path}`, { schema: { tags: [tag], summary: `List ${tag} in your jurisdiction, overdue first`, querystring: listQuery, response: { 200: jsonOrTable(escalationList) } } }, async (req, reply) => {
      app.requirePermission(req, 'read');
      const q = req.query;
      const where = [
        eq(escalations.kind, kind),
        jurisdictionWhere(app, req.principal, escalations),
        q.status && eq(escalations.status, q.status),
        q.caseNo && eq(escalations.caseNo, q.caseNo),
        q.divisionCode && inArray(escalations.divisionCode, app.divisionsUnder(q.divisionCode)),
        q.overdue !== undefined ? eq(escalations.overdue, q.overdue) : undefined,
      ];
      const orderBy = [desc(escalations.overdue), sql`${escalations.dueAt} asc nulls last`];
      // Masked as every list is (domain/masking.ts): petitioners present, notes, explanations and findings.
      const page = await listPage(db, escalations, { where: where.map((c) => c || undefined), orderBy, page: q.page, pageSize: q.pageSize }, (row) => ({
        ...row,
        state: maskEscalationState(row.state) as unknown as Record<string, unknown>,
        personalData: 'masked' as const,
      }));
      return q.format === 'json' ? page : sendTable(reply, q.format, path, escalationColumns, page.items as unknown as (typeof escalations.$inferSelect)[]);
    });
    app.get(`/${path}/:id`, { schema: { tags: [tag], summary: 'Live state from its workflow: the full record, personal data in clear (read audited)', params: escalationParams, response: { 200: escalationState } } }, async (req) => {
      app.requirePermission(req, 'read');
      const row = await loadEscalation(req, req.params.id, kind);
      const state = await temporalCall(deps, `the state of ${req.params.id}`, () => deps.temporal.workflow.getHandle(req.params.id).query(escalationQuery));
      // The live state is the full record (petitioners present, notes, explanations, findings in clear): audited.
      await db.insert(auditLog).values({ userId: req.principal.id, action: 'read_escalation', caseNo: row.caseNo, detail: { ip: req.ip, id: row.id, kind } });
      return state;
    });
  }

  app.post(
    '/warning-slips/:id/explanations',
    { schema: { tags: ['warning slips'], summary: "The warned unit's written explanation after a later visit (3 WD)", params: escalationParams, querystring, headers: idempotencyHeader, body: explanationSchema, response: { 200: escalationStateRead.describe('the new state, masked unless personalData=full'), ...errorResponses(409, 422) } } },
    async (req) => command(req, req.params.id, 'warning_slip', 'explain', explainUpdate, (actor) => ({ ...req.body, actor })),
  );

  const { participants, session, archive } = threePartyReviewSteps;
  const step = (name: string) => ({ tags: ['three-party reviews'], summary: `Record the review's ${name}`, params: escalationParams, querystring, headers: idempotencyHeader, response: { 200: escalationStateRead.describe('the new state, masked unless personalData=full'), ...errorResponses(409, 422) } });
  const review = (req: Parameters<typeof app.requirePermission>[0] & { params: { id: string } }, arg: (actor: Actor) => ThreePartyReviewStep & { actor: Actor }) =>
    command(req, req.params.id, 'three_party_review', 'threePartyReview', threePartyReviewStepUpdate, arg);
  app.post('/three-party-reviews/:id/participants', { schema: { ...step('participants'), body: participants } }, async (req) => review(req, (actor) => ({ participants: req.body, actor })));
  app.post('/three-party-reviews/:id/session', { schema: { ...step('session'), body: session } }, async (req) => review(req, (actor) => ({ session: req.body, actor })));
  app.post('/three-party-reviews/:id/archive', { schema: { ...step('archive'), body: archive } }, async (req) => review(req, (actor) => ({ archive: req.body, actor })));

  // The session's audio/video recording: streamed to disk with its checksum; refused if too large or not audio/video.
  app.addContentTypeParser(/^(audio|video)\/[\w.+-]+$/, (_req, payload, done) => done(null, payload));
  const recordingsDir = resolve(deps.config.DATA_DIR, 'recordings');
  app.post(
    '/three-party-reviews/:id/recording',
    {
      bodyLimit: deps.config.RECORDING_MAX_BYTES,
      schema: {
        tags: ['three-party reviews'],
        summary: "Upload the session's audio/video recording (body: the file; Content-Type audio/* or video/*)",
        params: escalationParams,
        querystring: querystring.extend({ fileName: z.string().min(1).max(200).default('recording') }),
        response: { 200: escalationStateRead.describe('the new state, with the recording’s size and sha256; masked unless personalData=full'), ...errorResponses(409, 422) },
      },
    },
    async (req, reply) => {
      app.requirePermission(req, 'threePartyReview');
      const full = wantsFullRecord(app, req);
      const row = await loadEscalation(req, req.params.id, 'three_party_review');
      const contentType = (req.headers['content-type'] ?? '').split(';')[0]!.trim();
      if (!/^(audio|video)\//.test(contentType)) throw new ServiceError(415, 'UnsupportedMediaType', 'the recording must be audio/* or video/*');
      const limit = deps.config.RECORDING_MAX_BYTES;
      await mkdir(recordingsDir, { recursive: true });
      const temp = join(recordingsDir, `.upload-${req.id}-${Date.now()}`);
      let stored: string | undefined;
      let state: EscalationState;
      try {
        // A declared length over the limit is refused before a byte is read.
        if (Number(req.headers['content-length']) > limit) throw tooLarge(limit, 'the recording');
        const { size, sha256 } = await receiveToFile(req.body as Readable, temp, limit, 'the recording');
        if (size === 0) throw new ServiceError(400, 'InvalidInput', 'the recording is empty');
        stored = join(recordingsDir, sha256);
        await rename(temp, stored);
        const { id, role, unitId } = req.principal;
        // The Update id from the recording's hash: the same recording sent again is taken once.
        state = await temporalCall(deps, `a recording for ${req.params.id}`, () =>
          deps.temporal.workflow.getHandle(req.params.id).executeUpdate(threePartyReviewStepUpdate, {
            args: [{ recording: { fileName: req.query.fileName, contentType, size, sha256, storedAs: sha256 }, actor: { id, role, unitId } }],
            updateId: updateIdFor(req.params.id, id, `recording:${sha256}`),
          }),
        );
      } catch (err) {
        // Nothing partial is left behind: no temp file, and no stored file the workflow did not take.
        await rm(temp, { force: true });
        if (stored) await rm(stored, { force: true });
        // The rest of a refused body is not read: the connection closes after the answer.
        if ((err as { statusCode?: number }).statusCode === 413) void reply.header('connection', 'close');
        throw err;
      }
      // The workflow has the recording: what follows cannot undo that.
      return answer(req, full, row, state);
    },
  );

  app.post(
    '/investigations/:id/conclusion',
    {
      schema: {
        tags: ['investigations'],
        summary: '一事双查: both findings and a recommendation; closes the investigation',
        params: escalationParams,
        querystring,
        headers: idempotencyHeader,
        body: findingsSchema,
        response: { 200: escalationStateRead.describe('the new state: closed; masked unless personalData=full'), ...errorResponses(409, 422) },
      },
    },
    async (req) => command(req, req.params.id, 'investigation', 'investigate', concludeUpdate, (actor) => ({ ...req.body, actor })),
  );
};
export default routes;
