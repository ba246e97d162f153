import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { and, eq, sql } from 'drizzle-orm';
import { buildApp } from '../../api/app';
import type { Database } from '../../db/client';
import { auditLog, petitions } from '../../db/schema';
import { temporalClient } from '../../services/bootstrap';
import { purgeAudit, verifyAuditChain } from '../../services/audit';
import { memoryDatabase, testConfig } from '../support/api';

// Sign-in with a password, lockout, user management by admins, and the audit log as evidence — on a real read model
// (PGlite) through inject(). None of these routes calls Temporal: the client here is never dialled.

const PASSWORD = 'Lishui-2026-correct-horse';

async function appOn(database: Database, env: Record<string, string> = {}): Promise<FastifyInstance> {
  const config = testConfig(env);
  return buildApp({ config, database, temporal: temporalClient(config, '127.0.0.1:1') });
}

/** A matter written straight into the read model (no workflow needed to be refused). */
async function insertMatter(database: Database, caseNo: string, divisionCode: string): Promise<void> {
  const at = new Date('2026-11-02T02:00:00Z');
  await database.db.insert(petitions).values({
    caseNo,
    queryCode: caseNo.slice(-8),
    workflowId: `petition-${caseNo}`,
    status: 'TRIAGE',
    channel: 'letter',
    source: 'direct',
    divisionCode,
    category: 'land',
    purpose: 'complaint',
    summary: '青田县某村土地征收补偿款未足额发放',
    petitioners: [{ name: '李四', main: true, idType: 'resident_id', idNumber: '331121198001011234' }],
    personsCount: 1,
    flags: {},
    intake: {},
    receivedAt: at,
    registeredAt: at,
    registeredBy: 'registrar-qingtian',
    firstReceiver: 'registrar-qingtian',
  });
}

