import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { auditLog, events } from '../../db/schema';
import { declareYearsReached } from '../support/calendar';
import { createApiBench, eventually, uniqueIdNumber, type ApiBench } from '../support/api';

const reply = { request: '拆除违建', facts: '经查属实', opinion: '责令限期拆除', legalBasis: '《城乡规划法》第六十四条', deliveryMethod: 'in_person' };

describe("the petitioner's own channel: query code + the last 4 digits of the phone (or ID number)", () => {
  let b: ApiBench;
  let ipSeq = 0;
  /** Each scenario from its own address, so the per-address limit of one does not spill into another. */
  const newIp = () => `198.51.100.${++ipSeq}`;
  const pub = (url: string, payload: unknown, ip: string) => b.app.inject({ method: 'POST', url, payload: payload as object, remoteAddress: ip });

  // 王小五 with a phone; 李四 (another person, another matter) with only an ID number.
  let wang: { caseNo: string; queryCode: string };
  let li: { caseNo: string; queryCode: string; idNumber: string };

  /** Registers and returns the case number and the query code intake issued. */
  async function registerMatter(patch: Record<string, unknown>): Promise<{ caseNo: string; queryCode: string }> {
    const { caseNo, queryCode } = await b.register(patch);
    if (!queryCode) throw new Error(`no query code issued for ${caseNo}`);
    return { caseNo, queryCode };
  }

  beforeAll(async () => {
    b = await createApiBench({ PUBLIC_RATE_PER_IP: '25', PUBLIC_RATE_PER_CODE: '15' });
    // From December on, the review-request window reaches into a year the package does not carry yet: declared as an operator would.
    await declareYearsReached(async (path, body) => (await b.post(path, 'admin', body)).statusCode);
    wang = await registerMatter({ petitioners: [{ name: '王小五', main: true, idNumber: uniqueIdNumber(), phone: '139 0000 2222', address: '莲都区紫金街道1号' }] });
    const liId = `${uniqueIdNumber().slice(0, 17)}X`;
    const liAnswer = await registerMatter({ petitioners: [{ name: '李四', main: true, idNumber: liId, address: '莲都区万象街道9号' }] });
    li = { ...liAnswer, idNumber: liId };

    // 王小五's matter to REPLIED: a unit, a notice or two, an evaluation window.
    const p = (cmd: string, user: string, body: unknown = {}) => b.post(`/api/petitions/${wang.caseNo}/${cmd}`, user, body);
    expect((await p('forward', 'registrar-city', { mode: 'assign', unitId: 'liandu-housing' })).statusCode).toBe(200);
    expect((await p('accept', 'handler-liandu-housing')).statusCode).toBe(200);
    const today = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
    expect((await p('meetings', 'handler-liandu-housing', { meeting: 1, date: today, place: '住建局接待室', participants: ['经办人', '信访人'] })).statusCode).toBe(200);
    expect((await p('reply', 'handler-liandu-housing', reply)).statusCode).toBe(200);
    await b.waitForMatter(wang.caseNo, (m) => m.status === 'REPLIED' && m.notices.some((n) => n.kind === 'reply'), 'replied with the reply on file');
  });
  afterAll(async () => b?.teardown());

  it('the right code and the last 4 phone digits show the stage, the unit, the next limit and the notices — and no personal data', async () => {
    const res = await pub('/public/status', { queryCode: wang.queryCode.toLowerCase(), factor: '2222' }, newIp());
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const s = res.json();
    expect(s.caseNo).toBe(wang.caseNo);
    expect(s.stage).toEqual({ status: 'REPLIED', label: '已答复，待评价', open: true });
    expect(s.unit).toEqual({ name: '莲都区住房和城乡建设局' });
    // The evaluation window (7 d) ends before the review-request window (30 d): it is the next limit.
    expect(s.nextLimit).toMatchObject({ key: 'evaluation', label: '满意度评价' });
    expect(s.limits.map((l: { key: string }) => l.key)).toEqual(['evaluation', 'reviewRequest']);
    expect(s.evaluation).toEqual({ open: true, dueDate: s.nextLimit.dueDate });
    expect(s.notices.map((n: { kind: string }) => n.kind)).toEqual(['forwarded', 'acceptance', 'reply']);
    expect(s.notices.find((n: { kind: string }) => n.kind === 'reply').title).toContain('处理意见书');
    // Nothing of any person: not the name, ID number, phone or address, masked or not; not the other matter.
    for (const leak of ['王', '小五', '139 0000', '13900002222', '****', '紫金', 'idNumber', 'phone', 'petitioners', li.caseNo, li.idNumber.slice(-4)]) {
      expect(res.body, leak).not.toContain(leak);
    }
  });

  it('a matter without a phone answers to the last 4 characters of the ID number (X included), and only to them', async () => {
    const ip = newIp();
    const ok = await pub('/public/status', { queryCode: li.queryCode, factor: li.idNumber.slice(-4).toLowerCase() }, ip);
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ caseNo: li.caseNo, stage: { status: 'TRIAGE' }, unit: { name: '丽水市信访局' }, nextLimit: { key: 'triage' }, notices: [] });
    expect(ok.body).not.toContain('李');
    // 王小五's digits do not open 李四's matter, and 李四's do not open 王小五's.
    expect((await pub('/public/status', { queryCode: li.queryCode, factor: '2222' }, ip)).statusCode).toBe(401);
    expect((await pub('/public/status', { queryCode: wang.queryCode, factor: li.idNumber.slice(-4) }, ip)).statusCode).toBe(401);
  });

  it('a wrong code and a wrong factor get byte-for-byte the same answer; a malformed factor is a 400 and never reaches a code', async () => {
    const ip = newIp();
    const wrongFactor = await pub('/public/status', { queryCode: wang.queryCode, factor: '2223' }, ip);
    const wrongCode = await pub('/public/status', { queryCode: 'ZZZZZZZZ', factor: '2222' }, ip);
    expect(wrongFactor.statusCode).toBe(401);
    expect(wrongCode.statusCode).toBe(401);
    expect(wrongCode.body).toBe(wrongFactor.body);
    expect(wrongCode.headers['content-type']).toBe(wrongFactor.headers['content-type']);
    expect(wrongFactor.json().message).toContain('查询码或验证信息不正确');
    const malformed = await pub('/public/status', { queryCode: wang.queryCode, factor: '22' }, ip);
    expect(malformed.statusCode).toBe(400);
    // The factor is never accepted from the URL.
    const inUrl = await b.app.inject({ method: 'POST', url: `/public/status?queryCode=${wang.queryCode}&factor=2222`, payload: {}, remoteAddress: ip });
    expect(inUrl.statusCode).toBe(400);
  });

  it('prints a notice of the matter through the same code and factor, never a notice of another matter', async () => {
    const ip = newIp();
    const s = (await pub('/public/status', { queryCode: wang.queryCode, factor: '2222' }, ip)).json();
    const replyNotice = s.notices.find((n: { kind: string }) => n.kind === 'reply');
    const print = await pub(`/public/notices/${replyNotice.id}/print`, { queryCode: wang.queryCode, factor: '2222' }, ip);
    expect(print.statusCode).toBe(200);
    expect(print.headers['content-type']).toContain('text/html');
    expect(print.body).toContain('信访事项处理意见书');
    expect(print.body).toContain('《城乡规划法》第六十四条');
    expect((await pub(`/public/notices/${replyNotice.id}/print`, { queryCode: wang.queryCode, factor: '2223' }, ip)).statusCode).toBe(401);
    // 李四's code and digits do not print 王小五's notice.
    expect((await pub(`/public/notices/${replyNotice.id}/print`, { queryCode: li.queryCode, factor: li.idNumber.slice(-4) }, ip)).statusCode).toBe(404);
  });

  it('serves the zh-CN page at /public/ (and /cx), which sends the code and factor only in request bodies', async () => {
    const page = await b.app.inject({ method: 'GET', url: '/public/' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.headers['content-security-policy']).toContain("default-src 'self'");
    expect(page.body).toContain('lang="zh-CN"');
    expect(page.body).toContain('name="viewport"');
    expect(page.body).toContain('查询码');
    const js = await b.app.inject({ method: 'GET', url: '/public/status.js' });
    expect(js.statusCode).toBe(200);
    expect(js.body).toContain("post('/public/status', creds)");
    expect(js.body).not.toMatch(/[?&]factor=|localStorage|sessionStorage/);
    const cx = await b.app.inject({ method: 'GET', url: '/cx' });
    expect(cx.statusCode).toBe(302);
    expect(cx.headers.location).toBe('/public/');
  });

  it('rate-limits per address (429 with Retry-After) whatever the codes', async () => {
    const ip = newIp();
    const statuses: number[] = [];
    for (let i = 0; i < 26; i++) statuses.push((await pub('/public/status', { queryCode: `NOPE${String(i).padStart(4, '0')}`, factor: '0000' }, ip)).statusCode);
    expect(statuses.slice(0, 25).every((s) => s === 401)).toBe(true);
    const limited = await pub('/public/status', { queryCode: wang.queryCode, factor: '2222' }, ip);
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    // Another address is not affected.
    expect((await pub('/public/status', { queryCode: wang.queryCode, factor: '2222' }, newIp())).statusCode).toBe(200);
  });

  it('rate-limits per code, from any address (and shows a forwarded matter\'s acceptance limit, not the unit\'s objection window)', async () => {
    const other = await registerMatter({ petitioners: [{ name: '赵六', main: true, idNumber: uniqueIdNumber(), phone: '13700001234' }] });
    // Handed to a unit: its acceptance limit is the petitioner's next date; the unit's own objection window is not shown.
    expect((await b.post(`/api/petitions/${other.caseNo}/forward`, 'registrar-city', { mode: 'assign', unitId: 'liandu-housing' })).statusCode).toBe(200);
    await b.waitForMatter(other.caseNo, (m) => m.deadlines.some((d) => d.key === 'objection'), 'the acceptance and objection limits');
    const first = (await pub('/public/status', { queryCode: other.queryCode, factor: '1234' }, newIp())).json();
    expect(first.stage.status).toBe('AWAITING_ACCEPTANCE');
    expect(first.limits.map((l: { key: string }) => l.key)).toEqual(['acceptance']);
    expect(first.nextLimit).toMatchObject({ key: 'acceptance', label: '受理告知' });
    const statuses: number[] = [200];
    for (let i = 1; i < 16; i++) statuses.push((await pub('/public/status', { queryCode: other.queryCode, factor: '1234' }, newIp())).statusCode);
    expect(statuses.slice(0, 15)).toEqual(Array(15).fill(200));
    expect(statuses[15]).toBe(429);
  });

  it('locks a code at its tenth failure — then even the right digits are refused — and audits the lock; an admin unlocks it', async () => {
    const target = await registerMatter({ petitioners: [{ name: '钱七', main: true, idNumber: uniqueIdNumber(), phone: '13600005678' }] });
    const answers: number[] = [];
    for (let i = 0; i < 10; i++) answers.push((await pub('/public/status', { queryCode: target.queryCode, factor: String(1000 + i) }, newIp())).statusCode);
    expect(answers).toEqual([...Array(9).fill(401), 423]);
    const locked = await pub('/public/status', { queryCode: target.queryCode, factor: '5678' }, newIp());
    expect(locked.statusCode).toBe(423);
    expect(locked.json().message).toContain('锁定');
    const audit = await b.database.db.select().from(auditLog).where(and(eq(auditLog.action, 'query_code.locked'), eq(auditLog.caseNo, target.caseNo)));
    expect(audit).toHaveLength(1);
    expect(audit[0]!.detail).toMatchObject({ queryCode: target.queryCode, failures: 10 });

    // A code that matches no matter locks the same way, so the lock says nothing about which codes exist.
    const ghost: number[] = [];
    for (let i = 0; i < 11; i++) ghost.push((await pub('/public/status', { queryCode: 'GHOST123', factor: String(2000 + i) }, newIp())).statusCode);
    expect(ghost).toEqual([...Array(9).fill(401), 423, 423]);

    expect((await b.post(`/api/admin/query-codes/${target.queryCode}/unlock`, 'registrar-city', { reason: '本人持证到场核验' })).statusCode).toBe(403);
    expect((await b.post(`/api/admin/query-codes/${target.queryCode}/unlock`, 'admin', { reason: '本人持证到场核验' })).statusCode).toBe(200);
    expect((await pub('/public/status', { queryCode: target.queryCode, factor: '5678' }, newIp())).statusCode).toBe(200);
    expect(await b.database.db.select().from(auditLog).where(and(eq(auditLog.action, 'query_code.unlocked'), eq(auditLog.caseNo, target.caseNo)))).toHaveLength(1);
  });

  it('the petitioner evaluates through the channel within the window, as themselves, once', async () => {
    const ip = newIp();
    const creds = { queryCode: wang.queryCode, factor: '2222' };
    expect((await pub('/public/evaluation', { ...creds, factor: '2223', unit: 'satisfied', bureau: 'satisfied' }, ip)).statusCode).toBe(401);
    const noReason = await pub('/public/evaluation', { ...creds, unit: 'unsatisfied', bureau: 'satisfied' }, ip);
    expect(noReason.statusCode).toBe(400); // an unsatisfied evaluation needs its reason
    const done = await pub('/public/evaluation', { ...creds, unit: 'unsatisfied', bureau: 'basically_satisfied', reason: '违建至今未拆除' }, ip);
    expect(done.statusCode).toBe(200);
    expect(done.json()).toMatchObject({ caseNo: wang.caseNo, stage: { status: 'UNSATISFIED' } });
    const evaluated = await eventually(async () => {
      const [e] = await b.database.db.select().from(events).where(and(eq(events.caseNo, wang.caseNo), eq(events.type, 'evaluated')));
      return e;
    }, 'the evaluated event in the timeline');
    expect(evaluated.actor).toBe(`petitioner:${wang.caseNo}`);
    expect(evaluated.data).toMatchObject({ unit: 'unsatisfied', bureau: 'basically_satisfied', reason: '违建至今未拆除' });
    const again = await pub('/public/evaluation', { ...creds, unit: 'satisfied', bureau: 'satisfied' }, ip);
    expect(again.statusCode).toBe(409);
    const status = (await pub('/public/status', creds, ip)).json();
    expect(status.stage.status).toBe('UNSATISFIED');
    expect(status.evaluation.open).toBe(false);
  });

  it('a matter outside its evaluation window is refused with 409 (not yet replied)', async () => {
    const res = await pub('/public/evaluation', { queryCode: li.queryCode, factor: li.idNumber.slice(-4), unit: 'satisfied', bureau: 'satisfied' }, newIp());
    expect(res.statusCode).toBe(409);
  });

  // Last: it moves the time-skipping server's clock 8 days on.
  it('once the 7-day evaluation window has passed, the channel refuses the evaluation (超期未评价)', async () => {
    const late = await registerMatter({ petitioners: [{ name: '孙八', main: true, idNumber: uniqueIdNumber(), phone: '13500004321' }] });
    const p = (cmd: string, user: string, body: unknown = {}) => b.post(`/api/petitions/${late.caseNo}/${cmd}`, user, body);
    expect((await p('forward', 'registrar-city', { mode: 'assign', unitId: 'liandu-housing' })).statusCode).toBe(200);
    expect((await p('accept', 'handler-liandu-housing')).statusCode).toBe(200);
    const today = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
    expect((await p('meetings', 'handler-liandu-housing', { meeting: 1, date: today, place: '住建局接待室', participants: ['经办人', '信访人'] })).statusCode).toBe(200);
    expect((await p('reply', 'handler-liandu-housing', reply)).statusCode).toBe(200);
    const creds = { queryCode: late.queryCode, factor: '4321' };
    expect((await pub('/public/status', creds, newIp())).json().evaluation.open).toBe(true);

    await b.env.sleep('8 days');
    await b.waitForMatter(late.caseNo, (m) => m.deadlines.some((d) => d.key === 'evaluation' && d.status === 'expired'), 'the evaluation window expired');
    const refused = await pub('/public/evaluation', { ...creds, unit: 'satisfied', bureau: 'satisfied' }, newIp());
    expect(refused.statusCode).toBe(409);
    expect(refused.json().message).toContain('不在评价期内');
    expect((await pub('/public/status', creds, newIp())).json().evaluation).toEqual({ open: false, dueDate: null });
  });
});
