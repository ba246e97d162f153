// A matter that lives long: 500 more letters/visits/calls on one matter. Its workflow history must stay bounded
// (continue-as-new), and nothing may be lost on the way: counts, the timeline in the read model, the running limit.
import type { History } from '@temporalio/common/lib/proto-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../support/harness';
import { workflowIdFor } from '../../workflows/ids';
import * as M from '../../workflows/messages';
import { limitOf, petitionRow, projected, settled, sh, stateWhen, timeline } from './helpers';

/**
 * Far below the service's 2000, so that 500 submissions continue the workflow as new several times: each is at least
 * one event (its signal) however the worker batches them, so 500 pass 200 at least twice (400 sufficed while each
 * projection was an activity task, six events more per workflow task).
 */
const HISTORY_LIMIT = 200;
const SUBMISSIONS = 500;
const BATCH = 50;

describe('500 submissions on one matter (registered Mon 2026-09-21, left in triage)', () => {
  let h: Harness;
  let caseNo: string;
  let workflowId: string;
  let firstRunId: string;
  beforeAll(async () => {
    h = await createHarness(sh('2026-09-21 09:00'), undefined, { historyLimit: HISTORY_LIMIT });
  });
  afterAll(async () => h?.teardown());

  it('registers through the intake service, with a lowered history limit given to the workflow at its start', async () => {
    // The intake service takes the settings from config; the harness lowers historyLimit in the start input.
    caseNo = await h.register({});
    workflowId = workflowIdFor(caseNo);
    const s = await stateWhen(h, caseNo, (x) => x.status === 'TRIAGE', 'triage');
    expect(s.settings.historyLimit).toBe(HISTORY_LIMIT);
    expect(limitOf(s, 'triage')).toMatchObject({ startDate: '2026-09-21', dueDate: '2026-10-06', status: 'pending' });
    firstRunId = (await h.env.client.workflow.getHandle(workflowId).describe()).runId;
  });

  it(`takes ${SUBMISSIONS} submissions (signals, ${BATCH} at a time), continuing as new with a bounded history and losing nothing`, async () => {
    const handle = h.env.client.workflow.getHandle(workflowId);
    for (let i = 0; i < SUBMISSIONS; i += BATCH) {
      await Promise.all(
        Array.from({ length: BATCH }, (_, j) => {
          const n = i + j + 2; // S1 is the initial letter
          return handle.signal(M.submissionSignal, {
            id: `${caseNo}-S${n}`,
            channel: n % 2 ? 'phone' : 'visit',
            receivedAt: '2026-09-21T02:00:00.000Z',
            summary: `第${n}次反映同一问题`,
            registeredBy: 'registrar-city',
          });
        }),
      );
      // Letters come in bursts, not in one endless stream: let each burst be handled before the next. The workflow
      // continues as new once its handlers have finished; a signal arriving while that task is in flight fails it
      // and the wait starts over, so under an endless stream the history would grow until the stream paused.
      await settled(h, workflowId);
    }
    const s = await stateWhen(h, caseNo, (x) => x.runs > 0 && x.submissions.total === SUBMISSIONS + 1, 'a continued run');
    expect(s.submissions).toMatchObject({ total: 501, repeats: 500, refused: 0 });
    expect(s.status).toBe('TRIAGE');

    // Continued as new, more than once: every closed run ends with ContinuedAsNew, and every run's history stayed
    // within the limit plus one burst.
    const bound = HISTORY_LIMIT + BATCH * 6;
    const runIds: string[] = [];
    let runId: string | null | undefined = firstRunId;
    while (runId) {
      const history: History = await h.env.client.workflow.getHandle(workflowId, runId).fetchHistory();
      const events = history.events ?? [];
      expect(events.length).toBeLessThan(bound);
      runIds.push(runId);
      runId = events.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId;
    }
    expect(runIds.length).toBeGreaterThan(2);
    expect(s.runs).toBe(runIds.length - 1);
    const current = await handle.describe();
    expect(current.runId).toBe(runIds.at(-1));
    expect(current.status.name).toBe('RUNNING');

    // The running limit came along unchanged.
    const triage = limitOf(s, 'triage');
    expect(triage).toMatchObject({ dueDate: '2026-10-06', dueAt: '2026-10-06T16:00:00.000Z', status: 'pending' });
    expect(s.deadlines.filter((d) => d.key === 'triage')).toHaveLength(1);

    // The read model holds every event once, seq 0..n-1 without a gap, and the latest snapshot.
    const p = await projected(h, caseNo);
    const events = await timeline(h, caseNo);
    expect(events.map((e) => e.seq)).toEqual([...Array(p.seq).keys()]);
    expect(events.filter((e) => e.type === 'submission.linked')).toHaveLength(SUBMISSIONS);
    expect(new Set(events.filter((e) => e.type === 'submission.linked').map((e) => (e.data as { id: string }).id)).size).toBe(SUBMISSIONS);
    const row = await petitionRow(h, caseNo);
    expect(row.status).toBe('TRIAGE');
    expect((row.state as typeof p).submissions.total).toBe(501);
  });

  it('the triage limit still fires after the runs changed: reminded, then escalated just after 24:00 on 2026-10-06', async () => {
    await h.skipTo(sh('2026-10-07 00:05'));
    const s = await projected(h, caseNo);
    const triage = limitOf(s, 'triage');
    expect(triage.status).toBe('missed');
    expect(triage.reminded).toEqual([10, 3]);
    expect(s.recent.find((e) => e.type === 'deadline.escalated')?.data).toMatchObject({ key: 'triage', dueDate: '2026-10-06', to: ['bureau_leader'] });
    expect(s.overdue).toBe(true);
    expect((await petitionRow(h, caseNo)).overdue).toBe(true);
    expect((await timeline(h, caseNo)).filter((e) => e.type === 'deadline.escalated')).toHaveLength(1);
  });
});