describe('sign-in, users and the audit log', () => {
  let database: Database;
  let app: FastifyInstance;
  const bearer = (userId: string) => ({ authorization: `Bearer ${app.signToken(userId)}` });
  const auditOf = (action: string) => database.db.select().from(auditLog).where(eq(auditLog.action, action));
  const login = (userId: string, password: string) => app.inject({ method: 'POST', url: '/auth/login', payload: { userId, password } });

  beforeAll(async () => {
    database = await memoryDatabase();
    app = await appOn(database);
    await insertMatter(database, 'LS2026110200001', '331121');
  });
  afterAll(async () => {
    await app?.close();
    await database?.close();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  describe('users: an admin creates, changes and resets them; nobody else may', () => {
    it('an admin creates a registrar of 莲都区 with a password → 201, no hash in the answer, audited', async () => {
      const res = await app.inject({
        method: 'POST',
        url: '/api/admin/users',
        headers: bearer('admin'),
        payload: { id: 'wang.fang', name: '王芳', role: 'registrar', divisionCode: '331102', password: PASSWORD },
      });
      expect(res.statusCode, res.body).toBe(201);
      expect(res.json()).toMatchObject({ id: 'wang.fang', role: 'registrar', divisionCode: '331102', unitId: null, active: true, hasPassword: true });
      expect(res.body).not.toMatch(/argon2|passwordHash/);
      const [row] = await auditOf('user.created');
      expect(row).toMatchObject({ userId: 'admin', detail: { user: 'wang.fang', role: 'registrar', divisionCode: '331102', password: true } });
      expect(JSON.stringify(row!.detail)).not.toContain(PASSWORD);
    });

    it('the same login name twice → 409; a unit role without a unit, or an unknown division → 422', async () => {
      const dup = await app.inject({ method: 'POST', url: '/api/admin/users', headers: bearer('admin'), payload: { id: 'wang.fang', name: '王芳', role: 'registrar', divisionCode: '331102' } });
      expect(dup.statusCode).toBe(409);
      const noUnit = await app.inject({ method: 'POST', url: '/api/admin/users', headers: bearer('admin'), payload: { id: 'li.handler', name: '李经办', role: 'unit_handler', divisionCode: '331102' } });
      expect(noUnit.statusCode).toBe(422);
      expect(noUnit.json().fields).toHaveProperty('unitId');
      const badDivision = await app.inject({ method: 'POST', url: '/api/admin/users', headers: bearer('admin'), payload: { id: 'zhao.reg', name: '赵', role: 'registrar', divisionCode: '999999' } });
      expect(badDivision.statusCode).toBe(422);
      const shortPassword = await app.inject({ method: 'POST', url: '/api/admin/users', headers: bearer('admin'), payload: { id: 'qian.reg', name: '钱', role: 'registrar', divisionCode: '331102', password: 'short' } });
      expect(shortPassword.statusCode).toBe(400);
    });

    it('a supervisor may not list, create, change or reset users → 403 each, and each refusal is audited', async () => {
      const before = (await auditOf('access.refused')).length;
      const calls = [
        app.inject({ method: 'GET', url: '/api/admin/users', headers: bearer('supervisor-city') }),
        app.inject({ method: 'POST', url: '/api/admin/users', headers: bearer('supervisor-city'), payload: { id: 'mallory', name: 'M', role: 'admin', divisionCode: '331100' } }),
        app.inject({ method: 'PATCH', url: '/api/admin/users/supervisor-city', headers: bearer('supervisor-city'), payload: { role: 'admin' } }),
        app.inject({ method: 'POST', url: '/api/admin/users/admin/password', headers: bearer('supervisor-city'), payload: { password: PASSWORD } }),
        app.inject({ method: 'GET', url: '/api/admin/roles', headers: bearer('registrar-city') }),
        app.inject({ method: 'GET', url: '/api/admin/audit', headers: bearer('supervisor-city') }),
      ];
      for (const res of await Promise.all(calls)) expect(res.statusCode).toBe(403);
      const refused = await auditOf('access.refused');
      expect(refused.length - before).toBe(6);
      expect(refused.filter((r) => r.userId === 'supervisor-city').map((r) => (r.detail as { route: string }).route)).toEqual(
        expect.arrayContaining(['/api/admin/users', '/api/admin/users/:id', '/api/admin/users/:id/password', '/api/admin/audit']),
      );
      const [mallory] = await database.db.execute(sql`select count(*)::int as n from users where id = 'mallory'`).then((r) => (Array.isArray(r) ? r : (r as { rows: { n: number }[] }).rows));
      expect(mallory).toMatchObject({ n: 0 });
    });

    it('the roles with their permissions and the divisions and units users can be bound to', async () => {
      const res = await app.inject({ method: 'GET', url: '/api/admin/roles', headers: bearer('admin') });
      expect(res.statusCode).toBe(200);
      const body = res.json<{ roles: { role: string; boundTo: string; permissions: string[] }[]; divisions: { code: string }[]; units: { id: string }[] }>();
      expect(body.roles.find((r) => r.role === 'unit_head')).toMatchObject({ boundTo: 'unit' });
      expect(body.roles.find((r) => r.role === 'unit_head')!.permissions).toContain('extend');
      expect(body.roles.find((r) => r.role === 'registrar')!.permissions).not.toContain('admin');
      expect(body.divisions.map((d) => d.code)).toContain('331102');
      expect(body.units.map((u) => u.id)).toContain('liandu-housing');
    });
  });

  describe('POST /auth/login', () => {
    it('the right password → a token of the API’s usual shape (HS256, sub, iat, exp ≤ 8 h) that opens /api', async () => {
      const res = await login('wang.fang', PASSWORD);
      expect(res.statusCode, res.body).toBe(200);
      const { token, user, expiresAt } = res.json<{ token: string; expiresAt: string; user: { id: string; role: string } }>();
      expect(user).toMatchObject({ id: 'wang.fang', role: 'registrar' });
      const [head, payload] = token.split('.').slice(0, 2).map((p) => JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>);
      expect(head).toMatchObject({ alg: 'HS256' });
      expect(payload).toMatchObject({ sub: 'wang.fang' });
      const { iat, exp } = payload as { iat: number; exp: number };
      expect(exp - iat).toBeLessThanOrEqual(8 * 3600);
      expect(Date.parse(expiresAt)).toBe(exp * 1000);
      const list = await app.inject({ method: 'GET', url: '/api/petitions', headers: { authorization: `Bearer ${token}` } });
      expect(list.statusCode).toBe(200);
      expect((await auditOf('auth.login')).filter((r) => r.userId === 'wang.fang')).toHaveLength(1);
    });

    it('a wrong password and an unknown name get the same 401, both audited', async () => {
      const wrong = await login('wang.fang', 'not-her-password-at-all');
      const unknown = await login('nobody.here', 'not-her-password-at-all');
      expect(wrong.statusCode).toBe(401);
      expect(unknown.statusCode).toBe(401);
      expect(wrong.json().message).toBe(unknown.json().message);
      expect(wrong.json().message).toMatch(/用户名或密码不正确.*Wrong user name or password/);
      const failed = await auditOf('auth.login_failed');
      expect(failed.find((r) => r.userId === 'wang.fang')).toMatchObject({ detail: { reason: 'wrong_password', failures: 1 } });
      expect(failed.find((r) => r.userId === 'anonymous')).toMatchObject({ detail: { reason: 'unknown_user', login: 'nobody.here' } });
      // The success above cleared nothing here: the next right password clears the count.
      expect((await login('wang.fang', PASSWORD)).statusCode).toBe(200);
    });

    it('the 5th failure in a row locks the name for 15 minutes (423, Retry-After), even for the right password; it lifts after', async () => {
      vi.useFakeTimers({ toFake: ['Date'], now: new Date('2026-11-27T09:00:00+08:00') });
      for (let i = 1; i <= 4; i++) expect((await login('wang.fang', `wrong-password-${i}`)).statusCode).toBe(401);
      const fifth = await login('wang.fang', 'wrong-password-5');
      expect(fifth.statusCode).toBe(423);
      expect(fifth.headers['retry-after']).toBe('900');
      expect(fifth.json().message).toMatch(/账号已暂时锁定.*15 分钟.*locked/);
      expect((await auditOf('auth.locked')).filter((r) => r.userId === 'wang.fang')).toHaveLength(1);

      vi.setSystemTime(new Date('2026-11-27T09:10:00+08:00'));
      const stillLocked = await login('wang.fang', PASSWORD);
      expect(stillLocked.statusCode).toBe(423);
      expect(stillLocked.headers['retry-after']).toBe('300');
      expect((await auditOf('auth.login_refused')).at(-1)).toMatchObject({ userId: 'wang.fang', detail: { reason: 'locked' } });

      vi.setSystemTime(new Date('2026-11-27T09:15:01+08:00'));
      const after = await login('wang.fang', PASSWORD);
      expect(after.statusCode, after.body).toBe(200);
    });

    it('a lock that expired starts a fresh count: one wrong password after it is a 401, not a new lock', async () => {
      vi.useFakeTimers({ toFake: ['Date'], now: new Date('2026-11-27T10:00:00+08:00') });
      for (let i = 1; i <= 5; i++) await login('nobody.here', `guess-${i}`);
      expect((await login('nobody.here', 'guess-6')).statusCode).toBe(423);
      vi.setSystemTime(new Date('2026-11-27T10:16:00+08:00'));
      expect((await login('nobody.here', 'guess-7')).statusCode).toBe(401);
    });

    it('the development login still works as before', async () => {
      const res = await app.inject({ method: 'POST', url: '/auth/dev-token', payload: { userId: 'registrar-liandu' } });
      expect(res.statusCode).toBe(200);
    });
  });

  describe('changes take effect on tokens at once', () => {
    it('a role change is audited with before and after', async () => {
      const res = await app.inject({ method: 'PATCH', url: '/api/admin/users/wang.fang', headers: bearer('admin'), payload: { role: 'supervisor', divisionCode: '331100' } });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toMatchObject({ role: 'supervisor', divisionCode: '331100' });
      const [row] = await auditOf('user.updated');
      expect(row).toMatchObject({ userId: 'admin', detail: { user: 'wang.fang', changes: { role: { from: 'registrar', to: 'supervisor' }, divisionCode: { from: '331102', to: '331100' } } } });
    });

    it('moving a user to a unit role without naming the unit → 422; an admin may not deactivate themself → 409', async () => {
      expect((await app.inject({ method: 'PATCH', url: '/api/admin/users/wang.fang', headers: bearer('admin'), payload: { role: 'unit_handler' } })).statusCode).toBe(422);
      expect((await app.inject({ method: 'PATCH', url: '/api/admin/users/admin', headers: bearer('admin'), payload: { active: false } })).statusCode).toBe(409);
      expect((await app.inject({ method: 'PATCH', url: '/api/admin/users/no.such', headers: bearer('admin'), payload: { active: false } })).statusCode).toBe(404);
    });

    it('a password reset refuses tokens issued before it; a deactivated user can neither use a token nor sign in', async () => {
      const old = (await login('wang.fang', PASSWORD)).json<{ token: string }>().token;
      // iat has whole seconds: the reset must come in a later second than the old token.
      await new Promise((r) => setTimeout(r, 1100));
      const NEW = 'Lishui-2026-new-password';
      const reset = await app.inject({ method: 'POST', url: '/api/admin/users/wang.fang/password', headers: bearer('admin'), payload: { password: NEW } });
      expect(reset.statusCode, reset.body).toBe(204);
      expect((await auditOf('user.password_reset')).at(-1)).toMatchObject({ userId: 'admin', detail: { user: 'wang.fang' } });
      const refused = await app.inject({ method: 'GET', url: '/api/petitions', headers: { authorization: `Bearer ${old}` } });
      expect(refused.statusCode).toBe(401);
      expect((await auditOf('auth.token_refused')).at(-1)).toMatchObject({ userId: 'anonymous', detail: { status: 401, route: '/api/petitions' } });
      const fresh = await login('wang.fang', NEW);
      expect(fresh.statusCode).toBe(200);

      const off = await app.inject({ method: 'PATCH', url: '/api/admin/users/wang.fang', headers: bearer('admin'), payload: { active: false } });
      expect(off.statusCode).toBe(200);
      const withToken = await app.inject({ method: 'GET', url: '/api/petitions', headers: { authorization: `Bearer ${fresh.json<{ token: string }>().token}` } });
      expect(withToken.statusCode).toBe(401);
      expect(withToken.json().message).toMatch(/deactivated/);
      expect((await login('wang.fang', NEW)).statusCode).toBe(401);
      expect((await auditOf('auth.login_failed')).at(-1)).toMatchObject({ userId: 'wang.fang', detail: { reason: 'inactive' } });
    });
  });

  describe('refused reads are evidence too', () => {
    it('a matter outside the jurisdiction (403) and one that does not exist (404) are both written to the audit log', async () => {
      const outside = await app.inject({ method: 'GET', url: '/api/petitions/LS2026110200001', headers: bearer('registrar-liandu') });
      expect(outside.statusCode).toBe(403);
      const missing = await app.inject({ method: 'GET', url: '/api/petitions/LS2026110299999', headers: bearer('registrar-liandu') });
      expect(missing.statusCode).toBe(404);
      const rows = await database.db.select().from(auditLog).where(eq(auditLog.userId, 'registrar-liandu'));
      expect(rows.find((r) => r.action === 'access.refused')).toMatchObject({ caseNo: 'LS2026110200001', detail: { method: 'GET', route: '/api/petitions/:caseNo', status: 403 } });
      expect(rows.find((r) => r.action === 'access.not_found')).toMatchObject({ caseNo: 'LS2026110299999', detail: { status: 404 } });
      // The full record read by someone in jurisdiction is audited as before.
      expect((await app.inject({ method: 'GET', url: '/api/petitions/LS2026110200001', headers: bearer('registrar-qingtian') })).statusCode).toBe(200);
      expect(await database.db.select().from(auditLog).where(and(eq(auditLog.action, 'read_petition'), eq(auditLog.userId, 'registrar-qingtian')))).toHaveLength(1);
    });

    it('a forged token is recorded; a request with no token at all is not', async () => {
      const before = (await auditOf('auth.token_refused')).length;
      expect((await app.inject({ method: 'GET', url: '/api/petitions', headers: { authorization: 'Bearer not.a.token' } })).statusCode).toBe(401);
      expect((await app.inject({ method: 'GET', url: '/api/petitions' })).statusCode).toBe(401);
      expect((await auditOf('auth.token_refused')).length - before).toBe(1);
    });
  });

  describe('the audit log for admins', () => {
    it('pages newest first with filters, and nextBefore walks every row once', async () => {
      const first = await app.inject({ method: 'GET', url: '/api/admin/audit?action=auth.*&pageSize=3', headers: bearer('admin') });
      expect(first.statusCode, first.body).toBe(200);
      const page = first.json<{ items: { seq: number; action: string }[]; nextBefore: number | null }>();
      expect(page.items).toHaveLength(3);
      expect(page.items.every((i) => i.action.startsWith('auth.'))).toBe(true);
      expect(page.items[0]!.seq).toBeGreaterThan(page.items[1]!.seq);
      const seen = page.items.map((i) => i.seq);
      let next = page.nextBefore;
      while (next) {
        const p = (await app.inject({ method: 'GET', url: `/api/admin/audit?action=auth.*&pageSize=3&before=${next}`, headers: bearer('admin') })).json<typeof page>();
        seen.push(...p.items.map((i) => i.seq));
        next = p.nextBefore;
      }
      const all = await database.db.select({ seq: auditLog.seq }).from(auditLog).where(sql`${auditLog.action} like 'auth.%'`);
      expect(seen.sort((a, b) => a - b)).toEqual(all.map((r) => r.seq).sort((a, b) => a - b));
      const byCase = (await app.inject({ method: 'GET', url: '/api/admin/audit?caseNo=LS2026110200001', headers: bearer('admin') })).json<{ items: { caseNo: string }[] }>();
      expect(byCase.items.length).toBeGreaterThanOrEqual(2);
      expect(byCase.items.every((i) => i.caseNo === 'LS2026110200001')).toBe(true);
    });

    it('exports CSV with the chain hashes, and the export itself is audited', async () => {
      const res = await app.inject({ method: 'GET', url: '/api/admin/audit?format=csv&userId=registrar-liandu', headers: bearer('admin') });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/text\/csv/);
      const lines = res.body.replace(/^\ufeff/, '').trim().split('\r\n');
      expect(lines[0]).toBe('seq,id,at,user,action,case_no,detail,prev_hash,hash');
      expect(lines.slice(1).every((l) => l.includes('registrar-liandu'))).toBe(true);
      expect(lines.some((l) => l.includes('access.refused') && l.includes('LS2026110200001'))).toBe(true);
      expect((await auditOf('audit.exported')).at(-1)).toMatchObject({ userId: 'admin', detail: { rows: lines.length - 1 } });
    });

    it('every entry written by this suite forms one intact chain: GET /api/admin/audit/verify', async () => {
      const res = await app.inject({ method: 'GET', url: '/api/admin/audit/verify', headers: bearer('admin') });
      expect(res.statusCode).toBe(200);
      const report = res.json<{ ok: boolean; rows: number; firstSeq: number; lastSeq: number }>();
      const [{ n }] = (await database.db.execute(sql`select count(*)::int as n from audit_log`).then((r) => (Array.isArray(r) ? r : (r as { rows: unknown[] }).rows))) as [{ n: number }];
      expect(report).toMatchObject({ ok: true, rows: n, firstSeq: 1, lastSeq: n });
    });
  });
});

describe('the audit log is append-only and tamper-evident', () => {
  let database: Database;
  let app: FastifyInstance;
  const raw = async (q: string) => {
    const r = await database.db.execute(sql.raw(q));
    return (Array.isArray(r) ? r : (r as { rows: unknown[] }).rows) as Record<string, unknown>[];
  };
  /** The database's own message of a refused statement (drizzle wraps it as the cause). */
  const refusal = (p: Promise<unknown>) => p.then(() => 'accepted', (e: Error & { cause?: Error }) => e.cause?.message ?? e.message);
  const write = (userId: string, action: string, at?: Date) => database.db.insert(auditLog).values({ userId, action, caseNo: 'LS2026110200001', detail: { ip: '10.0.0.8' }, ...(at ? { at } : {}) }).returning();

  beforeAll(async () => {
    database = await memoryDatabase();
    app = await appOn(database);
  });
  afterAll(async () => {
    await app?.close();
    await database?.close();
  });

  it('each row carries the previous row’s hash; whatever a writer puts in seq or hash is replaced', async () => {
    const [a] = await write('supervisor-city', 'read_petition');
    const [b] = await database.db.insert(auditLog).values({ userId: 'mallory', action: 'read_petition', seq: 999, prevHash: 'x', hash: 'y' }).returning();
    expect(a!.prevHash).toBe('0'.repeat(64));
    expect(b!.seq).toBe(a!.seq + 1);
    expect(b!.prevHash).toBe(a!.hash);
    expect(b!.hash).toMatch(/^[0-9a-f]{64}$/);
    expect((await verifyAuditChain(database.db)).ok).toBe(true);
  });

  it('UPDATE, DELETE and TRUNCATE are refused by the database', async () => {
    expect(await refusal(raw(`update audit_log set user_id = 'someone-else' where seq = 1`))).toMatch(/append-only: UPDATE of row \d+ refused/);
    expect(await refusal(raw(`delete from audit_log where seq = 1`))).toMatch(/append-only: DELETE of row \d+ refused/);
    expect(await refusal(raw(`truncate audit_log`))).toMatch(/append-only: TRUNCATE refused/);
    // The purge's flag does not open rows younger than 183 days.
    const purgeYoung = database.db.transaction(async (tx) => {
      await tx.execute(sql`select set_config('audit.purge', 'on', true)`);
      await tx.execute(sql`delete from audit_log where seq = 1`);
    });
    expect(await refusal(purgeYoung)).toMatch(/append-only: DELETE/);
    expect(await raw('select count(*)::int as n from audit_log')).toEqual([{ n: 2 }]);
  });

  it('the retention purge removes only rows older than the retention, and the chain still verifies from the purge record', async () => {
    await expect(purgeAudit(database.db, 90, 'admin')).rejects.toThrow(/183 days/);
    expect(() => testConfig({ AUDIT_RETENTION_DAYS: '90' })).toThrow(/AUDIT_RETENTION_DAYS: at least 183 days/);
    // A log that began in January 2025: the first rows predate the current ones by far more than 183 days.
    const fresh = await memoryDatabase();
    try {
      const old = new Date('2025-01-06T01:00:00Z');
      for (let i = 0; i < 3; i++) await fresh.db.insert(auditLog).values({ userId: 'supervisor-city', action: 'read_petition', at: new Date(old.getTime() + i * 60_000) });
      await fresh.db.insert(auditLog).values({ userId: 'supervisor-city', action: 'read_petition' });
      const result = await purgeAudit(fresh.db, 183, 'admin');
      expect(result).toMatchObject({ removed: 3, throughSeq: 3 });
      const rest = await fresh.db.select().from(auditLog).orderBy(auditLog.seq);
      expect(rest.map((r) => [r.seq, r.action])).toEqual([[4, 'read_petition'], [5, 'audit.purged']]);
      expect(await verifyAuditChain(fresh.db)).toMatchObject({ ok: true, rows: 2, firstSeq: 4, lastSeq: 5 });
    } finally {
      await fresh.close();
    }
  });

  it('a row edited with the trigger disabled (a superuser) is found by verify, by its id; so is a row removed from the middle and from the end', async () => {
    for (let i = 0; i < 5; i++) await write('registrar-city', 'read_petition');
    const [target] = await database.db.select().from(auditLog).where(eq(auditLog.seq, 4));
    await raw(`alter table audit_log disable trigger audit_log_append_only`);
    await raw(`update audit_log set detail = '{"ip": "10.9.9.9"}' where id = ${target!.id}`);
    await raw(`alter table audit_log enable trigger audit_log_append_only`);
    const tampered = await verifyAuditChain(database.db);
    expect(tampered).toMatchObject({ ok: false, broken: { id: target!.id, seq: 4 } });
    expect(tampered.broken!.reason).toMatch(/changed/);
    const api = await app.inject({ method: 'GET', url: '/api/admin/audit/verify', headers: { authorization: `Bearer ${app.signToken('admin')}` } });
    expect(api.json()).toMatchObject({ ok: false, broken: { id: target!.id, seq: 4 } });

    // Put it back, then remove a row from the middle: the row after the gap is named.
    await raw(`alter table audit_log disable trigger audit_log_append_only`);
    await raw(`update audit_log set detail = '{"ip": "10.0.0.8"}' where id = ${target!.id}`);
    expect((await verifyAuditChain(database.db)).ok).toBe(true);
    const [next] = await database.db.select().from(auditLog).where(eq(auditLog.seq, 5));
    await raw(`delete from audit_log where id = ${target!.id}`);
    expect(await verifyAuditChain(database.db)).toMatchObject({ ok: false, broken: { id: next!.id, seq: 5 } });
    await raw(`alter table audit_log enable trigger audit_log_append_only`);
  });

  it('rows cut off the end of the chain are found too: the chain head counted them', async () => {
    const fresh = await memoryDatabase();
    try {
      for (let i = 0; i < 3; i++) await fresh.db.insert(auditLog).values({ userId: 'supervisor-city', action: 'read_petition' });
      await fresh.db.execute(sql`alter table audit_log disable trigger audit_log_append_only`);
      await fresh.db.execute(sql`delete from audit_log where seq = 3`);
      const report = await verifyAuditChain(fresh.db);
      expect(report).toMatchObject({ ok: false, lastSeq: 2, broken: { seq: 3 } });
      expect(report.broken!.reason).toMatch(/removed from the end/);
    } finally {
      await fresh.close();
    }
  });
});
