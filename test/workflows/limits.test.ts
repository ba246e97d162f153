// Each statutory limit and service window landing on the right day of the real 2026 calendar
// (Mid-Autumn 09-25..27 off, National Day 10-01..07 off, make-up working days Sun 09-20 and Sat 10-10),
// and what happens when it is reached: the administration's limits escalate, the petitioner's windows close.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../support/harness';
import * as M from '../../workflows/messages';
import type { PetitionState } from '../../domain/matter';
import { deadlineRows, dossier, limitOf, meeting, petitionRow, projected, recentTypes, refusal, sampleReply, sh, stateWhen, taskRows } from './helpers';

const REGISTRAR = 'registrar-city';
const HANDLER = 'handler-liandu-housing';
const HEAD = 'head-liandu-housing';
const SUPERVISOR = 'supervisor-city';

/** Registers a letter now and hands it to liandu-housing. */
async function assigned(h: Harness): Promise<string> {
  const caseNo = await h.register({});
  await h.command(caseNo, M.forwardUpdate, { mode: 'assign', unitId: 'liandu-housing' }, REGISTRAR);
  return caseNo;
}

/** Registers, hands off, accepts and records meeting ① today. */
async function inHandling(h: Harness, today: string): Promise<string> {
  const caseNo = await assigned(h);
  await h.command(caseNo, M.acceptUpdate, {}, HANDLER);
  await h.command(caseNo, M.meetingUpdate, meeting(1, today), HANDLER);
  return caseNo;
}

const escalations = (s: PetitionState) => s.recent.filter((e) => e.type === 'deadline.escalated').map((e) => e.data);

