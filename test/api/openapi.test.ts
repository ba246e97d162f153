// The OpenAPI document tells the truth (issue 10, item 9): every operation declares the statuses it answers with,
// each error with the one error body, and bad requests of every kind get a status their route declares. Schemathesis
// checks the same against the running app in CI; this finds an undeclared status before it gets there.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { appWithDatabaseDown, appWithTemporalDown, createApiBench, sampleBody, type ApiBench, type RegisterAnswer } from '../support/api';

interface Schema {
  type?: string;
  properties?: Record<string, Schema>;
  required?: string[];
}
interface Operation {
  parameters?: { in: string; name: string; required?: boolean; schema?: Schema }[];
  requestBody?: unknown;
  responses: Record<string, { description?: string; content?: Record<string, { schema?: Schema }> }>;
}
type Doc = { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, Schema> } };

const methods = ['get', 'post', 'put', 'patch', 'delete'] as const;

function operations(doc: Doc): { method: string; path: string; op: Operation }[] {
  return Object.entries(doc.paths).flatMap(([path, ops]) => methods.filter((m) => ops[m]).map((method) => ({ method, path, op: ops[method]! })));
}

/** A concrete URL for a documented path: every parameter replaced by `value`. */
const urlOf = (path: string, value: string) => path.replace(/\{[^}]+\}/g, encodeURIComponent(value));

