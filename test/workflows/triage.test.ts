import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../support/harness';
import { forwardUpdate, linkUpdate } from '../../workflows/messages';

describe('triage on the time-skipping server (2026 dates)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness('2026-09-25T09:00:00+08:00');
  });
  afterAll(async () => h?.teardown());

  it('a letter received 2026-09-25 must be triaged by 2026-10-10; untouched, it is reminded and then escalates on the limit and keeps running, flagged overdue', async () => {
    const caseNo = await h.register({});
    let s = await h.state(caseNo);
    expect(s.status).toBe('TRIAGE');
    const triage = s.deadlines.find((d) => d.key === 'triage')!;
    expect(triage.dueDate).toBe('2026-10-10');
    expect(triage.dueAt).toBe('2026-10-10T16:00:00.000Z');
    expect(triage.policy.basis).toContain('第二十二条');

    // The evening of the last day: reminded twice (10 and 3 days before), not yet escalated.
    await h.skipTo('2026-10-10T22:00:00+08:00');
    s = await h.state(caseNo);
    expect(s.recent.filter((e) => e.type === 'deadline.reminder').map((e) => e.data.leadDays)).toEqual([10, 3]);
    expect(s.recent.some((e) => e.type === 'deadline.escalated')).toBe(false);
    expect(s.overdue).toBe(false);

    // Just past 24:00 on 2026-10-10.
    await h.skipTo('2026-10-11T00:05:00+08:00');
    s = await h.state(caseNo);
    const escalation = s.recent.find((e) => e.type === 'deadline.escalated');
    expect(escalation?.data).toMatchObject({ key: 'triage', dueDate: '2026-10-10' });
    expect(s.deadlines.find((d) => d.key === 'triage')!.status).toBe('missed');
    expect(s.overdue).toBe(true);
    expect(s.status).toBe('TRIAGE');

    // Still running: a late hand-off is accepted and the escalation stays on file.
    s = await h.command(caseNo, forwardUpdate, { mode: 'assign', unitId: 'liandu-housing' }, 'registrar-city');
    expect(s.status).toBe('AWAITING_ACCEPTANCE');
    expect(s.deadlines.find((d) => d.key === 'triage')!.status).toBe('missed');
  });

  it('a second letter on the same facts, linked in triage to the open matter, ends as LINKED and counts as a further submission there', async () => {
    const first = await h.register({});
    const second = await h.register({ summary: '再次来信反映同一违章建筑问题' });
    const s = await h.command(second, linkUpdate, { caseNo: first }, 'registrar-city');
    expect(s.status).toBe('LINKED');
    expect(s.linkedTo).toBe(first);
    expect(s.deadlines.find((d) => d.key === 'triage')!.status).toBe('met');
    let target = await h.state(first);
    for (let i = 0; i < 100 && target.submissions.total < 2; i++) {
      await new Promise((r) => setTimeout(r, 30));
      target = await h.state(first);
    }
    expect(target.submissions).toMatchObject({ total: 2, repeats: 1 });
    expect(target.recent.some((e) => e.type === 'submission.linked' && e.data.id === `${second}-linked`)).toBe(true);
  });
});
