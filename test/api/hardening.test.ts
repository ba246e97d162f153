import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { petitions, submissions } from '../../db/schema';
import { buildApp } from '../../api/app';
import { createApiBench, sampleBody, testConfig, uniqueIdNumber, type ApiBench, type MatterDetail } from '../support/api';

const NUL = '\u0000';

describe('hardening: headers, rate limits, control characters, dates, idempotency keys', () => {
  let b: ApiBench;
  let caseNo: string;
  beforeAll(async () => {
    b = await createApiBench({ RATE_LIMIT_LOGIN_PER_MINUTE: '5', RATE_LIMIT_RECORD_READS_PER_MINUTE: '5' });
    const res = await b.post('/api/petitions', 'registrar-liandu', sampleBody());
    expect(res.statusCode, res.body).toBe(201);
    caseNo = res.json<{ caseNo: string }>().caseNo;
  });
  afterAll(async () => b?.teardown());

  it('answers carry the usual security headers (helmet)', async () => {
    const res = await b.app.inject({ method: 'GET', url: '/health/live' });
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['strict-transport-security']).toMatch(/max-age=31536000/);
    expect(res.headers['content-security-policy']).toMatch(/default-src 'self'/);
    expect(res.headers['x-powered-by']).toBeUndefined();
  });

  it('the dev login is limited per client address: the 6th request in a minute → 429 with Retry-After', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 6; i++) codes.push((await b.app.inject({ method: 'POST', url: '/auth/dev-token', payload: { userId: 'registrar-city' } })).statusCode);
    expect(codes).toEqual([200, 200, 200, 200, 200, 429]);
    const res = await b.app.inject({ method: 'POST', url: '/auth/dev-token', payload: { userId: 'registrar-city' } });
    expect(res.json()).toMatchObject({ statusCode: 429, error: 'TooManyRequests' });
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('full-record reads are limited per user: a 6th read by one user → 429, another user still reads', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 6; i++) codes.push((await b.get(`/api/petitions/${caseNo}`, 'registrar-liandu')).statusCode);
    expect(codes).toEqual([200, 200, 200, 200, 200, 429]);
    expect((await b.get(`/api/petitions/${caseNo}`, 'registrar-city')).statusCode).toBe(200);
    // Lists (masked) are not full-record reads.
    expect((await b.get('/api/petitions', 'registrar-liandu')).statusCode).toBe(200);
  });

  describe('control characters → 400 naming where, never a 500 (PostgreSQL cannot store NUL)', () => {
    it.each([
      ['a NUL in the summary (text column)', { summary: `违章建筑影响采光${NUL}通风` }, 'summary'],
      ['a NUL in a petitioner’s name (jsonb column)', { petitioners: [{ name: `王${NUL}五`, main: true, idNumber: uniqueIdNumber() }] }, 'petitioners.0.name'],
      ['a NUL in a key of the body', { [`x${NUL}`]: 1 }, `x${NUL}`],
      ['an escape character in the summary', { summary: '违章建筑影响采光\u001b[31m通风' }, 'summary'],
    ])('%s', async (_what, patch, field) => {
      const res = await b.post('/api/petitions', 'registrar-city', sampleBody(patch));
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json().fields).toHaveProperty([field]);
    });

    it('line breaks and tabs in free text are still accepted', async () => {
      const res = await b.post('/api/petitions', 'registrar-city', sampleBody({ summary: '第一，违章建筑影响采光；\n第二，\t影响通风。' }));
      expect(res.statusCode, res.body).toBe(201);
    });

    it.each([
      ['a NUL in the case number of a record read', () => b.get('/api/petitions/LS%0020261127', 'registrar-city')],
      ['a NUL in the list search', () => b.get('/api/petitions?q=%00', 'registrar-city')],
      ['a NUL in a visit', () => b.post(`/api/petitions/${caseNo}/visits`, 'registrar-liandu', { at: new Date().toISOString(), level: 'county', place: `信访局${NUL}`, receivedBy: '接待员' })],
      ['a NUL in a command note', () => b.post(`/api/petitions/${caseNo}/forward`, 'registrar-liandu', { mode: 'assign', unitId: 'liandu-housing', note: `请${NUL}处理` })],
      ['a NUL in a calendar override’s source', () => b.post('/api/admin/calendar-overrides', 'admin', { overrides: [{ date: '2027-10-08', kind: 'workday', source: `国办${NUL}` }] })],
    ])('%s → 400', async (_what, call) => {
      const res = await call();
      expect(res.statusCode, res.body).toBe(400);
    });

    it('no route answers 500 to a NUL in its path parameter', async () => {
      const doc = (await b.app.inject({ method: 'GET', url: '/docs/json' })).json<{ paths: Record<string, Record<string, unknown>> }>();
      for (const [path, ops] of Object.entries(doc.paths).filter(([p]) => p.includes('{'))) {
        const url = path.replace(/\{[^}]+\}/g, 'LS%00x');
        for (const method of Object.keys(ops)) {
          const res = await b.app.inject({ method: method.toUpperCase() as 'GET', url, headers: b.auth('admin'), payload: method === 'get' ? undefined : {} });
          expect(res.statusCode, `${method} ${path}: ${res.body}`).toBe(400);
        }
      }
    });
  });

  describe('dates lie in a sane range', () => {
    it.each([
      ['receivedAt in year 1', '0001-01-01T00:00:00Z'],
      ['receivedAt in 1999', '1999-12-31T08:00:00+08:00'],
      ['receivedAt in 2150', '2150-01-01T00:00:00Z'],
    ])('%s → 400 by the schema', async (_what, receivedAt) => {
      const res = await b.post('/api/petitions', 'registrar-city', sampleBody({ receivedAt }));
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json().fields).toHaveProperty(['receivedAt']);
    });

    it('a receipt more than 90 days ago → 400; nothing registered', async () => {
      const before = (await b.database.db.select().from(petitions)).length;
      const res = await b.post('/api/petitions', 'registrar-city', sampleBody({ receivedAt: new Date(Date.now() - 91 * 86_400_000).toISOString() }));
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json().message).toMatch(/90 days/);
      expect((await b.database.db.select().from(petitions)).length).toBe(before);
    });

    it('a visit dated 0001-01-01 → 400', async () => {
      const res = await b.post(`/api/petitions/${caseNo}/visits`, 'registrar-liandu', { at: '0001-01-01T00:00:00Z', level: 'county', place: '莲都区信访局', receivedBy: '接待员' });
      expect(res.statusCode, res.body).toBe(400);
    });

    it('the published schema shows the bound', async () => {
      const doc = (await b.app.inject({ method: 'GET', url: '/docs/json' })).json<{ paths: Record<string, { post?: { requestBody?: { content: Record<string, { schema: { properties: Record<string, { pattern?: string; format?: string }> } }> } } }> }>();
      const props = doc.paths['/api/petitions']!.post!.requestBody!.content['application/json']!.schema.properties;
      // One pattern, exactly what is accepted: 2000–2099, real days (29 February in leap years only).
      const instant = new RegExp(props.receivedAt!.pattern!);
      expect(props.receivedAt!.format).toBe('date-time');
      for (const ok of ['2026-11-27T09:30:00+08:00', '2028-02-29T00:00:00Z', '2000-02-29T12:00:00.123Z']) expect(instant.test(ok), ok).toBe(true);
      for (const bad of ['0001-01-01T00:00:00Z', '2150-01-01T00:00:00Z', '2027-02-29T00:00:00Z', '2026-04-31T00:00:00Z', '2026-11-27T24:00:00Z', '2026-11-27']) expect(instant.test(bad), bad).toBe(false);
    });
  });

  describe('Idempotency-Key reused for a different request → 422, visits included', () => {
    const visit = (place: string) => ({ at: new Date().toISOString(), level: 'county', place, receivedBy: '接待员' });

    it('the same visit retried with its key → 202 with the same visit id; another body under that key → 422', async () => {
      const key = 'visit-key-0001-abcdef';
      const body = visit('莲都区信访局接待大厅');
      const first = await b.post(`/api/petitions/${caseNo}/visits`, 'registrar-liandu', body, { 'idempotency-key': key });
      expect(first.statusCode, first.body).toBe(202);
      const again = await b.post(`/api/petitions/${caseNo}/visits`, 'registrar-liandu', body, { 'idempotency-key': key });
      expect(again.statusCode).toBe(202);
      expect(again.json().visitId).toBe(first.json().visitId);
      const other = await b.post(`/api/petitions/${caseNo}/visits`, 'registrar-liandu', visit('丽水市信访局'), { 'idempotency-key': key });
      expect(other.statusCode, other.body).toBe(422);
      expect(other.json().error).toBe('IdempotencyKeyReused');
    });

    it('a key used for a visit cannot register a petition, nor another user reuse it', async () => {
      const key = 'visit-key-0002-abcdef';
      expect((await b.post(`/api/petitions/${caseNo}/visits`, 'registrar-liandu', visit('莲都区信访局'), { 'idempotency-key': key })).statusCode).toBe(202);
      expect((await b.post('/api/petitions', 'registrar-liandu', sampleBody(), { 'idempotency-key': key })).statusCode).toBe(422);
      expect((await b.post(`/api/petitions/${caseNo}/visits`, 'registrar-city', visit('莲都区信访局'), { 'idempotency-key': key })).statusCode).toBe(422);
    });
  });

  it('a linked submission keeps its petitioners (in the protected record)', async () => {
    const petitioners = [{ name: '李四', main: true, idNumber: uniqueIdNumber(), phone: '13700001111' }];
    const res = await b.post('/api/petitions', 'registrar-liandu', sampleBody({ linkToCaseNo: caseNo, summary: '再次来信反映违建未拆除', petitioners }));
    expect(res.statusCode, res.body).toBe(200);
    const { submissionId } = res.json<{ submissionId: string }>();
    const [row] = await b.database.db.select().from(submissions).where(eq(submissions.id, submissionId));
    expect(row!.petitioners).toMatchObject(petitioners);
    const detail = (await b.get(`/api/petitions/${caseNo}`, 'registrar-city')).json<MatterDetail>();
    expect(detail.submissions.find((s) => s.id === submissionId)).toMatchObject({ petitioners: [expect.objectContaining(petitioners[0])] });
  });
});

