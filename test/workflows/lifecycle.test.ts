// One matter's whole life (domain.md §5) on the time-skipping server, by the commands caseworkers give, with the
// real 2026 calendar: intake → 交办 → 受理 → 三见面① → 处理意见书 → 三见面② → 不满意 → 三见面③ → 回访 → 复查 → 复核
// (with a hearing) → 三级终结, and a later letter on the same matter refused in writing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../support/harness';
import * as M from '../../workflows/messages';
import { noticeKinds } from '../../domain/notices';
import {
  dossier,
  limitOf,
  meeting,
  petitionRow,
  projected,
  refusal,
  sampleReply,
  sh,
  stateWhen,
  taskRows,
  timeline,
} from './helpers';

const REGISTRAR = 'registrar-city';
const HANDLER = 'handler-liandu-housing';
const HEAD = 'head-liandu-housing';
const SUPERVISOR = 'supervisor-city';

describe('a matter from intake to 三级终结 (2026 calendar)', () => {
  let h: Harness;
  let caseNo: string;
  beforeAll(async () => {
    h = await createHarness(sh('2026-09-21 09:00'));
  });
  afterAll(async () => h?.teardown());

  it('registered Mon 2026-09-21: triage due 2026-10-06 (15 d, ends on a National Day holiday — the administration gets no roll-forward)', async () => {
    caseNo = await h.register({});
    const s = await h.state(caseNo);
    expect(s.status).toBe('TRIAGE');
    expect(limitOf(s, 'triage')).toMatchObject({ startDate: '2026-09-21', dueDate: '2026-10-06', dueAt: '2026-10-06T16:00:00.000Z', status: 'pending' });
    expect(limitOf(s, 'triage').rolledFrom).toBeUndefined();
    expect(s.tasks.map((t) => t.kind)).toEqual(['triage']);
  });

  it('交办 the same day: acceptance due 2026-10-06; objection 5 WD across Mid-Autumn → 2026-09-29; a 交办告知书 is filed', async () => {
    const s = await h.command(caseNo, M.forwardUpdate, { mode: 'assign', unitId: 'liandu-housing', note: '请依法处理' }, REGISTRAR);
    expect(s.status).toBe('AWAITING_ACCEPTANCE');
    expect(s.unitId).toBe('liandu-housing');
    expect(limitOf(s, 'triage').status).toBe('met');
    expect(limitOf(s, 'acceptance')).toMatchObject({ startDate: '2026-09-21', dueDate: '2026-10-06' });
    // 09-22 Tue, 09-23 Wed, 09-24 Thu, (09-25..27 Mid-Autumn off), 09-28 Mon, 09-29 Tue.
    expect(limitOf(s, 'objection')).toMatchObject({ dueDate: '2026-09-29', policy: { counting: 'working', days: 5 } });
  });

  it('accepted Wed 2026-09-23 by the unit: reply due 2026-11-22 (60 d; a Sunday, not rolled); tasks meet ① and reply', async () => {
    await h.skipTo(sh('2026-09-23 10:00'));
    const s = await h.command(caseNo, M.acceptUpdate, { note: '属本单位职责' }, HANDLER);
    expect(s.status).toBe('IN_HANDLING');
    expect(s.acceptedOn).toBe('2026-09-23');
    expect(limitOf(s, 'acceptance').status).toBe('met');
    expect(limitOf(s, 'objection').status).toBe('cancelled');
    expect(limitOf(s, 'handling')).toMatchObject({ startDate: '2026-09-23', dueDate: '2026-11-22', dueAt: '2026-11-22T16:00:00.000Z' });
    expect(limitOf(s, 'handling').policy.basis).toBe('《信访工作条例》第三十四条');
    expect(s.tasks.map((t) => [t.kind, t.assigneeRole, t.dueAt])).toEqual([
      ['meet1', 'unit_handler', '2026-11-22T16:00:00.000Z'],
      ['reply', 'unit_handler', '2026-11-22T16:00:00.000Z'],
    ]);
  });

  it('a reply before meeting ① is refused (IllegalState → 409) and changes nothing', async () => {
    const r = await refusal(h.command(caseNo, M.replyUpdate, sampleReply, HANDLER));
    expect(r.type).toBe('IllegalState');
    expect(r.message).toMatch(/meeting ①/);
    const s = await h.state(caseNo);
    expect(s.status).toBe('IN_HANDLING');
    expect(s.reply).toBeUndefined();
    expect((await dossier(h, caseNo)).map((n) => n.kind)).toEqual(['forwarded', 'acceptance']);
  });

  it('meeting ① on 2026-09-28, then the reply delivered in person on 2026-10-20: evaluation window to 2026-10-27, review window to 2026-11-19', async () => {
    await h.skipTo(sh('2026-09-28 10:00'));
    let s = await h.command(caseNo, M.meetingUpdate, meeting(1, '2026-09-28'), HANDLER);
    expect(s.meetings['1']).toMatchObject({ date: '2026-09-28', recordedBy: HANDLER });
    expect(s.tasks.map((t) => t.kind)).toEqual(['reply']);

    await h.skipTo(sh('2026-10-20 10:00'));
    s = await h.command(caseNo, M.replyUpdate, sampleReply, HANDLER);
    expect(s.status).toBe('REPLIED');
    expect(s.reply).toMatchObject({ deliveredOn: '2026-10-20', deliveryMethod: 'in_person' });
    expect(limitOf(s, 'handling').status).toBe('met');
    expect(limitOf(s, 'evaluation')).toMatchObject({ startDate: '2026-10-20', dueDate: '2026-10-27', status: 'pending' });
    expect(limitOf(s, 'reviewRequest')).toMatchObject({ startDate: '2026-10-20', dueDate: '2026-11-19', status: 'pending' });
    expect(s.tasks.map((t) => t.kind)).toEqual(['meet2', 'evaluate']);

    s = await h.command(caseNo, M.meetingUpdate, meeting(2, '2026-10-20'), HANDLER);
    expect(s.meetings['2']?.date).toBe('2026-10-20');
    expect(s.tasks.map((t) => t.kind)).toEqual(['evaluate']);
  });

  it('evaluated unsatisfied on 2026-10-22: meeting ③ and a return visit fall due; meeting ③ is the unit head\'s, not the handler\'s', async () => {
    await h.skipTo(sh('2026-10-22 10:00'));
    let s = await h.command(caseNo, M.evaluationUpdate, { unit: 'unsatisfied', bureau: 'basically_satisfied', reason: '拆除期限过长', method: 'visit' }, REGISTRAR);
    expect(s.status).toBe('UNSATISFIED');
    expect(s.evaluation).toMatchObject({ unit: 'unsatisfied', evaluatedOn: '2026-10-22' });
    expect(limitOf(s, 'evaluation').status).toBe('met');
    expect(s.tasks.map((t) => [t.kind, t.assigneeRole])).toEqual([
      ['meet3', 'unit_head'],
      ['returnVisit', 'registrar'],
    ]);
    expect((await taskRows(h, caseNo)).map((t) => t.kind).sort()).toEqual(['meet3', 'returnVisit']);

    await h.skipTo(sh('2026-10-26 15:00'));
    const r = await refusal(h.command(caseNo, M.meetingUpdate, meeting(3, '2026-10-26'), HANDLER));
    expect(r.type).toBe('Forbidden');
    s = await h.command(caseNo, M.meetingUpdate, meeting(3, '2026-10-26'), HEAD);
    expect(s.meetings['3']).toMatchObject({ date: '2026-10-26', recordedBy: HEAD });
    expect(s.tasks.map((t) => t.kind)).toEqual(['returnVisit']);

    await h.skipTo(sh('2026-10-28 09:30'));
    s = await h.command(caseNo, M.returnVisitUpdate, { date: '2026-10-28', notes: '电话回访，信访人仍对拆除期限有意见' }, REGISTRAR);
    expect(s.returnVisits).toEqual([{ date: '2026-10-28', notes: '电话回访，信访人仍对拆除期限有意见', by: REGISTRAR }]);
    expect(s.tasks).toEqual([]);
  });

  it('复查 requested 2026-11-02 (within the window to 2026-11-19): decision due 2026-12-02; decided 2026-11-16 with a 复查意见书', async () => {
    await h.skipTo(sh('2026-11-02 10:00'));
    let s = await h.command(caseNo, M.reviewRequestUpdate, { level: 'review', grounds: '对处理意见不服，请求复查' }, REGISTRAR);
    expect(s.status).toBe('REVIEW');
    expect(s.review).toMatchObject({ requestedOn: '2026-11-02' });
    expect(limitOf(s, 'reviewRequest').status).toBe('met');
    expect(limitOf(s, 'reviewDecision')).toMatchObject({ startDate: '2026-11-02', dueDate: '2026-12-02' });
    expect(limitOf(s, 'reviewDecision').policy.basis).toBe('《信访工作条例》第三十五条');
    expect(s.tasks.map((t) => [t.kind, t.assigneeRole, t.dueAt])).toEqual([['decideReview', 'supervisor', '2026-12-02T16:00:00.000Z']]);

    await h.skipTo(sh('2026-11-16 10:00'));
    s = await h.command(caseNo, M.reviewDecisionUpdate, { level: 'review', outcome: 'upheld', decision: '原处理意见认定事实清楚，予以维持' }, SUPERVISOR);
    expect(s.status).toBe('REVIEWED');
    expect(s.review).toMatchObject({ decidedOn: '2026-11-16', outcome: 'upheld' });
    expect(limitOf(s, 'reviewDecision').status).toBe('met');
    expect(limitOf(s, 'reReviewRequest')).toMatchObject({ startDate: '2026-11-16', dueDate: '2026-12-16' });
  });

  it('复核 requested 2026-11-18: due 2026-12-18; a hearing 2026-11-30..12-02 (3 days, not counted) moves it to 2026-12-21', async () => {
    await h.skipTo(sh('2026-11-18 10:00'));
    let s = await h.command(caseNo, M.reviewRequestUpdate, { level: 'reReview', grounds: '对复查意见不服，请求复核' }, REGISTRAR);
    expect(s.status).toBe('RE_REVIEW');
    expect(limitOf(s, 'reReviewDecision')).toMatchObject({ startDate: '2026-11-18', dueDate: '2026-12-18' });
    expect(limitOf(s, 'reReviewDecision').policy.basis).toBe('《信访工作条例》第三十六条');

    await h.skipTo(sh('2026-11-30 09:00'));
    s = await h.command(caseNo, M.hearingUpdate, { action: 'start', note: '公开听证' }, SUPERVISOR);
    expect(s.reReview?.hearings).toEqual([{ start: '2026-11-30' }]);
    expect(limitOf(s, 'reReviewDecision').status).toBe('paused');

    await h.skipTo(sh('2026-12-02 17:00'));
    s = await h.command(caseNo, M.hearingUpdate, { action: 'end' }, SUPERVISOR);
    expect(s.reReview?.hearings).toEqual([{ start: '2026-11-30', end: '2026-12-02' }]);
    expect(limitOf(s, 'reReviewDecision')).toMatchObject({ startDate: '2026-11-18', pausedDays: 3, dueDate: '2026-12-21', status: 'pending' });
    expect(s.deadlines.filter((d) => d.key === 'reReviewDecision').map((d) => d.status)).toEqual(['cancelled', 'pending']);
  });

  it('复核 decided 2026-12-10: TERMINATED, with a 复核意见书; the read model shows the ended matter', async () => {
    await h.skipTo(sh('2026-12-10 10:00'));
    const s = await h.command(caseNo, M.reviewDecisionUpdate, { level: 'reReview', outcome: 'upheld', decision: '复查意见正确，予以维持' }, SUPERVISOR);
    expect(s.status).toBe('TERMINATED');
    expect(s.reReview).toMatchObject({ requestedOn: '2026-11-18', decidedOn: '2026-12-10', outcome: 'upheld' });
    expect(s.endedAt?.slice(0, 10)).toBe('2026-12-10');
    expect(s.tasks).toEqual([]);
    expect(s.deadlines.filter((d) => d.status === 'pending' || d.status === 'paused')).toEqual([]);
    expect(s.deadlines.some((d) => d.status === 'missed')).toBe(false);

    const row = await petitionRow(h, caseNo);
    expect(row).toMatchObject({ status: 'TERMINATED', open: false, overdue: false, currentDeadlineKey: null });
    expect(await taskRows(h, caseNo)).toEqual([]);
  });

  it('a letter on the same matter on 2026-12-15 is refused automatically, in writing (第三十六条), once even if the signal is repeated', async () => {
    await h.skipTo(sh('2026-12-15 09:00'));
    const handle = h.env.client.workflow.getHandle(`petition-${caseNo}`);
    const letter = { id: `${caseNo}-S2`, channel: 'letter' as const, receivedAt: '2026-12-15T01:00:00.000Z', summary: '仍要求立即拆除', registeredBy: REGISTRAR };
    await handle.signal(M.submissionSignal, letter);
    await handle.signal(M.submissionSignal, letter);
    const s = await stateWhen(h, caseNo, (x) => x.submissions.refused >= 1 && x.notices.length === 6, 'a refused submission');
    expect(s.status).toBe('TERMINATED');
    expect(s.submissions).toMatchObject({ total: 2, repeats: 0, refused: 1 });
    expect(s.recent.filter((e) => e.type === 'submission.refused').map((e) => e.data)).toEqual([{ id: letter.id, channel: 'letter', reason: '三级终结' }]);

    // The dossier: one notice per step, each citing its article.
    await projected(h, caseNo);
    const notices = await dossier(h, caseNo);
    expect(notices.map((n) => [n.kind, n.legalBasis])).toEqual([
      ['forwarded', noticeKinds.forwarded.basis],
      ['acceptance', noticeKinds.acceptance.basis],
      ['reply', noticeKinds.reply.basis],
      ['review_decision', noticeKinds.review_decision.basis],
      ['re_review_decision', noticeKinds.re_review_decision.basis],
      ['refusal', '《信访工作条例》第三十六条'],
    ]);
    expect(notices.map((n) => n.legalBasis)).toEqual([
      '《信访工作条例》第二十二条',
      '《信访工作条例》第二十三条',
      '《信访工作条例》第三十二条、第三十四条',
      '《信访工作条例》第三十五条',
      '《信访工作条例》第三十六条',
      '《信访工作条例》第三十六条',
    ]);
    const [forwarded, acceptance, reply, review, reReview, refused] = notices;
    expect(forwarded!.body).toContain('承办单位：liandu-housing');
    expect(forwarded!.body).toContain('日期：2026-09-21');
    expect(acceptance!.body).toContain('受理日期：2026-09-23');
    expect(reply!.body).toContain('如不服本处理意见，可自收到本意见书之日起30日内请求复查');
    expect(reply!.body).toContain('日期：2026-10-20');
    expect(review!.body).toContain('复核告知');
    expect(reReview!.body).toContain('不再受理');
    expect(refused!.body).toContain('已经复核终结');
    expect(refused!.issuedBy).toBeNull();
    expect(refused!.body).toContain('日期：2026-12-15');

    // The read model's timeline holds every event, in order, with nothing missing.
    const events = await timeline(h, caseNo);
    expect(events.map((e) => e.seq)).toEqual([...Array(s.seq).keys()]);
    const milestones = events.map((e) => e.type).filter((t) => !t.startsWith('deadline.') && t !== 'notice.filed');
    expect(milestones).toEqual([
      'registered',
      'triage.assigned',
      'accepted',
      'meeting.held',
      'replied',
      'meeting.held',
      'evaluated',
      'meeting.held',
      'return_visit',
      'review.requested',
      'review.decided',
      're_review.requested',
      'hearing.started',
      'hearing.ended',
      're_review.decided',
      'terminated',
      'submission.refused',
    ]);
    expect(events.filter((e) => e.type === 'deadline.escalated')).toEqual([]);
  });
});
