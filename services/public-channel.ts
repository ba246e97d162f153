import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { auditLog, petitions, queryCodeAttempts, rateCounters } from '../db/schema';
import type { Db } from '../db/client';
import { expectedFactor, MAX_FACTOR_FAILURES, normalizeQueryCode } from '../domain/public';
import { ServiceError } from './errors';

export interface PublicLimits {
  /** Requests per client address per 15 minutes. */
  perIp: number;
  /** Requests per query code per hour. */
  perCode: number;
}

const IP_WINDOW_MS = 15 * 60_000;
const CODE_WINDOW_MS = 60 * 60_000;

/** One answer for a wrong code and a wrong factor alike. */
export const NOT_VERIFIED = () => new ServiceError(401, 'NotVerified', '查询码或验证信息不正确（the query code or the verification digits are wrong）');
const LOCKED = () =>
  new ServiceError(
    423,
    'Locked',
    '该查询码因多次验证失败已被锁定，请携带身份证件到信访部门办理（the query code is locked after repeated failures）',
  );

/**
 * Counts a request against a fixed window in the database (so every API process shares it); 429 with Retry-After
 * once more than `max` fall into the window.
 */
async function countRequest(db: Db, key: string, max: number, windowMs: number, what: string): Promise<void> {
  const now = new Date();
  const cutoff = new Date(now.getTime() - windowMs).toISOString();
  const nowIso = now.toISOString();
  const [row] = await db
    .insert(rateCounters)
    .values({ key, windowStart: now, count: 1 })
    .onConflictDoUpdate({
      target: rateCounters.key,
      set: {
        count: sql`case when ${rateCounters.windowStart} <= ${cutoff}::timestamptz then 1 else ${rateCounters.count} + 1 end`,
        windowStart: sql`case when ${rateCounters.windowStart} <= ${cutoff}::timestamptz then ${nowIso}::timestamptz else ${rateCounters.windowStart} end`,
      },
    })
    .returning();
  if (row && row.count > max) {
    const retryAfter = Math.max(1, Math.ceil((new Date(row.windowStart).getTime() + windowMs - now.getTime()) / 1000));
    throw new ServiceError(429, 'TooManyRequests', `请求过于频繁，请稍后再试（too many requests ${what}; retry in ${retryAfter} s）`, { retryAfter: String(retryAfter) });
  }
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}

// Compared against when the code matches no matter (or the matter has no factor), so both paths do the same work.
const DUMMY_FACTOR = randomBytes(16).toString('hex');

/** What the channel reads of a matter: never the state snapshot or the intake record (and the same columns either way). */
const matterColumns = {
  caseNo: petitions.caseNo,
  workflowId: petitions.workflowId,
  status: petitions.status,
  open: petitions.open,
  unitId: petitions.unitId,
  divisionCode: petitions.divisionCode,
  registeredAt: petitions.registeredAt,
  petitioners: petitions.petitioners,
};
export type VerifiedMatter = { [K in keyof typeof matterColumns]: (typeof petitions.$inferSelect)[K] };

/**
 * Verifies a query code and its second factor for the public channel. Rate-limited per address and per code;
 * a wrong code and a wrong factor take the same path (one lookup, one constant-time compare, one counter write)
 * and get the same 401; the tenth failure locks the code (423 from then on, audited).
 */
export async function verifyPetitioner(
  db: Db,
  input: { queryCode: string; factor: string; ip: string },
  limits: PublicLimits,
): Promise<VerifiedMatter> {
  const code = normalizeQueryCode(input.queryCode);
  const factor = input.factor.trim().toUpperCase();
  await countRequest(db, `ip:${input.ip}`, limits.perIp, IP_WINDOW_MS, 'from this address');
  await countRequest(db, `code:${code}`, limits.perCode, CODE_WINDOW_MS, 'for this query code');

  const [matter] = await db.select(matterColumns).from(petitions).where(eq(petitions.queryCode, code)).limit(1);
  const [attempts] = await db.select().from(queryCodeAttempts).where(eq(queryCodeAttempts.code, code));
  const expected = matter ? expectedFactor(matter.petitioners) : null;
  const equal = timingSafeEqual(digest(factor), digest(expected ?? DUMMY_FACTOR));
  const ok = equal && expected !== null && matter !== undefined;

  if (attempts?.lockedAt) throw LOCKED();
  const now = new Date();
  if (ok) {
    await db
      .insert(queryCodeAttempts)
      .values({ code, failures: 0, lastAttemptAt: now })
      .onConflictDoUpdate({ target: queryCodeAttempts.code, set: { failures: 0, lastAttemptAt: now } });
    return matter;
  }
  const [after] = await db
    .insert(queryCodeAttempts)
    .values({ code, failures: 1, lastAttemptAt: now })
    .onConflictDoUpdate({ target: queryCodeAttempts.code, set: { failures: sql`${queryCodeAttempts.failures} + 1`, lastAttemptAt: now } })
    .returning();
  if (after && after.failures >= MAX_FACTOR_FAILURES) {
    await db.transaction(async (tx) => {
      await tx.update(queryCodeAttempts).set({ lockedAt: now }).where(eq(queryCodeAttempts.code, code));
      await tx.insert(auditLog).values({
        userId: 'public',
        action: 'query_code.locked',
        caseNo: matter?.caseNo ?? null,
        detail: { queryCode: code, failures: after.failures, ip: input.ip },
      });
    });
    throw LOCKED();
  }
  throw NOT_VERIFIED();
}

/** An admin lifts a lock after checking the petitioner's identity in person; audited. */
export async function unlockQueryCode(db: Db, queryCode: string, by: string, reason: string): Promise<boolean> {
  const code = normalizeQueryCode(queryCode);
  return db.transaction(async (tx) => {
    const [row] = await tx.update(queryCodeAttempts).set({ failures: 0, lockedAt: null }).where(eq(queryCodeAttempts.code, code)).returning();
    if (!row) return false;
    const [matter] = await tx.select({ caseNo: petitions.caseNo }).from(petitions).where(eq(petitions.queryCode, code));
    await tx.insert(auditLog).values({ userId: by, action: 'query_code.unlocked', caseNo: matter?.caseNo ?? null, detail: { queryCode: code, reason } });
    return true;
  });
}
