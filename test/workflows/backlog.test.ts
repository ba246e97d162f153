/**
 * A backlog case's whole life on the time-skipping server at 2026 dates: a matter misses its 60-day handling limit,
 * the petitioner writes again, the matter becomes new backlog (一事双查 starts) and its backlog case starts by
 * itself; the 包案 leader misses a check-in (reminder, then escalation), checks in; on-site supervision leaves a
 * recommendation that blocks closure until it is closed; closure needs the bureau and 三到位一处理; a further
 * letter reopens the case and the reopening is counted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asc, eq } from 'drizzle-orm';
import { createHarness, type Harness } from '../support/harness';
import { refusal, sh, until } from './helpers';
import { acceptUpdate, forwardUpdate, submissionSignal } from '../../workflows/messages';
import { backlogStateQuery, checkInUpdate, closeBacklogUpdate, planUpdate, resolveRecommendationUpdate, supervisionUpdate, type BacklogState } from '../../workflows/backlog';
import { workflowIdFor } from '../../services/intake';
import { backlogCases, events, tasks } from '../../db/schema';
import { backlogRef } from '../../read-model/backlog';

describe('a backlog case from new backlog to 三到位一处理 closure and reopening (2026 dates)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness('2026-10-12T09:00:00+08:00');
  });
  afterAll(async () => h?.teardown());

  it('runs its course', async () => {
    const caseNo = await h.register({});
    const wf = workflowIdFor(caseNo);
    await h.command(caseNo, forwardUpdate, { mode: 'assign', unitId: 'liandu-housing' }, 'registrar-city');
    const accepted = await h.command(caseNo, acceptUpdate, {}, 'handler-liandu-housing');
    expect(accepted.deadlines.find((d) => d.key === 'handling')!.dueDate).toBe('2026-12-11');

    // The handling limit passes unanswered; the petitioner writes again on 12-12 → new backlog.
    await h.skipTo(sh('2026-12-12 08:00'));
    await until(() => h.state(caseNo), (x) => x.deadlines.some((d) => d.key === 'handling' && d.status === 'missed'), 'the handling escalation');
    await h.env.client.workflow.getHandle(wf).signal(submissionSignal, { id: 'S-again-1', channel: 'letter', receivedAt: sh('2026-12-12 08:30'), summary: '再次反映违建问题', registeredBy: 'registrar-city' });

    // The projection of 一事双查's start starts the backlog case: id new-<caseNo>, county level, with the reason.
    const backlogId = `new-${caseNo}`;
    const handle = h.env.client.workflow.getHandle(`backlog-${backlogId}`);
    const row = await until(
      async () => (await h.database.db.select().from(backlogCases).where(eq(backlogCases.id, backlogId)))[0],
      (r) => !!r && r.lastSeq >= 0,
      'the backlog case in the register',
    );
    expect(row).toMatchObject({ source: 'new_backlog', assigningLevel: 'county', assignedOn: '2026-12-12', divisionCode: '331102', unitId: 'liandu-housing', status: 'open' });
    expect(row!.reason).toMatch(/处理期限.*2026-12-11届满.*2026-12-12 再次信访/);
    let s: BacklogState = await handle.query(backlogStateQuery);
    expect(s.caseNos).toEqual([caseNo]);
    // First check-in due 30 days after the assignment.
    expect(s.checkInDue).toBe('2027-01-11');

    // The bureau sets the plan: leader, 专班, target date, 三跨三分离 flags.
    s = await handle.executeUpdate(planUpdate, {
      args: [{ leaderName: '杜兴林', team: [{ name: '莲都区住建局', role: '责任单位' }, { name: '莲都区信访局', role: '督办' }], targetDate: '2027-03-31', flags: { crossRegion: false, crossDepartment: true, crossSector: false, personMatterSeparated: false, personResidenceSeparated: false, residenceMatterSeparated: false }, actor: await h.actor('supervisor-liandu') }],
    });
    expect(s).toMatchObject({ leaderName: '杜兴林', targetDate: '2027-03-31', flags: { crossDepartment: true } });

    // No check-in: a reminder 3 days before (01-08 24:00) and the escalation after 01-11 24:00.
    await h.skipTo(sh('2027-01-12 09:00'));
    s = await until(() => handle.query(backlogStateQuery), (x) => x.missedCheckIns === 1, 'the missed check-in');
    expect(s).toMatchObject({ overdue: true, checkInDue: '2027-02-10' });
    const timeline = await h.database.db.select().from(events).where(eq(events.caseNo, backlogRef(backlogId))).orderBy(asc(events.seq));
    const types = timeline.map((e) => e.type);
    expect(types.indexOf('backlog.check_in_reminder')).toBeGreaterThan(-1);
    expect(types.indexOf('backlog.check_in_reminder')).toBeLessThan(types.indexOf('backlog.check_in_missed'));
    expect(timeline.find((e) => e.type === 'backlog.check_in_reminder')!.at.toISOString().slice(0, 19)).toBe('2027-01-08T16:00:00');
    expect(timeline.find((e) => e.type === 'backlog.check_in_missed')!.data).toMatchObject({ dueDate: '2027-01-11', to: ['bureau_leader'] });
    // The unit's head has the overdue check-in on the work list.
    const [task] = await h.database.db.select().from(tasks).where(eq(tasks.caseNo, backlogRef(backlogId)));
    expect(task).toMatchObject({ kind: 'backlog_check_in', assigneeRole: 'unit_head', unitId: 'liandu-housing', overdue: true });

    // The leader checks in: the next is due 30 days later.
    s = await handle.executeUpdate(checkInUpdate, { args: [{ date: '2027-01-12', notes: '约见信访人，协调住建、城管会商方案', metPetitioner: true, actor: await h.actor('head-liandu-housing') }] });
    expect(s).toMatchObject({ overdue: false, checkInDue: '2027-02-11' });

    // On-site supervision with two recommendations.
    s = await handle.executeUpdate(supervisionUpdate, {
      args: [{ date: '2027-01-12', sawHandler: true, sawPetitioner: true, sawFile: true, findings: '承办单位调查不深入', recommendations: ['补充现场勘验', '向信访人书面说明拆除计划'], actor: await h.actor('supervisor-liandu') }],
    });
    const closure = { category: 'solved' as const, evidence: ['违建拆除验收记录', '信访人签收的处理意见书'], summary: '违建已拆除，诉求解决到位', closedOn: '2027-01-12' };
    // Not with open recommendations, not by the unit, not without evidence.
    expect(await refusal(handle.executeUpdate(closeBacklogUpdate, { args: [{ ...closure, actor: await h.actor('supervisor-liandu') }] }))).toMatchObject({ type: 'IllegalState', message: expect.stringMatching(/2 on-site supervision recommendation/) });
    expect(await refusal(handle.executeUpdate(closeBacklogUpdate, { args: [{ ...closure, actor: await h.actor('head-liandu-housing') }] }))).toMatchObject({ type: 'Forbidden' });
    for (const no of [1, 2]) {
      s = await handle.executeUpdate(resolveRecommendationUpdate, { args: [{ supervisionNo: 1, recommendationNo: no, outcome: '已落实', actor: await h.actor('head-liandu-housing') }] });
    }
    expect(await refusal(handle.executeUpdate(closeBacklogUpdate, { args: [{ ...closure, evidence: [' '], actor: await h.actor('supervisor-liandu') }] }))).toMatchObject({ type: 'IllegalState', message: expect.stringMatching(/evidence/) });

    s = await handle.executeUpdate(closeBacklogUpdate, { args: [{ ...closure, actor: await h.actor('supervisor-liandu') }] });
    expect(s).toMatchObject({ status: 'closed', closure: { category: 'solved', label: '诉求合理的解决到位', confirmedBy: 'supervisor-liandu' }, reopenCount: 0 });
    await until(async () => (await h.database.db.select().from(backlogCases).where(eq(backlogCases.id, backlogId)))[0], (r) => r?.status === 'closed', 'the register to show it closed');
    expect(await h.database.db.select().from(tasks).where(eq(tasks.caseNo, backlogRef(backlogId)))).toEqual([]);

    // The petitioner writes again on the (still open) matter: the case reopens, counted once even if signalled twice.
    const again = { id: 'S-again-2', channel: 'letter' as const, receivedAt: sh('2027-01-20 10:00'), summary: '问题反弹', registeredBy: 'registrar-city' };
    await h.skipTo(sh('2027-01-20 10:00'));
    await h.env.client.workflow.getHandle(wf).signal(submissionSignal, again);
    await h.env.client.workflow.getHandle(wf).signal(submissionSignal, again);
    const reopened = await until(async () => (await h.database.db.select().from(backlogCases).where(eq(backlogCases.id, backlogId)))[0], (r) => r?.status === 'open', 'the reopening');
    expect(reopened).toMatchObject({ reopenCount: 1, closedOn: null });
    s = await handle.query(backlogStateQuery);
    expect(s.reopenings).toEqual([{ ref: `${caseNo}:S-again-2`, caseNo, on: '2027-01-20', note: '信访人再次信访' }]);
    expect(s.closures).toBe(1);
  });
});
