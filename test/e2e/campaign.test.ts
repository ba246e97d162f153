/**
 * The campaign on the real stack. The four sweeps (Temporal dev server, PostgreSQL, worker, API over HTTP): the worker created
 * their schedules (Asia/Shanghai, overlap SKIP, catch-up window), each is triggered, and each run writes its
 * digest and the units' notices in their work lists. Periods are derived from today, as a run would. Then the
 * supervisors' queries on live workflow state: search attributes upserted by a forwarded matter and by running backlog
 * cases, queried through the API within the caller's jurisdiction, and reconciled with the read model.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq, like } from 'drizzle-orm';
import { Client, Connection, ScheduleOverlapPolicy } from '@temporalio/client';
import { codecDataConverter, codecFor } from '../../lib/codec';
import { backlogCases, petitions, tasks } from '../../db/schema';
import { addNaturalDays } from '../../domain/dates';
import { sweepPeriod, type SweepKind } from '../../domain/sweeps';
import { ensureSchedules, scheduleIdFor } from '../../services/schedules';
import { eventually, todayInShanghai } from '../support/api';
import { fixtures } from '../support/read-model-fixtures';
import { startStack, type Stack } from '../support/stack';
import type { PetitionState } from '../../domain/matter';
import { workflowIdFor } from '../../workflows/ids';

describe('the campaign on the dev server: scheduled sweeps and live-state queries', () => {
  let stack: Stack;
  let client: Client;
  let connection: Connection;
  let supervisor: string;
  const today = todayInShanghai();

  beforeAll(async () => {
    stack = await startStack();
    connection = await Connection.connect({ address: stack.config.TEMPORAL_ADDRESS! });
    // With the stack's codec, as the worker's own client: the schedules' actions stay encrypted.
    client = new Client({ connection, dataConverter: codecDataConverter(codecFor(stack.config)) });
    supervisor = await stack.token('supervisor-city');
    const f = fixtures(stack.database.db);
    // 天天清: a matter overdue with the 莲都 housing bureau, one with a limit due tomorrow.
    await f.matter('D-OVERDUE', { registeredAt: `${addNaturalDays(today, -70)}T10:00:00+08:00`, unitId: 'liandu-housing' });
    await stack.database.db.update(petitions).set({ overdue: true }).where(eq(petitions.caseNo, 'D-OVERDUE'));
    await f.matter('D-TOMORROW', { registeredAt: `${addNaturalDays(today, -50)}T10:00:00+08:00`, unitId: 'liandu-housing' });
    await f.deadline('D-TOMORROW', 'handling', addNaturalDays(today, 1), 'pending');
    // 周周结: this week one handling limit met, one missed without explanation.
    const week = sweepPeriod('weekly', today);
    await f.matter('W-MET', { registeredAt: `${addNaturalDays(today, -80)}T10:00:00+08:00`, unitId: 'liandu-housing' });
    await f.deadline('W-MET', 'handling', week.start, 'met');
    await f.matter('W-MISSED', { registeredAt: `${addNaturalDays(today, -80)}T10:00:00+08:00`, unitId: 'liandu-housing' });
    await f.deadline('W-MISSED', 'handling', week.start, 'missed');
    // 月月检: five matters of the unit closed last month.
    const month = sweepPeriod('monthly', today);
    for (const n of [1, 2, 3, 4, 5]) await f.matter(`M-${n}`, { registeredAt: `${month.start}T09:00:00+08:00`, unitId: 'liandu-housing', open: false, endedAt: `${addNaturalDays(month.start, n)}T09:00:00+08:00` });
    // 挂牌: last quarter, two Beijing visits on a 青田 matter and one on a 缙云 matter.
    const quarter = sweepPeriod('quarterly', today);
    await f.matter('Q-QT', { division: '331121', registeredAt: `${quarter.start}T09:00:00+08:00` });
    await f.visit('Q-QT', `${addNaturalDays(quarter.start, 10)}T09:00:00+08:00`, { level: 'national' });
    await f.visit('Q-QT', `${addNaturalDays(quarter.start, 20)}T09:00:00+08:00`, { level: 'national' });
    await f.matter('Q-JY', { division: '331122', registeredAt: `${quarter.start}T09:00:00+08:00` });
    await f.visit('Q-JY', `${addNaturalDays(quarter.start, 10)}T09:00:00+08:00`, { level: 'national' });
  });
  afterAll(async () => {
    await connection?.close();
    await stack?.stop();
  });

  /** Triggers the schedule now and waits for the digest this run writes (a re-run replaces the period's digest). */
  async function trigger(kind: SweepKind) {
    const id = `${kind}-${sweepPeriod(kind, today).label}`;
    const get = () => stack.call<{ id: string; createdAt: string; body: Record<string, unknown> }>('GET', `/api/digests/${id}`, supervisor);
    const before = await get();
    const previous = before.status === 200 ? before.body.createdAt : null;
    await client.schedule.getHandle(scheduleIdFor(kind)).trigger();
    return eventually(async () => {
      const res = await get();
      return res.status === 200 && res.body.createdAt !== previous ? res.body : undefined;
    }, `the ${kind} digest`, 60_000, 250);
  }

  it('the worker created the four schedules in Asia/Shanghai with their policies, and creating them again is harmless', async () => {
    await ensureSchedules(client, stack.config.TEMPORAL_TASK_QUEUE);
    const daily = await client.schedule.getHandle('sweep-daily').describe();
    expect(daily.spec.timezone).toBe('Asia/Shanghai');
    expect(daily.spec.calendars?.[0]).toMatchObject({ hour: [{ start: 17, end: 17 }], minute: [{ start: 30, end: 30 }] });
    expect(daily.policies).toMatchObject({ overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: 86_400_000 });
    const weekly = await client.schedule.getHandle('sweep-weekly').describe();
    expect(weekly.spec.calendars?.[0]?.dayOfWeek).toEqual([{ start: 'FRIDAY', end: 'FRIDAY', step: 1 }]);
    const res = await stack.call<{ items: { kind: string; nextActionTimes: string[] }[] }>('GET', '/api/schedules', supervisor);
    expect(res.body.items.map((i) => i.kind)).toEqual(['daily', 'weekly', 'monthly', 'quarterly']);
    // The next 天天清 is at 17:30 Asia/Shanghai = 09:30 UTC.
    expect(res.body.items[0]!.nextActionTimes[0]).toMatch(/T09:30:00\.000Z$/);
  });

  it('天天清: today’s undispatched items, limits due tomorrow and overdue per unit, and the unit is told', async () => {
    const registrar = await stack.token('registrar-city');
    const reg = await stack.call<{ caseNo: string }>('POST', '/api/petitions', registrar, {
      channel: 'letter', divisionCode: '331102', category: 'urban_construction', purpose: 'complaint', summary: '小区旁违章建筑影响采光通风', petitioners: [{ name: '王五', main: true, idNumber: '331102197501019999' }],
    });
    expect(reg.status).toBe(201);
    const d = await trigger('daily');
    const units = d.body.units as { unitId: string | null; undispatched: string[]; dueTomorrow: string[]; overdue: string[] }[];
    expect(units.find((u) => u.unitId === null)?.undispatched).toContain(reg.body.caseNo);
    expect(units.find((u) => u.unitId === 'liandu-housing')).toMatchObject({ dueTomorrow: ['D-TOMORROW(handling)'], overdue: ['D-OVERDUE'] });
    const handler = await stack.token('handler-liandu-housing');
    const work = await stack.call<{ items: { kind: string; detail: string }[] }>('GET', '/api/tasks', handler);
    expect(work.body.items.find((t) => t.kind === 'daily_digest')?.detail).toMatch(/明日到期 1，已超期 1/);
    const runs = await stack.call<{ items: { kind: string; recent: { status: string }[] }[] }>('GET', '/api/schedules', supervisor);
    await eventually(async () => {
      const r = await stack.call<{ items: { kind: string; recent: { status: string }[] }[] }>('GET', '/api/schedules', supervisor);
      return r.body.items[0]!.recent.some((x) => x.status === 'COMPLETED') ? true : undefined;
    }, 'the daily run to show completed', 30_000, 250);
    expect(runs.status).toBe(200);
  });

  it('周周结: the missed item without an explanation becomes a task for the unit, which the explanation clears', async () => {
    const d = await trigger('weekly');
    const outcome = (body: Record<string, unknown>) => Object.fromEntries((body.items as { caseNo: string; outcome: string }[]).filter((i) => i.caseNo.startsWith('W-')).map((i) => [i.caseNo, i.outcome]));
    expect(outcome(d.body)).toEqual({ 'W-MET': 'closed', 'W-MISSED': 'missing' });
    const handler = await stack.token('handler-liandu-housing');
    const work = await stack.call<{ items: { kind: string; caseNo: string }[] }>('GET', '/api/tasks', handler);
    // (Other matters due later this week may be on the list too: on a weekend, "tomorrow" is still this week.)
    const task = work.body.items.find((t) => t.kind === 'weekly_explanation' && /W-MISSED/.test(t.caseNo));
    expect(task, JSON.stringify(work.body.items.map((t) => t.caseNo))).toBeDefined();
    const item = (d.body.items as { caseNo: string; deadlineId: string }[]).find((i) => i.caseNo === 'W-MISSED')!;
    const res = await stack.call('POST', '/api/weekly-explanations', handler, { weekStart: d.body.weekStart, caseNo: 'W-MISSED', deadlineId: item.deadlineId, explanation: '现场勘验需等待第三方测绘报告，已书面告知信访人' });
    expect(res.status).toBe(201);
    const again = await trigger('weekly');
    expect(outcome(again.body)).toEqual({ 'W-MET': 'closed', 'W-MISSED': 'explained' });
    expect(await stack.database.db.select().from(tasks).where(like(tasks.caseNo, 'sweep:weekly:%W-MISSED%'))).toEqual([]);
  });

  it('月月检: a reproducible sample per unit with its seed recorded, and inspection tasks for the bureau', async () => {
    const d = await trigger('monthly');
    const unit = (d.body.units as { unit: string; closed: number; sample: string[] }[]).find((u) => u.unit === 'liandu-housing')!;
    expect(unit.closed).toBe(5);
    expect(unit.sample).toHaveLength(3);
    expect(typeof d.body.seed).toBe('number');
    const again = await trigger('monthly');
    expect(again.body.seed).toBe(d.body.seed);
    expect((again.body.units as { unit: string; sample: string[] }[]).find((u) => u.unit === 'liandu-housing')!.sample).toEqual(unit.sample);
    const rows = await stack.database.db.select().from(tasks).where(like(tasks.caseNo, 'sweep:monthly:%'));
    expect(rows.map((r) => r.caseNo.split(':').pop()).sort()).toEqual([...unit.sample].sort());
    expect(rows.every((r) => r.assigneeRole === 'supervisor')).toBe(true);
  });

  it('挂牌督办: the bottom two under the documented weights are listed, each a workflow with its limit; the 督查通报 prints', async () => {
    const d = await trigger('quarterly');
    const listed = d.body.listed as { divisionCode: string; rank: number; dueDate: string }[];
    // 青田 (2 Beijing visits: 0.75) and 缙云 (1: 0.875) rank below every other county (1.0).
    expect(listed.map((l) => l.divisionCode)).toEqual(['331122', '331121']);
    const ranked = (d.body.ranking as unknown[]).length; // the counties and the development zone
    expect(listed.map((l) => l.rank)).toEqual([ranked - 1, ranked]);
    const listings = await eventually(async () => {
      const r = await stack.call<{ items: { id: string; status: string; dueDate: string }[] }>('GET', '/api/listings', supervisor);
      return r.body.items.length === 2 ? r.body.items : undefined;
    }, 'the two listing workflows', 30_000, 250);
    expect(listings.every((l) => l.status === 'listed' && l.dueDate === addNaturalDays(today, 90))).toBe(true);
    const qt = listings.find((l) => l.id.endsWith('331121'))!;
    const done = await stack.call<{ status: string }>('POST', `/api/listings/${qt.id}/remediation`, supervisor, { report: '青田县已制定进京访专项整治方案并落实包案责任' });
    expect(done.body.status).toBe('remediated');
    // Each one's rank per quarter: the city supervisor sees both tables, a county's supervisor its own row.
    const quarter = sweepPeriod('quarterly', today);
    type Ranks = { items: { quarter: string; subject: string; id: string; rank: number; of: number; listed: boolean }[] };
    const ranks = await stack.call<Ranks>('GET', `/api/listings/ranks?from=${quarter.start}&to=${quarter.end}`, supervisor);
    expect(ranks.status).toBe(200);
    expect(ranks.body.items.filter((r) => r.subject === 'division')).toHaveLength(ranked);
    expect(ranks.body.items.filter((r) => r.subject === 'unit').length).toBeGreaterThanOrEqual(6);
    expect(ranks.body.items.find((r) => r.id === '331121')).toMatchObject({ quarter: quarter.label, rank: ranked, of: ranked, listed: true });
    const liandu = await stack.call<Ranks>('GET', `/api/listings/ranks?from=${quarter.start}&to=${quarter.end}`, await stack.token('supervisor-liandu'));
    expect(liandu.body.items.map((r) => r.id)).toEqual(['331102']);
    const csv = await fetch(`${stack.url}/api/listings/ranks?from=${quarter.start}&to=${quarter.end}&format=csv&subject=division`, { headers: { authorization: `Bearer ${supervisor}` } });
    expect((await csv.text()).trim().split('\r\n')).toHaveLength(ranked + 1);
    const report = await fetch(`${stack.url}/api/digests/${d.id}/report`, { headers: { authorization: `Bearer ${supervisor}` } });
    const html = await report.text();
    expect(report.headers.get('content-type')).toMatch(/text\/html/);
    expect(html).toMatch(/信访工作督查通报/);
    expect(html).toContain(`青田县（县（市、区）第${ranked}名`);
    expect(html).toContain('市级责任单位排名');
    // No unit has a figure against it in these rows: the six city departments rank with 1 and none is listed.
    expect((d.body.unitRanking as { score: number }[]).every((u) => u.score === 1)).toBe(true);
  });

  it('search attributes: a matter forwarded through the API is found by its status, division and overdue flag, within the jurisdiction', async () => {
    const registrar = await stack.token('registrar-city');
    const reg = await stack.call<{ caseNo: string }>('POST', '/api/petitions', registrar, {
      channel: 'letter', divisionCode: '331121', category: 'urban_construction', purpose: 'complaint', summary: '村道拓宽占用责任田未补偿', petitioners: [{ name: '周九', main: true }],
    });
    expect(reg.status).toBe(201);
    const { caseNo } = reg.body;
    await eventually(async () => ((await stack.call<PetitionState>('GET', `/api/petitions/${caseNo}/state`, registrar)).body.status === 'TRIAGE' ? true : undefined), 'TRIAGE');
    const fwd = await stack.call<PetitionState>('POST', `/api/petitions/${caseNo}/forward`, registrar, { mode: 'forward', unitId: 'qingtian-gov' });
    expect(fwd.status, JSON.stringify(fwd.body)).toBe(200);
    expect(fwd.body.status).toBe('AWAITING_ACCEPTANCE');
    // Its projection: the read model shows it with 青田县人民政府.
    await eventually(async () => {
      const r = await stack.call<{ status: string; unitId: string | null }>('GET', `/api/petitions/${caseNo}`, supervisor);
      return r.body.status === 'AWAITING_ACCEPTANCE' && r.body.unitId === 'qingtian-gov' ? true : undefined;
    }, 'the projection of the forwarded matter');

    type Listed = { query: string; items: { workflowId: string; type: string; attributes: Record<string, unknown> }[] };
    const q = encodeURIComponent("PetitionStatus = 'AWAITING_ACCEPTANCE' AND DivisionCode = '331121' AND Overdue = false");
    const found = await eventually(async () => {
      const r = await stack.call<Listed>('GET', `/api/workflows?query=${q}`, supervisor);
      return r.body.items.find((i) => i.workflowId === workflowIdFor(caseNo));
    }, 'the matter in visibility', 30_000, 500);
    expect(found.type).toBe('petitionWorkflow');
    // The acceptance limit it now runs against is the instant visibility holds.
    const state = (await stack.call<PetitionState>('GET', `/api/petitions/${caseNo}/state`, registrar)).body;
    expect(state.current?.key).toBe('acceptance');
    expect(found.attributes).toMatchObject({ status: 'AWAITING_ACCEPTANCE', divisionCode: '331121', unitId: 'qingtian-gov', overdue: false, backlog: false, escalationKinds: [] });
    expect(new Date(found.attributes.nextDueAt as string).toISOString()).toBe(new Date(state.current!.dueAt).toISOString());
    // Overdue = true does not find it.
    const overdue = await stack.call<Listed>('GET', `/api/workflows?query=${encodeURIComponent("DivisionCode = '331121' AND Overdue = true")}`, supervisor);
    expect(overdue.status).toBe(200);
    expect(overdue.body.items.map((i) => i.workflowId)).not.toContain(workflowIdFor(caseNo));
    // 莲都's supervisor, asking for every matter awaiting acceptance, sees 莲都's only: not this 青田 matter.
    const liandu = await stack.call<Listed>('GET', `/api/workflows?query=${encodeURIComponent("PetitionStatus = 'AWAITING_ACCEPTANCE'")}`, await stack.token('supervisor-liandu'));
    expect(liandu.status).toBe(200);
    expect(liandu.body.query).toContain("DivisionCode IN ('331102'");
    expect(liandu.body.items.map((i) => i.workflowId)).not.toContain(workflowIdFor(caseNo));
    expect(liandu.body.items.every((i) => String(i.attributes.divisionCode).startsWith('331102'))).toBe(true);
  });

  it('search attributes: set by running backlog cases, queryable within the jurisdiction, reconciled with the read model', async () => {
    const assign = (divisionCode: string, key: string) =>
      stack.call<{ id: string; workflowId: string }>('POST', '/api/backlog', supervisor, { assigningLevel: 'province', assigningBody: '浙江省信访局', assignedOn: today, divisionCode, reason: '省交办重复访积案', caseNos: [] }, { 'idempotency-key': key });
    const qt = await assign('331121', 'sa-test-qingtian-0001');
    const ld = await assign('331102', 'sa-test-liandu-0001');
    expect([qt.status, ld.status]).toEqual([201, 201]);
    type Listed = { items: { workflowId: string; attributes: Record<string, unknown> }[] };
    const q = encodeURIComponent("Backlog = true AND PetitionStatus = 'OPEN'");
    const city = await eventually(async () => {
      const r = await stack.call<Listed>('GET', `/api/workflows?query=${q}`, supervisor);
      const ids = r.body.items.map((i) => i.workflowId);
      return ids.includes(qt.body.workflowId) && ids.includes(ld.body.workflowId) ? r.body : undefined;
    }, 'both backlog cases in visibility', 30_000, 500);
    expect(city.items.find((i) => i.workflowId === qt.body.workflowId)!.attributes).toMatchObject({ status: 'OPEN', divisionCode: '331121', backlog: true, overdue: false });
    // 莲都's supervisor sees 莲都's case only; a query that tries to escape the jurisdiction clause is refused.
    const liandu = await stack.call<Listed>('GET', `/api/workflows?query=${q}`, await stack.token('supervisor-liandu'));
    expect(liandu.body.items.map((i) => i.workflowId)).toEqual([ld.body.workflowId]);
    expect((await stack.call('GET', `/api/workflows?query=${encodeURIComponent("Backlog = true) OR (Backlog = true")}`, supervisor)).status).toBe(400);
    expect((await stack.call('GET', `/api/workflows?query=${encodeURIComponent("CustomStringField = 'x'")}`, supervisor)).status).toBe(400);
    // Past the lexical check, Temporal's parser refuses a bare literal: 400 with its reason (schemathesis found a 500).
    const bare = await stack.call<{ fields: { query: string } }>('GET', `/api/workflows?query=${'0'.repeat(40)}`, supervisor);
    expect(bare.status).toBe(400);
    expect(bare.body.fields.query).toContain('not supported');
    expect((await stack.call('GET', '/api/workflows', await stack.token('registrar-city'))).status).toBe(403);

    type Report = { checked: { backlogCases: number }; disagreements: { workflowId: string; field: string; visibility: unknown; readModel: unknown }[] };
    const ours = (r: Report) => r.disagreements.filter((d) => d.workflowId === qt.body.workflowId || d.workflowId === ld.body.workflowId);
    const agree = await stack.call<Report>('GET', '/api/workflows/reconcile', supervisor);
    expect(agree.body.checked.backlogCases).toBeGreaterThanOrEqual(2);
    expect(ours(agree.body)).toEqual([]);
    // The read model is made to disagree: the reconciliation names the case and the field.
    await stack.database.db.update(backlogCases).set({ status: 'closed' }).where(eq(backlogCases.id, qt.body.id));
    const off = await stack.call<Report>('GET', '/api/workflows/reconcile', supervisor);
    expect(ours(off.body)).toEqual([{ workflowId: qt.body.workflowId, field: 'status', visibility: 'OPEN', readModel: 'CLOSED' }]);
  });
});
