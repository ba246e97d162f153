import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { and, eq, sql } from 'drizzle-orm';
import { auditLog, tasks } from '../../db/schema';
import { migrationsFolder } from '../../db/client';
import { backlogRef } from '../../read-model/backlog';
import { createApiBench, eventually, todayInShanghai, type ApiBench } from '../support/api';

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
  /** The refusals (access.refused) of a user on a route, as the refusal hook records them. */
  const refusals = async (userId: string, route: string) =>
    (await b.database.db.select().from(auditLog).where(and(eq(auditLog.action, 'access.refused'), eq(auditLog.userId, userId)))).filter((r) => r.detail?.route === route);

  // A three-party review's recording is stored under DATA_DIR.
  const dataDir = mkdtempSync(join(tmpdir(), 'personal-data-reads-'));
  beforeAll(async () => {
    b = await createApiBench({ DATA_DIR: dataDir });
  });
  afterAll(async () => {
    await b?.teardown();
    rmSync(dataDir, { recursive: true, force: true });
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

    it("the register lists the assignment's reason withheld, as the masked record gives it; the full record has it", async () => {
      const list = await b.get('/api/backlog?limit=1000', 'supervisor-city');
      expect(list.statusCode, list.body).toBe(200);
      const row = list.json<{ items: { id: string; reason: string | null; leaderName: string | null }[] }>().items.find((r) => r.id === id);
      expect(row).toMatchObject({ reason: null, leaderName: '林亮测试' });
      expect(list.body).not.toContain('拆迁安置');
      const masked = (await b.get(url(), 'supervisor-city')).json();
      expect(masked.reason).toBeNull();
      expect(masked.state.reason).toBeNull();
      const full = (await b.get(`${url()}?personalData=full`, 'supervisor-city')).json();
      expect(full.reason).toBe('市交办重复信访积案：拆迁安置');
    });

    it('the work list names the open recommendation by its number, not its text', async () => {
      const res = await b.get('/api/tasks?limit=500', 'supervisor-city');
      expect(res.statusCode, res.body).toBe(200);
      const task = res.json<{ items: { caseNo: string; kind: string; detail: string | null }[] }>().items.find((t) => t.caseNo === backlogRef(id) && t.kind === 'backlog_recommendations');
      expect(task?.detail).toBe('实地督查建议待落实 1 条：1.1（建议全文见积案记录）');
      expect(res.body).not.toContain('赵六');
    });

    it('tasks written before (with the texts) are rewritten by the migration to the numbers only', async () => {
      const ref = backlogRef(id);
      const { db } = b.database;
      await db.update(tasks).set({ detail: '实地督查建议待落实：1.1 月底前向赵六交付安置房' }).where(and(eq(tasks.caseNo, ref), eq(tasks.kind, 'backlog_recommendations')));
      await db.insert(tasks).values({ caseNo: 'backlog:gone', kind: 'backlog_recommendations', assigneeRole: 'supervisor', unitId: null, divisionCode: '331102', detail: '实地督查建议待落实：1.1 向钱七道歉' });
      const migration = readFileSync(join(migrationsFolder, '0015_task_recommendations_by_number.sql'), 'utf8');
      for (const statement of migration.split('--> statement-breakpoint')) await db.execute(sql.raw(statement));
      const [rewritten] = await db.select().from(tasks).where(and(eq(tasks.caseNo, ref), eq(tasks.kind, 'backlog_recommendations')));
      expect(rewritten!.detail).toBe('实地督查建议待落实 1 条：1.1（建议全文见积案记录）');
      const [orphan] = await db.select().from(tasks).where(eq(tasks.caseNo, 'backlog:gone'));
      expect(orphan!.detail).toBe('实地督查建议待落实（建议全文见积案记录）');
      await db.delete(tasks).where(eq(tasks.caseNo, 'backlog:gone'));
    });

    it("a check-in answers with the case's notes withheld; with personalData=full in clear, audited as read_backlog", async () => {
      const masked = await b.post(`/api/backlog/${id}/check-ins`, 'supervisor-city', { date: today(), notes: '再次走访赵六，其同意等待', metPetitioner: true });
      expect(masked.statusCode, masked.body).toBe(200);
      const m = masked.json();
      expect(m.personalData).toBe('masked');
      expect(m.checkIns).toHaveLength(2);
      expect(m.checkIns.map((c: { notes: string | null }) => c.notes)).toEqual([null, null]);
      expect(m.dossier[0]).toMatchObject({ participants: ['赵*', '林***'], notes: null });
      expect(m.supervisions[0].recommendations[0].text).toBeNull();
      expect(masked.body).not.toContain('赵六');
      const commandReads = async () => (await auditRows('read_backlog', 'supervisor-city', backlogRef(id))).filter((r) => r.detail?.command);
      expect(await commandReads()).toHaveLength(0);

      const full = await b.post(`/api/backlog/${id}/dossier?personalData=full`, 'supervisor-city', { kind: 'document', title: '信访人书面承诺', date: today(), notes: '赵六承诺不再越级' });
      expect(full.statusCode, full.body).toBe(200);
      const f = full.json();
      expect(f.personalData).toBe('full');
      expect(f.checkIns[1].notes).toBe('再次走访赵六，其同意等待');
      expect(f.dossier[1]).toMatchObject({ title: '信访人书面承诺', notes: '赵六承诺不再越级' });
      const rows = await commandReads();
      expect(rows).toHaveLength(1);
      expect(rows[0]!.detail).toMatchObject({ id, command: 'POST /api/backlog/:id/dossier' });
    });

    it('a command asking for the full state outside the jurisdiction is refused (403, audited) and not applied', async () => {
      const other = await b.post(
        '/api/backlog',
        'supervisor-city',
        { assigningLevel: 'city', assigningBody: '丽水市信访局', assignedOn: today(), divisionCode: '331121', reason: '青田县重复信访积案：征地补偿', leaderName: '青田测试' },
        { 'idempotency-key': `personal-backlog-qt-${Date.now()}` },
      );
      expect(other.statusCode, other.body).toBe(201);
      const otherId = other.json<{ id: string }>().id;
      await eventually(async () => ((await b.get(`/api/backlog/${otherId}`, 'admin')).statusCode === 200 ? true : undefined), 'the Qingtian case in the register');
      const res = await b.post(`/api/backlog/${otherId}/check-ins?personalData=full`, 'supervisor-liandu', { date: today(), notes: '不应记下的走访', metPetitioner: false });
      expect(res.statusCode).toBe(403);
      expect(await auditRows('read_backlog', 'supervisor-liandu', backlogRef(otherId))).toHaveLength(0);
      expect((await refusals('supervisor-liandu', '/api/backlog/:id/check-ins')).some((r) => r.detail?.path === `/api/backlog/${otherId}/check-ins`)).toBe(true);
      const state = (await b.get(`/api/backlog/${otherId}?personalData=full`, 'supervisor-city')).json();
      expect(state.state.checkIns).toEqual([]);
    });
  });

  describe("a matter's command answers", () => {
    let caseNo = '';
    const cmd = (path: string, userId: string, body: object = {}, query = '') => b.post(`/api/petitions/${caseNo}/${path}${query}`, userId, body);
    beforeAll(async () => {
      ({ caseNo } = await b.register());
    });

    it("the registrar's forward answers with the registrar's own note withheld, and is not audited", async () => {
      const res = await cmd('forward', 'registrar-city', { mode: 'assign', unitId: 'liandu-housing', note: '李四反映的违建请尽快核查' });
      expect(res.statusCode, res.body).toBe(200);
      const s = res.json();
      expect(s).toMatchObject({ caseNo, status: 'AWAITING_ACCEPTANCE', unitId: 'liandu-housing', personalData: 'masked' });
      expect(s.handOff).toMatchObject({ unitId: 'liandu-housing', note: null });
      expect(res.body).not.toContain('李四');
      expect(await auditRows('read_petition_state', 'registrar-city', caseNo)).toHaveLength(0);
    });

    it("a unit handler's accept answers with the registrar's note masked; with personalData=full in clear and audited", async () => {
      const accepted = await cmd('accept', 'handler-liandu-housing');
      expect(accepted.statusCode, accepted.body).toBe(200);
      expect(accepted.json()).toMatchObject({ status: 'IN_HANDLING', personalData: 'masked', handOff: { note: null } });
      expect(accepted.body).not.toContain('李四');
      expect(await auditRows('read_petition_state', 'handler-liandu-housing', caseNo)).toHaveLength(0);

      const met = await cmd('meetings', 'handler-liandu-housing', { meeting: 1, date: todayInShanghai(), place: '住建局接待室', participants: ['李四', '承办人张明'], notes: '李四表示违建遮挡其家采光' }, '?personalData=full');
      expect(met.statusCode, met.body).toBe(200);
      const s = met.json();
      expect(s.personalData).toBe('full');
      expect(s.handOff.note).toBe('李四反映的违建请尽快核查');
      expect(s.meetings['1']).toMatchObject({ participants: ['李四', '承办人张明'], notes: '李四表示违建遮挡其家采光' });
      const rows = await auditRows('read_petition_state', 'handler-liandu-housing', caseNo);
      expect(rows).toHaveLength(1);
      expect(rows[0]!.detail).toMatchObject({ command: 'POST /api/petitions/:caseNo/meetings' });
    });

    it('the next command, masked again by default: the meeting participants masked and its notes withheld', async () => {
      const res = await cmd('reply', 'handler-liandu-housing', { request: '拆除李四家旁违建', facts: '经查属实', opinion: '责令限期拆除', legalBasis: '《城乡规划法》第六十四条', deliveryMethod: 'in_person' });
      expect(res.statusCode, res.body).toBe(200);
      const s = res.json();
      expect(s).toMatchObject({ status: 'REPLIED', personalData: 'masked' });
      expect(s.meetings['1']).toMatchObject({ participants: ['李*', '承****'], notes: null });
      expect(s.reply).toMatchObject({ request: null, facts: null, opinion: null, legalBasis: '《城乡规划法》第六十四条' });
      expect(res.body).not.toContain('李四');
      expect(await auditRows('read_petition_state', 'handler-liandu-housing', caseNo)).toHaveLength(1);
    });

    it('asked for in full outside the jurisdiction: 403, the refusal audited, nothing applied or read', async () => {
      const res = await cmd('return-visits', 'registrar-qingtian', { date: todayInShanghai(), notes: '不应记下的回访' }, '?personalData=full');
      expect(res.statusCode).toBe(403);
      expect(await auditRows('read_petition_state', 'registrar-qingtian', caseNo)).toHaveLength(0);
      const refused = await eventually(async () => (await refusals('registrar-qingtian', '/api/petitions/:caseNo/return-visits')).find((r) => r.detail?.path === `/api/petitions/${caseNo}/return-visits`), 'the refusal audited');
      expect(refused.detail).toMatchObject({ method: 'POST', status: 403 });
      const state = (await b.get(`/api/petitions/${caseNo}/state?personalData=full`, 'registrar-city')).json();
      expect(state.returnVisits).toEqual([]);
    });
  });

  describe("an escalation's command answers", () => {
    let caseNo = '';
    let base = '';
    let reviewId = '';
    beforeAll(async () => {
      ({ caseNo } = await b.register({ divisionCode: '331121' }));
      // Six people at the national bureau: a three-party review (and an investigation) start.
      const v = await b.post(`/api/petitions/${caseNo}/visits`, 'registrar-city', { at: new Date().toISOString(), level: 'national', place: '国家信访局', persons: 6, receivedBy: '接待员李' });
      expect(v.statusCode, v.body).toBe(202);
      reviewId = (await eventually(async () => (await b.get(`/api/three-party-reviews?caseNo=${caseNo}`, 'supervisor-city')).json().items[0] as { id: string } | undefined, 'the review')).id;
      base = `/api/three-party-reviews/${reviewId}`;
      const p = await b.post(`${base}/participants`, 'supervisor-city', { countyLeader: '县长', unitRepresentative: '住建局局长', judicialExpert: '律师甲' });
      expect(p.statusCode, p.body).toBe(200);
    });
    const commandReads = async (userId: string) => (await auditRows('read_escalation', userId, caseNo)).filter((r) => r.detail?.command);

    it("the session's answer masks the petitioners present and withholds the notes, as the list does; not audited", async () => {
      const res = await b.post(`${base}/session`, 'supervisor-city', { date: todayInShanghai(), place: '县信访局', petitionersPresent: ['孙小美'], notes: '孙小美要求赔偿损失' });
      expect(res.statusCode, res.body).toBe(200);
      const s = res.json();
      expect(s).toMatchObject({ id: reviewId, personalData: 'masked' });
      expect(s.details.record.session).toMatchObject({ place: '县信访局', petitionersPresent: ['孙**'], notes: null });
      expect(res.body).not.toContain('孙小美');
      expect(await commandReads('supervisor-city')).toHaveLength(0);
    });

    it("the recording's answer masked too; with personalData=full the archive's answer is in clear, audited as read_escalation", async () => {
      const upload = await b.app.inject({ method: 'POST', url: `${base}/recording?fileName=session.mp4`, headers: { ...b.auth('supervisor-city'), 'content-type': 'video/mp4' }, payload: Buffer.alloc(2000, 3) });
      expect(upload.statusCode, upload.body).toBe(200);
      expect(upload.json()).toMatchObject({ personalData: 'masked', details: { record: { session: { petitionersPresent: ['孙**'], notes: null }, recording: { size: 2000 } } } });
      expect(await commandReads('supervisor-city')).toHaveLength(0);
      const res = await b.post(`${base}/archive?personalData=full`, 'supervisor-city', { receiptNo: 'LSLX-2026-009', receivedOn: todayInShanghai() });
      expect(res.statusCode, res.body).toBe(200);
      const s = res.json();
      expect(s).toMatchObject({ status: 'completed', personalData: 'full' });
      expect(s.details.record.session).toMatchObject({ petitionersPresent: ['孙小美'], notes: '孙小美要求赔偿损失' });
      const rows = await commandReads('supervisor-city');
      expect(rows).toHaveLength(1);
      expect(rows[0]!.detail).toMatchObject({ id: reviewId, kind: 'three_party_review', command: 'POST /api/three-party-reviews/:id/archive' });
    });

    it("a warning slip the bureau issues: its reason (what the bureau wrote) withheld in the command's answer and in the list", async () => {
      const issued = await b.post(`/api/petitions/${caseNo}/warning-slip`, 'supervisor-city', { reason: '信访人孙小美扬言到省上访' });
      expect(issued.statusCode, issued.body).toBe(201);
      expect(issued.json().personalData).toBe('masked');
      expect(issued.body).not.toContain('孙小美');
      const slip = await eventually(async () => (await b.get(`/api/warning-slips?caseNo=${caseNo}`, 'supervisor-city')).json().items[0] as { id: string; state: { details: { reason: unknown }; recent: { type: string; data: Record<string, unknown> }[] } } | undefined, 'the slip listed');
      expect(slip.state.details.reason).toBeNull();
      expect(slip.state.recent.find((e) => e.type === 'slip.issued')?.data).toMatchObject({ reason: null });
      expect((await b.get(`/api/warning-slips?caseNo=${caseNo}`, 'supervisor-city')).body).not.toContain('孙小美');
      // The live state (the full record, audited) has it.
      expect((await b.get(`/api/warning-slips/${slip.id}`, 'supervisor-city')).json().details.reason).toBe('信访人孙小美扬言到省上访');
    });

    it('asked for in full outside the jurisdiction: 403, the refusal audited, nothing applied or read', async () => {
      const inv = await eventually(async () => (await b.get(`/api/investigations?caseNo=${caseNo}`, 'supervisor-city')).json().items[0] as { id: string } | undefined, 'the investigation');
      // The matter lies in 青田县 (331121): not the Liandu supervisor's.
      const res = await b.post(`/api/investigations/${inv.id}/conclusion?personalData=full`, 'supervisor-liandu', { handlingFinding: '已按程序办理', accountabilityFinding: '无人需担责', recommendation: 'none' });
      expect(res.statusCode).toBe(403);
      expect(await commandReads('supervisor-liandu')).toHaveLength(0);
      expect((await refusals('supervisor-liandu', '/api/investigations/:id/conclusion')).some((r) => r.detail?.path === `/api/investigations/${inv.id}/conclusion`)).toBe(true);
      expect((await b.get(`/api/investigations/${inv.id}`, 'supervisor-city')).json().status).not.toBe('closed');
    });
  });
});
