import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { createHash, randomUUID } from 'node:crypto';
import { z } from 'zod';
import { visitProblem, visitSchema, type Visit } from '../../domain/triggers';
import { warnSchema } from '../../domain/commands';
import { isCollective, isOpen, type Status } from '../../domain/petition';
import { ServiceError } from '../../services/errors';
import { submissions } from '../../db/schema';
import { stateQuery, visitSignal, warnUpdate } from '../../workflows/messages';
import type { ApiDeps } from '../context';
import { caseParams } from '../params';
import { errorResponses } from '../responses';
import { petitionStateRead } from '../schemas';
import { answerWithPersonalData, personalDataQuery, wantsFullRecord } from '../personal-data';
import { maskPetitionState } from '../../domain/masking';
import { loadMatter } from '../repositories/matters';
import { claimIdempotencyKey } from '../../services/idempotency';
import { executeCommand, temporalCall } from '../../services/temporal-calls';


/** Petitioners' visits (signals to the matter's workflow) and a bureau's warning slip for another risk. */
const routes: FastifyPluginAsyncZod<{ deps: ApiDeps }> = async (app, { deps }) => {
  const { db } = deps.database;

  app.post(
    '/petitions/:caseNo/visits',
    {
      schema: {
        tags: ['visits'],
        summary: 'Record a visit by the petitioner; the campaign triggers (warning slip, three-party review, 一事双查) follow from it',
        params: caseParams,
        headers: z.object({ 'idempotency-key': z.string().min(8).max(200).optional() }).passthrough(),
        body: visitSchema,
        response: { 202: z.object({ visitId: z.string(), caseNo: z.string() }).describe('recorded; the campaign triggers follow from it'), ...errorResponses(409, 422) },
      },
    },
    async (req, reply) => {
      app.requirePermission(req, 'recordVisit');
      const row = await loadMatter(app, db, req, req.params.caseNo);
      const registeredAt = row.registeredAt.toISOString();
      const dated = visitProblem(req.body.at, { registeredAt, open: true, status: row.status }, Date.now());
      if (dated) throw new ServiceError(400, 'InvalidInput', dated.message, { at: dated.code });
      const handle = deps.temporal.workflow.getHandle(row.workflowId);
      // The live state decides whether the matter is still open (the read model may lag by a moment).
      const status = row.open ? (await temporalCall(deps, `the state of ${row.caseNo}`, () => handle.query(stateQuery))).status : (row.status as Status);
      const ended = visitProblem(req.body.at, { registeredAt, open: isOpen(status), status }, Date.now());
      if (ended) throw new ServiceError(409, 'IllegalState', ended.message);
      // A retried request (same Idempotency-Key) names the same visit, which the workflow records once; the same key
      // with another body (or on another matter) is refused with 422.
      const given = req.headers['idempotency-key'];
      if (given) await claimIdempotencyKey(db, { key: given, userId: req.principal.id, scope: `visit:${row.caseNo}`, body: req.body, caseNo: row.caseNo });
      const key = given ?? randomUUID();
      const id = `V${createHash('sha256').update(`${row.caseNo}:${key}`).digest('hex').slice(0, 16)}`;
      const visit: Visit = { id, ...req.body, collective: req.body.collective ?? isCollective(req.body.persons) };
      await temporalCall(deps, `a visit on ${row.caseNo}`, () => handle.signal(visitSignal, { ...visit, recordedBy: req.principal.id }));
      // A visit is a submission (件次) on the matter: it counts in the volume like a letter (a retry writes nothing twice).
      await db
        .insert(submissions)
        .values({ id, caseNo: row.caseNo, channel: 'visit', source: 'direct', receivedAt: new Date(visit.at), summary: `${visit.place}（${visit.level}）来访${visit.persons > 1 ? `，${visit.persons}人` : ''}`, initial: false, registeredBy: req.principal.id })
        .onConflictDoNothing();
      return reply.status(202).send({ visitId: id, caseNo: row.caseNo });
    },
  );

  app.post(
    '/petitions/:caseNo/warning-slip',
    {
      schema: {
        tags: ['warning slips'],
        summary: 'Issue a warning slip (信访预警单) for another abnormal risk, with the reason',
        params: caseParams,
        querystring: personalDataQuery('the new state with names and free text in clear, the read audited as read_petition_state (as GET /state)'),
        headers: z.object({ 'idempotency-key': z.string().min(8).max(200).optional() }).passthrough(),
        body: warnSchema,
        response: { 201: petitionStateRead.describe('issued: the matter’s new state, masked unless personalData=full (as GET /state)'), ...errorResponses(409, 422) },
      },
    },
    async (req, reply) => {
      app.requirePermission(req, 'warn');
      const full = wantsFullRecord(app, req);
      const row = await loadMatter(app, db, req, req.params.caseNo);
      const { id, role, unitId } = req.principal;
      const state = await executeCommand({ ...deps, db }, deps.temporal.workflow.getHandle(row.workflowId), warnUpdate, [{ reason: req.body.reason, actor: { id, role, unitId } }], {
        caseNo: row.caseNo,
        userId: id,
        idempotencyKey: req.headers['idempotency-key'],
        scope: `warn:${row.caseNo}`,
        body: req.body,
      });
      // Answered as GET /state and every command is (api/personal-data.ts).
      return reply.status(201).send(await answerWithPersonalData(db, req, full, state, maskPetitionState, { action: 'read_petition_state', caseNo: row.caseNo }));
    },
  );
};
export default routes;
