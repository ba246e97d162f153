import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { auditLog } from '../../db/schema';
import { backlogRef } from '../../read-model/backlog';
import { createApiBench, eventually, type ApiBench } from '../support/api';

/** Today in Asia/Shanghai, as the caseworkers date their records. */
const today = () => new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);

/**
 * Issue 10, defect 4: every API path that returns personal data masks it unless the full record is asked for, and a
 * full read is audited. Here the matter's live state (GET /state: meeting participants, notes, reasons, reply texts)
 * and a backlog case's record (check-in notes, the dossier, on-site supervision findings).
 */
describe('personal data in live states and backlog records: masked by default, full reads audited', () => {
  let b: ApiBench;
  const auditRows = (action: string, userId: string, caseNo: string) =>
    b.database.db.select().from(auditLog).where(and(eq(auditLog.action, action), eq(auditLog.userId, userId), eq(auditLog.caseNo, caseNo)));

  beforeAll(async () => {
    b = await createApiBench();
  });
  afterAll(async () => {
    await b?.teardown();
  });

  describe("a matter's live state", () => {
    let caseNo = '';
    const url = () => `/api/petitions/${caseNo}/state`;
    beforeAll(async () => {
      ({ caseNo } = await b.register());
      const cmd = async (path: string, userId: string, body: object = {}) => expect((await b.post(`/api/petitions/${caseNo}/${path}`, userId, body)).statusCode).toBe(200);
      await cmd('forward', 'registrar-city', { mode: 'assign', unitId: 'liandu-housing', note: '王五反映的违建请尽快核查' });
      await cmd('accept', 'handler-liandu-housing');
      await cmd('meetings', 'handler-liandu-housing', { meeting: 1, date: today(), place: '住建局接待室', participants: ['王五', '承办人张明'], notes: '王五表示违建遮挡其家采光' });
      await cmd('reply', 'handler-liandu-housing', { request: '拆除王五家旁违建', facts: '经查属实', opinion: '责令限期拆除', legalBasis: '《城乡规划法》第六十四条', deliveryMethod: 'in_person' });
    });

    it('masked by default: names masked, notes and reply texts withheld, not audited', async () => {
      const res = await b.get(url(), 'registrar-city');
      expect(res.statusCode, res.body).toBe(200);
      const s = res.json();
      expect(s).toMatchObject({ caseNo, status: 'REPLIED', unitId: 'liandu-housing', personalData: 'masked' });
      expect(s.meetings['1']).toMatchObject({ participants: ['王*', '承****'], notes: null, place: '住建局接待室' });
      expect(s.handOff).toMatchObject({ unitId: 'liandu-housing', note: null });
      expect(s.reply).toMatchObject({ request: null, facts: null, opinion: null, legalBasis: '《城乡规划法》第六十四条' });
      // The recent timeline carries the same records: masked too.
      const held = s.recent.find((e: { type: string }) => e.type === 'meeting.held');
      expect(held.data).toMatchObject({ participants: ['王*', '承****'], notes: null });
      expect(JSON.stringify(s)).not.toContain('王五');
      expect(await auditRows('read_petition_state', 'registrar-city', caseNo)).toHaveLength(0);
    });

    it("the full record read masked (the console's matter page) masks its timeline the same way", async () => {
      const m = (await b.get(`/api/petitions/${caseNo}?personalData=masked`, 'registrar-city')).json<{ timeline: { type: string; data: Record<string, unknown> }[] }>();
      expect(m.timeline.find((e) => e.type === 'meeting.held')?.data).toMatchObject({ participants: ['王*', '承****'], notes: null });
      expect(m.timeline.find((e) => e.type === 'triage.assigned')?.data).toMatchObject({ unitId: 'liandu-housing', note: null });
      const full = (await b.get(`/api/petitions/${caseNo}`, 'registrar-city')).json<{ timeline: { type: string; data: Record<string, unknown> }[] }>();
      expect(full.timeline.find((e) => e.type === 'meeting.held')?.data).toMatchObject({ participants: ['王五', '承办人张明'], notes: '王五表示违建遮挡其家采光' });
    });

    it('in full for a user who may read the matter, and the read is audited', async () => {
      const res = await b.get(`${url()}?personalData=full`, 'registrar-city');
      expect(res.statusCode, res.body).toBe(200);
      const s = res.json();
      expect(s.personalData).toBe('full');
      expect(s.meetings['1']).toMatchObject({ participants: ['王五', '承办人张明'], notes: '王五表示违建遮挡其家采光' });
      expect(s.reply.request).toBe('拆除王五家旁违建');
      expect(await auditRows('read_petition_state', 'registrar-city', caseNo)).toHaveLength(1);
    });

    it('refused outside the jurisdiction, and the refusal is audited', async () => {
      const res = await b.get(`${url()}?personalData=full`, 'registrar-qingtian');
      expect(res.statusCode).toBe(403);
      expect(await auditRows('read_petition_state', 'registrar-qingtian', caseNo)).toHaveLength(0);
      const refused = await eventually(async () => (await auditRows('access.refused', 'registrar-qingtian', caseNo)).find((r) => r.detail?.route === '/api/petitions/:caseNo/state'), 'the refusal audited');
      expect(refused.detail).toMatchObject({ method: 'GET', status: 403 });
    });
  });

  describe("a backlog case's record", () => {
    let id = '';
    const url = () => `/api/backlog/${id}`;
    beforeAll(async () => {
      const assigned = await b.post(
        '/api/backlog',
        'supervisor-city',
        { assigningLevel: 'city', assigningBody: '丽水市信访局', assignedOn: today(), divisionCode: '331102', reason: '市交办重复信访积案：拆迁安置', leaderName: '林亮测试' },
        { 'idempotency-key': `personal-backlog-${Date.now()}` },
      );
      expect(assigned.statusCode, assigned.body).toBe(201);
      id = assigned.json<{ id: string }>().id;
      await eventually(async () => ((await b.get(url(), 'admin')).statusCode === 200 ? true : undefined), 'the backlog case in the register');
      const cmd = async (path: string, body: object) => {
        const res = await b.post(`/api/backlog/${id}/${path}`, 'supervisor-city', body);
        expect(res.statusCode, res.body).toBe(200);
        return res.json<{ seq: number }>();
      };
      await cmd('check-ins', { date: today(), notes: '到赵六家中走访，赵六要求安置房尽快交付', metPetitioner: true });
      await cmd('dossier', { kind: 'meeting', title: '专班协调会', date: today(), participants: ['赵六', '林亮测试'], notes: '赵六同意分期交付' });
      const last = await cmd('supervisions', { date: today(), sawHandler: true, sawPetitioner: true, sawFile: true, findings: '赵六的安置房尚未交付', recommendations: ['月底前向赵六交付安置房'] });
      // The register row is projected from the workflow: wait until it shows the last command.
      await eventually(async () => {
        const r = (await b.get(`${url()}?personalData=full`, 'admin')).json<{ state: { seq: number } }>();
        return r.state.seq >= last.seq ? true : undefined;
      }, 'the backlog case projected');
    });

    it('masked by default, for any reader: check-in notes, the dossier and the findings withheld, names masked; not audited', async () => {
      for (const userId of ['registrar-city', 'supervisor-city']) {
        const res = await b.get(url(), userId);
        expect(res.statusCode, res.body).toBe(200);
        const c = res.json();
        expect(c).toMatchObject({ id, personalData: 'masked', leaderName: '林亮测试' });
        expect(c.state.checkIns).toEqual([expect.objectContaining({ date: today(), notes: null, metPetitioner: true })]);
        expect(c.state.dossier).toEqual([expect.objectContaining({ title: '专班协调会', participants: ['赵*', '林***'], notes: null })]);
        expect(c.state.supervisions[0]).toMatchObject({ findings: null, recommendations: [{ no: 1, text: null, status: 'open' }] });
        expect(JSON.stringify(c)).not.toContain('赵六');
        expect(await auditRows('read_backlog', userId, backlogRef(id))).toHaveLength(0);
      }
    });

    it('in full for those who keep the case (supervisor), audited', async () => {
      const res = await b.get(`${url()}?personalData=full`, 'supervisor-city');
      expect(res.statusCode, res.body).toBe(200);
      const c = res.json();
      expect(c.personalData).toBe('full');
      expect(c.state.checkIns[0].notes).toBe('到赵六家中走访，赵六要求安置房尽快交付');
      expect(c.state.dossier[0]).toMatchObject({ participants: ['赵六', '林亮测试'], notes: '赵六同意分期交付' });
      expect(c.state.supervisions[0]).toMatchObject({ findings: '赵六的安置房尚未交付', recommendations: [{ text: '月底前向赵六交付安置房' }] });
      const rows = await auditRows('read_backlog', 'supervisor-city', backlogRef(id));
      expect(rows).toHaveLength(1);
      expect(rows[0]!.detail).toMatchObject({ id });
    });

    it('a full read refused to a role that does not keep the case (registrar), and the refusal audited', async () => {
      const res = await b.get(`${url()}?personalData=full`, 'registrar-city');
      expect(res.statusCode).toBe(403);
      expect(await auditRows('read_backlog', 'registrar-city', backlogRef(id))).toHaveLength(0);
      const refused = await b.database.db.select().from(auditLog).where(and(eq(auditLog.action, 'access.refused'), eq(auditLog.userId, 'registrar-city')));
      expect(refused.some((r) => r.detail?.route === '/api/backlog/:id' && r.detail?.path === url())).toBe(true);
    });
  });
});
