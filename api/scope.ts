import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { isoDate } from '../domain/petition';
import { shanghaiDateOf } from '../domain/dates';
import { ServiceError } from '../services/errors';

/** ?from=&to=&divisionCode= of the campaign's reports. Dates are Asia/Shanghai, both included. */
export const periodQuery = z.object({
  from: isoDate.optional().describe('first day, Asia/Shanghai (default: 1 January of this year)'),
  to: isoDate.optional().describe('last day, included (default: today)'),
  divisionCode: z.string().min(1).max(20).optional().describe('jurisdiction: this division and below (default: your own)'),
});

export interface Scope {
  from: string;
  to: string;
  divisionCode: string;
  divisions: string[];
}

/**
 * The period and the jurisdiction a report covers: a division the caller may see (theirs or one below it; an admin
 * any), refused with 404 when unknown and 403 when outside; from ≤ to, at most ten years.
 */
export function resolveScope(app: FastifyInstance, req: FastifyRequest, q: z.output<typeof periodQuery>): Scope {
  const p = req.principal;
  const today = shanghaiDateOf(new Date());
  const to = q.to ?? today;
  const from = q.from ?? `${to.slice(0, 4)}-01-01`;
  if (from > to) throw new ServiceError(400, 'InvalidInput', 'from is after to', { from: 'after to' });
  if (Number(to.slice(0, 4)) - Number(from.slice(0, 4)) > 10) throw new ServiceError(400, 'InvalidInput', 'a period spans at most ten years', { from: 'too early' });
  const own = p.divisionCode ?? null;
  const divisionCode = q.divisionCode ?? own ?? '331100';
  if (app.parentOf(divisionCode) === undefined) throw new ServiceError(404, 'NotFound', `no division ${divisionCode}`);
  if (p.role !== 'admin' && (!own || !app.divisionsUnder(own).includes(divisionCode)))
    throw new ServiceError(403, 'Forbidden', `division ${divisionCode} is outside your jurisdiction`);
  return { from, to, divisionCode, divisions: app.divisionsUnder(divisionCode) };
}
