import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities';
import { createApiBench, type ApiBench } from '../support/api';

interface Day {
  date: string;
  name: string;
  kind: string;
}
const dates = (days: Day[]) => days.map((d) => d.date);
const range = (from: string, to: string) => {
  const out: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += 86_400_000) out.push(new Date(t).toISOString().slice(0, 10));
  return out;
};

describe('the deadline calculator: GET /api/deadlines/preview (official 2025 and 2026 schedules, worked out by hand)', () => {
  let b: ApiBench;
  beforeAll(async () => {
    b = await createApiBench();
  });
  afterAll(async () => b?.teardown());

  const preview = (q: string, user = 'handler-liandu-housing') => b.get(`/api/deadlines/preview?${q}`, user);

  it('objection (5 WD) from Wed 2026-09-30: skips National Day 10-01…10-07 and Sunday 10-11, counts make-up Saturday 10-10 → Tue 2026-10-13', async () => {
    // 国办发明电〔2025〕7号: 国庆节 10月1日至7日放假，9月20日（周日）、10月10日（周六）上班.
    // WD1 Thu 10-08, WD2 Fri 10-09, WD3 Sat 10-10 (make-up), Sun 10-11 off, WD4 Mon 10-12, WD5 Tue 10-13.
    const res = await preview('limit=objection&start=2026-09-30');
    expect(res.statusCode).toBe(200);
    const e = res.json();
    expect(e).toMatchObject({
      key: 'objection',
      ruleSet: '2022',
      basis: '《信访工作条例》第二十三条',
      counting: 'working',
      rollForward: false,
      days: 5,
      startDate: '2026-09-30',
      dueDate: '2026-10-13',
      dueAt: '2026-10-13T16:00:00.000Z',
      rolledOver: [],
    });
    expect(dates(e.skipped)).toEqual([...range('2026-10-01', '2026-10-07'), '2026-10-11']);
    expect(e.skipped.slice(0, 7).every((d: Day) => d.name === '国庆节' && d.kind === 'holiday')).toBe(true);
    expect(e.skipped[7]).toEqual({ date: '2026-10-11', name: '周末', kind: 'weekend' });
    expect(e.makeUpWorkdays).toEqual([{ date: '2026-10-10', name: '国庆节调休上班', kind: 'makeUpWorkday' }]);
    expect(e.summary).toContain('国庆节 2026-10-01至2026-10-07');
    expect(e.summary).toContain('至2026-10-13 24:00');
  });

  it('the same answer the workflows get: the computeDeadline activity returns that very due date and policy', async () => {
    const acts = createActivities({ db: b.database.db });
    const d = await acts.computeDeadline({ key: 'objection', startDate: '2026-09-30', evaluationDays: 7, investigationDays: 30 });
    const e = (await preview('limit=objection&start=2026-09-30')).json();
    expect({ dueDate: d.dueDate, dueAt: d.dueAt, basis: d.policy.basis, days: d.days }).toEqual({ dueDate: e.dueDate, dueAt: e.dueAt, basis: e.basis, days: e.days });
  });

  it('warning explanation (3 WD) from Fri 2026-02-13: make-up Saturday 02-14 counts, Spring Festival 02-15…02-23 is skipped → Wed 2026-02-25', async () => {
    // 春节 2月15日（周日）至23日（周一）放假，2月14日（周六）、2月28日（周六）上班.
    const e = (await preview('limit=warningExplanation&start=2026-02-13')).json();
    expect(e).toMatchObject({ ruleSet: 'campaign-2018', counting: 'working', days: 3, dueDate: '2026-02-25' });
    expect(e.basis).toContain('丽委办发〔2018〕51号');
    expect(e.makeUpWorkdays).toEqual([{ date: '2026-02-14', name: '春节调休上班', kind: 'makeUpWorkday' }]);
    expect(dates(e.skipped)).toEqual(range('2026-02-15', '2026-02-23'));
    expect(new Set(e.skipped.map((d: Day) => d.name))).toEqual(new Set(['春节']));
  });

  it('three-party review (15 WD) from Fri 2025-01-24 across the 2025 Spring Festival and both its make-up days → Thu 2025-02-20', async () => {
    // 国办发明电〔2024〕12号: 春节 1月28日至2月4日放假调休，1月26日（周日）、2月8日（周六）上班.
    // Sat 01-25 off; WD1 Sun 01-26; WD2 Mon 01-27; 01-28…02-04 off; WD3–5 02-05…02-07; WD6 Sat 02-08; Sun 02-09 off;
    // WD7–11 02-10…02-14; 02-15/16 off; WD12–15 02-17…02-20.
    const e = (await preview('limit=threePartyReview&start=2025-01-24')).json();
    expect(e.dueDate).toBe('2025-02-20');
    expect(e.makeUpWorkdays).toEqual([
      { date: '2025-01-26', name: '春节调休上班', kind: 'makeUpWorkday' },
      { date: '2025-02-08', name: '春节调休上班', kind: 'makeUpWorkday' },
    ]);
    expect(dates(e.skipped)).toEqual(['2025-01-25', ...range('2025-01-28', '2025-02-04'), '2025-02-09', '2025-02-15', '2025-02-16']);
    expect(e.skipped.filter((d: Day) => d.name === '春节')).toHaveLength(8);
    expect(e.skipped.filter((d: Day) => d.kind === 'weekend')).toHaveLength(4);
  });

  it('objection (5 WD) from Tue 2025-09-30 across National Day and Mid-Autumn 2025 and make-up Saturday 10-11 → Tue 2025-10-14', async () => {
    // 国庆节、中秋节 10月1日至8日放假调休，9月28日（周日）、10月11日（周六）上班.
    const e = (await preview('limit=objection&start=2025-09-30')).json();
    expect(e.dueDate).toBe('2025-10-14');
    expect(dates(e.skipped)).toEqual([...range('2025-10-01', '2025-10-08'), '2025-10-12']);
    expect(e.skipped.find((d: Day) => d.date === '2025-10-06').name).toMatch(/^中秋/);
    expect(e.skipped.find((d: Day) => d.date === '2025-10-08').name).toBe('国庆节');
    expect(e.makeUpWorkdays).toEqual([{ date: '2025-10-11', name: '国庆节调休上班', kind: 'makeUpWorkday' }]);
  });

  it('a petitioner window ending on a holiday rolls forward, naming each day it rolled over', async () => {
    // 2026-09-01 + 30 d = Thu 2026-10-01 (国庆节) → first working day Thu 2026-10-08.
    const e = (await preview('limit=reviewRequest&start=2026-09-01')).json();
    expect(e).toMatchObject({ counting: 'natural', rollForward: true, basis: '《信访工作条例》第三十五条', dueDate: '2026-10-08', rolledFrom: '2026-10-01', skipped: [], makeUpWorkdays: [] });
    expect(dates(e.rolledOver)).toEqual(range('2026-10-01', '2026-10-07'));
    // 2025-01-04 + 30 d = Mon 2025-02-03, in the Spring Festival → Wed 2025-02-05.
    const s = (await preview('limit=reviewRequest&start=2025-01-04')).json();
    expect(s).toMatchObject({ dueDate: '2025-02-05', rolledFrom: '2025-02-03' });
    expect(s.rolledOver).toEqual([
      { date: '2025-02-03', name: '春节', kind: 'holiday' },
      { date: '2025-02-04', name: '春节', kind: 'holiday' },
    ]);
  });

  it("an administration limit counts natural days and does not roll: handling from 2026-08-02 ends on National Day itself", async () => {
    const e = (await preview('limit=handling&start=2026-08-02')).json();
    expect(e).toMatchObject({ counting: 'natural', rollForward: false, days: 60, dueDate: '2026-10-01', rolledOver: [], skipped: [] });
    expect(e.summary).toContain('不顺延');
  });

  it('days shortens a limit up to its maximum: an extension of 20 d; 31 d is refused', async () => {
    expect((await preview('limit=extension&start=2026-11-24&days=20')).json()).toMatchObject({ days: 20, maxDays: 30, dueDate: '2026-12-14' });
    const tooLong = await preview('limit=extension&start=2026-11-24&days=31');
    expect(tooLong.statusCode).toBe(400);
    expect(tooLong.json().message).toContain('exceeds the maximum of 30 d');
  });

  it('422 for a limit the rule set of that date does not have: no objection under the 2005 regulation', async () => {
    const res = await preview('limit=objection&start=2022-04-15');
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({ error: 'NoSuchLimit' });
    expect(res.json().message).toContain('《信访条例》 (rule set 2005');
    expect((await preview('limit=objection&start=2022-05-01')).statusCode).toBe(200);
  });

  it('400 for an unknown limit or a date that does not exist; 401 without a token', async () => {
    expect((await preview('limit=lunch&start=2026-09-30')).statusCode).toBe(400);
    expect((await preview('limit=handling&start=2026-02-30')).statusCode).toBe(400);
    expect((await b.app.inject({ method: 'GET', url: '/api/deadlines/preview?limit=handling&start=2026-09-30' })).statusCode).toBe(401);
  });

  it("2027: refused with 422 until an admin imports the year's schedule and declares it complete; a draft import is not enough", async () => {
    // Mon 2026-12-28 + 5 WD reaches into 2027.
    const before = await preview('limit=objection&start=2026-12-28');
    expect(before.statusCode).toBe(422);
    expect(before.json()).toMatchObject({ error: 'CalendarUnknownYear' });
    expect(before.json().message).toContain('2027');
    // A natural-day limit into 2027 needs no calendar, as in the workflows.
    expect((await preview('limit=handling&start=2026-12-10')).json().dueDate).toBe('2027-02-08');

    // The whole year in one request; here only its New Year holiday (a test document, not the State Council's).
    const schedule = { sourceDocument: '测试文件：2027年部分节假日安排', holidays: [{ name: '元旦', from: '2027-01-01', to: '2027-01-03' }], workdays: [] };
    expect((await b.post('/api/admin/calendar/years/2027', 'registrar-city', schedule)).statusCode).toBe(403);
    const outside = await b.post('/api/admin/calendar/years/2027', 'admin', { ...schedule, holidays: [{ name: '元旦', from: '2026-12-31', to: '2027-01-02' }] });
    expect(outside.statusCode).toBe(400);
    expect(outside.json().fields).toHaveProperty('holidays.0');
    const clash = await b.post('/api/admin/calendar/years/2027', 'admin', { ...schedule, workdays: [{ date: '2027-01-02', name: '元旦' }] });
    expect(clash.statusCode).toBe(400);

    const draft = await b.post('/api/admin/calendar/years/2027', 'admin', { ...schedule, complete: false });
    expect(draft.statusCode).toBe(201);
    expect((await preview('limit=objection&start=2026-12-28')).statusCode).toBe(422);

    const declared = await b.post('/api/admin/calendar/years/2027', 'admin', schedule);
    expect(declared.statusCode).toBe(201);
    expect(declared.json()).toMatchObject({ year: 2027, complete: true, holidayDays: 3, workdays: 0, declaredBy: 'admin' });
    // WD1–3 2026-12-29…31; 2027-01-01…03 元旦; WD4 Mon 01-04; WD5 Tue 01-05.
    const after = (await preview('limit=objection&start=2026-12-28')).json();
    expect(after.dueDate).toBe('2027-01-05');
    expect(after.skipped).toEqual(range('2027-01-01', '2027-01-03').map((date) => ({ date, name: '元旦', kind: 'holiday' })));
  });

  it('GET /api/admin/calendar/status: every package year 2004–2026 and the declared 2027 are complete, with their sources', async () => {
    const res = await b.get('/api/admin/calendar/status', 'admin');
    expect(res.statusCode).toBe(200);
    const years = res.json().years as { year: number; complete: boolean; knownFrom: string | null; sourceDocument: string | null; overrides: number; waitingLimits: number }[];
    expect(years.map((y) => y.year)).toEqual(Array.from({ length: 24 }, (_, i) => 2004 + i));
    for (const y of years.filter((x) => x.year <= 2026)) expect(y).toMatchObject({ complete: true, knownFrom: 'package', sourceDocument: null });
    expect(years.find((y) => y.year === 2027)).toMatchObject({ complete: true, knownFrom: 'declared', sourceDocument: '测试文件：2027年部分节假日安排', overrides: 3, waitingLimits: 0 });
    expect((await b.get('/api/admin/calendar/status', 'registrar-city')).statusCode).toBe(200);
  });
});
