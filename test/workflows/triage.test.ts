import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../support/harness';
import { temporal } from '@temporalio/proto';
import { forwardUpdate, linkUpdate } from '../../workflows/messages';
import { workflowIdFor } from '../../workflows/ids';

const EventType = temporal.api.enums.v1.EventType;

describe('triage on the time-skipping server (2026 dates)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness('2026-09-25T09:00:00+08:00');
  });
  afterAll(async () => h?.teardown());

  it('a matter registered 2026-09-25 takes its first step (triage limit computed, projected) in one workflow task: the limit and the projection are local activities, not activity tasks', async () => {
    const caseNo = await h.register({});
    expect((await h.state(caseNo)).status).toBe('TRIAGE');
    const { events } = await h.env.client.workflow.getHandle(workflowIdFor(caseNo)).fetchHistory();
    const types = events!.map((e) => EventType[e.eventType!]);
    const firstTimer = types.indexOf('EVENT_TYPE_TIMER_STARTED');
    expect(firstTimer).toBeGreaterThan(0);
    const firstStep = types.slice(0, firstTimer);
    expect(firstStep.filter((t) => t === 'EVENT_TYPE_WORKFLOW_TASK_COMPLETED')).toHaveLength(1);
    expect(types.filter((t) => t === 'EVENT_TYPE_ACTIVITY_TASK_SCHEDULED')).toEqual([]);
    // The patch marker, then computeDeadline and project, each one marker.
    const localActivities = events!
      .filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity')
      .map((e) => JSON.parse(Buffer.from(e.markerRecordedEventAttributes!.details!.data!.payloads![0]!.data!).toString()).activity_type);
    expect(localActivities).toEqual(['computeDeadline', 'project']);
  });

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
