import argon2 from 'argon2';
import { asc, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import { divisions, loginFailures, units, users } from '../db/schema';
import type { Db } from '../db/client';
import { roles, unitRoles, type Role } from '../domain/access';
import { recordAudit } from './audit';
import { ServiceError } from './errors';

/**
 * Users, passwords and sign-in (issue 10, item 6). Passwords are argon2id hashes (the `argon2` package, prebuilt
 * binaries in the package: nothing is compiled or downloaded at install); sign-in failures lock a login name;
 * every change to a user is written to the audit log in the same transaction.
 */

/** OWASP's argon2id baseline (19 MiB, 2 passes) raised to 64 MiB and 3 passes: ~0.1 s here. */
const HASH_OPTIONS = { type: argon2.argon2id, memoryCost: 65_536, timeCost: 3, parallelism: 1 } as const;

export const loginName = z.string().trim().min(2).max(64).regex(/^[a-z0-9][a-z0-9._-]*$/, 'lower-case letters, digits, . _ -');
export const password = z.string().min(12, 'at least 12 characters').max(256);

export function hashPassword(plain: string): Promise<string> {
  return argon2.hash(plain, HASH_OPTIONS);
}

/** Verified against this when the login name is unknown, so that a wrong name costs what a wrong password does. */
let dummyHash: Promise<string> | undefined;

export interface LockPolicy {
  maxFailures: number;
  lockMinutes: number;
}

export type PublicUser = Omit<typeof users.$inferSelect, 'passwordHash'> & { hasPassword: boolean };
export function publicUser(u: typeof users.$inferSelect): PublicUser {
  const { passwordHash, ...rest } = u;
  return { ...rest, hasPassword: !!passwordHash };
}

/** 401 for a wrong name or password, alike; 423 with the seconds left while locked. */
export class LoginRefused extends ServiceError {
  constructor(
    status: 401 | 423,
    readonly retryAfterSeconds?: number,
  ) {
    super(
      status,
      status === 423 ? 'AccountLocked' : 'InvalidCredentials',
      status === 423
        ? `登录失败次数过多，账号已暂时锁定，请 ${Math.ceil((retryAfterSeconds ?? 60) / 60)} 分钟后再试。 Too many failed sign-ins: this account is locked; retry in ${retryAfterSeconds} s.`
        : '用户名或密码不正确。 Wrong user name or password.',
    );
  }
}

/**
 * Checks a login name and password. Locked names answer 423 (even with the right password) until the lock
 * expires; each failure counts, and the policy's n-th failure in a row locks the name. Names that do not exist
 * count and lock the same way, so the answers reveal nothing. Every outcome is audited.
 */
export async function login(db: Db, policy: LockPolicy, name: string, plain: string, ip: string, now = new Date()): Promise<typeof users.$inferSelect> {
  const [failure] = await db.select().from(loginFailures).where(eq(loginFailures.login, name));
  if (failure?.lockedUntil && failure.lockedUntil > now) {
    const retry = Math.ceil((failure.lockedUntil.getTime() - now.getTime()) / 1000);
    await recordAudit(db, { userId: name, action: 'auth.login_refused', detail: { reason: 'locked', ip, lockedUntil: failure.lockedUntil.toISOString() } });
    throw new LoginRefused(423, retry);
  }
  const [user] = await db.select().from(users).where(eq(users.id, name));
  dummyHash ??= hashPassword('not-a-password-of-anyone');
  const ok = await argon2.verify(user?.passwordHash ?? (await dummyHash), plain).catch(() => false);
  if (ok && user?.passwordHash && user.active) {
    await db.transaction(async (tx) => {
      await tx.delete(loginFailures).where(eq(loginFailures.login, name));
      await recordAudit(tx, { userId: user.id, action: 'auth.login', detail: { ip } });
    });
    return user;
  }
  const reason = !user ? 'unknown_user' : !user.passwordHash ? 'no_password' : !ok ? 'wrong_password' : 'inactive';
  const locked = await db.transaction(async (tx) => {
    // A lock that has expired starts a fresh count.
    const [row] = await tx
      .insert(loginFailures)
      .values({ login: name, failures: 1, lastFailedAt: now })
      .onConflictDoUpdate({
        target: loginFailures.login,
        set: {
          failures: sql`case when ${loginFailures.lockedUntil} is not null then 1 else ${loginFailures.failures} + 1 end`,
          lockedUntil: sql`null`,
          lastFailedAt: now,
        },
      })
      .returning();
    const lock = row!.failures >= policy.maxFailures;
    if (lock) {
      const until = new Date(now.getTime() + policy.lockMinutes * 60_000);
      await tx.update(loginFailures).set({ lockedUntil: until }).where(eq(loginFailures.login, name));
    }
    await recordAudit(tx, { userId: user ? user.id : 'anonymous', action: 'auth.login_failed', detail: { reason, ip, ...(user ? {} : { login: name }), failures: row!.failures } });
    if (lock) await recordAudit(tx, { userId: user ? user.id : 'anonymous', action: 'auth.locked', detail: { ip, ...(user ? {} : { login: name }), minutes: policy.lockMinutes } });
    return lock;
  });
  if (locked) throw new LoginRefused(423, policy.lockMinutes * 60);
  throw new LoginRefused(401);
}

export const userInput = z.object({
  id: loginName.describe('the login name'),
  name: z.string().trim().min(1).max(100),
  role: z.enum(roles),
  divisionCode: z.string().min(1).max(20).nullish().describe('bureau roles (registrar, supervisor, admin): the division they serve'),
  unitId: z.string().min(1).max(80).nullish().describe('unit roles (unit_handler, unit_head): their unit'),
  password: password.optional().describe('optional: a user without a password cannot sign in until one is set'),
  active: z.boolean().default(true),
});
export type UserInput = z.input<typeof userInput>;

export const userPatch = z
  .object({
    name: z.string().trim().min(1).max(100),
    role: z.enum(roles),
    divisionCode: z.string().min(1).max(20).nullable(),
    unitId: z.string().min(1).max(80).nullable(),
    active: z.boolean(),
  })
  .partial()
  .refine((p) => Object.keys(p).length > 0, 'nothing to change');
export type UserPatch = z.output<typeof userPatch>;

/** Bureau roles need a known division and no unit; unit roles a known unit and no division. */
async function checkBinding(db: Db, u: { role: Role; divisionCode?: string | null; unitId?: string | null }): Promise<void> {
  if (unitRoles.includes(u.role)) {
    if (!u.unitId) throw new ServiceError(422, 'InvalidBinding', `the role ${u.role} needs a unitId`, { unitId: 'required for unit roles' });
    if (u.divisionCode) throw new ServiceError(422, 'InvalidBinding', `the role ${u.role} is bound to a unit, not a division`, { divisionCode: 'not for unit roles' });
    const [unit] = await db.select({ id: units.id }).from(units).where(eq(units.id, u.unitId));
    if (!unit) throw new ServiceError(422, 'InvalidBinding', `no unit ${u.unitId}`, { unitId: 'unknown unit' });
  } else {
    if (!u.divisionCode) throw new ServiceError(422, 'InvalidBinding', `the role ${u.role} needs a divisionCode`, { divisionCode: 'required for bureau roles' });
    if (u.unitId) throw new ServiceError(422, 'InvalidBinding', `the role ${u.role} is bound to a division, not a unit`, { unitId: 'not for bureau roles' });
    const [division] = await db.select({ code: divisions.code }).from(divisions).where(eq(divisions.code, u.divisionCode));
    if (!division) throw new ServiceError(422, 'InvalidBinding', `no division ${u.divisionCode}`, { divisionCode: 'unknown division' });
  }
}

export async function listUsers(db: Db): Promise<PublicUser[]> {
  return (await db.select().from(users).orderBy(asc(users.role), asc(users.id))).map(publicUser);
}

export async function createUser(db: Db, input: z.output<typeof userInput>, by: string): Promise<PublicUser> {
  await checkBinding(db, input);
  const passwordHash = input.password ? await hashPassword(input.password) : null;
  return db.transaction(async (tx) => {
    const [created] = await tx
      .insert(users)
      .values({ id: input.id, name: input.name, role: input.role, divisionCode: input.divisionCode ?? null, unitId: input.unitId ?? null, active: input.active, passwordHash, passwordChangedAt: passwordHash ? new Date() : null })
      .onConflictDoNothing()
      .returning();
    if (!created) throw new ServiceError(409, 'UserExists', `a user ${input.id} exists already`);
    await recordAudit(tx, { userId: by, action: 'user.created', detail: { user: input.id, role: input.role, divisionCode: input.divisionCode ?? null, unitId: input.unitId ?? null, active: input.active, password: !!passwordHash } });
    return publicUser(created);
  });
}

export async function updateUser(db: Db, id: string, patch: UserPatch, by: string): Promise<PublicUser> {
  return db.transaction(async (tx) => {
    const [before] = await tx.select().from(users).where(eq(users.id, id)).for('update');
    if (!before) throw new ServiceError(404, 'NotFound', `no user ${id}`);
    if (id === by && ((patch.role && patch.role !== 'admin') || patch.active === false)) {
      throw new ServiceError(409, 'SelfLockout', 'an admin may not demote or deactivate their own account');
    }
    const after = { ...before, ...patch };
    // A change of role between bureau and unit roles moves the binding: the one that no longer applies is dropped.
    if (patch.role && !('divisionCode' in patch) && unitRoles.includes(patch.role)) after.divisionCode = null;
    if (patch.role && !('unitId' in patch) && !unitRoles.includes(patch.role)) after.unitId = null;
    await checkBinding(tx as unknown as Db, after);
    const changes: Record<string, { from: unknown; to: unknown }> = {};
    for (const k of ['name', 'role', 'divisionCode', 'unitId', 'active'] as const) {
      if (before[k] !== after[k]) changes[k] = { from: before[k], to: after[k] };
    }
    const [updated] = await tx
      .update(users)
      .set({ name: after.name, role: after.role, divisionCode: after.divisionCode, unitId: after.unitId, active: after.active })
      .where(eq(users.id, id))
      .returning();
    if (Object.keys(changes).length) await recordAudit(tx, { userId: by, action: 'user.updated', detail: { user: id, changes } });
    return publicUser(updated!);
  });
}

/** Sets a new password, clears any lock and signs the user out everywhere (older tokens are refused). */
export async function resetPassword(db: Db, id: string, plain: string, by: string): Promise<void> {
  const passwordHash = await hashPassword(plain);
  await db.transaction(async (tx) => {
    const [updated] = await tx.update(users).set({ passwordHash, passwordChangedAt: new Date() }).where(eq(users.id, id)).returning({ id: users.id });
    if (!updated) throw new ServiceError(404, 'NotFound', `no user ${id}`);
    await tx.delete(loginFailures).where(eq(loginFailures.login, id));
    await recordAudit(tx, { userId: by, action: 'user.password_reset', detail: { user: id } });
  });
}
