import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { z } from 'zod';
import type { UpdateDefinition } from '@temporalio/client';
import { eq } from 'drizzle-orm';
import { units } from '../../db/schema';
import * as C from '../../domain/commands';
import { transitions, type TransitionName } from '../../domain/machine';
import type { Actor, PetitionView } from '../../domain/matter';
import { ServiceError } from '../../services/errors';
import * as M from '../../workflows/messages';
import type { ApiDeps } from '../context';
import { caseParams } from '../params';
import { errorResponses } from '../responses';
import { petitionStateRead } from '../schemas';
import { answerWithPersonalData, personalDataQuery, wantsFullRecord } from '../personal-data';
import { maskPetitionState } from '../../domain/masking';
import { loadMatter } from '../repositories/matters';
import { executeCommand, idempotencyHeader } from '../../services/temporal-calls';

/**
 * Every caseworker command: a Temporal Update that answers with the new state (masked unless personalData=full, as
 * GET /state) or refuses (409/403/400). Who may give
 * it comes from the state machine's table (domain/machine.ts); the workflow checks the rest.
 */
const routes: FastifyPluginAsyncZod<{ deps: ApiDeps }> = async (app, { deps }) => {
  const { db } = deps.database;

  function command<B extends z.ZodType, A extends object>(
    path: string,
    summary: string,
    row: TransitionName,
    body: B,
    update: UpdateDefinition<PetitionView, [A & { actor: Actor }]>,
    toArgs: (body: z.output<B>) => A,
    check?: (body: z.output<B>, req: Parameters<typeof app.requirePermission>[0]) => Promise<void>,
  ): void {
    const querystring = personalDataQuery('the new state with names and free text in clear, the read audited as read_petition_state (as GET /state)');
    app.post(`/petitions/:caseNo/${path}`, { schema: { tags: ['commands'], summary, params: caseParams, querystring, headers: idempotencyHeader, body, response: { 200: petitionStateRead.describe('the new state the Update returned, masked unless personalData=full (as GET /state)'), ...errorResponses(409, 422) } } }, async (req) => {
      app.requirePermission(req, transitions[row].permission);
      const full = wantsFullRecord(app, req);
      const matter = await loadMatter(app, db, req, req.params.caseNo);
      // Validated against `body` by the type provider, which cannot name the type of a generic schema.
      const parsed = req.body as z.output<B>;
      await check?.(parsed, req);
      const { id, role, unitId } = req.principal;
      // With the deadline, and once per Idempotency-Key (the Update id is derived from it).
      const state = await executeCommand({ ...deps, db }, deps.temporal.workflow.getHandle(matter.workflowId), update, [{ ...toArgs(parsed), actor: { id, role, unitId } }], {
        caseNo: matter.caseNo,
        userId: id,
        idempotencyKey: (req.headers as { 'idempotency-key'?: string })['idempotency-key'],
        scope: `${path}:${matter.caseNo}`,
        body: parsed,
      });
      // The new state carries what others wrote (notes, reasons, meeting participants): answered as GET /state does.
      return answerWithPersonalData(db, req, full, state, maskPetitionState, { action: 'read_petition_state', caseNo: matter.caseNo });
    });
  }
  const same = <T>(b: T) => b;

  command('forward', 'Triage: forward (转送) or assign (交办) to a responsible unit', 'forward', C.forwardSchema, M.forwardUpdate, same, async ({ unitId }) => {
    // An unknown unit would be accepted by the workflow and then fail the projection's foreign key forever
    // (the request hung and the matter was stuck): refuse it here.
    const [unit] = await db.select({ id: units.id }).from(units).where(eq(units.id, unitId));
    if (!unit) throw new ServiceError(400, 'InvalidInput', `unknown unit ${unitId}`, { unitId: 'unknown unit' });
  });
  command('route', 'Triage: route to a statutory channel with a written notice (诉访分离)', 'route', C.routeSchema, M.routeUpdate, same);
  command('not-accept', 'Triage: not accept, with the reason and a written notice', 'notAccept', C.notAcceptSchema, M.notAcceptUpdate, same);
  command('link', 'Triage: link to another open matter', 'link', C.linkSchema, M.linkUpdate, same, async ({ caseNo }, req) => {
    const target = await loadMatter(app, db, req, caseNo);
    if (!target.open) throw new ServiceError(409, 'IllegalState', `matter ${target.caseNo} has ended (${target.status}); link only to an open matter`);
  });
  command('accept', 'Unit: accept in writing (15 d from receipt)', 'accept', C.acceptSchema, M.acceptUpdate, same);
  command('object', 'Unit: object that the matter is outside its remit (5 WD, 2022 rules)', 'object', C.objectSchema, M.objectUpdate, same);
  command('extend', 'Unit head: extend the handling limit once, by at most 30 days', 'extend', C.extendSchema, M.extendUpdate, same);
  command('meetings', '三见面: record meeting ①, ② or ③, or its exemption', 'meet1', C.meetingSchema, M.meetingUpdate, same);
  command('reply', 'Unit: deliver the written reply (处理意见书)', 'reply', C.replySchema, M.replyUpdate, same);
  command('evaluation', "Record the petitioner's evaluation of the unit and the bureau", 'evaluate', C.evaluationSchema, M.evaluationUpdate, same);
  command('return-visits', 'Record a return visit (回访)', 'returnVisit', C.returnVisitSchema, M.returnVisitUpdate, same);
  command('send-back', 'Send an unsatisfied matter back to handling', 'sendBack', C.sendBackSchema, M.sendBackUpdate, same);
  command('review-request', 'Record a request for review (复查), within 30 d of the reply', 'requestReview', C.reviewRequestSchema, M.reviewRequestUpdate, (b) => ({ ...b, level: 'review' as const }));
  command('review-decision', 'Review body: decide the review (30 d)', 'decideReview', C.reviewDecisionSchema, M.reviewDecisionUpdate, (b) => ({ ...b, level: 'review' as const }));
  command('re-review-request', 'Record a request for re-review (复核), within 30 d of the review decision', 'requestReReview', C.reviewRequestSchema, M.reviewRequestUpdate, (b) => ({ ...b, level: 'reReview' as const }));
  command('re-review-decision', 'Review body: decide the re-review (30 d; ends the matter, 三级终结)', 'decideReReview', C.reviewDecisionSchema, M.reviewDecisionUpdate, (b) => ({ ...b, level: 'reReview' as const }));
  command('hearing', 'Start or end a re-review hearing (its days are not counted)', 'hearing', C.hearingSchema, M.hearingUpdate, same);
};
export default routes;
