import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../support/harness';
import { submissionSignal, visitSignal, warnUpdate } from '../../workflows/messages';
import { escalationQuery } from '../../workflows/messages';
import { workflowIdFor } from '../../workflows/ids';
import { settled, until } from './helpers';


const SUBMISSIONS = 120;

describe('escalation children and the matter\'s continue-as-new (2026-09-21)', () => {
  let h: Harness;
  beforeAll(async () => {
    // A small history limit, so that a few dozen submissions make the matter continue as new.
    h = await createHarness('2026-09-21T09:00:00+08:00', undefined, { historyLimit: 150 });
  });
  afterAll(async () => h?.teardown());

  it('a warning slip issued before the matter continues as new keeps running, still takes the next visit, and the new run still shows it', async () => {
    const caseNo = await h.register({});
    const wf = workflowIdFor(caseNo);
    const handle = h.env.client.workflow.getHandle(wf);
    const firstRun = (await handle.describe()).runId;
    const slipId = `${wf}.warning-slip`;

    await handle.executeUpdate(warnUpdate, { args: [{ reason: '信访人扬言到省集体上访，存在异常风险', actor: await h.actor('supervisor-city') }] });
    await until(() => h.state(caseNo), (s) => s.overlays[slipId]?.status === 'open', 'the slip');

    // Each submission is at least one history event (its signal), however the worker batches them into tasks: 120 of
    // them pass the limit of 150 with the registration and the warning (60 did only while each projection was an
    // activity task, six events more per task).
    for (let i = 0; i < SUBMISSIONS; i += 10) {
      await Promise.all(
        Array.from({ length: 10 }, (_, j) =>
          handle.signal(submissionSignal, { id: `S-${i + j}`, channel: 'phone', receivedAt: '2026-09-21T09:30:00+08:00', summary: '电话催办', registeredBy: 'registrar-city' }),
        ),
      );
    }
    // Wait by history, not by query: a query landing on a run that is continuing as new can go unanswered.
    await until(async () => (await handle.describe()).runId, (run) => run !== firstRun, 'continue-as-new');
    await settled(h, wf);
    const after = await until(() => h.state(caseNo), (s) => s.submissions.total === SUBMISSIONS + 1 && s.runs > 0, 'every submission in the new run');
    expect(after.overlays[slipId]?.kind).toBe('warning_slip');

    await h.skipTo('2026-09-22T10:00:00+08:00');
    await handle.signal(visitSignal, { id: 'V-after', at: '2026-09-22T09:00:00+08:00', level: 'city', place: '丽水市信访局', persons: 1, collective: false, abnormalInBeijing: false, receivedBy: '接待员', recordedBy: 'registrar-city' });
    const slip = await until(() => h.env.client.workflow.getHandle(slipId).query(escalationQuery), (x) => x.deadlines.length === 1, 'the explanation limit');
    // 3 working days after Tue 2026-09-22: 23, 24, then 28 (25 is Mid-Autumn, 26–27 the weekend).
    expect(slip.deadlines[0]).toMatchObject({ key: 'warningExplanation', dueDate: '2026-09-28' });
    const s = await until(() => h.state(caseNo), (x) => x.overlays[slipId]?.dueAt === slip.deadlines[0]!.dueAt, 'the parent to see the slip\'s limit');
    expect(s.overlays[slipId]?.status).toBe('open');
  });
});