describe('load shedding (under-pressure)', () => {
  it('while the event loop lags past MAX_EVENT_LOOP_DELAY_MS → 503 with Retry-After; afterwards 200 again', async () => {
    const { memoryDatabase } = await import('../support/api');
    const database = await memoryDatabase();
    const app = await buildApp({ config: testConfig({ MAX_EVENT_LOOP_DELAY_MS: '50' }), database, temporal: undefined as never });
    await app.ready();
    try {
      const until = Date.now() + 1500;
      while (Date.now() < until) {
        // a handler that blocks the event loop
      }
      // under-pressure samples once a second: its overdue sample sees the stall
      await new Promise((res) => setTimeout(res, 30));
      const res = await app.inject({ method: 'GET', url: '/health/live' });
      expect(res.statusCode).toBe(503);
      expect(res.headers['retry-after']).toBe('5');
      await new Promise((res) => setTimeout(res, 2500));
      expect((await app.inject({ method: 'GET', url: '/health/live' })).statusCode).toBe(200);
    } finally {
      await app.close();
      await database.close();
    }
  });
});

describe('outside development, /docs needs a bearer token', () => {
  it('401 without a token, 200 with one', async () => {
    const { memoryDatabase } = await import('../support/api');
    const database = await memoryDatabase();
    const config = { ...testConfig(), development: false };
    const app = await buildApp({ config, database, temporal: undefined as never });
    try {
      expect((await app.inject({ method: 'GET', url: '/docs/json' })).statusCode).toBe(401);
      expect((await app.inject({ method: 'GET', url: '/docs' })).statusCode).toBe(401);
      const ok = await app.inject({ method: 'GET', url: '/docs/json', headers: { authorization: `Bearer ${app.signToken('admin')}` } });
      expect(ok.statusCode).toBe(200);
    } finally {
      await app.close();
      await database.close();
    }
  });
});
