import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { createHarness, type Harness } from '../support/harness';
import { acceptUpdate, calendarKnownSignal, forwardUpdate, meetingUpdate, objectUpdate, replyUpdate, visitSignal, warnUpdate } from '../../workflows/messages';
import { escalationQuery } from '../../workflows/messages';
import { workflowIdFor } from '../../workflows/ids';
import { calendarOverrides, calendarYears, notices } from '../../db/schema';
import { loadCalendar, waitingLimitsByYear } from '../../read-model/calendar';

const reply = { request: '拆除违建', facts: '经查属实', opinion: '责令限期拆除', legalBasis: '《城乡规划法》第六十四条', deliveryMethod: 'in_person' as const };

describe('limits that reach into 2027, a year chinese-days has no data for (clock from 2026-12-10)', () => {
  let h: Harness;
  /** The read model's count of limits waiting on 2027 (projection is asynchronous). */
  async function expectWaiting(n: number): Promise<void> {
    let got = -1;
    for (let i = 0; i < 200; i++) {
      got = (await waitingLimitsByYear(h.database.db)).get(2027) ?? 0;
      if (got === n) break;
      await new Promise((r) => setTimeout(r, 30));
    }
    expect(got).toBe(n);
  }
  beforeAll(async () => {
    h = await createHarness('2026-12-10T09:00:00+08:00');
  });
  afterAll(async () => h?.teardown());

  it('a reply delivered 2026-12-10 is recorded at once; its review window (into 2027) waits until an admin declares the 2027 schedule complete (an override alone is not enough), then starts rolled past the weekend', async () => {
    const caseNo = await h.register({});
    await h.command(caseNo, forwardUpdate, { mode: 'assign', unitId: 'liandu-housing' }, 'registrar-city');
    await h.command(caseNo, acceptUpdate, {}, 'handler-liandu-housing');
    await h.command(caseNo, meetingUpdate, { meeting: 1, date: '2026-12-10', place: '住建局', participants: ['经办人', '信访人'] }, 'handler-liandu-housing');

    const replied = await h.command(caseNo, replyUpdate, reply, 'handler-liandu-housing');
    expect(replied.status).toBe('REPLIED');
    expect(replied.reply).toMatchObject({ deliveredOn: '2026-12-10' });
    expect(replied.deadlines.find((d) => d.key === 'evaluation')).toMatchObject({ dueDate: '2026-12-17', status: 'pending' });
    expect(replied.deadlines.find((d) => d.key === 'reviewRequest')).toBeUndefined();
    expect(replied.uncomputed).toEqual([expect.objectContaining({ req: expect.objectContaining({ key: 'reviewRequest', startDate: '2026-12-10' }), reason: expect.stringContaining('2027') })]);
    expect((await h.database.db.select().from(notices).where(eq(notices.caseNo, caseNo))).find((n) => n.kind === 'reply')?.body).toContain('30日内请求复查');
    await expectWaiting(1);

    // The admin enters 2027's New Year holiday: an override alone does not make the year known.
    await h.database.db.insert(calendarOverrides).values([
      { date: '2027-01-01', kind: 'holiday', source: '测试：2027年部分节假日安排', name: '元旦', createdBy: 'admin' },
    ]);
    const handle = h.env.client.workflow.getHandle(workflowIdFor(caseNo));
    await handle.signal(calendarKnownSignal, { year: 2027 });
    await new Promise((r) => setTimeout(r, 300));
    expect((await h.state(caseNo)).uncomputed).toHaveLength(1);
    // Declared complete (what POST /api/admin/calendar/years/2027 does, then signals the waiting matters): it starts.
    await h.database.db.insert(calendarYears).values({ year: 2027, complete: true, sourceDocument: '测试：2027年部分节假日安排', declaredBy: 'admin' });
    await handle.signal(calendarKnownSignal, { year: 2027 });
    let s = await h.state(caseNo);
    for (let i = 0; i < 200 && !s.deadlines.some((d) => d.key === 'reviewRequest'); i++) {
      await new Promise((r) => setTimeout(r, 30));
      s = await h.state(caseNo);
    }
    // 2026-12-10 + 30 = 2027-01-09, a Saturday → Monday 2027-01-11.
    expect(s.deadlines.find((d) => d.key === 'reviewRequest')).toMatchObject({ startDate: '2026-12-10', dueDate: '2027-01-11', rolledFrom: '2027-01-09', status: 'pending' });
    expect(s.uncomputed).toEqual([]);
    await expectWaiting(0);
    await h.database.db.delete(calendarOverrides);
    await h.database.db.delete(calendarYears);
  });

  it('a hand-off on 2026-12-28 keeps the unit\'s objection right: its 5 WD window waits for 2027, and an objection on 2026-12-29 is in time', async () => {
    await h.skipTo('2026-12-28T10:00:00+08:00');
    const caseNo = await h.register({});
    const forwarded = await h.command(caseNo, forwardUpdate, { mode: 'assign', unitId: 'liandu-housing' }, 'registrar-city');
    expect(forwarded.status).toBe('AWAITING_ACCEPTANCE');
    expect(forwarded.uncomputed?.map((u) => u.req.key)).toEqual(['objection']);
    await h.skipTo('2026-12-29T10:00:00+08:00');
    const objected = await h.command(caseNo, objectUpdate, { reason: '该事项属于其他部门职责范围' }, 'handler-liandu-housing');
    expect(objected).toMatchObject({ status: 'TRIAGE', unitId: null });
    expect(objected.uncomputed).toEqual([]);
  });

  it('a warning slip whose explanation limit falls in 2027 records it as not computed, does not fail, is counted as waiting on 2027, and starts once the year is declared complete', async () => {
    await h.skipTo('2026-12-29T11:00:00+08:00');
    const caseNo = await h.register({});
    const wf = workflowIdFor(caseNo);
    const slipId = `${wf}.warning-slip`;
    const handle = h.env.client.workflow.getHandle(wf);
    await handle.executeUpdate(warnUpdate, { args: [{ reason: '信访人多次扬言越级上访', actor: await h.actor('supervisor-city') }] });
    await h.skipTo('2026-12-29T12:00:00+08:00');
    await handle.signal(visitSignal, { id: 'V-dec', at: '2026-12-29T11:30:00+08:00', level: 'county', place: '莲都区信访局', persons: 1, collective: false, abnormalInBeijing: false, receivedBy: '接待员', recordedBy: 'registrar-city' });
    const slipHandle = h.env.client.workflow.getHandle(slipId);
    let slip = await slipHandle.query(escalationQuery).catch(() => undefined);
    for (let i = 0; i < 200 && !(slip?.uncomputed.length); i++) {
      await new Promise((r) => setTimeout(r, 30));
      slip = await slipHandle.query(escalationQuery).catch(() => undefined);
    }
    expect(slip!.status).toBe('open');
    expect(slip!.uncomputed[0]).toMatchObject({ id: 'explanation-1' });
    expect(slip!.deadlines).toHaveLength(0);
    // GET /api/admin/calendar/status counts it as one limit waiting on 2027.
    await expectWaiting(1);

    // An override alone leaves the year unknown: the daily retry still cannot compute the limit.
    await h.database.db.insert(calendarOverrides).values([{ date: '2027-01-01', kind: 'holiday', source: '测试：2027年部分节假日安排', name: '元旦', createdBy: 'admin' }]);
    expect((await loadCalendar(h.database.db)).knowsYear(2027)).toBe(false);
    await h.skipTo('2026-12-30T13:00:00+08:00'); // the daily retry
    await new Promise((r) => setTimeout(r, 300));
    slip = await slipHandle.query(escalationQuery);
    expect(slip.deadlines).toHaveLength(0);
    await expectWaiting(1);

    await h.database.db.insert(calendarYears).values({ year: 2027, complete: true, sourceDocument: '测试：2027年部分节假日安排', declaredBy: 'admin' });
    await h.skipTo('2026-12-31T13:00:00+08:00'); // the next daily retry
    slip = await slipHandle.query(escalationQuery);
    for (let i = 0; i < 200 && slip.deadlines.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 30));
      slip = await slipHandle.query(escalationQuery);
    }
    // 3 working days after Tue 2026-12-29: 30, 31, then Mon 2027-01-04 (1 Jan a holiday, 2–3 the weekend).
    expect(slip.deadlines[0]).toMatchObject({ key: 'warningExplanation', dueDate: '2027-01-04' });
    expect(slip.uncomputed).toEqual([]);
    await expectWaiting(0);
  });
});
