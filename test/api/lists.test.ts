import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addNaturalDays } from '../../domain/dates';
import { createApiBench, todayInShanghai, type ApiBench } from '../support/api';

interface Item {
  caseNo: string;
  status: string;
  channel: string;
  divisionCode: string;
  unitId: string | null;
  summary: string;
  registeredAt: string;
  currentDeadline: { key: string; dueAt: string | null } | null;
  overdue: boolean;
  open: boolean;
}
interface List {
  page: number;
  pageSize: number;
  total: number;
  items: Item[];
}

const DAY = 86_400_000;

describe('GET /api/petitions: filters, search, pages, deadline order', () => {
  let b: ApiBench;
  const m: Record<'fresh' | 'older' | 'overdue' | 'forwarded' | 'ended', string> = { fresh: '', older: '', overdue: '', forwarded: '', ended: '' };

  const list = async (query = '', userId = 'registrar-city'): Promise<List> => {
    const res = await b.get(`/api/petitions${query ? `?${query}` : ''}`, userId);
    expect(res.statusCode, res.body).toBe(200);
    return res.json<List>();
  };
  const caseNos = async (query = '', userId = 'registrar-city') => (await list(query, userId)).items.map((i) => i.caseNo);

  beforeAll(async () => {
    b = await createApiBench();
    // Registered one after another today; received 2, 10 and 20 days ago, so their triage limits differ (the
    // forwarded one then runs against its 15-day acceptance limit from today, later than all of those).
    m.fresh = (await b.register({ channel: 'letter', divisionCode: '331102', summary: '莲都区某小区违章搭建影响通行', receivedAt: new Date(Date.now() - 2 * DAY).toISOString() })).caseNo;
    m.older = (await b.register({ channel: 'visit', divisionCode: '331121', summary: '青田县侨乡华侨房产被占用', receivedAt: new Date(Date.now() - 10 * DAY).toISOString() })).caseNo;
    m.overdue = (await b.register({ channel: 'online', divisionCode: '331102', summary: '网上反映莲都区噪音扰民问题 100%属实', receivedAt: new Date(Date.now() - 20 * DAY).toISOString() })).caseNo;
    m.forwarded = (await b.register({ channel: 'phone', divisionCode: '331100', summary: '来电反映市区物业维修基金使用不透明' })).caseNo;
    m.ended = (await b.register({ channel: 'letter', divisionCode: '331102', summary: '来信请求撤销已生效的民事判决' })).caseNo;

    const fwd = await b.post(`/api/petitions/${m.forwarded}/forward`, 'registrar-city', { mode: 'forward', unitId: 'liandu-housing' });
    expect(fwd.statusCode, fwd.body).toBe(200);
    const na = await b.post(`/api/petitions/${m.ended}/not-accept`, 'registrar-city', { reason: '已经人民法院判决，应通过诉讼途径解决' });
    expect(na.statusCode, na.body).toBe(200);
    await b.waitForMatter(m.forwarded, (x) => x.status === 'AWAITING_ACCEPTANCE' && x.currentDeadlineKey === 'acceptance', 'awaiting acceptance');
    await b.waitForMatter(m.ended, (x) => x.status === 'NOT_ACCEPTED' && !x.open, 'not accepted');
    await b.waitForMatter(m.overdue, (x) => x.overdue, 'overdue');
  });
  afterAll(async () => b?.teardown());

  it('by default, open matters by the limit they run against (earliest first), ended ones last', async () => {
    const l = await list();
    expect(l.total).toBe(5);
    expect(l.items.map((i) => i.caseNo)).toEqual([m.overdue, m.older, m.fresh, m.forwarded, m.ended]);
    const open = l.items.filter((i) => i.open);
    const dues = open.map((i) => Date.parse(i.currentDeadline!.dueAt!));
    expect(dues).toEqual([...dues].sort((x, y) => x - y));
    expect(l.items.at(-1)).toMatchObject({ caseNo: m.ended, open: false, status: 'NOT_ACCEPTED' });
  });

  it('each item carries its current limit: triage for new matters, acceptance once forwarded', async () => {
    const byCase = Object.fromEntries((await list()).items.map((i) => [i.caseNo, i]));
    expect(byCase[m.fresh]!.currentDeadline).toEqual({ key: 'triage', dueAt: expect.any(String) });
    expect(byCase[m.forwarded]!.currentDeadline).toEqual({ key: 'acceptance', dueAt: expect.any(String) });
    expect(byCase[m.ended]!.currentDeadline).toBeNull();
  });

  it('the page as a spreadsheet: format=csv (UTF-8, personal data masked as in the list) and format=xlsx', async () => {
    const csv = await b.get('/api/petitions?format=csv&sort=registered&pageSize=5', 'registrar-city');
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    expect(csv.headers['content-disposition']).toContain('petitions.csv');
    const lines = csv.body.replace(/^\ufeff/, '').trim().split('\r\n');
    expect(lines[0]).toBe('信访件编号,状态,渠道,问题属地,承办单位,内容分类,主访人,人数,摘要,登记时间,当前期限,到期,超期');
    const json = (await list('sort=registered&pageSize=5')).items;
    expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual(json.map((i) => i.caseNo));
    expect(csv.body).not.toMatch(/王小五/);
    const xlsx = await b.get('/api/petitions?format=xlsx&pageSize=5', 'registrar-city');
    expect(xlsx.statusCode).toBe(200);
    expect(xlsx.rawPayload.subarray(0, 2).toString()).toBe('PK'); // a zip: the xlsx container
    // The work list and the escalation lists export the same way.
    const tasks = await b.get('/api/tasks?format=csv', 'registrar-city');
    expect(tasks.statusCode).toBe(200);
    const taskLines = tasks.body.replace(/^\ufeff/, '').trim().split('\r\n');
    expect(taskLines[0]).toBe('信访件编号,事项,承办角色,承办单位,状态,期限,依据,到期,剩余,超期');
    expect(taskLines.slice(1).some((l) => l.startsWith(m.fresh))).toBe(true);
    const slips = await b.get('/api/warning-slips?format=xlsx', 'supervisor-city');
    expect(slips.statusCode).toBe(200);
    expect(slips.rawPayload.subarray(0, 2).toString()).toBe('PK');
  });

  it('sort=registered: the latest registration first', async () => {
    expect(await caseNos('sort=registered')).toEqual([m.ended, m.forwarded, m.overdue, m.older, m.fresh]);
  });

  it('status: one status, or several comma-separated', async () => {
    expect((await caseNos('status=TRIAGE')).sort()).toEqual([m.fresh, m.older, m.overdue].sort());
    expect((await caseNos('status=TRIAGE,AWAITING_ACCEPTANCE')).sort()).toEqual([m.fresh, m.older, m.overdue, m.forwarded].sort());
    expect(await caseNos('status=NOT_ACCEPTED')).toEqual([m.ended]);
    expect(await caseNos('status=CLOSED')).toEqual([]);
  });

  it('divisionCode: the division and everything below it', async () => {
    expect((await caseNos('divisionCode=331102')).sort()).toEqual([m.fresh, m.overdue, m.ended].sort());
    expect(await caseNos('divisionCode=331121')).toEqual([m.older]);
    expect(await caseNos('divisionCode=331100')).toHaveLength(5);
  });

  it('unitId: the matters now with that unit', async () => {
    expect(await caseNos('unitId=liandu-housing')).toEqual([m.forwarded]);
    expect(await caseNos('unitId=city-housing')).toEqual([]);
  });

  it('channel: letter, visit, online or phone', async () => {
    expect((await caseNos('channel=letter')).sort()).toEqual([m.fresh, m.ended].sort());
    expect(await caseNos('channel=visit')).toEqual([m.older]);
    expect(await caseNos('channel=online')).toEqual([m.overdue]);
    expect(await caseNos('channel=phone')).toEqual([m.forwarded]);
  });

  it('overdue: a matter received 20 days ago is past its 15-day triage limit', async () => {
    expect(await caseNos('overdue=true')).toEqual([m.overdue]);
    expect(await caseNos('overdue=false')).not.toContain(m.overdue);
    expect(await caseNos('overdue=false')).toHaveLength(4);
  });

  it('open=false: the matters that have ended', async () => {
    expect(await caseNos('open=false')).toEqual([m.ended]);
  });

  it('from/to: registration dates (Asia/Shanghai), both ends included', async () => {
    const today = todayInShanghai();
    // All five were registered in this run; received dates (10 and 20 days ago) do not count.
    expect(await caseNos(`from=${addNaturalDays(today, -1)}`)).toHaveLength(5);
    expect(await caseNos(`from=${addNaturalDays(today, -1)}&to=${addNaturalDays(today, 1)}`)).toHaveLength(5);
    expect(await caseNos(`to=${addNaturalDays(today, -2)}`)).toEqual([]);
    expect(await caseNos(`from=${addNaturalDays(today, 2)}`)).toEqual([]);
  });

  it('q: text in the case number or in the summary; % and _ are taken literally', async () => {
    expect(await caseNos(`q=${m.older}`)).toEqual([m.older]);
    expect(await caseNos(`q=${encodeURIComponent('物业维修基金')}`)).toEqual([m.forwarded]);
    expect((await caseNos(`q=${encodeURIComponent('莲都区')}`)).sort()).toEqual([m.fresh, m.overdue].sort());
    expect(await caseNos(`q=${encodeURIComponent('100%')}`)).toEqual([m.overdue]);
    expect(await caseNos(`q=${encodeURIComponent('%')}`)).toEqual([m.overdue]);
    expect(await caseNos(`q=${encodeURIComponent('_')}`)).toEqual([]);
  });

  it('filters combine', async () => {
    expect(await caseNos('divisionCode=331102&status=TRIAGE&overdue=false')).toEqual([m.fresh]);
    expect(await caseNos(`channel=letter&q=${encodeURIComponent('判决')}`)).toEqual([m.ended]);
  });

  it('pages: pageSize and page walk the whole list once, in order; total counts all', async () => {
    const all = await caseNos();
    const p1 = await list('pageSize=2&page=1');
    const p2 = await list('pageSize=2&page=2');
    const p3 = await list('pageSize=2&page=3');
    const p4 = await list('pageSize=2&page=4');
    expect([p1.total, p2.total, p3.total, p4.total]).toEqual([5, 5, 5, 5]);
    expect(p1).toMatchObject({ page: 1, pageSize: 2 });
    expect([...p1.items, ...p2.items, ...p3.items].map((i) => i.caseNo)).toEqual(all);
    expect(p3.items).toHaveLength(1);
    expect(p4.items).toEqual([]);
  });

  it('the default page is 20 items', async () => {
    expect(await list()).toMatchObject({ page: 1, pageSize: 20 });
  });

  it('the 莲都区 registrar’s list keeps to 莲都区 whatever the filters', async () => {
    expect((await caseNos('', 'registrar-liandu')).sort()).toEqual([m.fresh, m.overdue, m.ended].sort());
    expect(await caseNos('channel=visit', 'registrar-liandu')).toEqual([]);
    expect(await caseNos('unitId=liandu-housing', 'registrar-liandu')).toEqual([]);
  });

  it('the unit head of 莲都区住建局 lists what is with the unit', async () => {
    expect(await caseNos('', 'head-liandu-housing')).toEqual([m.forwarded]);
  });
});