describe('the OpenAPI document declares what each route answers', () => {
  let b: ApiBench;
  let doc: Doc;
  beforeAll(async () => {
    b = await createApiBench();
    doc = (await b.app.inject({ method: 'GET', url: '/docs/json' })).json<Doc>();
  });
  afterAll(async () => b?.teardown());

  /** Fails unless the answer's status is one the operation declares (and is not a 5xx other than 503). */
  function expectDeclared(method: string, path: string, res: LightMyRequestResponse): void {
    const declared = Object.keys(doc.paths[path]![method]!.responses);
    expect(declared, `${method.toUpperCase()} ${path} answered ${res.statusCode} (${res.body.slice(0, 200)}), which it does not declare`).toContain(String(res.statusCode));
    if (res.statusCode >= 400) expect(res.json(), `${method.toUpperCase()} ${path}: the error body`).toMatchObject({ statusCode: res.statusCode, error: expect.any(String), message: expect.any(String) });
  }

  describe('by the document alone', () => {
    it('lists the API: commands, lists, escalations, measures, backlog, the public channel', () => {
      const paths = Object.keys(doc.paths);
      for (const p of ['/api/petitions', '/api/petitions/{caseNo}/forward', '/api/three-party-reviews/{id}/session', '/api/measures', '/api/backlog/{id}/plan', '/public/status']) expect(paths).toContain(p);
    });

    it('every operation declares a success, 400 and 503; under /api also 401 and 403', () => {
      for (const { method, path, op } of operations(doc)) {
        const codes = Object.keys(op.responses);
        const where = `${method.toUpperCase()} ${path} declares ${codes.join(' ')}`;
        expect(codes.some((c) => c.startsWith('2')), where).toBe(true);
        expect(codes, where).toEqual(expect.arrayContaining(['400', '503']));
        if (path.startsWith('/api/')) expect(codes, where).toEqual(expect.arrayContaining(['401', '403']));
        if (path.includes('{')) expect(codes, where).toContain('404');
        if (method === 'post') expect(codes, where).toEqual(expect.arrayContaining(['413', '415']));
      }
    });

    it('every error is declared with the one error body: statusCode, error, message, and the fields at fault', () => {
      for (const { method, path, op } of operations(doc)) {
        // Readiness is the one exception: its 503 is its report (which service is missing), not a refusal.
        const errors = Object.entries(op.responses).filter(([c]) => Number(c) >= 400 && !(path === '/health/ready' && c === '503'));
        for (const [code, response] of errors) {
          const ref = (response.content?.['application/json']?.schema as { $ref?: string } | undefined)?.$ref;
          expect(ref, `${method.toUpperCase()} ${path} ${code}`).toBe('#/components/schemas/Error');
          const schema = doc.components.schemas.Error;
          const where = `${method.toUpperCase()} ${path} ${code}`;
          expect(schema?.type, where).toBe('object');
          expect(schema?.required, where).toEqual(expect.arrayContaining(['statusCode', 'error', 'message']));
          expect(Object.keys(schema?.properties ?? {}), where).toEqual(expect.arrayContaining(['statusCode', 'error', 'message', 'fields', 'reason']));
          expect(response.description, where).toBeTruthy();
        }
      }
    });

    it('every route that takes an Idempotency-Key declares it, and 409 and 422 with it; every command takes one', () => {
      const takesKey = (op: Operation) => (op.parameters ?? []).some((p) => p.in === 'header' && p.name === 'idempotency-key');
      const commands = operations(doc).filter(({ method, path }) => method === 'post' && /^\/api\/(petitions\/\{caseNo\}\/[a-z-]+|warning-slips\/\{id\}\/explanations|three-party-reviews\/\{id\}\/(participants|session|archive)|investigations\/\{id\}\/conclusion)$/.test(path));
      expect(commands.length).toBeGreaterThanOrEqual(24);
      for (const { path, op } of commands) expect(takesKey(op), `POST ${path} does not declare the Idempotency-Key header`).toBe(true);
      for (const { method, path, op } of operations(doc).filter((o) => takesKey(o.op))) {
        expect(Object.keys(op.responses), `${method.toUpperCase()} ${path}`).toEqual(expect.arrayContaining(['409', '422']));
      }
    });

    it('publishes the bounds it enforces: dates in 2000–2099 as one exact pattern, case numbers by their pattern', () => {
      const param = (path: string, method: string, name: string) => doc.paths[path]![method]!.parameters!.find((p) => p.name === name)!.schema as Schema & { pattern?: string; maxLength?: number; format?: string; maximum?: number };
      const from = param('/api/petitions', 'get', 'from');
      expect(from.format).toBe('date');
      const day = new RegExp(from.pattern!);
      for (const ok of ['2000-01-01', '2026-11-27', '2028-02-29', '2099-12-31']) expect(day.test(ok), ok).toBe(true);
      for (const bad of ['0001-01-01', '1999-12-31', '2100-01-01', '2026-02-29', '2026-02-30', '2026-13-01', '2026-11-27T00:00:00Z']) expect(day.test(bad), bad).toBe(false);
      const caseNo = new RegExp(param('/api/petitions/{caseNo}', 'get', 'caseNo').pattern!);
      expect(caseNo.test('LS2026112700001')).toBe(true);
      for (const bad of ['x', 'LS1', 'LS2026112700001/../x', 'LS2026112700001'.padEnd(60, '0')]) expect(caseNo.test(bad), bad).toBe(false);
      expect(param('/api/admin/calendar/years/{year}', 'post', 'year').maximum).toBe(2099);
    });
  });

  describe('bad requests of every kind get a declared status', () => {
    let matter: RegisterAnswer;
    beforeAll(async () => {
      matter = await b.register();
    });

    it('no token, on every /api operation → 401', async () => {
      for (const { method, path } of operations(doc).filter((o) => o.path.startsWith('/api/'))) {
        const res = await b.app.inject({ method: method.toUpperCase() as 'GET', url: urlOf(path, 'LS2026112700001'), payload: method === 'get' ? undefined : {} });
        expect(res.statusCode, `${method} ${path}`).toBe(401);
        expectDeclared(method, path, res);
      }
    });

    it('a path parameter too long or malformed, on every operation that has one → 400', async () => {
      for (const { method, path } of operations(doc).filter((o) => o.path.includes('{'))) {
        const res = await b.app.inject({ method: method.toUpperCase() as 'GET', url: urlOf(path, 'x'.repeat(300)), headers: b.auth('admin'), payload: method === 'get' ? undefined : {} });
        expect(res.statusCode, `${method} ${path}: ${res.body}`).toBe(400);
        expectDeclared(method, path, res);
        // Past the router's limit: 414, declared as well.
        const long = await b.app.inject({ method: method.toUpperCase() as 'GET', url: urlOf(path, 'x'.repeat(600)), headers: b.auth('admin'), payload: method === 'get' ? undefined : {} });
        expect(long.statusCode, `${method} ${path}: ${long.body}`).toBe(414);
        expectDeclared(method, path, long);
      }
    });

    it('a body of another media type, on every POST → 415', async () => {
      for (const { method, path } of operations(doc).filter((o) => o.method === 'post')) {
        const res = await b.app.inject({ method: 'POST', url: urlOf(path, matter.caseNo), headers: { ...b.auth('admin'), 'content-type': 'application/x-www-form-urlencoded' }, payload: 'a=1' });
        expect(res.statusCode, `${path}: ${res.body}`).toBe(415);
        expectDeclared(method, path, res);
      }
    });

    it('a body larger than the limit, on every POST → 413', async () => {
      const big = JSON.stringify({ note: 'x'.repeat(1_100_000) });
      // Recordings are streamed to disk, and the codec endpoint takes the Web UI's batches (64 MiB): their own limits.
      for (const { method, path } of operations(doc).filter((o) => o.method === 'post' && !o.path.endsWith('/recording') && !o.path.startsWith('/codec/'))) {
        const res = await b.app.inject({ method: 'POST', url: urlOf(path, matter.caseNo), headers: { ...b.auth('admin'), 'content-type': 'application/json' }, payload: big });
        expect(res.statusCode, `${path}: ${res.body.slice(0, 200)}`).toBe(413);
        expectDeclared(method, path, res);
      }
    });

    it('an unknown matter, on every operation named by case number → 404', async () => {
      for (const { method, path } of operations(doc).filter((o) => o.path.startsWith('/api/petitions/{caseNo}'))) {
        const res = await b.app.inject({ method: method.toUpperCase() as 'GET', url: urlOf(path, 'LS2026010199999'), headers: b.auth('admin'), payload: method === 'get' ? undefined : {} });
        expect([400, 404], `${method} ${path}: ${res.body}`).toContain(res.statusCode);
        expectDeclared(method, path, res);
      }
    });

    it('the database down, on every operation → 503 with Retry-After', async () => {
      const down = await appWithDatabaseDown(b.config, b.env.client);
      try {
        for (const { method, path } of operations(doc).filter((o) => o.path.startsWith('/api/'))) {
          const res = await down.app.inject({ method: method.toUpperCase() as 'GET', url: urlOf(path, matter.caseNo), headers: b.auth('admin'), payload: method === 'get' ? undefined : {} });
          expect(res.statusCode, `${method} ${path}: ${res.body}`).toBe(503);
          expect(res.headers['retry-after']).toBeDefined();
          expectDeclared(method, path, res);
        }
      } finally {
        await down.close();
      }
    });

    it('each family refused as it should be, with a declared status', async () => {
      const { caseNo } = matter;
      const cases: [string, string, () => Promise<LightMyRequestResponse>, number][] = [
        ['post', '/api/petitions', () => b.post('/api/petitions', 'registrar-city', sampleBody({ receivedAt: '1999-12-31T08:00:00+08:00' })), 400],
        ['post', '/api/petitions', () => b.post('/api/petitions', 'handler-liandu-housing', sampleBody()), 403],
        ['post', '/api/petitions', () => b.post('/api/petitions', 'registrar-city', sampleBody({ linkToCaseNo: 'LS2026010199999' })), 404],
        ['get', '/api/petitions', () => b.get('/api/petitions?from=2026-02-30', 'registrar-city'), 400],
        ['get', '/api/petitions/{caseNo}', () => b.get(`/api/petitions/${caseNo}`, 'registrar-qingtian'), 403],
        ['post', '/api/petitions/{caseNo}/accept', () => b.post(`/api/petitions/${caseNo}/accept`, 'registrar-city', {}), 403],
        ['post', '/api/petitions/{caseNo}/reply', () => b.post(`/api/petitions/${caseNo}/reply`, 'admin', { request: '请求依法拆除违章建筑', facts: '经现场调查属实', opinion: '已责令限期拆除', legalBasis: '《城乡规划法》第六十四条', deliveryMethod: 'post' }), 409],
        ['post', '/api/petitions/{caseNo}/forward', () => b.post(`/api/petitions/${caseNo}/forward`, 'registrar-city', { mode: 'assign', unitId: 'no-such-unit' }), 400],
        ['get', '/api/deadlines/preview', () => b.get('/api/deadlines/preview?limit=objection&start=2022-04-15', 'registrar-city'), 422],
        ['get', '/api/deadlines/preview', () => b.get('/api/deadlines/preview?limit=objection&start=2100-01-01', 'registrar-city'), 400],
        ['get', '/api/measures', () => b.get('/api/measures?divisionCode=999999', 'supervisor-city'), 404],
        ['get', '/api/measures/{key}', () => b.get('/api/measures/no_such_measure', 'supervisor-city'), 404],
        ['get', '/api/warning-slips/{id}', () => b.get('/api/warning-slips/petition-LS2026010199999.warning-slip', 'admin'), 404],
        ['post', '/api/three-party-reviews/{id}/session', () => b.post('/api/three-party-reviews/petition-LS2026010199999.x/session', 'supervisor-city', {}), 400],
        ['get', '/api/backlog/{id}', () => b.get('/api/backlog/no-such-case', 'admin'), 404],
        ['post', '/api/admin/calendar/years/{year}', () => b.post('/api/admin/calendar/years/2100', 'admin', {}), 400],
        ['post', '/api/admin/calendar-overrides', () => b.post('/api/admin/calendar-overrides', 'registrar-city', { overrides: [{ date: '2027-10-08', kind: 'workday', source: '国办发明电' }] }), 403],
        ['post', '/public/status', () => b.app.inject({ method: 'POST', url: '/public/status', payload: { queryCode: 'NOSUCHCODE', factor: '1234' } }), 401],
        ['post', '/auth/dev-token', () => b.app.inject({ method: 'POST', url: '/auth/dev-token', payload: { userId: 'nobody' } }), 404],
      ];
      for (const [method, path, call, status] of cases) {
        const res = await call();
        expect(res.statusCode, `${method} ${path}: ${res.body}`).toBe(status);
        expectDeclared(method, path, res);
      }
    });

    it('a reused Idempotency-Key with another body → 422, on a matter and on an escalation command', async () => {
      const key = `openapi-${Date.now()}`;
      const first = await b.post('/api/petitions', 'registrar-city', sampleBody(), { 'idempotency-key': key });
      expectDeclared('post', '/api/petitions', first);
      const again = await b.post('/api/petitions', 'registrar-city', sampleBody({ summary: '另一件事：道路破损影响出行，请求修复' }), { 'idempotency-key': key });
      expect(again.statusCode, again.body).toBe(422);
      expectDeclared('post', '/api/petitions', again);
      const note = (text: string) => ({ mode: 'assign', unitId: 'liandu-housing', note: text });
      const cmdKey = `openapi-cmd-${Date.now()}`;
      const forward = await b.post(`/api/petitions/${matter.caseNo}/forward`, 'registrar-city', note('请依法调查处理'), { 'idempotency-key': cmdKey });
      expectDeclared('post', '/api/petitions/{caseNo}/forward', forward);
      const reused = await b.post(`/api/petitions/${matter.caseNo}/forward`, 'registrar-city', note('另一个意见'), { 'idempotency-key': cmdKey });
      expect(reused.statusCode, reused.body).toBe(422);
      expectDeclared('post', '/api/petitions/{caseNo}/forward', reused);
    });

    it('Temporal down: the live state → 503, declared', async () => {
      const down = await appWithTemporalDown(b.database, { ...b.config, TEMPORAL_CALL_TIMEOUT_MS: 1500 });
      try {
        const state = await down.app.inject({ method: 'GET', url: `/api/petitions/${matter.caseNo}/state`, headers: b.auth('registrar-city') });
        expect(state.statusCode, state.body).toBe(503);
        expectDeclared('get', '/api/petitions/{caseNo}/state', state);
      } finally {
        await down.close();
      }
    });
  });
});
