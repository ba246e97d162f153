import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { idempotencyKeys, intakeOutbox, petitions, submissions } from '../../db/schema';
import type { PetitionState } from '../../domain/matter';
import { appWithDatabaseDown, appWithTemporalDown, createApiBench, sampleBody, type ApiBench, type RegisterAnswer } from '../support/api';

interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  fields?: Record<string, string>;
}

describe('errors a user can act on', () => {
  let b: ApiBench;
  beforeAll(async () => {
    b = await createApiBench();
  });
  afterAll(async () => b?.teardown());

  const liveState = async (caseNo: string) => (await b.get(`/api/petitions/${caseNo}/state`, 'registrar-city')).json<PetitionState>();

  describe('bad input → 400 naming each bad field (never a 500)', () => {
    it('a petition missing everything names channel, divisionCode, category, purpose and summary', async () => {
      const res = await b.post('/api/petitions', 'registrar-city', { channel: 'fax', summary: 'x' });
      expect(res.statusCode).toBe(400);
      const body = res.json<ErrorBody>();
      expect(Object.keys(body.fields!).sort()).toEqual(['category', 'channel', 'divisionCode', 'purpose', 'summary']);
      expect(body.message).toMatch(/^invalid body: /);
      expect(body.fields!.channel).toMatch(/letter/);
    });

    it.each([
      ['a petitioner’s phone that is not a phone number', { petitioners: [{ name: '王五', main: true, phone: 'call me maybe' }] }, 'petitioners.0.phone'],
      ['a petitioner without a name', { petitioners: [{ main: true, idNumber: '331102197501012345' }] }, 'petitioners.0.name'],
      ['an attachment with a bad sha256', { attachments: [{ name: '现场照片.jpg', contentType: 'image/jpeg', size: 1024, sha256: 'abc' }] }, 'attachments.0.sha256'],
      ['personsCount as text', { personsCount: 'five' }, 'personsCount'],
      ['fewer persons than petitioners', { personsCount: 1, petitioners: [{ name: '甲', main: true }, { name: '乙' }] }, 'personsCount'],
      ['two main petitioners', { personsCount: 2, petitioners: [{ name: '甲', main: true }, { name: '乙', main: true }] }, 'petitioners'],
      ['no petitioner and not anonymous', { petitioners: [] }, 'petitioners'],
      ['receivedAt that is not an instant', { receivedAt: 'yesterday' }, 'receivedAt'],
      ['a leader reception on 30 February', { source: 'leader_reception', leaderReception: { leaderName: '市长', date: '2026-02-30' } }, 'leaderReception.date'],
      ['an unknown source', { source: 'carrier_pigeon' }, 'source'],
      ['an unknown category', { category: 'weather' }, 'category'],
    ])('%s → 400 naming %s', async (_what, patch, field) => {
      const res = await b.post('/api/petitions', 'registrar-city', sampleBody(patch));
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json<ErrorBody>().fields).toHaveProperty([field]);
    });

    it('several bad fields at once are all named', async () => {
      const res = await b.post('/api/petitions', 'registrar-city', sampleBody({ channel: 'telegram', personsCount: 0, divisionCode: 1 }));
      expect(res.statusCode).toBe(400);
      expect(Object.keys(res.json<ErrorBody>().fields!)).toEqual(expect.arrayContaining(['channel', 'personsCount', 'divisionCode']));
    });

    it.each([
      ['truncated JSON', '{"channel": "letter", '],
      ['null', 'null'],
      ['an array', '[]'],
      ['a string', '"petition"'],
      ['a number', '42'],
      ['an object in place of the channel', '{"channel":{"$ne":null},"divisionCode":"331102"}'],
    ])('a body that is %s → 400, not a 500', async (_what, payload) => {
      const res = await b.app.inject({ method: 'POST', url: '/api/petitions', headers: { ...b.auth('registrar-city'), 'content-type': 'application/json' }, payload });
      expect(res.statusCode).toBe(400);
      expect(res.json<ErrorBody>().message).toBeTruthy();
    });

    it('a form-encoded body → 415, not a 500', async () => {
      const res = await b.app.inject({ method: 'POST', url: '/api/petitions', headers: { ...b.auth('registrar-city'), 'content-type': 'application/x-www-form-urlencoded' }, payload: 'channel=letter' });
      expect(res.statusCode).toBe(415);
    });

    it('an Idempotency-Key shorter than 8 characters → 400 naming the header', async () => {
      const res = await b.post('/api/petitions', 'registrar-city', sampleBody(), { 'idempotency-key': 'abc' });
      expect(res.statusCode).toBe(400);
      expect(res.json<ErrorBody>().fields).toHaveProperty('idempotency-key');
    });

    it('a list query with bad filters names each of them', async () => {
      const res = await b.get('/api/petitions?status=OPEN&channel=fax&overdue=maybe&from=2026-13-01&to=tomorrow&page=0&pageSize=1000&sort=random', 'registrar-city');
      expect(res.statusCode).toBe(400);
      const body = res.json<ErrorBody>();
      expect(body.message).toMatch(/^invalid querystring: /);
      expect(Object.keys(body.fields!)).toEqual(expect.arrayContaining(['status.0', 'channel', 'overdue', 'from', 'to', 'page', 'pageSize', 'sort']));
    });

    describe('command bodies', () => {
      let caseNo: string;
      beforeAll(async () => {
        caseNo = (await b.register()).caseNo;
      });

      it.each([
        ['forward', {}, ['mode', 'unitId']],
        ['forward', { mode: 'send', unitId: 'liandu-housing' }, ['mode']],
        ['route', { channel: 'litigation' }, ['organ', 'notice']],
        ['route', { channel: 'court_of_public_opinion', organ: '法院', notice: '请依法向人民法院起诉' }, ['channel']],
        ['not-accept', { reason: '不' }, ['reason']],
        ['link', {}, ['caseNo']],
      ])('POST …/%s with %j → 400 naming %j; the matter is untouched', async (path, body, fields) => {
        const res = await b.post(`/api/petitions/${caseNo}/${path}`, 'registrar-city', body);
        expect(res.statusCode).toBe(400);
        expect(Object.keys(res.json<ErrorBody>().fields!)).toEqual(expect.arrayContaining(fields));
        expect((await liveState(caseNo)).status).toBe('TRIAGE');
      });

      it('forwarding to a unit that does not exist → 400 naming unitId, and the matter stays in triage', async () => {
        const res = await b.post(`/api/petitions/${caseNo}/forward`, 'registrar-city', { mode: 'forward', unitId: 'no-such-unit' });
        expect(res.statusCode).toBe(400);
        expect(res.json<ErrorBody>().fields).toHaveProperty('unitId');
        expect((await liveState(caseNo)).status).toBe('TRIAGE');
      });

      it('linking a matter to itself → 400 with the reason', async () => {
        const res = await b.post(`/api/petitions/${caseNo}/link`, 'registrar-city', { caseNo });
        expect(res.statusCode).toBe(400);
        expect(res.json<ErrorBody>().message).toMatch(/cannot be linked to itself/);
      });
    });
  });

  describe('unknown matter → 404', () => {
    const nobody = 'LS2026010199999';
    it.each([
      ['GET', `/api/petitions/${nobody}`, undefined],
      ['GET', `/api/petitions/${nobody}/state`, undefined],
      ['POST', `/api/petitions/${nobody}/forward`, { mode: 'forward', unitId: 'liandu-housing' }],
      ['POST', `/api/petitions/${nobody}/route`, { channel: 'litigation', organ: '莲都区人民法院', notice: '请依法向人民法院提起诉讼' }],
      ['POST', `/api/petitions/${nobody}/not-accept`, { reason: '不属于信访事项的受理范围' }],
      ['POST', `/api/petitions/${nobody}/link`, { caseNo: 'LS2026010100001' }],
      ['POST', `/api/petitions/${nobody}/accept`, {}],
      ['GET', '/api/notices/LS2026010199999-N1', undefined],
    ])('%s %s → 404', async (method, url, payload) => {
      const res = await b.app.inject({ method: method as 'GET', url, headers: b.auth('admin'), payload });
      expect(res.statusCode, res.body).toBe(404);
      expect(res.json<ErrorBody>()).toMatchObject({ statusCode: 404, error: 'NotFound' });
    });

    it('linking an open matter to an unknown one → 404, and it stays in triage', async () => {
      const { caseNo } = await b.register();
      const res = await b.post(`/api/petitions/${caseNo}/link`, 'registrar-city', { caseNo: nobody });
      expect(res.statusCode).toBe(404);
      expect((await liveState(caseNo)).status).toBe('TRIAGE');
    });
  });

  describe('a command the state does not allow → 409 with the reason', () => {
    let forwarded: string;
    beforeAll(async () => {
      forwarded = (await b.register()).caseNo;
      const res = await b.post(`/api/petitions/${forwarded}/forward`, 'registrar-city', { mode: 'forward', unitId: 'liandu-housing' });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json<PetitionState>()).toMatchObject({ status: 'AWAITING_ACCEPTANCE', unitId: 'liandu-housing' });
    });

    it.each([
      ['forward it again', 'forward', { mode: 'assign', unitId: 'city-housing' }],
      ['route it to a statutory channel', 'route', { channel: 'litigation', organ: '莲都区人民法院', notice: '请依法向人民法院提起诉讼' }],
      ['not accept it', 'not-accept', { reason: '不属于信访事项的受理范围' }],
    ])('the registrar tries to %s once it awaits the unit’s acceptance → 409 naming the status', async (_what, path, body) => {
      const res = await b.post(`/api/petitions/${forwarded}/${path}`, 'registrar-city', body);
      expect(res.statusCode).toBe(409);
      expect(res.json<ErrorBody>()).toMatchObject({ error: 'IllegalState', message: expect.stringMatching(/AWAITING_ACCEPTANCE.*needs TRIAGE/) });
      expect(await liveState(forwarded)).toMatchObject({ status: 'AWAITING_ACCEPTANCE', unitId: 'liandu-housing' });
    });

    it('accepting a matter still in triage → 409 naming the status', async () => {
      const { caseNo } = await b.register();
      const res = await b.post(`/api/petitions/${caseNo}/accept`, 'admin', {});
      expect(res.statusCode).toBe(409);
      expect(res.json<ErrorBody>().message).toMatch(/cannot accept: the matter is TRIAGE/);
    });

    it('linking to a matter that has ended → 409', async () => {
      const ended = (await b.register()).caseNo;
      expect((await b.post(`/api/petitions/${ended}/not-accept`, 'registrar-city', { reason: '已经行政复议机关受理' })).statusCode).toBe(200);
      await b.waitForMatter(ended, (m) => !m.open, 'ended');
      const { caseNo } = await b.register();
      const res = await b.post(`/api/petitions/${caseNo}/link`, 'registrar-city', { caseNo: ended });
      expect(res.statusCode).toBe(409);
      expect(res.json<ErrorBody>().message).toMatch(/has ended \(NOT_ACCEPTED\)/);
      expect((await liveState(caseNo)).status).toBe('TRIAGE');
    });

    it('linking two open matters works, and then the linked one refuses triage → 409', async () => {
      const target = (await b.register()).caseNo;
      const { caseNo } = await b.register();
      const res = await b.post(`/api/petitions/${caseNo}/link`, 'registrar-city', { caseNo: target });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json<PetitionState>()).toMatchObject({ status: 'LINKED', linkedTo: target });
      const again = await b.post(`/api/petitions/${caseNo}/forward`, 'registrar-city', { mode: 'forward', unitId: 'liandu-housing' });
      expect(again.statusCode).toBe(409);
    });
  });

  describe('《信访工作条例》第三十条: never to the accused', () => {
    it('a report accusing 莲都区住建局 cannot be forwarded to it → 403; to another unit it can', async () => {
      const { caseNo } = await b.register({ purpose: 'report', summary: '举报莲都区住建局工作人员违规审批', accusedUnitIds: ['liandu-housing'] });
      const res = await b.post(`/api/petitions/${caseNo}/forward`, 'registrar-city', { mode: 'assign', unitId: 'liandu-housing' });
      expect(res.statusCode).toBe(403);
      expect(res.json<ErrorBody>().message).toMatch(/第三十条/);
      expect(await liveState(caseNo)).toMatchObject({ status: 'TRIAGE', unitId: null });
      const ok = await b.post(`/api/petitions/${caseNo}/forward`, 'registrar-city', { mode: 'assign', unitId: 'liandu-gov' });
      expect(ok.statusCode, ok.body).toBe(200);
      expect(ok.json<PetitionState>()).toMatchObject({ status: 'AWAITING_ACCEPTANCE', unitId: 'liandu-gov' });
    });
  });

  describe('Temporal down → 503; a registration is kept for its workflow to start', () => {
    let down: Awaited<ReturnType<typeof appWithTemporalDown>>;
    beforeAll(async () => {
      down = await appWithTemporalDown(b.database, b.config);
    });
    afterAll(async () => down?.close());

    it('registering, querying and commanding answer 503 (retry-after), readiness says Temporal, reads still work; a retry with the same key later gives the same matter', async () => {
      const { caseNo } = await b.register();
      const body = sampleBody({ summary: `Temporal 不可用时的登记 ${Date.now()}` });
      const key = `down-${Date.now()}-key`;
      const as = (userId: string) => ({ ...b.auth(userId) });
      // All at once: each Temporal call retries for a while before giving up.
      const linkKey = `down-link-${Date.now()}-key`;
      const [register, link, state, forward, ready, live, list] = await Promise.all([
        down.app.inject({ method: 'POST', url: '/api/petitions', headers: { ...as('registrar-city'), 'idempotency-key': key }, payload: body }),
        down.app.inject({ method: 'POST', url: '/api/petitions', headers: { ...as('registrar-city'), 'idempotency-key': linkKey }, payload: sampleBody({ channel: 'phone', linkToCaseNo: caseNo }) }),
        down.app.inject({ method: 'GET', url: `/api/petitions/${caseNo}/state`, headers: as('registrar-city') }),
        down.app.inject({ method: 'POST', url: `/api/petitions/${caseNo}/forward`, headers: as('registrar-city'), payload: { mode: 'forward', unitId: 'liandu-housing' } }),
        down.app.inject({ method: 'GET', url: '/health/ready' }),
        down.app.inject({ method: 'GET', url: '/health/live' }),
        down.app.inject({ method: 'GET', url: '/api/petitions', headers: as('registrar-city') }),
      ]);
      for (const res of [register, link, state, forward]) {
        expect(res.statusCode, res.body).toBe(503);
        expect(res.headers['retry-after']).toBeDefined();
        expect(['ServiceUnavailable', 'TemporalTimeout']).toContain(res.json<ErrorBody>().error);
      }
      expect(ready.statusCode).toBe(503);
      expect(ready.json()).toMatchObject({ status: 'unavailable', temporal: { ok: false }, database: { ok: true } });
      expect(live.statusCode).toBe(200);
      expect(list.statusCode).toBe(200);

      // The registration is kept, never compensated (its start's outcome is unknown): the matter, its key and its
      // outbox entry, not yet started — the worker's recovery loop or a retry starts it.
      const rows = await b.database.db.select().from(petitions).where(eq(petitions.summary, body.summary as string));
      expect(rows).toHaveLength(1);
      const [claimed] = await b.database.db.select().from(idempotencyKeys).where(eq(idempotencyKeys.key, key));
      expect(claimed).toMatchObject({ caseNo: rows[0]!.caseNo, response: null });
      const [entry] = await b.database.db.select().from(intakeOutbox).where(eq(intakeOutbox.caseNo, rows[0]!.caseNo));
      expect(entry).toMatchObject({ startedAt: null });
      // The refused link and command changed nothing.
      expect(await b.database.db.select().from(idempotencyKeys).where(eq(idempotencyKeys.key, linkKey))).toEqual([]);
      expect((await b.database.db.select().from(submissions).where(eq(submissions.caseNo, caseNo))).map((x) => x.id)).toEqual([`${caseNo}-S1`]);
      expect(await liveState(caseNo)).toMatchObject({ status: 'TRIAGE', submissions: { total: 1 } });

      // Temporal back (the working app): the same request with the same key gives that matter, now started.
      const retry = await b.post('/api/petitions', 'registrar-city', body, { 'idempotency-key': key });
      expect(retry.statusCode, retry.body).toBe(201);
      expect(retry.json<RegisterAnswer>().caseNo).toBe(rows[0]!.caseNo);
      await b.waitForMatter(retry.json<RegisterAnswer>().caseNo, (m) => m.status === 'TRIAGE');
    });
  });

  describe('the database down → 503', () => {
    let down: Awaited<ReturnType<typeof appWithDatabaseDown>>;
    beforeAll(async () => {
      down = await appWithDatabaseDown(b.config, b.env.client);
    });
    afterAll(async () => down?.close());

    it.each([
      ['GET', '/api/petitions', undefined],
      ['GET', '/api/petitions/LS2026112700001', undefined],
      ['POST', '/api/petitions', sampleBody()],
      ['POST', '/api/petitions/LS2026112700001/forward', { mode: 'forward', unitId: 'liandu-housing' }],
      ['POST', '/auth/dev-token', { userId: 'admin' }],
    ])('%s %s → 503', async (method, url, payload) => {
      const res = await down.app.inject({ method: method as 'GET', url, headers: b.auth('admin'), payload });
      expect(res.statusCode, res.body).toBe(503);
      expect(res.headers['retry-after']).toBeDefined();
    });

    it('readiness says the database; liveness stays up', async () => {
      const ready = await down.app.inject({ method: 'GET', url: '/health/ready' });
      expect(ready.statusCode).toBe(503);
      expect(ready.json()).toMatchObject({ status: 'unavailable', temporal: { ok: true }, database: { ok: false } });
      expect((await down.app.inject({ method: 'GET', url: '/health/live' })).statusCode).toBe(200);
    });
  });

  describe('health and docs', () => {
    it('/health/live and /health/ready answer 200 when Temporal and the database are up', async () => {
      expect((await b.app.inject({ method: 'GET', url: '/health/live' })).json()).toEqual({ status: 'ok' });
      const ready = await b.app.inject({ method: 'GET', url: '/health/ready' });
      expect(ready.statusCode).toBe(200);
      // The time-skipping test server cannot describe task queues: pollers null (test/e2e checks a real server).
      expect(ready.json()).toEqual({ status: 'ready', temporal: { ok: true }, database: { ok: true }, worker: { ok: true, pollers: null } });
    });

    it('/docs serves the OpenAPI UI and /docs/json lists the routes with bearer security', async () => {
      const ui = await b.app.inject({ method: 'GET', url: '/docs' });
      expect(ui.statusCode).toBe(200);
      expect(ui.headers['content-type']).toMatch(/text\/html/);
      const doc = (await b.app.inject({ method: 'GET', url: '/docs/json' })).json<{
        openapi: string;
        paths: Record<string, Record<string, { parameters?: { name: string }[]; requestBody?: unknown }>>;
        components: { securitySchemes: Record<string, { scheme: string }> };
      }>();
      expect(doc.openapi).toMatch(/^3\./);
      expect(doc.components.securitySchemes.bearer).toMatchObject({ scheme: 'bearer' });
      expect(Object.keys(doc.paths['/api/petitions']!).sort()).toEqual(['get', 'post']);
      for (const cmd of ['forward', 'route', 'not-accept', 'link']) expect(doc.paths[`/api/petitions/{caseNo}/${cmd}`], cmd).toHaveProperty('post');
      expect(doc.paths['/api/petitions/{caseNo}']).toHaveProperty('get');
      expect(doc.paths['/api/petitions/{caseNo}/state']).toHaveProperty('get');
      expect(doc.paths['/health/ready']).toHaveProperty('get');
      expect(doc.paths['/auth/dev-token']).toHaveProperty('post');
      const listParams = doc.paths['/api/petitions']!.get!.parameters!.map((p) => p.name);
      expect(listParams).toEqual(expect.arrayContaining(['status', 'divisionCode', 'unitId', 'channel', 'overdue', 'from', 'to', 'q', 'page', 'pageSize', 'sort']));
      expect(doc.paths['/api/petitions']!.post!.requestBody).toBeDefined();
    });
  });
});
