import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform, type Readable } from 'node:stream';
import { z } from 'zod';
import { and, desc, eq, inArray, sql, type SQL } from 'drizzle-orm';
import { overlays } from '../../db/schema';
import { recommendations } from '../../domain/triggers';
import { isoDate } from '../../domain/petition';
import { ServiceError } from '../../services/errors';
import { overlayQuery, type OverlayKind } from '../../workflows/overlay';
import { explainUpdate } from '../../workflows/warning-slip';
import { threePartyStepUpdate } from '../../workflows/three-party-review';
import { concludeUpdate } from '../../workflows/accountability';
import type { Permission } from '../../domain/access';
import type { ApiDeps } from '../context';
import { jurisdictionWhere } from '../matters';

const listQuery = z.object({
  status: z.enum(['open', 'completed', 'closed']).optional(),
  caseNo: z.string().max(40).optional(),
  divisionCode: z.string().max(20).optional(),
  overdue: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(20),
});
const idParams = z.object({ id: z.string().min(5).max(200) });

const kinds: { path: string; kind: OverlayKind; tag: string }[] = [
  { path: 'warning-slips', kind: 'warning_slip', tag: 'warning slips' },
  { path: 'three-party-reviews', kind: 'three_party_review', tag: 'three-party reviews' },
  { path: 'investigations', kind: 'investigation', tag: 'investigations' },
];

