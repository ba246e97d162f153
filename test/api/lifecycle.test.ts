import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { declareYearsReached } from '../support/calendar';
import { loadCalendar } from '../../read-model/calendar';
import { createApiBench, eventually, type ApiBench } from '../support/api';

interface Task {
  caseNo: string;
  kind: string;
  assigneeRole: string;
  dueAt: string | null;
  overdue: boolean;
}

describe('a matter driven through its whole course by the API (same-day steps, real workflows)', () => {
  let b: ApiBench;
  beforeAll(async () => {
    b = await createApiBench();
  });
  afterAll(async () => b?.teardown());

  const tasksOf = async (userId: string, caseNo: string) =>
    ((await b.get('/api/tasks', userId)).json().items as Task[]).filter((t) => t.caseNo === caseNo).map((t) => t.kind);
  /** The projection is asynchronous: wait until the user's work list for the matter is as expected. */
  const tasksBecome = (userId: string, caseNo: string, kinds: string[]) =>
    eventually(async () => {
      const got = await tasksOf(userId, caseNo);
      return JSON.stringify(got.sort()) === JSON.stringify([...kinds].sort()) ? got : undefined;
    }, `${userId}'s tasks on ${caseNo} to be ${kinds.join(', ')}`);

  it('triage → acceptance → meetings → reply → unsatisfied → review → re-review with a hearing → terminated, each notice on file and printable, each step on the right work list', async () => {
    // From December on, its review windows reach into a year the package does not carry yet: declared as an operator would.
    await declareYearsReached(async (path, body) => (await b.post(path, 'admin', body)).statusCode);
    const { caseNo } = await b.register({}, 'registrar-city');
    await tasksBecome('registrar-city', caseNo, ['triage']);
    const p = (cmd: string, user: string, body: unknown = {}) => b.post(`/api/petitions/${caseNo}/${cmd}`, user, body);

    expect((await p('forward', 'registrar-city', { mode: 'assign', unitId: 'liandu-housing' })).statusCode).toBe(200);
    await tasksBecome('handler-liandu-housing', caseNo, ['accept']);
    const accepted = await p('accept', 'handler-liandu-housing');
    expect(accepted.statusCode).toBe(200);
    const handling = accepted.json().deadlines.find((d: { key: string }) => d.key === 'handling');
    expect(handling.policy.basis).toContain('第三十四条');
    await tasksBecome('handler-liandu-housing', caseNo, ['meet1', 'reply']);

    // No reply before meeting ① (or its exemption); a handler may not extend, the head may, once.
    const reply = { request: '拆除违建', facts: '经查属实', opinion: '责令限期拆除', legalBasis: '《城乡规划法》第六十四条', deliveryMethod: 'in_person' };
    const early = await p("reply", "handler-liandu-housing", reply);
    expect(early.statusCode).toBe(409);
    expect(early.json().message).toContain('meeting ①');
    expect((await p('extend', 'handler-liandu-housing', { days: 20, reason: '需要现场测量' })).statusCode).toBe(403);
    const extended = await p('extend', 'head-liandu-housing', { days: 20, reason: '需要现场测量，协调规划部门' });
    expect(extended.statusCode).toBe(200);
    expect(extended.json().status).toBe('EXTENDED');
    expect((await p('extend', 'head-liandu-housing', { days: 5, reason: '再次延期，仍需协调' })).statusCode).toBe(409);

    const today = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
    const meeting = (n: number) => ({ meeting: n, date: today, place: '莲都区住建局接待室', participants: ['经办人', '信访人王小五'], notes: '听取诉求' });
    expect((await p('meetings', 'handler-liandu-housing', meeting(1))).statusCode).toBe(200);
    const replied = await p('reply', 'handler-liandu-housing', reply);
    expect(replied.statusCode).toBe(200);
    expect(replied.json().status).toBe('REPLIED');
    expect((await p('meetings', 'handler-liandu-housing', meeting(2))).statusCode).toBe(200);
    await tasksBecome('registrar-city', caseNo, ['evaluate']);

    // Nobody marks their own homework: the unit being evaluated may not record the evaluation, whatever its role.
    for (const unitUser of ['handler-liandu-housing', 'head-liandu-housing']) {
      expect((await p('evaluation', unitUser, { unit: 'satisfied', bureau: 'satisfied', method: 'phone' })).statusCode).toBe(403);
    }
    // The bureau records it on the petitioner's behalf, saying how it was taken.
    expect((await p('evaluation', 'registrar-city', { unit: 'satisfied', bureau: 'satisfied' })).statusCode).toBe(400);
    const unsatisfied = await p('evaluation', 'registrar-city', { unit: 'unsatisfied', bureau: 'basically_satisfied', method: 'phone' });
    expect(unsatisfied.statusCode).toBe(400); // an unsatisfied evaluation needs its reason
    expect((await p('evaluation', 'registrar-city', { unit: 'unsatisfied', bureau: 'basically_satisfied', reason: '违建未拆', method: 'phone' })).json().status).toBe('UNSATISFIED');
    await tasksBecome('head-liandu-housing', caseNo, ['meet3']);
    expect((await p('meetings', 'handler-liandu-housing', meeting(3))).statusCode).toBe(403); // ③ is the leader's
    expect((await p('meetings', 'head-liandu-housing', meeting(3))).statusCode).toBe(200);
    expect((await p('return-visits', 'registrar-city', { notes: '电话回访，信访人仍不满意' })).statusCode).toBe(200);

    expect((await p('review-request', 'registrar-city', { grounds: '对处理意见不服' })).json().status).toBe('REVIEW');
    await tasksBecome('supervisor-city', caseNo, ['decideReview']);
    expect((await p('review-decision', 'supervisor-city', { outcome: 'upheld', decision: '维持原处理意见' })).json().status).toBe('REVIEWED');
    expect((await p('re-review-request', 'registrar-city', { grounds: '对复查意见不服' })).json().status).toBe('RE_REVIEW');
    expect((await p('hearing', 'supervisor-city', { action: 'start' })).statusCode).toBe(200);
    expect((await p('re-review-decision', 'supervisor-city', { outcome: 'upheld', decision: '维持复查意见，终结' })).statusCode).toBe(409); // hearing still open
    expect((await p('hearing', 'supervisor-city', { action: 'end' })).statusCode).toBe(200);
    const terminated = await p('re-review-decision', 'supervisor-city', { outcome: 'upheld', decision: '维持复查意见，本事项终结' });
    expect(terminated.json().status).toBe('TERMINATED');

    const m = await b.waitForMatter(caseNo, (x) => x.status === 'TERMINATED', 'terminated');
    expect(m.open).toBe(false);
    expect(m.notices.map((n) => n.kind)).toEqual(['forwarded', 'acceptance', 'extension', 'reply', 'review_decision', 're_review_decision']);
    for (const d of m.deadlines) expect(d.description).toMatch(/ → \d{4}-\d{2}-\d{2} 24:00 Asia\/Shanghai.* — \S/);
    const replyNotice = m.notices.find((n) => n.kind === 'reply')!;
    const print = await b.get(`/api/notices/${replyNotice.id}/print`, 'admin');
    expect(print.headers['content-type']).toContain('text/html');
    expect(print.body).toContain('信访事项处理意见书');
    expect(print.body).toContain('《城乡规划法》第六十四条');
    await tasksBecome('supervisor-city', caseNo, []);

    // 三级终结: a later submission on the same facts is refused automatically with a written notice.
    const again = await b.post('/api/petitions', 'registrar-city', { ...{ channel: 'visit', divisionCode: '331102', category: 'urban_construction', purpose: 'complaint', summary: '同一事实再次信访', petitioners: [{ name: '王小五', main: true }] }, linkToCaseNo: caseNo });
    expect(again.statusCode).toBe(409);
    await b.waitForMatter(caseNo, (x) => x.notices.some((n) => n.kind === 'refusal'), 'the refusal notice');
  });

  // 2030: a year neither chinese-days nor this suite declares (the course above declares the years it reaches).
  it('an admin enters single overrides for a coming year; others may not; the calendar reads them but the year stays unknown until declared complete', async () => {
    const body = { overrides: [{ date: '2030-01-01', kind: 'holiday', source: '国办发明电〔2029〕测试' }, { date: '2030-01-05', kind: 'workday', source: '国办发明电〔2029〕测试' }] };
    expect((await b.post('/api/admin/calendar-overrides', 'registrar-city', body)).statusCode).toBe(403);
    const bad = await b.post('/api/admin/calendar-overrides', 'admin', { overrides: [{ date: '2030-02-30', kind: 'holiday', source: 'x' }] });
    expect(bad.statusCode).toBe(400);
    expect((await b.post('/api/admin/calendar-overrides', 'admin', body)).statusCode).toBe(201);
    const calendar = await loadCalendar(b.database.db);
    expect(calendar.isWorkingDay('2030-01-01')).toBe(false);
    expect(calendar.isWorkingDay('2030-01-05')).toBe(true);
    expect(calendar.knowsYear(2030)).toBe(false); // POST /api/admin/calendar/years/2030 declares it
  });
});
