import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { auditLog } from '../../db/schema';
import { addNaturalDays, endOfShanghaiDay } from '../../domain/dates';
import type { PetitionState } from '../../domain/matter';
import { eventually } from '../support/api';
import { startStack, type Stack } from '../support/stack';
import { buildApp } from '../../api/app';
import { temporalClient } from '../../services/bootstrap';

interface ListItem {
  caseNo: string;
  status: string;
  unitId: string | null;
  currentDeadline: { key: string; dueAt: string | null } | null;
  petitioners: { name: string; idNumber: string | null }[];
}

/**
 * The whole stack as it runs in production, on loopback; the test speaks HTTP to it with fetch.
 */
describe('the real stack: Temporal dev server, PostgreSQL, worker and API over HTTP', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => stack?.stop());
  const call = <T>(...args: Parameters<Stack['call']>) => stack.call<T>(...args);
  const token = (userId: string) => stack.token(userId);
  const listed = async (caseNo: string, tok: string) => {
    const res = await call<{ items: ListItem[] }>('GET', `/api/petitions?q=${caseNo}`, tok);
    expect(res.status).toBe(200);
    return res.body.items.find((i) => i.caseNo === caseNo);
  };

  it('is ready, and refuses /api without a token', async () => {
    expect(stack.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const ready = await call<{ status: string; worker: { pollers: number } }>('GET', '/health/ready');
    expect(ready).toMatchObject({ status: 200, body: { status: 'ready', temporal: { ok: true }, database: { ok: true }, worker: { ok: true } } });
    expect(ready.body.worker.pollers).toBeGreaterThanOrEqual(1);
    expect((await call('GET', '/api/petitions')).status).toBe(401);
    const docs = await call<{ paths: Record<string, unknown> }>('GET', '/docs/json');
    expect(docs.body.paths).toHaveProperty('/api/petitions');
  });

  it('readiness says unavailable when no worker polls the task queue (it said ready)', async () => {
    const config = { ...stack.config, TEMPORAL_TASK_QUEUE: `nobody-polls-${randomUUID()}` };
    const temporal = temporalClient(config, stack.config.TEMPORAL_ADDRESS!);
    const app = await buildApp({ config, database: stack.database, temporal });
    try {
      const res = await app.inject({ method: 'GET', url: '/health/ready' });
      expect(res.statusCode).toBe(503);
      expect(res.json()).toMatchObject({ status: 'unavailable', temporal: { ok: true }, database: { ok: true }, worker: { ok: false, pollers: 0 } });
    } finally {
      await app.close();
      await temporal.connection.close();
    }
  });

  it('dev token → register → listed in TRIAGE with its triage limit → forward → live state AWAITING_ACCEPTANCE → listed for the unit → timeline in the record', async () => {
    const registrar = await token('registrar-city');

    // Register (a visit to the city bureau about a matter in 莲都区).
    const reg = await call<{ caseNo: string; queryCode: string; outcome: string }>(
      'POST',
      '/api/petitions',
      registrar,
      {
        channel: 'visit',
        divisionCode: '331102',
        category: 'urban_construction',
        purpose: 'complaint',
        summary: '莲都区某安置小区房屋漏水，多次报修无人处理',
        petitioners: [{ name: '周九', main: true, idNumber: '331102198805051234', phone: '13700001111' }],
      },
      { 'idempotency-key': `e2e-${randomUUID()}` },
    );
    expect(reg.status).toBe(201);
    expect(reg.body.outcome).toBe('registered');
    const { caseNo } = reg.body;
    expect(caseNo).toMatch(/^LS\d{8}\d{5}$/);

    // The read model catches up: TRIAGE, running against the 15-day triage limit (《信访工作条例》第二十二条).
    const triage = await eventually(async () => {
      const item = await listed(caseNo, registrar);
      return item?.status === 'TRIAGE' && item.currentDeadline?.key === 'triage' ? item : undefined;
    }, `${caseNo} listed in TRIAGE`);
    // The case number carries the registration date (Asia/Shanghai); a letter's limit counts from its receipt, today.
    const registeredOn = `${caseNo.slice(2, 6)}-${caseNo.slice(6, 8)}-${caseNo.slice(8, 10)}`;
    expect(triage.currentDeadline!.dueAt).toBe(endOfShanghaiDay(addNaturalDays(registeredOn, 15)));
    expect(triage.petitioners[0]).toEqual({ name: '周*', main: true, idNumber: '331***********1234', phone: '137****1111' });

    // Forward to 莲都区住建局: the Update answers with the workflow's new state.
    const fwd = await call<PetitionState>('POST', `/api/petitions/${caseNo}/forward`, registrar, { mode: 'assign', unitId: 'liandu-housing', note: '请依法核查处理' });
    expect(fwd.status).toBe(200);
    expect(fwd.body).toMatchObject({ status: 'AWAITING_ACCEPTANCE', unitId: 'liandu-housing' });

    // The live state, queried from the running workflow.
    const live = await call<PetitionState>('GET', `/api/petitions/${caseNo}/state`, registrar);
    expect(live.status).toBe(200);
    expect(live.body).toMatchObject({ caseNo, status: 'AWAITING_ACCEPTANCE', unitId: 'liandu-housing', current: { key: 'acceptance' } });

    // Listed for the registrar and now for the unit's handler too.
    await eventually(async () => ((await listed(caseNo, registrar))?.status === 'AWAITING_ACCEPTANCE' ? true : undefined), `${caseNo} listed AWAITING_ACCEPTANCE`);
    const handler = await token('handler-liandu-housing');
    const forUnit = await listed(caseNo, handler);
    expect(forUnit).toMatchObject({ status: 'AWAITING_ACCEPTANCE', unitId: 'liandu-housing', currentDeadline: { key: 'acceptance' } });

    // The full record: personal data in clear, the timeline and the hand-off notice; the read is audited.
    const detail = await call<{
      status: string;
      petitioners: { name: string; idNumber: string }[];
      timeline: { seq: number; type: string; actor: string | null }[];
      deadlines: { key: string; status: string }[];
      notices: { kind: string }[];
    }>('GET', `/api/petitions/${caseNo}`, handler);
    expect(detail.status).toBe(200);
    expect(detail.body.petitioners[0]).toMatchObject({ name: '周九', idNumber: '331102198805051234' });
    const types = detail.body.timeline.map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['registered', 'deadline.started', 'triage.assigned', 'notice.filed']));
    expect(types.indexOf('registered')).toBeLessThan(types.indexOf('triage.assigned'));
    expect(detail.body.timeline.find((e) => e.type === 'triage.assigned')!.actor).toBe('registrar-city');
    const seqs = detail.body.timeline.map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
    expect(detail.body.deadlines.find((d) => d.key === 'triage')!.status).toBe('met');
    expect(detail.body.deadlines.find((d) => d.key === 'acceptance')!.status).toBe('pending');
    expect(detail.body.notices.map((n) => n.kind)).toContain('forwarded');
    const audited = await stack.database.db.select().from(auditLog).where(and(eq(auditLog.caseNo, caseNo), eq(auditLog.userId, 'handler-liandu-housing')));
    expect(audited).toHaveLength(1);

    // A second forward is refused with the reason.
    const again = await call<{ message: string }>('POST', `/api/petitions/${caseNo}/forward`, registrar, { mode: 'forward', unitId: 'city-housing' });
    expect(again.status).toBe(409);
    expect(again.body.message).toMatch(/AWAITING_ACCEPTANCE/);
  });
});
