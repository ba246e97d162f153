import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq, like, sql } from 'drizzle-orm';
import { caseNumberCounters, idempotencyKeys, petitions, submissions, users } from '../../db/schema';
import { shanghaiDateOf } from '../../domain/dates';
import { intakeSchema } from '../../domain/petition';
import { registerPetition } from '../../services/intake';
import type { PetitionState } from '../../domain/matter';
import { createApiBench, sampleBody, uniqueIdNumber, type ApiBench, type MatterDetail, type RegisterAnswer } from '../support/api';

describe('intake: POST /api/petitions', () => {
  let b: ApiBench;
  beforeAll(async () => {
    b = await createApiBench();
  });
  afterAll(async () => b?.teardown());

  const matterCount = async () => (await b.database.db.select({ n: sql<number>`count(*)::int` }).from(petitions))[0]!.n;
  const detail = async (caseNo: string, userId = 'registrar-city') => {
    const res = await b.get(`/api/petitions/${caseNo}`, userId);
    expect(res.statusCode, res.body).toBe(200);
    return res.json<MatterDetail>();
  };

  describe('the four channels (信/访/网/电)', () => {
    it.each(['letter', 'visit', 'online', 'phone'])('a %s registers → 201 with a case number LS+date+5 digits and a query code; the workflow puts it in TRIAGE', async (channel) => {
      const answer = await b.register({ channel });
      expect(answer.outcome).toBe('registered');
      expect(answer.queryCode).toMatch(/^[2-9A-HJ-NP-Z]{8}$/);
      expect(answer.possibleRepeats).toEqual([]);
      const m = await detail(answer.caseNo);
      expect(answer.caseNo).toMatch(new RegExp(`^LS${shanghaiDateOf(String(m.registeredAt)).replaceAll('-', '')}\\d{5}$`));
      expect(m).toMatchObject({ channel, status: 'TRIAGE', currentDeadlineKey: 'triage', open: true });
      expect(m.timeline.map((e) => e.type)).toEqual(expect.arrayContaining(['registered', 'deadline.started']));
      expect(m.submissions).toHaveLength(1);
      expect(m.submissions[0]).toMatchObject({ channel, initial: true });
    });

    it('case numbers count up within the day', async () => {
      const a = await b.register({ channel: 'letter' });
      const c = await b.register({ channel: 'phone' });
      expect(Number(c.caseNo.slice(-5))).toBeGreaterThan(Number(a.caseNo.slice(-5)));
    });
  });

  describe('sources', () => {
    it.each([
      ['direct (the petitioner in person)', { source: 'direct' }, {}],
      ['a grid worker (网格员) report', { source: 'grid_worker', gridWorker: { name: '网格员李四' } }, { gridWorker: { name: '网格员李四' } }],
      ['an agent (信访代理) with the authorisation', { source: 'agent', agent: { name: '代理人赵六', authorisation: '授权委托书 2026-031' } }, { agent: { name: '代理人赵六', authorisation: '授权委托书 2026-031' } }],
      ['assigned down (上级交办) by the provincial bureau', { source: 'assigned_down', superior: { body: '浙江省信访局', documentNo: '浙访交〔2026〕12号' } }, { superior: { body: '浙江省信访局', documentNo: '浙访交〔2026〕12号' } }],
      ['forwarded down (上级转送)', { source: 'forwarded_down', superior: { body: '国家信访局', documentNo: '国信转〔2026〕88号' } }, { superior: { body: '国家信访局', documentNo: '国信转〔2026〕88号' } }],
      ['a leader reception day (领导接访)', { source: 'leader_reception', leaderReception: { leaderName: '市长', date: '2026-11-20' } }, { leaderReception: { leaderName: '市长', date: '2026-11-20' } }],
    ])('%s → 201, and the record keeps who brought it', async (_what, patch, kept) => {
      const answer = await b.register(patch);
      const m = await detail(answer.caseNo);
      expect(m.source).toBe(patch.source);
      expect(m.intake).toMatchObject(kept);
    });

    it.each([
      ['a grid worker report without the grid worker', { source: 'grid_worker' }, 'gridWorker'],
      ['an agent filing without the agent', { source: 'agent' }, 'agent'],
      ['an agent without the authorisation', { source: 'agent', agent: { name: '代理人赵六' } }, 'agent.authorisation'],
      ['an assignment from above without the superior', { source: 'assigned_down' }, 'superior'],
      ['a forwarding from above without the superior', { source: 'forwarded_down' }, 'superior'],
      ['a leader reception without the leader', { source: 'leader_reception' }, 'leaderReception'],
    ])('%s → 400 naming %s', async (_what, patch, field) => {
      const before = await matterCount();
      const res = await b.post('/api/petitions', 'registrar-city', sampleBody(patch));
      expect(res.statusCode).toBe(400);
      expect(res.json().fields).toHaveProperty([field]);
      expect(await matterCount()).toBe(before);
    });

    it('an anonymous letter needs no petitioner', async () => {
      const answer = await b.register({ anonymous: true, petitioners: [] });
      expect((await detail(answer.caseNo)).petitioners).toEqual([]);
    });
  });

  describe('possible repeats (same petitioner ID, open matters)', () => {
    it('a second petition by the same ID number lists the first, open one; another petitioner’s does not', async () => {
      const id = `${uniqueIdNumber().slice(0, 17)}X`;
      const first = await b.register({ petitioners: [{ name: '钱七', main: true, idNumber: id }] });
      // Beside an open matter of the same petitioner, the registrar must link it or say why it is a new matter.
      const refused = await b.post('/api/petitions', 'registrar-city', { ...sampleBody(), petitioners: [{ name: '钱七', main: true, idNumber: id }], channel: 'phone' });
      expect(refused.statusCode).toBe(409);
      expect(refused.json()).toMatchObject({ error: 'PossibleRepeat', fields: { newMatterReason: expect.stringContaining(first.caseNo) } });
      const second = await b.register({ petitioners: [{ name: '钱七', main: true, idNumber: id }], channel: 'phone', newMatterReason: '另一处违建，不同事实' });
      expect(second.possibleRepeats).toEqual([expect.objectContaining({ caseNo: first.caseNo, status: 'TRIAGE' })]);
      const third = await b.register({ petitioners: [{ name: '钱七', main: true, idNumber: id.toLowerCase() }], channel: 'online', newMatterReason: '第三件不同诉求' });
      expect(third.possibleRepeats.map((r) => r.caseNo).sort()).toEqual([first.caseNo, second.caseNo].sort());
      const other = await b.register({});
      expect(other.possibleRepeats).toEqual([]);
    });

    it('a matter that has ended (not accepted) is no longer a possible repeat', async () => {
      const id = uniqueIdNumber();
      const ended = await b.register({ petitioners: [{ name: '孙八', main: true, idNumber: id }] });
      const res = await b.post(`/api/petitions/${ended.caseNo}/not-accept`, 'registrar-city', { reason: '已经人民法院受理，不属于信访事项' });
      expect(res.statusCode, res.body).toBe(200);
      await b.waitForMatter(ended.caseNo, (m) => m.status === 'NOT_ACCEPTED' && !m.open, 'not accepted');
      const again = await b.register({ petitioners: [{ name: '孙八', main: true, idNumber: id }] });
      expect(again.possibleRepeats).toEqual([]);
    });
  });

  describe('Idempotency-Key', () => {
    it('the same request retried with the same key returns the same case number; one matter only', async () => {
      const body = sampleBody({ summary: `幂等重试测试 ${Date.now()}` });
      const headers = { 'idempotency-key': `retry-${Date.now()}-abc` };
      const first = await b.post('/api/petitions', 'registrar-city', body, headers);
      expect(first.statusCode).toBe(201);
      const second = await b.post('/api/petitions', 'registrar-city', body, headers);
      expect(second.statusCode).toBe(201);
      expect(second.json<RegisterAnswer>().caseNo).toBe(first.json<RegisterAnswer>().caseNo);
      const rows = await b.database.db.select().from(petitions).where(eq(petitions.summary, body.summary as string));
      expect(rows).toHaveLength(1);
      await b.waitForMatter(rows[0]!.caseNo, (m) => m.status === 'TRIAGE');
    });

    it('the same key sent five times at once still makes one matter', async () => {
      const body = sampleBody({ summary: `并发幂等测试 ${Date.now()}` });
      const headers = { 'idempotency-key': `burst-${Date.now()}-xyz` };
      const answers = await Promise.all(Array.from({ length: 5 }, () => b.post('/api/petitions', 'registrar-city', body, headers)));
      for (const a of answers) expect(a.statusCode, a.body).toBe(201);
      expect(new Set(answers.map((a) => a.json<RegisterAnswer>().caseNo)).size).toBe(1);
      expect(await b.database.db.select().from(petitions).where(eq(petitions.summary, body.summary as string))).toHaveLength(1);
    });

    it('two registrations racing with the same key (both past the key lookup, as two API instances would be) → one matter, the same answer', async () => {
      const [registrar] = await b.database.db.select().from(users).where(eq(users.id, 'registrar-city'));
      const intake = intakeSchema.parse(sampleBody({ summary: `并发登记竞争测试 ${Date.now()}` }));
      const deps = { db: b.database.db, temporal: b.env.client, config: b.config };
      const key = `race-${Date.now()}-key`;
      const [x, y] = await Promise.all([registerPetition(deps, registrar!, intake, key), registerPetition(deps, registrar!, intake, key)]);
      expect(y.caseNo).toBe(x.caseNo);
      expect(await b.database.db.select().from(petitions).where(eq(petitions.summary, intake.summary))).toHaveLength(1);
      // The loser's case number went back with its statement: every number of the day belongs to a matter, no gap
      // (the races of the tests above included).
      const day = x.caseNo.slice(2, 10);
      const [counter] = await b.database.db.select().from(caseNumberCounters).where(eq(caseNumberCounters.day, day));
      expect(await b.database.db.select({ caseNo: petitions.caseNo }).from(petitions).where(like(petitions.caseNo, `LS${day}%`))).toHaveLength(counter!.last);
    });

    it('the same key with a different request → 422, nothing new', async () => {
      const headers = { 'idempotency-key': `reused-${Date.now()}-key` };
      expect((await b.post('/api/petitions', 'registrar-city', sampleBody(), headers)).statusCode).toBe(201);
      const before = await matterCount();
      const res = await b.post('/api/petitions', 'registrar-city', sampleBody({ summary: '另一件完全不同的信访事项' }), headers);
      expect(res.statusCode).toBe(422);
      expect(await matterCount()).toBe(before);
    });

    it('another user replaying someone’s key → 422', async () => {
      const body = sampleBody();
      const headers = { 'idempotency-key': `theirs-${Date.now()}-key` };
      expect((await b.post('/api/petitions', 'registrar-city', body, headers)).statusCode).toBe(201);
      expect((await b.post('/api/petitions', 'admin', body, headers)).statusCode).toBe(422);
    });
  });

  describe('a further submission on an open matter (linkToCaseNo)', () => {
    let target: RegisterAnswer;
    beforeAll(async () => {
      target = await b.register({ channel: 'letter' });
    });

    it('→ 200 outcome "linked": no new matter or workflow; the submission shows in the record and its timeline', async () => {
      const before = await matterCount();
      const res = await b.post('/api/petitions', 'registrar-city', sampleBody({ channel: 'phone', summary: '再次来电反映违章建筑仍未拆除', linkToCaseNo: target.caseNo }), {
        'idempotency-key': `link-${target.caseNo}-1`,
      });
      expect(res.statusCode, res.body).toBe(200);
      const answer = res.json<RegisterAnswer>();
      expect(answer).toMatchObject({ outcome: 'linked', caseNo: target.caseNo, workflowId: target.workflowId });
      expect(answer.submissionId).toBeTruthy();
      expect(answer.queryCode).toBeUndefined();
      expect(await matterCount()).toBe(before);

      const m = await b.waitForMatter(target.caseNo, (x) => x.timeline.some((e) => e.type === 'submission.linked'), 'submission.linked on the timeline');
      expect(m.submissions.map((s) => ({ id: s.id, channel: s.channel, initial: s.initial }))).toEqual([
        { id: `${target.caseNo}-S1`, channel: 'letter', initial: true },
        { id: answer.submissionId, channel: 'phone', initial: false },
      ]);
      expect(m.timeline.find((e) => e.type === 'submission.linked')!.data).toMatchObject({ id: answer.submissionId, channel: 'phone' });
      expect(m.status).toBe('TRIAGE');

      // The running workflow counted it (a signal to the existing workflow, not a new one).
      const live = (await b.get(`/api/petitions/${target.caseNo}/state`, 'registrar-city')).json<PetitionState>();
      expect(live.submissions).toMatchObject({ total: 2, repeats: 1 });
    });

    it('retried with the same key: the same submission, recorded once', async () => {
      const body = sampleBody({ channel: 'visit', summary: '第三次来访反映同一问题', linkToCaseNo: target.caseNo });
      const headers = { 'idempotency-key': `link-${target.caseNo}-2` };
      const first = await b.post('/api/petitions', 'registrar-city', body, headers);
      const second = await b.post('/api/petitions', 'registrar-city', body, headers);
      expect(first.statusCode).toBe(200);
      expect(second.statusCode).toBe(200);
      const id = first.json<RegisterAnswer>().submissionId!;
      expect(second.json<RegisterAnswer>().submissionId).toBe(id);
      const m = await b.waitForMatter(target.caseNo, (x) => x.timeline.some((e) => e.type === 'submission.linked' && e.data.id === id), 'the second linked submission');
      expect(m.timeline.filter((e) => e.type === 'submission.linked' && e.data.id === id)).toHaveLength(1);
      expect(await b.database.db.select().from(submissions).where(eq(submissions.id, id))).toHaveLength(1);
      const live = (await b.get(`/api/petitions/${target.caseNo}/state`, 'registrar-city')).json<PetitionState>();
      expect(live.submissions.total).toBe(3);
    });

    it('to a matter that has ended (not accepted) → 409 asking for a new petition; nothing recorded', async () => {
      const ended = await b.register();
      expect((await b.post(`/api/petitions/${ended.caseNo}/not-accept`, 'registrar-city', { reason: '属于行政复议受理范围' })).statusCode).toBe(200);
      await b.waitForMatter(ended.caseNo, (m) => m.status === 'NOT_ACCEPTED', 'not accepted');
      const res = await b.post('/api/petitions', 'registrar-city', sampleBody({ linkToCaseNo: ended.caseNo }));
      expect(res.statusCode).toBe(409);
      expect(res.json().message).toMatch(/has ended \(NOT_ACCEPTED\)/);
      expect((await b.database.db.select().from(submissions).where(eq(submissions.caseNo, ended.caseNo))).map((s) => s.initial)).toEqual([true]);
    });

    it('to an unknown matter → 404', async () => {
      const res = await b.post('/api/petitions', 'registrar-city', sampleBody({ linkToCaseNo: 'LS2026010199999' }));
      expect(res.statusCode).toBe(404);
    });

    it('to a matter outside the registrar’s jurisdiction → 403', async () => {
      const qingtian = await b.register({ divisionCode: '331121' }, 'registrar-qingtian');
      const res = await b.post('/api/petitions', 'registrar-liandu', sampleBody({ linkToCaseNo: qingtian.caseNo }));
      expect(res.statusCode).toBe(403);
    });
  });

  describe('refused intake', () => {
    it('a receivedAt in the future → 400 naming receivedAt; nothing written', async () => {
      const before = await matterCount();
      const keys = (await b.database.db.select({ n: sql<number>`count(*)::int` }).from(idempotencyKeys))[0]!.n;
      const res = await b.post('/api/petitions', 'registrar-city', sampleBody({ receivedAt: new Date(Date.now() + 3_600_000).toISOString() }));
      expect(res.statusCode).toBe(400);
      expect(res.json().fields).toHaveProperty('receivedAt');
      expect(await matterCount()).toBe(before);
      expect((await b.database.db.select({ n: sql<number>`count(*)::int` }).from(idempotencyKeys))[0]!.n).toBe(keys);
    });

    it.each(['registrar-city', 'admin'])('an unknown division code → 400 naming divisionCode (as %s)', async (userId) => {
      const res = await b.post('/api/petitions', userId, sampleBody({ divisionCode: '999999' }));
      expect(res.statusCode).toBe(400);
      expect(res.json().fields).toHaveProperty('divisionCode');
    });

    it('an unknown accused unit → 400 naming accusedUnitIds', async () => {
      const res = await b.post('/api/petitions', 'registrar-city', sampleBody({ purpose: 'report', accusedUnitIds: ['no-such-unit'] }));
      expect(res.statusCode).toBe(400);
      expect(res.json().fields).toHaveProperty('accusedUnitIds');
    });
  });

  it("past the day's 99,999th matter the sequence takes a sixth digit; the first submission and the workflow id follow the number", async () => {
    const day = shanghaiDateOf(new Date().toISOString()).replaceAll('-', '');
    await b.database.db.insert(caseNumberCounters).values({ day, last: 99_999 }).onConflictDoUpdate({ target: caseNumberCounters.day, set: { last: 99_999 } });
    const answer = await b.register();
    expect(answer.caseNo).toBe(`LS${day}100000`);
    expect(answer.workflowId).toBe(`petition-LS${day}100000`);
    const [s] = await b.database.db.select().from(submissions).where(eq(submissions.caseNo, answer.caseNo));
    expect(s!.id).toBe(`LS${day}100000-S1`);
    await b.waitForMatter(answer.caseNo, (m) => m.status === 'TRIAGE');
  });
});