/** The escalation child workflows: lists (overdue first) from the read model, live state and commands via Temporal. */
const routes: FastifyPluginAsyncZod<{ deps: ApiDeps }> = async (app, { deps }) => {
  const { db } = deps.database;

  async function loadOverlay(req: Parameters<typeof app.requirePermission>[0], id: string, kind: OverlayKind) {
    const [row] = await db.select().from(overlays).where(and(eq(overlays.id, id), eq(overlays.kind, kind)));
    if (!row) throw new ServiceError(404, 'NotFound', `no ${kind.replaceAll('_', ' ')} ${id}`);
    app.requireJurisdiction(req, row);
    return row;
  }
  async function command(req: Parameters<typeof app.requirePermission>[0], id: string, kind: OverlayKind, permission: Permission, update: { name: string }, body: object) {
    app.requirePermission(req, permission);
    await loadOverlay(req, id, kind);
    const { id: userId, role, unitId } = req.principal;
    return deps.temporal.workflow.getHandle(id).executeUpdate(update.name, { args: [{ ...body, actor: { id: userId, role, unitId } }] });
  }

  for (const { path, kind, tag } of kinds) {
    app.get(`/${path}`, { schema: { tags: [tag], summary: `List ${tag} in your jurisdiction, overdue first`, querystring: listQuery } }, async (req) => {
      app.requirePermission(req, 'read');
      const q = req.query;
      const p = req.principal;
      const where: SQL[] = [eq(overlays.kind, kind)];
      const scope = jurisdictionWhere(app, p, overlays);
      if (scope) where.push(scope);
      if (q.status) where.push(eq(overlays.status, q.status));
      if (q.caseNo) where.push(eq(overlays.caseNo, q.caseNo));
      if (q.divisionCode) where.push(inArray(overlays.divisionCode, app.divisionsUnder(q.divisionCode)));
      if (q.overdue !== undefined) where.push(eq(overlays.overdue, q.overdue));
      const cond = and(...where);
      const [rows, [count]] = await Promise.all([
        db.select().from(overlays).where(cond).orderBy(desc(overlays.overdue), sql`${overlays.dueAt} asc nulls last`).limit(q.pageSize).offset((q.page - 1) * q.pageSize),
        db.select({ n: sql<number>`count(*)::int` }).from(overlays).where(cond),
      ]);
      return { page: q.page, pageSize: q.pageSize, total: count?.n ?? 0, items: rows };
    });
    app.get(`/${path}/:id`, { schema: { tags: [tag], summary: 'Live state from its workflow', params: idParams } }, async (req) => {
      app.requirePermission(req, 'read');
      await loadOverlay(req, req.params.id, kind);
      return deps.temporal.workflow.getHandle(req.params.id).query(overlayQuery);
    });
  }

  app.post(
    '/warning-slips/:id/explanations',
    { schema: { tags: ['warning slips'], summary: "The warned unit's written explanation after a later visit (3 WD)", params: idParams, body: z.object({ no: z.number().int().min(1), content: z.string().min(10).max(20000) }) } },
    async (req) => command(req, req.params.id, 'warning_slip', 'explain', explainUpdate, req.body),
  );

  const steps = {
    participants: z.object({ countyLeader: z.string().min(1).max(100), unitRepresentative: z.string().min(1).max(100), judicialExpert: z.string().min(1).max(100), others: z.array(z.string().max(100)).max(20).optional() }),
    session: z.object({ date: isoDate, place: z.string().min(1).max(200), petitionersPresent: z.array(z.string().min(1).max(100)).min(1).max(200), notes: z.string().min(1).max(20000) }),
    archive: z.object({ receiptNo: z.string().min(1).max(100), receivedOn: isoDate, office: z.string().min(1).max(200).default('丽水市信访工作联席会议办公室') }),
  };
  for (const [step, body] of Object.entries(steps)) {
    app.post(
      `/three-party-reviews/:id/${step}`,
      { schema: { tags: ['three-party reviews'], summary: `Record the review's ${step}`, params: idParams, body } },
      async (req) => command(req, req.params.id, 'three_party_review', 'review3', threePartyStepUpdate, { [step]: req.body }),
    );
  }

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
        params: idParams,
        querystring: z.object({ fileName: z.string().min(1).max(200).default('recording') }),
      },
    },
    async (req) => {
      app.requirePermission(req, 'review3');
      await loadOverlay(req, req.params.id, 'three_party_review');
      const contentType = (req.headers['content-type'] ?? '').split(';')[0]!.trim();
      if (!/^(audio|video)\//.test(contentType)) throw new ServiceError(415, 'UnsupportedMediaType', 'the recording must be audio/* or video/*');
      await mkdir(recordingsDir, { recursive: true });
      const temp = join(recordingsDir, `.upload-${req.id}-${Date.now()}`);
      const hash = createHash('sha256');
      let size = 0;
      const limit = deps.config.RECORDING_MAX_BYTES;
      const meter = new Transform({
        transform(chunk: Buffer, _enc, cb) {
          size += chunk.length;
          if (size > limit) return cb(new ServiceError(413, 'PayloadTooLarge', `the recording exceeds ${limit} bytes`));
          hash.update(chunk);
          cb(null, chunk);
        },
      });
      let stored: string | undefined;
      try {
        await pipeline(req.body as Readable, meter, createWriteStream(temp));
        if (size === 0) throw new ServiceError(400, 'InvalidInput', 'the recording is empty');
        const sha256 = hash.digest('hex');
        stored = join(recordingsDir, sha256);
        await rename(temp, stored);
        const { id, role, unitId } = req.principal;
        return await deps.temporal.workflow.getHandle(req.params.id).executeUpdate(threePartyStepUpdate, {
          args: [{ recording: { fileName: req.query.fileName, contentType, size, sha256, storedAs: sha256 }, actor: { id, role, unitId } }],
        });
      } catch (err) {
        // Nothing partial is left behind: no temp file, and no stored file the workflow did not take.
        await rm(temp, { force: true });
        if (stored) await rm(stored, { force: true });
        if ((err as { code?: string }).code === 'FST_ERR_CTP_BODY_TOO_LARGE') throw new ServiceError(413, 'PayloadTooLarge', `the recording exceeds ${limit} bytes`);
        throw err;
      }
    },
  );

  app.post(
    '/investigations/:id/conclusion',
    {
      schema: {
        tags: ['investigations'],
        summary: '一事双查: both findings and a recommendation; closes the investigation',
        params: idParams,
        body: z.object({ handlingFinding: z.string().min(5).max(20000), accountabilityFinding: z.string().min(5).max(20000), recommendation: z.enum(recommendations) }),
      },
    },
    async (req) => command(req, req.params.id, 'investigation', 'investigate', concludeUpdate, req.body),
  );
};
export default routes;
