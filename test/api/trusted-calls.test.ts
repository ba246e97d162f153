import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import type { LightMyRequestResponse } from 'fastify';
import { buildApp } from '../../api/app';
import { backlogCases, listings } from '../../db/schema';
import { addNaturalDays } from '../../domain/dates';
import { listingWorkflow } from '../../workflows/sweeps';
import { createApiBench, eventually, retryWhile503, sampleBody, testConfig, type ApiBench } from '../support/api';
import { startTestWorker } from '../support/harness';

/** Today in Asia/Shanghai, as the caseworkers date their records. */
const today = () => new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);

/**
 * Issue 10, defect 3: the last Temporal calls of the API under a deadline, and their commands safe to retry. A second
 * app on its own task queue, whose worker is stopped while the commands are sent: each answers 503 with Retry-After
 * within seconds; sent again with the same Idempotency-Key once the worker is back, each applies once.
 */
describe('backlog commands, a listing’s remediation and the petitioner’s evaluation: deadline and Idempotency-Key', () => {
  const queue = `trusted-calls-${Date.now()}`;
  const DEADLINE_MS = 2000;
  let b: ApiBench;
  let app: Awaited<ReturnType<typeof buildApp>>;
  let worker: Awaited<ReturnType<typeof startTestWorker>> | undefined;
  const stopWorker = async () => {
    worker?.worker.shutdown();
    await worker?.running;
    worker = undefined;
  };

  const as = (userId: string, key?: string) => ({ authorization: `Bearer ${app.signToken(userId)}`, ...(key ? { 'idempotency-key': key } : {}) });
  const post = (url: string, userId: string, payload: object, key?: string) => app.inject({ method: 'POST', url, headers: as(userId, key), payload });

  let backlogId = '';
  let listingId = '';
  let matter = { caseNo: '', queryCode: '' };
  const checkIn = { date: today(), notes: '包案领导林亮到王小五家中走访，听取诉求', metPetitioner: true };
  const report = '青田县已制定进京访专项整治方案并落实包案责任';
  const evaluation = { unit: 'basically_satisfied', bureau: 'satisfied' } as const;

  // The three commands, each sent with its own key.
  const commands = () => ({
    checkIn: () => post(`/api/backlog/${backlogId}/check-ins`, 'supervisor-city', checkIn, 'checkin-once-0001'),
    remediation: () => post(`/api/listings/${listingId}/remediation`, 'supervisor-city', { report }, 'remedy-once-0001'),
    evaluation: () =>
      app.inject({ method: 'POST', url: '/public/evaluation', headers: { 'idempotency-key': 'evaluate-once-0001' }, remoteAddress: '198.51.100.77', payload: { queryCode: matter.queryCode, factor: '2222', ...evaluation } }),
  });

  beforeAll(async () => {
    b = await createApiBench();
    app = await buildApp({ config: testConfig({ TEMPORAL_TASK_QUEUE: queue, TEMPORAL_CALL_TIMEOUT_MS: String(DEADLINE_MS), PUBLIC_RATE_PER_IP: '200', PUBLIC_RATE_PER_CODE: '200' }), database: b.database, temporal: b.env.client });
    await app.ready();
    worker = await startTestWorker(b.env, queue, b.database, { maxCachedWorkflows: 0 });

    // A matter replied to, within its evaluation window; its workflow on this app's queue.
    const reg = await post('/api/petitions', 'registrar-city', sampleBody());
    expect(reg.statusCode, reg.body).toBe(201);
    matter = reg.json<{ caseNo: string; queryCode: string }>();
    await b.waitForMatter(matter.caseNo, (m) => m.status === 'TRIAGE', 'TRIAGE');
    const cmd = async (path: string, userId: string, body: object = {}) => expect((await post(`/api/petitions/${matter.caseNo}/${path}`, userId, body)).statusCode).toBe(200);
    await cmd('forward', 'registrar-city', { mode: 'assign', unitId: 'liandu-housing' });
    await cmd('accept', 'handler-liandu-housing');
    await cmd('meetings', 'handler-liandu-housing', { meeting: 1, date: today(), place: '住建局接待室', participants: ['王小五', '承办人'] });
    await cmd('reply', 'handler-liandu-housing', { request: '拆除违建', facts: '经查属实', opinion: '责令限期拆除', legalBasis: '《城乡规划法》第六十四条', deliveryMethod: 'in_person' });
    await b.waitForMatter(matter.caseNo, (m) => m.status === 'REPLIED', 'REPLIED');

    // A backlog case assigned by the city.
    const assigned = await post('/api/backlog', 'supervisor-city', { assigningLevel: 'city', assigningBody: '丽水市信访局', assignedOn: today(), divisionCode: '331102', reason: '市交办重复信访积案：拆迁安置', leaderName: '林亮测试' }, `trusted-backlog-${Date.now()}`);
    expect(assigned.statusCode, assigned.body).toBe(201);
    backlogId = assigned.json<{ id: string }>().id;

    // A 挂牌督办 listing of 青田 (as the quarterly sweep starts one).
    listingId = `2026Q3-trusted-${Date.now()}`;
    await b.env.client.workflow.start(listingWorkflow, {
      taskQueue: queue,
      workflowId: `listing-${listingId}`,
      args: [{ id: listingId, divisionCode: '331121', name: '青田县', rank: 9, score: 0.41, dueDate: addNaturalDays(today(), 90), quarter: '2026Q3', digestId: 'digest-trusted' }],
    });
    await eventually(async () => {
      const [l] = await b.database.db.select().from(listings).where(eq(listings.id, listingId));
      const [c] = await b.database.db.select().from(backlogCases).where(eq(backlogCases.id, backlogId));
      return l && c && c.lastSeq >= 0 ? true : undefined;
    }, 'the listing and the backlog case projected');

    // The worker goes away.
    await stopWorker();
  });
  afterAll(async () => {
    await stopWorker();
    await app?.close();
    await b?.teardown();
  });

  it('with no worker, each answers 503 with Retry-After within the deadline (they blocked for minutes)', async () => {
    for (const [name, send] of Object.entries(commands())) {
      const started = Date.now();
      const res = await send();
      expect(Date.now() - started, name).toBeLessThan(DEADLINE_MS + 3000);
      expect(res.statusCode, `${name}: ${res.body}`).toBe(503);
      expect(res.headers['retry-after'], name).toBeDefined();
      expect(res.json().error, name).toBe('TemporalTimeout');
    }
  });

  it('once the worker is back, each retried with the same key applies once; the key with another body → 422', async () => {
    worker = await startTestWorker(b.env, queue, b.database, { maxCachedWorkflows: 0 });
    const retried: Record<string, LightMyRequestResponse> = {};
    for (const [name, send] of Object.entries(commands())) {
      // A client retries on 503 with the same key until the worker (just started) answers.
      const res = await retryWhile503(send);
      expect(res.statusCode, `${name}: ${res.body}`).toBe(200);
      const again = await send();
      expect(again.statusCode, `${name} again: ${again.body}`).toBe(200);
      expect(again.json(), name).toEqual(res.json());
      retried[name] = res;
    }

    // Applied once: one check-in, one remediation report, one evaluation.
    expect(retried.checkIn!.json<{ checkIns: unknown[] }>().checkIns).toHaveLength(1);
    expect(retried.remediation!.json<{ status: string; reports: unknown[] }>()).toMatchObject({ status: 'remediated', reports: [{ report, by: 'supervisor-city' }] });
    expect(retried.evaluation!.json()).toMatchObject({ caseNo: matter.caseNo, evaluatedOn: today() });
    const live = await app.inject({ method: 'GET', url: `/api/petitions/${matter.caseNo}/state`, headers: as('registrar-city') });
    expect(live.json<{ recent: { type: string }[] }>().recent.filter((e) => e.type === 'evaluated')).toHaveLength(1);

    // The same key for another request is refused, not applied.
    expect((await post(`/api/backlog/${backlogId}/check-ins`, 'supervisor-city', { ...checkIn, notes: '另一次走访' }, 'checkin-once-0001')).statusCode).toBe(422);
    expect((await post(`/api/listings/${listingId}/remediation`, 'supervisor-city', { report: `${report}（补充）` }, 'remedy-once-0001')).statusCode).toBe(422);
    const otherEvaluation = await app.inject({ method: 'POST', url: '/public/evaluation', headers: { 'idempotency-key': 'evaluate-once-0001' }, remoteAddress: '198.51.100.77', payload: { queryCode: matter.queryCode, factor: '2222', unit: 'satisfied', bureau: 'satisfied' } });
    expect(otherEvaluation.statusCode).toBe(422);
    // Without a key, a second check-in is a new command (check-ins repeat): two now.
    const second = await post(`/api/backlog/${backlogId}/check-ins`, 'supervisor-city', { ...checkIn, notes: '第二次走访' });
    expect(second.statusCode, second.body).toBe(200);
    expect(second.json<{ checkIns: unknown[] }>().checkIns).toHaveLength(2);
  });

  it('the routes declare the Idempotency-Key header and the 503', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/docs/json' })).json<{ paths: Record<string, Record<string, { parameters?: { in: string; name: string }[]; responses: Record<string, unknown> }>> }>();
    for (const path of ['/api/backlog/{id}/check-ins', '/api/backlog/{id}/close', '/api/listings/{id}/remediation', '/public/evaluation']) {
      const op = doc.paths[path]!.post!;
      expect(op.parameters?.some((p) => p.in === 'header' && p.name === 'idempotency-key'), path).toBe(true);
      expect(op.responses, path).toHaveProperty('503');
      expect(op.responses, path).toHaveProperty('422');
    }
  });
});
