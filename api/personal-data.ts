import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Permission } from '../domain/access';
import type { Db } from '../db/client';
import { recordAudit } from '../services/audit';

/**
 * One rule for every answer that carries what people wrote (a workflow's live state: notes, reasons, meeting
 * participants, findings), whether a read (GET /state, GET /backlog/:id) or a command's answer (the new state):
 * masked by default with the record's masking function (domain/masking.ts); in full only when asked for with
 * ?personalData=full, by a user who may read the full record, and then the read is audited (PIPL).
 */
export type PersonalData = 'full' | 'masked';

/** The ?personalData= query of such a route; `full` says who may ask for the full record and what it gives. */
export const personalDataQuery = (full = 'names and free text in clear, the read audited') =>
  z.object({ personalData: z.enum(['full', 'masked']).default('masked').describe(`full: ${full}; masked (default): as lists show them, not audited`) });

/**
 * Did the caller ask for the full record? Checked before anything is done, so that a command is not run for an
 * answer its caller may not have: a full read needs `permission` (403, audited as access.refused, otherwise). The
 * jurisdiction is the route's own check (it loads the record with it).
 */
export function wantsFullRecord(app: FastifyInstance, req: FastifyRequest, permission: Permission = 'read'): boolean {
  const full = (req.query as { personalData?: PersonalData } | undefined)?.personalData === 'full';
  if (full) app.requirePermission(req, permission);
  return full;
}

/** What a full read is recorded as: the action (read_petition_state, read_escalation, read_backlog) and its record. */
export interface FullReadAudit {
  action: string;
  caseNo: string;
  detail?: Record<string, unknown>;
}

/**
 * The answer: masked with `mask`, or in full with the read written to the audit log (user, address, and for a
 * command's answer the command's route).
 */
export async function answerWithPersonalData<S extends object>(db: Db, req: FastifyRequest, full: boolean, state: S, mask: (s: S) => S, audit: FullReadAudit): Promise<S & { personalData: PersonalData }> {
  if (!full) return { ...mask(state), personalData: 'masked' as const };
  const command = req.method === 'GET' ? {} : { command: `${req.method} ${req.routeOptions.url ?? ''}` };
  await recordAudit(db, { userId: req.principal.id, action: audit.action, caseNo: audit.caseNo, detail: { ip: req.ip, ...audit.detail, ...command } });
  return { ...state, personalData: 'full' as const };
}