describe('handling 60 d, the extension, the objection window (from 2026-09-25, Mid-Autumn)', () => {
  let h: Harness;
  let extended: string; // accepted 09-25, extended by 20 d
  let plain: string; // accepted 09-25, never extended
  let objecting: string; // handed off 09-29, objects on the last day
  let late: string; // handed off 09-29, objects a day late
  beforeAll(async () => {
    h = await createHarness(sh('2026-09-25 09:00'));
  });
  afterAll(async () => h?.teardown());

  it('accepted 2026-09-25 → reply due 2026-11-24 (60 natural days, holidays count)', async () => {
    plain = await inHandling(h, '2026-09-25');
    extended = await inHandling(h, '2026-09-25');
    for (const caseNo of [plain, extended]) {
      const s = await h.state(caseNo);
      expect(s.acceptedOn).toBe('2026-09-25');
      expect(limitOf(s, 'handling')).toMatchObject({
        startDate: '2026-09-25',
        dueDate: '2026-11-24',
        dueAt: '2026-11-24T16:00:00.000Z',
        days: 60,
        policy: { counting: 'natural', rollForward: false, basis: '《信访工作条例》第三十四条' },
      });
      expect(s.current).toEqual({ key: 'handling', dueAt: '2026-11-24T16:00:00.000Z' });
    }
  });

  it('an extension needs the unit head (a handler is Forbidden); 20 d moves the limit to 2026-12-14, with a 延期告知书; only once', async () => {
    const byHandler = await refusal(h.command(extended, M.extendUpdate, { days: 20, reason: '需会同规划部门现场测绘' }, HANDLER));
    expect(byHandler.type).toBe('Forbidden');
    expect(byHandler.message).toContain('unit head');

    const s = await h.command(extended, M.extendUpdate, { days: 20, reason: '需会同规划部门现场测绘' }, HEAD);
    expect(s.status).toBe('EXTENDED');
    expect(s.extension).toMatchObject({ days: 20, approvedBy: HEAD, on: '2026-09-25' });
    expect(limitOf(s, 'handling').status).toBe('cancelled');
    expect(limitOf(s, 'extension')).toMatchObject({ startDate: '2026-11-24', dueDate: '2026-12-14', extendedBy: 20, status: 'pending' });
    expect(s.current).toEqual({ key: 'extension', dueAt: '2026-12-14T16:00:00.000Z' });
    expect(s.tasks).toEqual([expect.objectContaining({ kind: 'reply', dueAt: '2026-12-14T16:00:00.000Z' })]);
    const notice = (await dossier(h, extended)).find((n) => n.kind === 'extension')!;
    expect(notice.legalBasis).toBe('《信访工作条例》第三十四条');
    expect(notice.body).toContain('新的办理期限：2026-12-14');

    const again = await refusal(h.command(extended, M.extendUpdate, { days: 10, reason: '再次延期申请' }, HEAD));
    expect(again.type).toBe('IllegalState');
    expect(limitOf(await h.state(extended), 'extension').dueDate).toBe('2026-12-14');
  });

  it('a hand-off on Tue 2026-09-29 gives the unit 5 WD to object: 09-30, 10-08, 10-09, Sat 10-10 (make-up day), Mon 10-12', async () => {
    await h.skipTo(sh('2026-09-29 10:00'));
    objecting = await assigned(h);
    late = await assigned(h);
    for (const caseNo of [objecting, late]) {
      const s = await h.state(caseNo);
      expect(limitOf(s, 'objection')).toMatchObject({
        startDate: '2026-09-29',
        dueDate: '2026-10-12',
        dueAt: '2026-10-12T16:00:00.000Z',
        policy: { days: 5, counting: 'working', basis: '《信访工作条例》第二十三条' },
      });
      // The acceptance decision is 15 natural days from the same receipt.
      expect(limitOf(s, 'acceptance').dueDate).toBe('2026-10-14');
    }
  });

  it('an objection on the last day (2026-10-12) returns the matter to triage; the next day the window has closed (IllegalState)', async () => {
    await h.skipTo(sh('2026-10-12 18:00'));
    let s = await h.command(objecting, M.objectUpdate, { reason: '该事项属于自然资源部门职责' }, HANDLER);
    expect(s.status).toBe('TRIAGE');
    expect(s.unitId).toBeNull();
    expect(s.objections).toEqual([{ reason: '该事项属于自然资源部门职责', on: '2026-10-12', unitId: 'liandu-housing' }]);
    expect(limitOf(s, 'objection').status).toBe('met');
    expect(limitOf(s, 'acceptance').status).toBe('cancelled');
    expect(limitOf(s, 'triage')).toMatchObject({ startDate: '2026-10-12', dueDate: '2026-10-27', status: 'pending' });

    await h.skipTo(sh('2026-10-13 00:05'));
    s = await h.state(late);
    expect(limitOf(s, 'objection').status).toBe('expired');
    expect(s.recent.find((e) => e.type === 'deadline.expired')?.data).toMatchObject({ key: 'objection', dueDate: '2026-10-12' });
    expect(escalations(s)).toEqual([]); // a closed window is not an escalation
    expect(s.status).toBe('AWAITING_ACCEPTANCE');
    const r = await refusal(h.command(late, M.objectUpdate, { reason: '该事项属于自然资源部门职责' }, HANDLER));
    expect(r.type).toBe('IllegalState');
    expect(r.message).toContain('objection window has closed');
  });

  it('on 2026-11-24 at 22:00 the unextended matter has been reminded (10 and 3 days before) but not escalated', async () => {
    await h.skipTo(sh('2026-11-24 22:00'));
    const s = await h.state(plain);
    expect(s.recent.filter((e) => e.type === 'deadline.reminder' && e.data.key === 'handling').map((e) => e.data.leadDays)).toEqual([10, 3]);
    expect(escalations(s)).toEqual([]);
    expect(s.overdue).toBe(false);
  });

  it('just past 24:00 on 2026-11-24 the unextended matter escalates; the extended one does not (its limit is 2026-12-14)', async () => {
    await h.skipTo(sh('2026-11-25 00:05'));
    const p = await projected(h, plain);
    expect(escalations(p)).toEqual([expect.objectContaining({ key: 'handling', dueDate: '2026-11-24', to: ['unit_leader', 'bureau'], basis: '《信访工作条例》第三十四条' })]);
    expect(limitOf(p, 'handling').status).toBe('missed');
    expect(p.overdue).toBe(true);
    expect(p.status).toBe('IN_HANDLING');
    expect((await petitionRow(h, plain)).overdue).toBe(true);

    const x = await projected(h, extended);
    expect(escalations(x)).toEqual([]);
    expect(x.status).toBe('EXTENDED');
    expect(x.overdue).toBe(false);
    expect((await petitionRow(h, extended)).overdue).toBe(false);
  });

  it('the extended matter escalates just after 24:00 on 2026-12-14, as an extension miss', async () => {
    await h.skipTo(sh('2026-12-14 22:00'));
    let s = await h.state(extended);
    expect(escalations(s)).toEqual([]);
    expect(s.recent.filter((e) => e.type === 'deadline.reminder').map((e) => [e.data.key, e.data.leadDays])).toEqual([
      ['extension', 10],
      ['extension', 3],
    ]);

    await h.skipTo(sh('2026-12-15 00:05'));
    s = await projected(h, extended);
    expect(escalations(s)).toEqual([expect.objectContaining({ key: 'extension', dueDate: '2026-12-14', to: ['unit_leader', 'bureau'] })]);
    expect(s.overdue).toBe(true);
    expect(s.status).toBe('EXTENDED');
    const rows = await deadlineRows(h, extended);
    expect(rows.map((r) => [r.key, r.dueDate, r.status]).filter(([k]) => k === 'handling' || k === 'extension')).toEqual([
      ['handling', '2026-11-24', 'cancelled'],
      ['extension', '2026-12-14', 'missed'],
    ]);
  });
});

