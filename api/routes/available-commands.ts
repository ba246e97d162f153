import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { eq } from 'drizzle-orm';
import { escalations } from '../../db/schema';
import { availableTransitions, transitions, transitionNames, type TransitionName } from '../../domain/machine';
import type { PetitionState } from '../../domain/matter';
import { availableEscalationCommands, escalationCommandNames } from '../../domain/escalation-commands';
import { escalationKinds } from '../../domain/escalation';
import { ServiceError } from '../../services/errors';
import { temporalCall } from '../../services/temporal-calls';
import { escalationQuery } from '../../workflows/messages';
import { caseParams, escalationParams } from '../params';
import { loadMatter } from '../repositories/matters';
import type { ApiDeps } from '../context';

const matterCommands = z.object({
  caseNo: z.string(),
  status: z.string().describe('the status of the matter (statuses of domain/petition.ts)'),
  unitId: z.string().nullable(),
  commands: z.array(z.object({ name: z.enum(transitionNames as unknown as [TransitionName, ...TransitionName[]]), zh: z.string() })),
});
const escalationCommands = z.object({
  id: z.string(),
  kind: z.enum(escalationKinds),
  status: z.string(),
  commands: z.array(z.object({ name: z.enum(escalationCommandNames), zh: z.string(), explanationNo: z.number().int().optional() })),
});

/**
 * What this user may do now: on a matter, the state machine's table for its status and unit (availableTransitions);
 * on an escalation, the step its live state asks for. The console offers exactly these as forms.
 */
const routes: FastifyPluginAsyncZod<{ deps: ApiDeps }> = async (app, { deps }) => {
  const { db } = deps.database;

  app.get(
    '/petitions/:caseNo/commands',
    { schema: { tags: ['commands'], summary: 'The commands this user may give on the matter in its current status', params: caseParams, response: { 200: matterCommands } } },
    async (req) => {
      app.requirePermission(req, 'read');
      const row = await loadMatter(app, db, req, req.params.caseNo);
      // The table reads the status and the unit holding the matter, nothing else of the state.
      const names = availableTransitions({ status: row.status, unitId: row.unitId } as PetitionState, req.principal);
      return { caseNo: row.caseNo, status: row.status, unitId: row.unitId, commands: names.map((name) => ({ name, zh: transitions[name].zh })) };
    },
  );

  app.get(
    '/escalations/:id/commands',
    { schema: { tags: ['warning slips', 'three-party reviews', 'investigations'], summary: 'The steps this user may record on the escalation now, from its live state', params: escalationParams, response: { 200: escalationCommands } } },
    async (req) => {
      app.requirePermission(req, 'read');
      const [row] = await db.select().from(escalations).where(eq(escalations.id, req.params.id));
      if (!row) throw new ServiceError(404, 'NotFound', `no escalation ${req.params.id}`);
      app.requireJurisdiction(req, row);
      const state = await temporalCall(deps, `the state of ${row.id}`, () => deps.temporal.workflow.getHandle(row.id).query(escalationQuery));
      return { id: row.id, kind: row.kind, status: state.status, commands: availableEscalationCommands(state, req.principal) };
    },
  );
};
export default routes;
