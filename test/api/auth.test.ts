import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { auditLog } from '../../db/schema';
import { createApiBench, type ApiBench, type MatterDetail } from '../support/api';

/** An HS256 JWT signed with `secret` (to forge tokens the API must refuse). */
function jwt(payload: Record<string, unknown>, secret: string): string {
  const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const head = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(payload)}`;
  return `${head}.${createHmac('sha256', secret).update(head).digest('base64url')}`;
}

interface ListItem {
  caseNo: string;
  divisionCode: string;
  unitId: string | null;
  status: string;
  petitioners: { name: string; idNumber: string | null; phone: string | null }[];
}
interface List {
  total: number;
  items: ListItem[];
}

describe('access: bearer tokens, roles and jurisdiction', () => {
  let b: ApiBench;
  /** In 莲都区, still in triage at the bureau. */
  let lianduTriage: string;
  /** In 青田县, still in triage. */
  let qingtianTriage: string;
  /** At city level (丽水市), forwarded to 莲都区住建局. */
  let forwardedToLianduHousing: string;

  beforeAll(async () => {
    b = await createApiBench();
    lianduTriage = (await b.register({ divisionCode: '331102', petitioners: [{ name: '张三丰', main: true, idNumber: '331102198001011234', phone: '13812345678' }] }, 'registrar-liandu')).caseNo;
    qingtianTriage = (await b.register({ divisionCode: '331121', summary: '青田县某村土地征收补偿款未足额发放' }, 'registrar-qingtian')).caseNo;
    forwardedToLianduHousing = (await b.register({ divisionCode: '331100', summary: '市区老旧小区加装电梯审批迟迟没有结果' }, 'registrar-city')).caseNo;
    const fwd = await b.post(`/api/petitions/${forwardedToLianduHousing}/forward`, 'registrar-city', { mode: 'assign', unitId: 'liandu-housing' });
    expect(fwd.statusCode, fwd.body).toBe(200);
    await b.waitForMatter(forwardedToLianduHousing, (m) => m.status === 'AWAITING_ACCEPTANCE' && m.unitId === 'liandu-housing', 'forwarded to liandu-housing');
  });
  afterAll(async () => b?.teardown());

  describe('tokens', () => {
    it('POST /auth/dev-token gives a seeded user a token that opens /api', async () => {
      const res = await b.app.inject({ method: 'POST', url: '/auth/dev-token', payload: { userId: 'registrar-liandu' } });
      expect(res.statusCode).toBe(200);
      const { token, user } = res.json<{ token: string; user: { id: string; role: string; divisionCode: string } }>();
      expect(user).toMatchObject({ id: 'registrar-liandu', role: 'registrar', divisionCode: '331102' });
      const list = await b.app.inject({ method: 'GET', url: '/api/petitions', headers: { authorization: `Bearer ${token}` } });
      expect(list.statusCode).toBe(200);
    });

    it('every seeded development user can get a token', async () => {
      for (const userId of ['registrar-city', 'registrar-liandu', 'registrar-qingtian', 'handler-liandu-housing', 'head-liandu-housing', 'handler-city-housing', 'supervisor-city', 'supervisor-liandu', 'admin']) {
        const res = await b.app.inject({ method: 'POST', url: '/auth/dev-token', payload: { userId } });
        expect(res.statusCode, userId).toBe(200);
      }
    });

    it('a dev token for someone who is not a seeded user → 404', async () => {
      const res = await b.app.inject({ method: 'POST', url: '/auth/dev-token', payload: { userId: 'mallory' } });
      expect(res.statusCode).toBe(404);
    });

    it('every /api route in the OpenAPI document answers 401 without a token', async () => {
      const doc = (await b.app.inject({ method: 'GET', url: '/docs/json' })).json<{ paths: Record<string, Record<string, unknown>> }>();
      const apiRoutes = Object.entries(doc.paths).filter(([path]) => path.startsWith('/api/'));
      expect(apiRoutes.length).toBeGreaterThan(10);
      for (const [path, ops] of apiRoutes) {
        const url = path.replace('{caseNo}', lianduTriage).replace(/\{[^}]+\}/g, 'x');
        for (const method of Object.keys(ops)) {
          const res = await b.app.inject({ method: method.toUpperCase() as 'GET', url, payload: method === 'get' ? undefined : {} });
          expect(res.statusCode, `${method.toUpperCase()} ${path}`).toBe(401);
          expect(res.json().message).toMatch(/bearer token/);
        }
      }
    });

    it.each([
      ['no Authorization header', undefined],
      ['a Basic credential', 'Basic YWRtaW46YWRtaW4='],
      ['a bearer that is not a JWT', 'Bearer not-a-token'],
      ['a token signed with another secret', `Bearer ${jwt({ sub: 'admin', iat: Math.floor(Date.now() / 1000) }, 'some-other-secret-of-16+')}`],
      ['an expired token', `Bearer ${jwt({ sub: 'admin', iat: 1_700_000_000, exp: 1_700_000_600 }, 'api-test-secret-0123456789abcdef')}`],
      ['a token with the signature stripped', `Bearer ${jwt({ sub: 'admin' }, 'x').split('.').slice(0, 2).join('.')}.`],
      // Issue 10: such tokens used to be accepted and never expired.
      ['a correctly signed token without exp', `Bearer ${jwt({ sub: 'admin', iat: Math.floor(Date.now() / 1000) }, 'api-test-secret-0123456789abcdef')}`],
      ['a correctly signed token without iat', `Bearer ${jwt({ sub: 'admin', exp: Math.floor(Date.now() / 1000) + 3600 }, 'api-test-secret-0123456789abcdef')}`],
      ['a token issued 9 hours ago that claims to run a year', `Bearer ${jwt({ sub: 'admin', iat: Math.floor(Date.now() / 1000) - 9 * 3600, exp: Math.floor(Date.now() / 1000) + 365 * 86400 }, 'api-test-secret-0123456789abcdef')}`],
      ['a token signed with alg none', `Bearer ${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${Buffer.from(JSON.stringify({ sub: 'admin', iat: Math.floor(Date.now() / 1000), exp: Math.floor(Date.now() / 1000) + 60 })).toString('base64url')}.`],
    ])('%s → 401', async (_what, authorization) => {
      const res = await b.app.inject({ method: 'GET', url: '/api/petitions', headers: authorization ? { authorization } : {} });
      expect(res.statusCode).toBe(401);
      expect(res.json()).toMatchObject({ statusCode: 401, error: 'Unauthorized' });
    });

    it('a percent-encoded path to an /api route (/%61pi/petitions) still needs a token → 401, and works with one', async () => {
      for (const url of ['/%61pi/petitions', '/ap%69/tasks', `/%61pi/petitions/${lianduTriage}`]) {
        const res = await b.app.inject({ method: 'GET', url });
        expect(res.statusCode, url).toBe(401);
      }
      expect((await b.get('/%61pi/petitions', 'registrar-city')).statusCode).toBe(200);
    });

    it('a token the API issues expires within 8 hours of its issue', async () => {
      const res = await b.app.inject({ method: 'POST', url: '/auth/dev-token', payload: { userId: 'registrar-liandu' } });
      const payload = JSON.parse(Buffer.from(res.json<{ token: string }>().token.split('.')[1]!, 'base64url').toString()) as { iat: number; exp: number };
      expect(payload.exp - payload.iat).toBeGreaterThan(0);
      expect(payload.exp - payload.iat).toBeLessThanOrEqual(8 * 3600);
    });

    it('a valid token for a user who does not exist → 401', async () => {
      const res = await b.app.inject({ method: 'GET', url: '/api/petitions', headers: { authorization: `Bearer ${b.token('former-employee')}` } });
      expect(res.statusCode).toBe(401);
      expect(res.json().message).toMatch(/unknown user/);
    });

    it('health, docs and the dev login need no token', async () => {
      for (const url of ['/health/live', '/health/ready', '/docs', '/docs/json']) {
        expect((await b.app.inject({ method: 'GET', url })).statusCode, url).toBe(200);
      }
    });
  });

  describe('roles', () => {
    it('a unit handler cannot register a petition → 403', async () => {
      const res = await b.post('/api/petitions', 'handler-liandu-housing', { channel: 'letter', divisionCode: '331102', category: 'other', purpose: 'request', summary: '单位经办人试图登记信访件', anonymous: true });
      expect(res.statusCode).toBe(403);
      expect(res.json().message).toMatch(/unit_handler may not register/);
    });

    it('a supervisor of the city bureau cannot forward a matter (triage is the registrar’s) → 403', async () => {
      const res = await b.post(`/api/petitions/${lianduTriage}/forward`, 'supervisor-city', { mode: 'forward', unitId: 'liandu-housing' });
      expect(res.statusCode).toBe(403);
    });

    it('the unit head cannot not-accept a matter (triage) even when it is with the unit → 403', async () => {
      const res = await b.post(`/api/petitions/${forwardedToLianduHousing}/not-accept`, 'head-liandu-housing', { reason: '不属于本单位职责范围' });
      expect(res.statusCode).toBe(403);
    });
  });

  describe('jurisdiction', () => {
    it('a unit handler of 莲都区住建局 cannot read a matter still in triage at the city bureau → 403', async () => {
      const res = await b.get(`/api/petitions/${lianduTriage}`, 'handler-liandu-housing');
      expect(res.statusCode).toBe(403);
      expect(res.json().message).toMatch(/outside your jurisdiction/);
    });

    it('the unit handler of 莲都区住建局 reads the matter assigned to the unit, and lists only that', async () => {
      expect((await b.get(`/api/petitions/${forwardedToLianduHousing}`, 'handler-liandu-housing')).statusCode).toBe(200);
      const list = (await b.get('/api/petitions', 'handler-liandu-housing')).json<List>();
      expect(list.items.map((i) => i.caseNo)).toEqual([forwardedToLianduHousing]);
    });

    it('the handler of the city housing bureau neither reads nor lists a matter assigned to 莲都区住建局', async () => {
      expect((await b.get(`/api/petitions/${forwardedToLianduHousing}`, 'handler-city-housing')).statusCode).toBe(403);
      expect((await b.get(`/api/petitions/${forwardedToLianduHousing}/state`, 'handler-city-housing')).statusCode).toBe(403);
      expect((await b.get('/api/petitions', 'handler-city-housing')).json<List>().total).toBe(0);
    });

    it('the city registrar sees the whole city: 莲都区, 青田县 and city-level matters', async () => {
      const list = (await b.get('/api/petitions', 'registrar-city')).json<List>();
      expect(list.items.map((i) => i.caseNo).sort()).toEqual([lianduTriage, qingtianTriage, forwardedToLianduHousing].sort());
    });

    it('the 莲都区 registrar lists 莲都区 matters only, not 青田县 nor the city’s', async () => {
      const list = (await b.get('/api/petitions', 'registrar-liandu')).json<List>();
      expect(list.items.map((i) => i.caseNo)).toEqual([lianduTriage]);
      // Asking for another county's matters does not widen the view.
      expect((await b.get('/api/petitions?divisionCode=331121', 'registrar-liandu')).json<List>().total).toBe(0);
    });

    it('the 青田县 registrar cannot read, query or forward a 莲都区 matter → 403', async () => {
      expect((await b.get(`/api/petitions/${lianduTriage}`, 'registrar-qingtian')).statusCode).toBe(403);
      expect((await b.get(`/api/petitions/${lianduTriage}/state`, 'registrar-qingtian')).statusCode).toBe(403);
      const fwd = await b.post(`/api/petitions/${lianduTriage}/forward`, 'registrar-qingtian', { mode: 'forward', unitId: 'liandu-housing' });
      expect(fwd.statusCode).toBe(403);
      // …and nothing happened to it.
      expect((await b.get(`/api/petitions/${lianduTriage}`, 'registrar-liandu')).json<MatterDetail>().status).toBe('TRIAGE');
    });

    it('the 青田县 registrar cannot register a matter located in 莲都区 → 403', async () => {
      const res = await b.post('/api/petitions', 'registrar-qingtian', { channel: 'visit', divisionCode: '331102', category: 'other', purpose: 'request', summary: '跨县登记的信访事项', anonymous: true });
      expect(res.statusCode).toBe(403);
      expect(res.json().message).toMatch(/outside your jurisdiction/);
    });

    it('the 莲都区 supervisor reads a 莲都区 matter but not a 青田县 one', async () => {
      expect((await b.get(`/api/petitions/${lianduTriage}`, 'supervisor-liandu')).statusCode).toBe(200);
      expect((await b.get(`/api/petitions/${qingtianTriage}`, 'supervisor-liandu')).statusCode).toBe(403);
    });

    it('the 莲都区 registrar cannot link a 莲都区 matter to a 青田县 one it may not see → 403', async () => {
      const res = await b.post(`/api/petitions/${lianduTriage}/link`, 'registrar-liandu', { caseNo: qingtianTriage });
      expect(res.statusCode).toBe(403);
    });
  });

  describe('personal data', () => {
    it('lists mask the petitioner’s name, ID number and phone', async () => {
      const list = (await b.get(`/api/petitions?q=${lianduTriage}`, 'registrar-liandu')).json<List>();
      expect(list.items).toHaveLength(1);
      const [p] = list.items[0]!.petitioners;
      expect(p).toMatchObject({ name: '张**', idNumber: '331***********1234', phone: '138****5678' });
      expect(JSON.stringify(list)).not.toMatch(/张三丰|331102198001011234|13812345678/);
    });

    it('GET /api/petitions/:caseNo shows the full record and writes one audit_log row per read', async () => {
      const audited = () => b.database.db.select().from(auditLog).where(and(eq(auditLog.caseNo, lianduTriage), eq(auditLog.userId, 'supervisor-liandu')));
      const before = (await audited()).length;
      const res = await b.get(`/api/petitions/${lianduTriage}`, 'supervisor-liandu');
      expect(res.statusCode).toBe(200);
      expect(res.json<MatterDetail>().petitioners[0]).toMatchObject({ name: '张三丰', idNumber: '331102198001011234', phone: '13812345678' });
      const rows = await audited();
      expect(rows).toHaveLength(before + 1);
      expect(rows.at(-1)).toMatchObject({ action: 'read_petition', userId: 'supervisor-liandu', caseNo: lianduTriage });
    });

    it('a refused read (outside jurisdiction) is recorded as a refusal, not as a read', async () => {
      const rows = () => b.database.db.select().from(auditLog).where(and(eq(auditLog.caseNo, lianduTriage), eq(auditLog.userId, 'registrar-qingtian')));
      const before = (await rows()).length;
      expect((await b.get(`/api/petitions/${lianduTriage}`, 'registrar-qingtian')).statusCode).toBe(403);
      const after = await rows();
      expect(after.slice(before).map((r) => r.action)).toEqual(['access.refused']);
      expect(after.some((r) => r.action === 'read_petition')).toBe(false);
    });
  });
});