describe('the evaluation window and the review-request window (reply delivered Tue 2026-09-01)', () => {
  let h: Harness;
  let requests: string; // asks for a review on the last day of the window
  let silent: string; // never asks
  let postmarked: string; // its request dated in the window is recorded after the window closed
  beforeAll(async () => {
    h = await createHarness(sh('2026-08-24 09:00'));
  });
  afterAll(async () => h?.teardown());

  it('replies delivered 2026-09-01: evaluation by 2026-09-08; review requests by 2026-10-01 (National Day) → rolled to Thu 2026-10-08', async () => {
    requests = await inHandling(h, '2026-08-24');
    silent = await inHandling(h, '2026-08-24');
    postmarked = await inHandling(h, '2026-08-24');
    await h.skipTo(sh('2026-09-01 10:00'));
    for (const caseNo of [requests, silent, postmarked]) {
      const s = await h.command(caseNo, M.replyUpdate, sampleReply, HANDLER);
      expect(s.reply?.deliveredOn).toBe('2026-09-01');
      expect(limitOf(s, 'evaluation')).toMatchObject({ startDate: '2026-09-01', dueDate: '2026-09-08', days: 7 });
      expect(limitOf(s, 'reviewRequest')).toMatchObject({
        startDate: '2026-09-01',
        dueDate: '2026-10-08',
        rolledFrom: '2026-10-01',
        dueAt: '2026-10-08T16:00:00.000Z',
        policy: { rollForward: true, basis: '《信访工作条例》第三十五条' },
      });
    }
  });

  it('the evaluation window expires after 2026-09-08 into a return-visit task (超期未评价); a late evaluation is refused', async () => {
    await h.skipTo(sh('2026-09-08 22:00'));
    let s = await h.state(silent);
    expect(s.tasks.map((t) => t.kind)).toEqual(['meet2', 'evaluate']);

    await h.skipTo(sh('2026-09-09 00:05'));
    s = await projected(h, silent);
    expect(limitOf(s, 'evaluation').status).toBe('expired');
    expect(s.evaluation).toEqual({ expired: true, on: '2026-09-08' });
    expect(s.recent.find((e) => e.type === 'evaluation.expired')?.data).toEqual({ dueDate: '2026-09-08' });
    expect(s.tasks.map((t) => [t.kind, t.assigneeRole])).toEqual([
      ['meet2', 'unit_handler'],
      ['returnVisit', 'registrar'],
    ]);
    expect((await taskRows(h, silent)).map((t) => t.kind).sort()).toEqual(['meet2', 'returnVisit']);
    expect(s.status).toBe('REPLIED');
    expect(s.overdue).toBe(false);

    const r = await refusal(h.command(silent, M.evaluationUpdate, { unit: 'satisfied', bureau: 'satisfied', method: 'phone' }, REGISTRAR));
    expect(r.type).toBe('IllegalState');

    await h.skipTo(sh('2026-09-10 10:00'));
    s = await h.command(silent, M.returnVisitUpdate, { notes: '上门回访，信访人表示无意见' }, REGISTRAR);
    expect(s.tasks.map((t) => t.kind)).toEqual(['meet2']);
  });

  it('a review requested on the rolled last day (2026-10-08) is in time; its decision is due 2026-11-07, a Saturday (the administration gets no roll-forward)', async () => {
    await h.skipTo(sh('2026-10-08 20:00'));
    expect((await h.state(silent)).status).toBe('REPLIED');
    const s = await h.command(requests, M.reviewRequestUpdate, { level: 'review', grounds: '对处理意见不服' }, REGISTRAR);
    expect(s.status).toBe('REVIEW');
    expect(limitOf(s, 'reviewRequest').status).toBe('met');
    expect(limitOf(s, 'reviewDecision')).toMatchObject({ startDate: '2026-10-08', dueDate: '2026-11-07' });
    expect(limitOf(s, 'reviewDecision').rolledFrom).toBeUndefined();
  });

  it('when the window passes the matter closes; a request dated 2026-10-09 is refused with a written refusal, and the matter stays closed', async () => {
    await h.skipTo(sh('2026-10-09 00:05'));
    let s = await projected(h, silent);
    expect(s.status).toBe('CLOSED');
    expect(limitOf(s, 'reviewRequest').status).toBe('expired');
    expect(s.recent.find((e) => e.type === 'closed')?.data).toEqual({ reason: 'reviewRequest window ended 2026-10-08' });
    expect(await petitionRow(h, silent)).toMatchObject({ status: 'CLOSED', open: false });

    const r = await refusal(h.command(silent, M.reviewRequestUpdate, { level: 'review', grounds: '对处理意见不服' }, REGISTRAR));
    expect(r.type).toBe('IllegalState');
    expect(r.message).toContain('late');
    s = await projected(h, silent);
    expect(s.status).toBe('CLOSED');
    expect(s.review).toBeUndefined();
    expect(s.recent.find((e) => e.type === 'request.refused')?.data).toMatchObject({ level: 'review', on: '2026-10-09', dueDate: '2026-10-08' });
    const refusalNotice = (await dossier(h, silent)).at(-1)!;
    expect(refusalNotice.kind).toBe('refusal');
    expect(refusalNotice.legalBasis).toBe('《信访工作条例》第三十五条、第三十六条');
    expect(refusalNotice.body).toContain('请求日期 2026-10-09 已超过法定期限（截至 2026-10-08）');
  });

  it('a request dated within the window (2026-10-08) but recorded after the matter closed is in time: the matter reopens for review', async () => {
    expect((await h.state(postmarked)).status).toBe('CLOSED');
    const s = await h.command(postmarked, M.reviewRequestUpdate, { level: 'review', requestedOn: '2026-10-08', grounds: '邮寄的复查申请，邮戳 2026-10-08' }, REGISTRAR);
    expect(s.status).toBe('REVIEW');
    expect(s.endedAt).toBeUndefined();
    expect(s.review?.requestedOn).toBe('2026-10-08');
    expect(limitOf(s, 'reviewDecision')).toMatchObject({ startDate: '2026-10-08', dueDate: '2026-11-07', status: 'pending' });
    expect((await dossier(h, postmarked)).map((n) => n.kind)).not.toContain('refusal');
    expect((await projected(h, postmarked)).status).toBe('REVIEW');
    expect((await petitionRow(h, postmarked)).open).toBe(true);
  });
});

