import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:net';
import { Client, Connection } from '@temporalio/client';
import { buildApp } from '../../api/app';
import { temporalCall, updateIdFor, TemporalTimeout } from '../../services/temporal-calls';
import { createApiBench, memoryDatabase, retryWhile503, sampleBody, testConfig, type ApiBench } from '../support/api';
import { freePort } from '../support/ports';
import type { Database } from '../../db/client';
import { petitions } from '../../db/schema';

/**
 * A "frozen" Temporal: a TCP server that accepts connections and never answers (as a server stopped with
 * kill -STOP looks to a client). Every call must still end within the deadline, with 503 and Retry-After.
 */
async function frozenServer(): Promise<{ address: string; close(): Promise<void> }> {
  const port = await freePort();
  const sockets = new Set<import('node:net').Socket>();
  const server: Server = createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
  });
  await new Promise<void>((res) => server.listen(port, '127.0.0.1', res));
  return {
    address: `127.0.0.1:${port}`,
    close: () => new Promise<void>((res) => {
      for (const s of sockets) s.destroy();
      server.close(() => res());
    }),
  };
}

describe('every Temporal call has a deadline', () => {
  describe('against a frozen Temporal', () => {
    let frozen: Awaited<ReturnType<typeof frozenServer>>;
    let client: Client;
    let database: Database;
    let app: Awaited<ReturnType<typeof buildApp>>;
    let caseNo: string;
    const config = testConfig({ TEMPORAL_CALL_TIMEOUT_MS: '1500' });

    beforeAll(async () => {
      frozen = await frozenServer();
      client = new Client({ connection: Connection.lazy({ address: frozen.address, connectTimeout: '1s' }) });
      database = await memoryDatabase();
      app = await buildApp({ config, database, temporal: client });
      await app.ready();
    });
    afterAll(async () => {
      await app?.close();
      await client?.connection.close().catch(() => undefined);
      await database?.close();
      await frozen?.close();
    });

    it('temporalCall gives up at the deadline with a TemporalTimeout (503)', async () => {
      const started = Date.now();
      const err = await temporalCall({ temporal: client, config }, 'a test query', () => client.workflow.getHandle('petition-LS2026112799999').query('state')).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TemporalTimeout);
      expect((err as TemporalTimeout).statusCode).toBe(503);
      expect(Date.now() - started).toBeLessThan(4000);
    });

    it('intake answers 503 with Retry-After within a few seconds; a retry with the same key makes no second matter', async () => {
      const token = app.signToken('registrar-city');
      const body = sampleBody();
      const post = () => app.inject({ method: 'POST', url: '/api/petitions', headers: { authorization: `Bearer ${token}`, 'idempotency-key': 'frozen-intake-0001' }, payload: body });
      const started = Date.now();
      const res = await post();
      expect(Date.now() - started).toBeLessThan(6000);
      expect(res.statusCode, res.body).toBe(503);
      expect(res.headers['retry-after']).toBeDefined();
      expect(res.json().error).toBe('TemporalTimeout');
      const again = await post();
      expect(again.statusCode).toBe(503);
      const rows = await database.db.select().from(petitions);
      expect(rows).toHaveLength(1);
      caseNo = rows[0]!.caseNo;
    });

    it('GET /state and POST /visits answer 503 within a few seconds (they gave 500 after 29 s)', async () => {
      const token = app.signToken('registrar-city');
      for (const [method, url, payload] of [
        ['GET', `/api/petitions/${caseNo}/state`, undefined],
        ['POST', `/api/petitions/${caseNo}/visits`, { at: new Date().toISOString(), level: 'city', place: '丽水市信访局', receivedBy: '接待员' }],
      ] as const) {
        const started = Date.now();
        const res = await app.inject({ method, url, headers: { authorization: `Bearer ${token}` }, payload });
        expect(Date.now() - started, url).toBeLessThan(6000);
        expect(res.statusCode, `${url}: ${res.body}`).toBe(503);
        expect(res.headers['retry-after']).toBeDefined();
      }
    });

    it('readiness says Temporal and the worker are not there, within a few seconds', async () => {
      const started = Date.now();
      const res = await app.inject({ method: 'GET', url: '/health/ready' });
      expect(Date.now() - started).toBeLessThan(5000);
      expect(res.statusCode).toBe(503);
      expect(res.json()).toMatchObject({ status: 'unavailable', temporal: { ok: false }, worker: { ok: false } });
    });
  });

  describe('with no worker polling the task queue', () => {
    let b: ApiBench;
    let app: Awaited<ReturnType<typeof buildApp>>;
    let stopLateWorker: (() => Promise<void>) | undefined;
    const queue = `no-worker-${Date.now()}`;
    beforeAll(async () => {
      b = await createApiBench();
      // A second app on the same Temporal and read model, whose task queue no worker polls (yet).
      app = await buildApp({ config: testConfig({ TEMPORAL_TASK_QUEUE: queue, TEMPORAL_CALL_TIMEOUT_MS: '2000' }), database: b.database, temporal: b.env.client });
      await app.ready();
    });
    afterAll(async () => {
      await app?.close();
      await stopLateWorker?.();
      await b?.teardown();
    });

    it('a command answers 503 within seconds (it blocked for over 100 s); retried with the same key once the worker is back, it applies once', async () => {
      const headers = (key?: string) => ({ authorization: `Bearer ${app.signToken('registrar-city')}`, ...(key ? { 'idempotency-key': key } : {}) });
      const reg = await app.inject({ method: 'POST', url: '/api/petitions', headers: headers(), payload: sampleBody() });
      expect(reg.statusCode, reg.body).toBe(201);
      const { caseNo } = reg.json<{ caseNo: string }>();
      const reason = '当事人扬言到省进京，存在极端风险';
      const warn = () => app.inject({ method: 'POST', url: `/api/petitions/${caseNo}/warning-slip`, headers: headers('warn-once-0001'), payload: { reason } });

      const started = Date.now();
      const timedOut = await warn();
      expect(Date.now() - started).toBeLessThan(6000);
      expect(timedOut.statusCode, timedOut.body).toBe(503);
      expect(timedOut.headers['retry-after']).toBeDefined();

      const ready = await app.inject({ method: 'GET', url: '/health/ready' });
      // The time-skipping test server cannot describe task queues (pollers: null); test/e2e covers the real server.
      expect(ready.json().worker).toHaveProperty('pollers');

      const { startTestWorker } = await import('../support/harness');
      const late = await startTestWorker(b.env, queue, b.database);
      stopLateWorker = async () => {
        late.worker.shutdown();
        await late.running;
      };
      // The first attempt may well have been applied by now that a worker polls: the retry is the same Update,
      // answered with its outcome — not a second slip (which the workflow would refuse with 409).
      // A client retries on 503 with the same key until the worker (just started, still loading) answers.
      const retried = await retryWhile503(warn);
      expect(retried.statusCode, retried.body).toBe(201);
      const again = await warn();
      expect(again.statusCode, again.body).toBe(201);
      expect(again.json()).toEqual(retried.json());
      const withoutKey = await app.inject({ method: 'POST', url: `/api/petitions/${caseNo}/warning-slip`, headers: headers(), payload: { reason } });
      expect(withoutKey.statusCode).toBe(409);
      const other = await app.inject({ method: 'POST', url: `/api/petitions/${caseNo}/warning-slip`, headers: headers('warn-once-0001'), payload: { reason: `${reason}（补充）` } });
      expect(other.statusCode).toBe(422);
    });

    it('a caseworker command (forward) sent twice with one key applies once; the same key with another body → 422', async () => {
      const { caseNo } = await b.register();
      const body = { mode: 'assign', unitId: 'liandu-housing', note: '请依法调查处理' };
      const first = await b.post(`/api/petitions/${caseNo}/forward`, 'registrar-city', body, { 'idempotency-key': 'forward-once-0001' });
      expect(first.statusCode, first.body).toBe(200);
      const again = await b.post(`/api/petitions/${caseNo}/forward`, 'registrar-city', body, { 'idempotency-key': 'forward-once-0001' });
      expect(again.statusCode, again.body).toBe(200);
      expect(again.json()).toEqual(first.json());
      // Without the key it is a second command, which the workflow refuses (already forwarded).
      expect((await b.post(`/api/petitions/${caseNo}/forward`, 'registrar-city', body)).statusCode).toBe(409);
      const other = await b.post(`/api/petitions/${caseNo}/forward`, 'registrar-city', { ...body, unitId: 'city-housing' }, { 'idempotency-key': 'forward-once-0001' });
      expect(other.statusCode).toBe(422);
    });

    it('the Update id is the same for the same key, matter and user, and differs otherwise', () => {
      expect(updateIdFor('LS2026112700001', 'registrar-city', 'k-00000001')).toBe(updateIdFor('LS2026112700001', 'registrar-city', 'k-00000001'));
      expect(updateIdFor('LS2026112700001', 'registrar-city', 'k-00000001')).not.toBe(updateIdFor('LS2026112700002', 'registrar-city', 'k-00000001'));
      expect(updateIdFor('LS2026112700001', 'registrar-city', 'k-00000001')).not.toBe(updateIdFor('LS2026112700001', 'admin', 'k-00000001'));
      expect(updateIdFor('LS2026112700001', 'registrar-city')).not.toBe(updateIdFor('LS2026112700001', 'registrar-city'));
    });
  });
});
