import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { UpdateDefinition } from '@temporalio/client';
import { eq } from 'drizzle-orm';
import { units } from '../../db/schema';
import * as C from '../../domain/commands';
import type { Permission } from '../../domain/access';
import { ServiceError } from '../../services/errors';
import * as M from '../../workflows/messages';
import type { PetitionState } from '../../workflows/types';
import type { ApiDeps } from '../context';
import { loadMatter } from '../matters';

const caseParams = z.object({ caseNo: z.string().min(3).max(40) });

interface CommandSpec {
  path: string;
  summary: string;
  body: z.ZodType;
  permission: Permission;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each command has its own argument type
  update: UpdateDefinition<PetitionState, [any]>;
  /** Fixed fields added to the body (e.g. which review level). */
  extra?: Record<string, unknown>;
}

/** Every caseworker command: a Temporal Update that answers with the new state or refuses (409/403/400). */
const commands: CommandSpec[] = [
  { path: 'forward', summary: 'Triage: forward (转送) or assign (交办) to a responsible unit', body: C.forwardSchema, permission: 'triage', update: M.forwardUpdate },
  { path: 'route', summary: 'Triage: route to a statutory channel with a written notice (诉访分离)', body: C.routeSchema, permission: 'triage', update: M.routeUpdate },
  { path: 'not-accept', summary: 'Triage: not accept, with the reason and a written notice', body: C.notAcceptSchema, permission: 'triage', update: M.notAcceptUpdate },
  { path: 'link', summary: 'Triage: link to another open matter', body: C.linkSchema, permission: 'triage', update: M.linkUpdate },
  { path: 'accept', summary: 'Unit: accept in writing (15 d from receipt)', body: C.acceptSchema, permission: 'accept', update: M.acceptUpdate },
  { path: 'object', summary: 'Unit: object that the matter is outside its remit (5 WD, 2022 rules)', body: C.objectSchema, permission: 'object', update: M.objectUpdate },
  { path: 'extend', summary: 'Unit head: extend the handling limit once, by at most 30 days', body: C.extendSchema, permission: 'extend', update: M.extendUpdate },
  { path: 'meetings', summary: '三见面: record meeting ①, ② or ③, or its exemption', body: C.meetingSchema, permission: 'meet', update: M.meetingUpdate },
  { path: 'reply', summary: 'Unit: deliver the written reply (处理意见书)', body: C.replySchema, permission: 'reply', update: M.replyUpdate },
  { path: 'evaluation', summary: "Record the petitioner's evaluation of the unit and the bureau", body: C.evaluationSchema, permission: 'evaluate', update: M.evaluationUpdate },
  { path: 'return-visits', summary: 'Record a return visit (回访)', body: C.returnVisitSchema, permission: 'returnVisit', update: M.returnVisitUpdate },
  { path: 'send-back', summary: 'Send an unsatisfied matter back to handling', body: C.sendBackSchema, permission: 'sendBack', update: M.sendBackUpdate },
  { path: 'review-request', summary: 'Record a request for review (复查), within 30 d of the reply', body: C.reviewRequestSchema, permission: 'requestReview', update: M.reviewRequestUpdate, extra: { level: 'review' } },
  { path: 'review-decision', summary: 'Review body: decide the review (30 d)', body: C.reviewDecisionSchema, permission: 'decideReview', update: M.reviewDecisionUpdate, extra: { level: 'review' } },
  { path: 're-review-request', summary: 'Record a request for re-review (复核), within 30 d of the review decision', body: C.reviewRequestSchema, permission: 'requestReview', update: M.reviewRequestUpdate, extra: { level: 'reReview' } },
  { path: 're-review-decision', summary: 'Review body: decide the re-review (30 d; ends the matter, 三级终结)', body: C.reviewDecisionSchema, permission: 'decideReview', update: M.reviewDecisionUpdate, extra: { level: 'reReview' } },
  { path: 'hearing', summary: 'Start or end a re-review hearing (its days are not counted)', body: C.hearingSchema, permission: 'hearing', update: M.hearingUpdate },
];

const routes: FastifyPluginAsyncZod<{ deps: ApiDeps }> = async (app, { deps }) => {
  const { db } = deps.database;
  for (const spec of commands) {
    app.post(
      `/petitions/:caseNo/${spec.path}`,
      { schema: { tags: ['commands'], summary: spec.summary, params: caseParams, body: spec.body } },
      async (req) => {
        app.requirePermission(req, spec.permission);
        const row = await loadMatter(app, db, req, req.params.caseNo);
        if (spec.path === 'link') {
          const target = await loadMatter(app, db, req, (req.body as C.Link).caseNo);
          if (!target.open) throw new ServiceError(409, 'IllegalState', `matter ${target.caseNo} has ended (${target.status}); link only to an open matter`);
        }
        if (spec.path === 'forward') {
          // An unknown unit would be accepted by the workflow and then fail the projection's foreign key forever
          // (the request hung and the matter was stuck): refuse it here.
          const unitId = (req.body as C.Forward).unitId;
          const [unit] = await db.select({ id: units.id }).from(units).where(eq(units.id, unitId));
          if (!unit) throw new ServiceError(400, 'InvalidInput', `unknown unit ${unitId}`, { unitId: 'unknown unit' });
        }
        const { id, role, unitId } = req.principal;
        const arg = { ...(req.body as object), ...spec.extra, actor: { id, role, unitId } } as never;
        return deps.temporal.workflow.getHandle(row.workflowId).executeUpdate(spec.update, { args: [arg] });
      },
    );
  }
};
export default routes;
