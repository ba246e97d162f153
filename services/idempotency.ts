import { createHash } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Db } from '../db/client';
import { idempotencyKeys } from '../db/schema';
import { ServiceError } from './errors';

/**
 * Idempotency-Key for every route that takes one (intake, visits, commands): a key names one request of one user.
 * Used again with a different request — another body, another matter, another route, another user — it is refused
 * with 422, so a client bug cannot make a retry silently apply something else.
 */
export function requestHash(scope: string, body: unknown): string {
  return createHash('sha256').update(scope).update('\n').update(JSON.stringify(body ?? null)).digest('hex');
}

export const keyReused = () => new ServiceError(422, 'IdempotencyKeyReused', 'this Idempotency-Key was used for a different request');

/**
 * Records the key for this request, or finds it recorded: returns the stored answer of the first attempt (null if
 * it has none yet), or throws 422 if the key belongs to a different request.
 */
export async function claimIdempotencyKey(
  db: Db,
  claim: { key: string; userId: string; scope: string; body: unknown; caseNo: string },
): Promise<{ response: typeof idempotencyKeys.$inferSelect.response }> {
  const hash = requestHash(claim.scope, claim.body);
  await db.insert(idempotencyKeys).values({ key: claim.key, userId: claim.userId, requestHash: hash, caseNo: claim.caseNo }).onConflictDoNothing();
  const [row] = await db.select().from(idempotencyKeys).where(eq(idempotencyKeys.key, claim.key));
  if (!row || row.userId !== claim.userId || row.requestHash !== hash) throw keyReused();
  return { response: row.response ?? null };
}
