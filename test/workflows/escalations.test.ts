import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { createHarness, type Harness } from '../support/harness';
import { until, visitOf } from './helpers';
import { acceptUpdate, forwardUpdate, submissionSignal, visitSignal } from '../../workflows/messages';
import { explainUpdate } from '../../workflows/messages';
import { escalationQuery } from '../../workflows/messages';
import type { EscalationState } from '../../domain/escalation';
import { concludeUpdate } from '../../workflows/messages';
import { workflowIdFor } from '../../services/intake';
import { escalations, notices } from '../../db/schema';


describe('visits and the escalation child workflows (2026 dates)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness('2026-09-21T09:00:00+08:00');
  });
  afterAll(async () => h?.teardown());

  const visit = visitOf;
  const signal = (caseNo: string, v: ReturnType<typeof visitOf>) => h.env.client.workflow.getHandle(workflowIdFor(caseNo)).signal(visitSignal, v);
  const child = (id: string) => h.env.client.workflow.getHandle(id).query(escalationQuery);

  it('two county-level visits issue a warning slip; a third on 2026-09-30, the last working day before National Day, makes the explanation due 2026-10-10; missing it escalates', async () => {
    const caseNo = await h.register({});
    const wf = workflowIdFor(caseNo);
    const slipId = `${wf}.warning-slip`;
    await h.skipTo('2026-09-21T12:00:00+08:00');

    await signal(caseNo, visit('V-a1', '2026-09-21T10:00:00+08:00', { level: 'county' }));
    let s = await until(() => h.state(caseNo), (x) => x.visitCounts.county === 1, 'the first visit');
    expect(s.overlays[slipId]).toBeUndefined();

    await signal(caseNo, visit('V-a2', '2026-09-21T11:00:00+08:00', { level: 'city', place: '丽水市信访局' }));
    s = await until(() => h.state(caseNo), (x) => x.overlays[slipId]?.status === 'open', 'the slip');
    expect(s.visitCounts).toMatchObject({ county: 1, city: 1 });
    const [slipRow] = await until(() => h.database.db.select().from(escalations).where(eq(escalations.id, slipId)), (r) => r.length === 1, 'slip row');
    expect(slipRow!.trigger).toBe('two_visits');
    const filed = await h.database.db.select().from(notices).where(eq(notices.caseNo, caseNo));
    expect(filed.some((n) => n.kind === 'warning_slip' && n.body.includes('3个工作日'))).toBe(true);

    // The third visit, on the last working day before the holiday.
    await h.skipTo('2026-09-30T10:00:00+08:00');
    await signal(caseNo, visit('V-a3', '2026-09-30T09:30:00+08:00', { level: 'county' }));
    let slip = await until(() => child(slipId), (x) => x.deadlines.length === 1, 'the explanation limit');
    expect(slip.deadlines[0]).toMatchObject({ key: 'warningExplanation', startDate: '2026-09-30', dueDate: '2026-10-10' });
    expect((slip.details.explanations as { addressee: string }[])[0]!.addressee).toBe('leading_group_head');

    await h.skipTo('2026-10-11T00:10:00+08:00');
    slip = await until(() => child(slipId), (x) => x.deadlines[0]!.status === 'missed', 'the escalation');
    expect(slip.overdue).toBe(true);
    expect(slip.recent.some((e) => e.type === 'deadline.escalated')).toBe(true);

    // Late, the explanation is still taken; the next visit's goes to the main leaders.
    slip = await h.env.client.workflow.getHandle(slipId).executeUpdate(explainUpdate, {
      args: [{ no: 1, content: '关于信访人再次到县上访的书面说明：责任落实、化解稳控情况及再次上访原因。', actor: await h.actor('admin') }],
    });
    expect(slip.deadlines[0]!.closedAt).toBeDefined();
    await h.skipTo('2026-10-12T10:00:00+08:00');
    await signal(caseNo, visit('V-a4', '2026-10-12T09:00:00+08:00', { level: 'city' }));
    slip = await until(() => child(slipId), (x) => x.deadlines.length === 2, 'second explanation limit');
    expect((slip.details.explanations as { addressee: string }[])[1]!.addressee).toBe('main_leaders');
    expect(slip.deadlines[1]).toMatchObject({ startDate: '2026-10-12', dueDate: '2026-10-15' });
  });

  it('a collective visit to Beijing on 2026-10-12 starts a three-party review due 15 working days later, 2026-11-02; a retried signal starts nothing twice', async () => {
    await h.skipTo('2026-10-12T10:00:00+08:00'); // the clock only moves forward; this matter is registered now
    const caseNo = await h.register({});
    const wf = workflowIdFor(caseNo);
    await h.skipTo('2026-10-12T11:00:00+08:00');
    const beijing = visit('V-b1', '2026-10-12T10:30:00+08:00', { level: 'national', place: '国家信访局', persons: 8, collective: true });
    await signal(caseNo, beijing);
    await signal(caseNo, beijing); // retried
    const reviewId = `${wf}.three-party-review.V-b1`;
    const s = await until(() => h.state(caseNo), (x) => x.overlays[reviewId]?.status === 'open' && Object.keys(x.overlays).length >= 2, 'the review');
    const review = await child(reviewId);
    expect(review.trigger).toBe('collective_to_beijing');
    // 15 working days after Monday 2026-10-12.
    expect(review.deadlines[0]).toMatchObject({ key: 'threePartyReview', dueDate: '2026-11-02' });
    expect(s.visitCounts.national).toBe(1);
    // A Beijing visit on a county matter is also skip-level: 一事双查.
    expect(Object.values(s.overlays).map((o) => o.kind).sort()).toEqual(['investigation', 'three_party_review']);
  });

  it('a repeat submission after the 60-day handling limit has passed makes the matter new backlog and starts 一事双查, once', async () => {
    const caseNo = await h.register({});
    const wf = workflowIdFor(caseNo);
    await h.command(caseNo, forwardUpdate, { mode: 'assign', unitId: 'liandu-housing' }, 'registrar-city');
    const accepted = await h.command(caseNo, acceptUpdate, {}, 'handler-liandu-housing');
    const handling = accepted.deadlines.find((d) => d.key === 'handling')!;
    expect(handling.startDate).toBe('2026-10-12');
    expect(handling.dueDate).toBe('2026-12-11');

    await h.skipTo('2026-12-12T08:00:00+08:00');
    await until(() => h.state(caseNo), (x) => x.deadlines.some((d) => d.key === 'handling' && d.status === 'missed'), 'the handling escalation');
    const handle = h.env.client.workflow.getHandle(wf);
    const sub = { id: 'S-repeat-1', channel: 'visit' as const, receivedAt: '2026-12-12T08:30:00+08:00', summary: '再次反映违建问题', registeredBy: 'registrar-city' };
    await handle.signal(submissionSignal, sub);
    await handle.signal(submissionSignal, sub);
    await handle.signal(submissionSignal, { ...sub, id: 'S-repeat-2' });
    const invId = `${wf}.investigation.new-backlog`;
    const s = await until(() => h.state(caseNo), (x) => x.overlays[invId]?.status === 'open' && x.submissions.total === 3, 'the investigation');
    expect(Object.values(s.overlays).filter((o) => o.kind === 'investigation')).toHaveLength(1);
    let inv: EscalationState = await child(invId);
    expect(inv.deadlines[0]).toMatchObject({ key: 'investigation', startDate: '2026-12-12', dueDate: '2027-01-11' });

    // It closes only with both findings and a recommendation.
    await expect(
      h.env.client.workflow.getHandle(invId).executeUpdate(concludeUpdate, { args: [{ handlingFinding: '承办单位未在60日内答复', accountabilityFinding: ' ', recommendation: 'criticism', actor: await h.actor('supervisor-city') }] }),
    ).rejects.toThrow();
    inv = await h.env.client.workflow.getHandle(invId).executeUpdate(concludeUpdate, {
      args: [{ handlingFinding: '承办单位未在60日内答复', accountabilityFinding: '经办人拖延，单位负责人督办不力', recommendation: 'criticism', actor: await h.actor('supervisor-city') }],
    });
    expect(inv.status).toBe('completed');
    await until(() => h.state(caseNo), (x) => x.overlays[invId]?.status === 'completed', 'the parent to see it completed');
  });
});
