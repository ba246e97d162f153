/**
 * 清初访 leaders' duties through the API: 阅批 on initial letters (and its rate as a measure), a county-level
 * leader's reception day with a matter linked and one registered on the spot (and monthly compliance), and a
 * joint-meeting group issue closed in two batches with one decision recorded on each matter.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiBench, sampleBody, todayInShanghai, type ApiBench } from '../support/api';

let b: ApiBench;
let letter1: string;
let letter2: string;
let visitMatter: string;
const today = todayInShanghai();

beforeAll(async () => {
  b = await createApiBench();
  letter1 = (await b.register()).caseNo;
  letter2 = (await b.register({ channel: 'online' })).caseNo;
  visitMatter = (await b.register({ channel: 'visit' })).caseNo;
  for (const l of [
    { id: 'liandu-du', name: '杜兴林', level: 'county', divisionCode: '331102' },
    { id: 'liandu-li', name: '李副区长', level: 'county', divisionCode: '331102' },
    { id: 'city-secretary', name: '市委专职副书记', level: 'city', divisionCode: '331100' },
  ]) {
    const res = await b.post('/api/leaders', 'supervisor-city', l);
    expect(res.statusCode).toBe(201);
  }
});
afterAll(async () => b?.teardown());

describe('阅批', () => {
  it('records a leader’s instruction on initial letters and online submissions, and the rate counts it', async () => {
    const res = await b.post('/api/leader-reviews', 'supervisor-city', { leaderId: 'city-secretary', reviewedOn: today, instruction: '请莲都区依法依规处理，按期答复', caseNos: [letter1] });
    expect(res.statusCode).toBe(201);
    // A visit is not a letter; a registrar of 青田 cannot reach a 莲都 matter; a date in the future is refused.
    expect((await b.post('/api/leader-reviews', 'supervisor-city', { leaderId: 'city-secretary', reviewedOn: today, instruction: '阅示', caseNos: [visitMatter] })).statusCode).toBe(422);
    expect((await b.post('/api/leader-reviews', 'registrar-qingtian', { leaderId: 'city-secretary', reviewedOn: today, instruction: '阅示', caseNos: [letter1] })).statusCode).toBe(403);
    expect((await b.post('/api/leader-reviews', 'supervisor-city', { leaderId: 'city-secretary', reviewedOn: '2099-01-01', instruction: '阅示', caseNos: [letter1] })).statusCode).toBe(400);

    // Today in 莲都: a letter and an online submission, one reviewed → 1 / 2 = 50% ≥ 30%.
    const m = await b.get(`/api/measures/leader_review_rate?from=${today}&to=${today}&divisionCode=331102`, 'supervisor-city');
    expect(m.json()).toMatchObject({ numerator: 1, denominator: 2, value: 0.5, status: 'met' });
    const list = await b.get(`/api/leader-reviews?from=${today}&to=${today}`, 'supervisor-city');
    expect(list.json().items).toMatchObject([{ leader: '市委专职副书记', caseNos: [letter1] }]);
  });
});

describe('reception days', () => {
  it('records the day with a matter linked and one registered on the spot; one a day per leader', async () => {
    const body = { leaderId: 'liandu-du', heldOn: today, place: '莲都区信访局接待大厅', linked: [letter2], registered: [sampleBody({ channel: undefined, summary: '村道硬化资金使用不公开，请求公开账目' })] };
    const res = await b.post('/api/reception-days', 'registrar-liandu', body);
    expect(res.statusCode).toBe(201);
    const { registered, linked } = res.json();
    expect(linked).toEqual([letter2]);
    expect(registered).toHaveLength(1);
    const m = await b.waitForMatter(registered[0], (x) => x.status === 'TRIAGE', 'the matter registered on the spot');
    expect(m).toMatchObject({ channel: 'visit', source: 'leader_reception' });
    expect((await b.post('/api/reception-days', 'registrar-liandu', { ...body, registered: [] })).statusCode).toBe(409);
    // A supervisor may record the day but not register petitions.
    expect((await b.post('/api/reception-days', 'supervisor-liandu', { ...body, leaderId: 'liandu-li', registered: [sampleBody()] })).statusCode).toBe(403);
  });

  it('compliance: each county-level leader owes a day a month', async () => {
    const res = await b.get(`/api/reception-days/compliance?from=${today}&to=${today}&divisionCode=331102`, 'supervisor-liandu');
    expect(res.json()).toMatchObject({ compliant: 1, leaderMonths: 2 });
    const m = await b.get(`/api/measures/reception_day_compliance?from=${today}&to=${today}&divisionCode=331102`, 'supervisor-liandu');
    expect(m.json()).toMatchObject({ numerator: 1, denominator: 2, value: 0.5, targetValue: 1, status: 'not_met' });
  });
});

describe('joint-meeting group issues', () => {
  it('links many matters and closes them in batches, one decision recorded on each', async () => {
    const created = await b.post('/api/group-issues', 'supervisor-city', { topic: 'real_estate', title: '某楼盘逾期交房', divisionCode: '331102', caseNos: [letter1, letter2] });
    expect(created.statusCode).toBe(201);
    const id = created.json().id;
    expect(created.json()).toMatchObject({ topicLabel: '房地产', status: 'open' });
    expect((await b.post(`/api/group-issues/${id}/matters`, 'supervisor-city', { caseNos: [visitMatter] })).json().matters).toHaveLength(3);

    const decision = '经市联席会议研究：开发商于2027年3月底前交房，逾期按合同赔付';
    const batch1 = await b.post(`/api/group-issues/${id}/batches`, 'supervisor-city', { caseNos: [letter1, letter2], decision, decidedOn: today });
    expect(batch1.statusCode).toBe(201);
    expect(batch1.json()).toMatchObject({ status: 'open', decided: 2 });
    // Each matter carries the decision on its timeline.
    for (const c of [letter1, letter2]) {
      const m = await b.waitForMatter(c, () => true);
      expect(m.timeline.find((e) => e.type === 'group_issue.decided')?.data).toMatchObject({ issueId: id, decision });
    }
    // Not twice, and only the issue's own matters.
    expect((await b.post(`/api/group-issues/${id}/batches`, 'supervisor-city', { caseNos: [letter1], decision: '再议', decidedOn: today })).statusCode).toBe(409);
    const other = (await b.register()).caseNo;
    expect((await b.post(`/api/group-issues/${id}/batches`, 'supervisor-city', { caseNos: [other], decision: '再议', decidedOn: today })).statusCode).toBe(422);
    const batch2 = await b.post(`/api/group-issues/${id}/batches`, 'supervisor-city', { caseNos: [visitMatter], decision: '同上', decidedOn: today });
    expect(batch2.json()).toMatchObject({ status: 'closed', decided: 3 });
    expect(new Set(batch2.json().matters.map((m: { batchId: string }) => m.batchId)).size).toBe(2);
    const csv = await b.get('/api/group-issues?format=csv', 'supervisor-city');
    expect(csv.body).toMatch(/房地产,某楼盘逾期交房,closed,3,3/);
  });
});
