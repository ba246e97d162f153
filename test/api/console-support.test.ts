// What the console asks of the API beyond the caseworkers' commands: the work list's limits and time left, possible
// repeats before registering, the masked (unaudited) read of a matter, reference data and the sign-in picker.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { auditLog } from '../../db/schema';
import { addNaturalDays, naturalDaysBetween, shanghaiDateOf } from '../../domain/dates';
import { createApiBench, uniqueIdNumber, type ApiBench } from '../support/api';

const DAY = 86_400_000;

describe('the API behind the console', () => {
  let b: ApiBench;
  beforeAll(async () => {
    b = await createApiBench();
  });
  afterAll(async () => b?.teardown());

  it("each task on the work list names its limit, the limit's legal basis and the days left as the limit counts them", async () => {
    const receivedAt = new Date(Date.now() - 12 * DAY).toISOString();
    const { caseNo } = await b.register({ divisionCode: '331121', receivedAt }, 'registrar-qingtian');
    const res = await b.get('/api/tasks', 'registrar-qingtian');
    expect(res.statusCode).toBe(200);
    const task = res.json().items.find((t: { caseNo: string }) => t.caseNo === caseNo);
    const dueDate = addNaturalDays(shanghaiDateOf(receivedAt), 15);
    expect(task).toMatchObject({
      kind: 'triage',
      status: 'TRIAGE',
      overdue: false,
      limit: { key: 'triage', days: 15, counting: 'natural', dueDate },
      timeLeft: { counting: 'natural', days: naturalDaysBetween(shanghaiDateOf(new Date()), dueDate) },
    });
    expect(task.limit.basis).toContain('第二十二条');
    expect(task.timeLeft.days).toBeGreaterThanOrEqual(2);
    expect(task.timeLeft.days).toBeLessThanOrEqual(3);
  });

  it('finds the open matters of a petitioner by ID number before registering, only within the caller’s jurisdiction', async () => {
    const idNumber = uniqueIdNumber();
    const { caseNo } = await b.register({ petitioners: [{ name: '赵六', main: true, idNumber }] }, 'registrar-city');
    const ask = (userId: string, id = idNumber) => b.post('/api/possible-repeats', userId, { idType: 'resident_id', idNumber: id });
    const city = await ask('registrar-city');
    expect(city.statusCode).toBe(200);
    expect(city.json().items.map((m: { caseNo: string }) => m.caseNo)).toEqual([caseNo]);
    expect((await ask('registrar-city', uniqueIdNumber())).json().items).toEqual([]);
    // 莲都区 (331102) lies outside 青田县: its registrar is not told of the matter.
    expect((await ask('registrar-qingtian')).json().items).toEqual([]);
    expect((await ask('handler-liandu-housing')).statusCode).toBe(403);
  });

  it('reads a matter with personal data masked and unaudited, and the full record audited', async () => {
    const idNumber = uniqueIdNumber();
    const { caseNo } = await b.register({ petitioners: [{ name: '钱七', main: true, idNumber, phone: '13911112222' }] }, 'registrar-city');
    const audits = () => b.database.db.select().from(auditLog).where(and(eq(auditLog.caseNo, caseNo), eq(auditLog.userId, 'supervisor-city')));
    const masked = await b.get(`/api/petitions/${caseNo}?personalData=masked`, 'supervisor-city');
    expect(masked.statusCode).toBe(200);
    expect(masked.json()).toMatchObject({ personalData: 'masked', petitioners: [{ name: '钱*', idNumber: `331***********${idNumber.slice(-4)}`, phone: '139****2222' }] });
    expect(await audits()).toHaveLength(0);
    const full = await b.get(`/api/petitions/${caseNo}`, 'supervisor-city');
    expect(full.json()).toMatchObject({ personalData: 'full', petitioners: [{ name: '钱七', idNumber, phone: '13911112222' }] });
    expect(await audits()).toHaveLength(1);
  });

  it('lists the development users for the sign-in picker, and the divisions and units for the forms', async () => {
    const users = await b.app.inject({ method: 'GET', url: '/auth/dev-users' });
    expect(users.statusCode).toBe(200);
    expect(users.json().items.map((u: { id: string }) => u.id)).toEqual(expect.arrayContaining(['registrar-city', 'handler-liandu-housing', 'supervisor-city', 'admin']));
    expect((await b.app.inject({ method: 'GET', url: '/api/reference' })).statusCode).toBe(401);
    const ref = (await b.get('/api/reference', 'handler-liandu-housing')).json();
    expect(ref.units).toContainEqual(expect.objectContaining({ id: 'liandu-housing', name: '莲都区住房和城乡建设局' }));
    expect(ref.divisions).toContainEqual(expect.objectContaining({ code: '331102', name: '莲都区', parentCode: '331100' }));
  });
});