describe('a hearing pauses the re-review decision limit (复核 requested Mon 2026-11-02)', () => {
  let h: Harness;
  let caseNo: string;
  beforeAll(async () => {
    h = await createHarness(sh('2026-11-02 09:00'));
  });
  afterAll(async () => h?.teardown());

  it('复核 requested 2026-11-02: decision due 2026-12-02', async () => {
    caseNo = await inHandling(h, '2026-11-02');
    await h.command(caseNo, M.replyUpdate, sampleReply, HANDLER);
    await h.command(caseNo, M.reviewRequestUpdate, { level: 'review', grounds: '不服处理意见' }, REGISTRAR);
    await h.command(caseNo, M.reviewDecisionUpdate, { level: 'review', outcome: 'upheld', decision: '维持原处理意见' }, SUPERVISOR);
    const s = await h.command(caseNo, M.reviewRequestUpdate, { level: 'reReview', grounds: '不服复查意见' }, REGISTRAR);
    expect(s.status).toBe('RE_REVIEW');
    expect(limitOf(s, 'reReviewDecision')).toMatchObject({ startDate: '2026-11-02', dueDate: '2026-12-02', policy: { basis: '《信访工作条例》第三十六条' } });
  });

  it('a hearing from 2026-11-30 runs past 2026-12-02: the limit is paused, not escalated, and the matter is not overdue', async () => {
    await h.skipTo(sh('2026-11-30 09:00'));
    let s = await h.command(caseNo, M.hearingUpdate, { action: 'start', note: '公开听证' }, SUPERVISOR);
    expect(limitOf(s, 'reReviewDecision').status).toBe('paused');

    await h.skipTo(sh('2026-12-03 09:00'));
    // Another letter that morning wakes the workflow, which then re-derives its flags and tasks at 2026-12-03.
    await h.env.client.workflow
      .getHandle(`petition-${caseNo}`)
      .signal(M.submissionSignal, { id: `${caseNo}-S2`, channel: 'letter', receivedAt: '2026-12-03T01:00:00.000Z', summary: '催问复核进度', registeredBy: REGISTRAR });
    await stateWhen(h, caseNo, (x) => x.submissions.total === 2, 'the second letter');
    s = await projected(h, caseNo);
    expect(escalations(s)).toEqual([]);
    expect(limitOf(s, 'reReviewDecision').status).toBe('paused');
    expect(s.overdue).toBe(false);
    expect(s.tasks).toEqual([expect.objectContaining({ kind: 'decideReReview', overdue: false })]);
    expect((await petitionRow(h, caseNo)).overdue).toBe(false);
  });

  it('the hearing ends 2026-12-04: its 5 days (11-30..12-04) are not counted, so the decision is due 2026-12-07; it escalates after that day', async () => {
    await h.skipTo(sh('2026-12-04 16:00'));
    let s = await h.command(caseNo, M.hearingUpdate, { action: 'end' }, SUPERVISOR);
    expect(s.recent.find((e) => e.type === 'hearing.ended')?.data).toEqual({ on: '2026-12-04', pausedDays: 5 });
    expect(limitOf(s, 'reReviewDecision')).toMatchObject({ startDate: '2026-11-02', pausedDays: 5, dueDate: '2026-12-07', dueAt: '2026-12-07T16:00:00.000Z', status: 'pending' });
    expect(s.tasks).toEqual([expect.objectContaining({ kind: 'decideReReview', dueAt: '2026-12-07T16:00:00.000Z' })]);

    await h.skipTo(sh('2026-12-07 22:00'));
    s = await h.state(caseNo);
    expect(escalations(s)).toEqual([]);

    await h.skipTo(sh('2026-12-08 00:05'));
    s = await projected(h, caseNo);
    expect(escalations(s)).toEqual([expect.objectContaining({ key: 'reReviewDecision', dueDate: '2026-12-07', to: ['review_body_leader', 'bureau'] })]);
    expect(s.overdue).toBe(true);
    expect(recentTypes(s)).not.toContain('re_review.decided');
  });

  it('a hearing held after the limit was missed is recorded (it cannot pause a limit already missed), and the late decision still ends the matter', async () => {
    await h.skipTo(sh('2026-12-09 09:00'));
    let s = await withTimeout(h.command(caseNo, M.hearingUpdate, { action: 'start' }, SUPERVISOR), 15_000, 'hearing start after the miss');
    expect(s.reReview?.hearings.at(-1)).toEqual({ start: '2026-12-09' });
    s = await withTimeout(h.command(caseNo, M.hearingUpdate, { action: 'end' }, SUPERVISOR), 15_000, 'hearing end after the miss');
    expect(s.reReview?.hearings.at(-1)).toEqual({ start: '2026-12-09', end: '2026-12-09' });
    expect(s.deadlines.filter((d) => d.key === 'reReviewDecision').at(-1)?.status).toBe('missed');
    s = await h.command(caseNo, M.reviewDecisionUpdate, { level: 'reReview', outcome: 'upheld', decision: '维持复查意见' }, SUPERVISOR);
    expect(s.status).toBe('TERMINATED');
    expect(s.overdue).toBe(false);
  });
});

async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms (workflow task failing?)`)), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
