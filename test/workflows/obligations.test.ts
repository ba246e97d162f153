// Issue 7 on the time-skipping server at 2026 dates: visits count as submissions and make new backlog as letters do;
// a limit met late is not backlog; every escalation's obligation is on someone's work list, with its reminders.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { createHarness, type Harness } from '../support/harness';
import { until, visitOf } from './helpers';
import { escalationQuery, explainUpdate, forwardUpdate, submissionSignal, visitSignal } from '../../workflows/messages';
import { workflowIdFor } from '../../services/intake';
import { tasks } from '../../db/schema';

describe('obligations and repeats (registered Mon 2026-09-21)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness('2026-09-21T09:00:00+08:00');
  });
  afterAll(async () => h?.teardown());

  const visit = visitOf;
  const handle = (caseNo: string) => h.env.client.workflow.getHandle(workflowIdFor(caseNo));
  const tasksOf = (caseNo: string) => h.database.db.select().from(tasks).where(eq(tasks.caseNo, caseNo));

  let overdue: string;
  let fresh: string;
  let late: string;

  it('registers three matters on 2026-09-21 and lets the triage limit of two of them pass (due 2026-10-06)', async () => {
    overdue = await h.register({});
    late = await h.register({});
    await h.skipTo('2026-10-07T09:00:00+08:00');
    for (const caseNo of [overdue, late]) {
      await until(() => h.state(caseNo), (s) => s.deadlines.some((d) => d.key === 'triage' && d.status === 'missed'), 'the triage escalation');
    }
    fresh = await h.register({});
    // Visits are recorded after they happened: the clock moves past the ones below.
    await h.skipTo('2026-10-07T12:00:00+08:00');
  });

  it('a same-level (county) visit on the overdue matter is a submission and new backlog: 一事双查 starts, once', async () => {
    const invId = `${workflowIdFor(overdue)}.investigation.new-backlog`;
    await handle(overdue).signal(visitSignal, visit('V-o1', '2026-10-07T09:30:00+08:00'));
    let s = await until(() => h.state(overdue), (x) => x.overlays[invId]?.status === 'open', 'the investigation');
    expect(s.submissions).toMatchObject({ total: 2, repeats: 1 });
    expect(s.overlays[invId]).toMatchObject({ kind: 'investigation', trigger: 'new_backlog' });

    await handle(overdue).signal(visitSignal, visit('V-o2', '2026-10-07T10:00:00+08:00'));
    s = await until(() => h.state(overdue), (x) => x.submissions.total === 3, 'the second visit');
    expect(Object.values(s.overlays).filter((o) => o.kind === 'investigation')).toHaveLength(1);
  });

  it('a triage met late (forwarded on 2026-10-07, after 2026-10-06) is closed: a further letter does not make the matter backlog', async () => {
    const s0 = await h.command(late, forwardUpdate, { mode: 'assign', unitId: 'liandu-housing' }, 'registrar-city');
    expect(s0.deadlines.find((d) => d.key === 'triage')).toMatchObject({ status: 'missed', closedAt: expect.any(String) });
    await handle(late).signal(submissionSignal, { id: 'S-late-1', channel: 'letter', receivedAt: '2026-10-07T11:00:00+08:00', summary: '再次来信', registeredBy: 'registrar-city' });
    const s = await until(() => h.state(late), (x) => x.submissions.total === 2, 'the letter');
    expect(Object.values(s.overlays).filter((o) => o.kind === 'investigation')).toEqual([]);
  });

  it("a warning slip issued while the matter has no unit puts the explanation on the division's supervisors' list, due 3 WD after the visit (2026-10-12), and they explain", async () => {
    const slipId = `${workflowIdFor(fresh)}.warning-slip`;
    await handle(fresh).signal(visitSignal, visit('V-f1', '2026-10-07T10:00:00+08:00'));
    await handle(fresh).signal(visitSignal, visit('V-f2', '2026-10-07T11:00:00+08:00', { level: 'city', place: '丽水市信访局' }));
    await until(() => h.state(fresh), (x) => x.overlays[slipId]?.status === 'open', 'the slip');
    await h.skipTo('2026-10-08T10:00:00+08:00');
    await handle(fresh).signal(visitSignal, visit('V-f3', '2026-10-08T09:00:00+08:00'));
    await until(() => h.env.client.workflow.getHandle(slipId).query(escalationQuery), (x) => x.deadlines.length === 1, 'the explanation limit');

    const [task] = await until(() => h.database.db.select().from(tasks).where(and(eq(tasks.caseNo, fresh), eq(tasks.source, slipId))), (r) => r.length === 1 && r[0]!.dueAt !== null, 'the explanation task with its limit');
    expect(task).toMatchObject({ kind: 'explain-1', assigneeRole: 'supervisor', unitId: null, divisionCode: '331102', overdue: false });
    expect(task!.dueAt?.toISOString(), JSON.stringify(task)).toBe('2026-10-12T16:00:00.000Z'); // Thu 10-08 + 3 WD (Sat 10-10 is a make-up working day)

    const slip = await h.env.client.workflow
      .getHandle(slipId)
      .executeUpdate(explainUpdate, { args: [{ no: 1, content: '属地已约谈信访人，说明化解进展和再次上访原因', actor: await h.actor('supervisor-liandu') }] });
    expect(slip.deadlines[0]).toMatchObject({ status: 'met' });
    await until(() => h.database.db.select().from(tasks).where(and(eq(tasks.caseNo, fresh), eq(tasks.source, slipId))), (r) => r.length === 0, 'the task done');
  });

  it('a three-party review (abnormal visit in Beijing, 2026-10-09) is on the supervisors\' list, due 15 WD later (2026-10-29: Sat 10-10 is a make-up working day), reminded 10 and 3 days before', async () => {
    const reviewId = `${workflowIdFor(fresh)}.three-party-review.V-f4`;
    await h.skipTo('2026-10-09T11:00:00+08:00');
    await handle(fresh).signal(visitSignal, visit('V-f4', '2026-10-09T10:00:00+08:00', { level: 'national', place: '国家信访局', abnormalInBeijing: true }));
    await until(() => h.state(fresh), (x) => x.overlays[reviewId]?.status === 'open', 'the review started');
    const review = await until(() => h.env.client.workflow.getHandle(reviewId).query(escalationQuery), (x) => x.deadlines.length === 1, 'the review limit');
    expect(review.deadlines[0]).toMatchObject({ key: 'threePartyReview', dueDate: '2026-10-29', reminded: [] });
    const rows = await until(() => tasksOf(fresh), (r) => r.some((t) => t.kind === 'threePartyReview') && r.some((t) => t.kind === 'investigate'), 'the review and investigation tasks');
    expect(rows.find((t) => t.kind === 'threePartyReview')).toMatchObject({ assigneeRole: 'supervisor', source: reviewId });

    await h.skipTo('2026-10-28T09:00:00+08:00');
    const reminded = await until(() => h.env.client.workflow.getHandle(reviewId).query(escalationQuery), (x) => x.deadlines[0]!.reminded.length === 2, 'both reminders');
    expect(reminded.recent.filter((e) => e.type === 'deadline.reminder').map((e) => e.data.leadDays)).toEqual([10, 3]);
  });
});
