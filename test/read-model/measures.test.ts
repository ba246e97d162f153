/**
 * Every measure of domain.md §6 on a small hand-built read model: March 2026 in 莲都区 (331102), with rows outside the
 * month and in 青田县 (331121) that must not count, and March 2025 as the baseline year of the campaign's reductions.
 * Each expected figure is worked out in the comment above it from the rows inserted here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../db/client';
import { measureByKey, measures, type MeasureParams } from '../../domain/measures';
import { computeFigure, computeFigureDirect, drillDown, measureReport } from '../../read-model/measures';
import { submissions } from '../../db/schema';
import { memoryDatabase } from '../support/harness';
import { fixtures } from '../support/read-model-fixtures';

const LIANDU = ['331102'];
const CITY = ['331100', '331102', '331121', '331122', '331123', '331124', '331125', '331126', '331127', '331181', 'LSKFQ'];
const march = (divisions = LIANDU): MeasureParams => ({ from: '2026-03-01', to: '2026-03-31', divisions, leaderReviewChannels: ['letter', 'online'] });

let database: Database;

beforeAll(async () => {
  database = await memoryDatabase();
  const f = fixtures(database.db);
  // A: a letter, assigned the day it came, accepted in time, replied 03-20 after meetings ① and ②, evaluated
  //    satisfied / basically satisfied; a leader reviewed it (阅批).
  await f.matter('A', { channel: 'letter', registeredAt: '2026-03-02T10:00:00+08:00', pkey: 'k1' });
  await f.event('A', 'triage.assigned', '2026-03-02T15:00:00+08:00');
  await f.deadline('A', 'acceptance', '2026-03-17', 'met');
  await f.event('A', 'meeting.held', '2026-03-10T10:00:00+08:00', { meeting: 1 });
  await f.event('A', 'replied', '2026-03-20T10:00:00+08:00');
  await f.event('A', 'meeting.held', '2026-03-20T11:00:00+08:00', { meeting: 2 });
  await f.event('A', 'evaluated', '2026-03-22T10:00:00+08:00', { unit: 'satisfied', bureau: 'basically_satisfied' });
  // B: online, assigned the next day, acceptance missed, meeting ① exempted, replied 03-25 without meeting ②,
  //    evaluated unsatisfied with the unit; meeting ③ and a return visit; wrote again 03-28 (new backlog, 一事双查
  //    completed) and went to Beijing twice (abnormal, collective), a skip-level investigation opened 03-10.
  await f.matter('B', { channel: 'online', registeredAt: '2026-03-03T09:00:00+08:00', pkey: 'k2' });
  await f.event('B', 'triage.assigned', '2026-03-04T09:00:00+08:00');
  await f.deadline('B', 'acceptance', '2026-03-19', 'missed');
  await f.event('B', 'meeting.exempted', '2026-03-24T10:00:00+08:00', { meeting: 1 });
  await f.event('B', 'replied', '2026-03-25T10:00:00+08:00');
  await f.event('B', 'evaluated', '2026-03-27T10:00:00+08:00', { unit: 'unsatisfied', bureau: 'satisfied', reason: '未解决' });
  await f.event('B', 'meeting.held', '2026-03-28T09:00:00+08:00', { meeting: 3 });
  await f.event('B', 'return_visit', '2026-03-29T09:00:00+08:00');
  await f.repeat('B', '2026-03-28T10:00:00+08:00');
  await f.visit('B', '2026-03-10T08:00:00+08:00', { level: 'national', abnormalInBeijing: true });
  await f.visit('B', '2026-03-15T08:00:00+08:00', { level: 'national', persons: 5, collective: true });
  await f.visit('B', '2026-04-02T08:00:00+08:00', { level: 'city' }); // April: outside
  await f.overlay('B', { kind: 'investigation', trigger: 'skip_level', openedAt: '2026-03-10T09:00:00+08:00' });
  await f.overlay('B', { kind: 'investigation', trigger: 'new_backlog', openedAt: '2026-03-28T10:00:00+08:00', status: 'completed' });
  await f.overlay('B', {
    kind: 'warning_slip',
    trigger: 'two_visits',
    openedAt: '2026-03-15T09:00:00+08:00',
    deadlines: [
      { key: 'warningExplanation', dueDate: '2026-03-13', status: 'met' },
      { key: 'warningExplanation', dueDate: '2026-03-18', status: 'missed' },
      { key: 'warningExplanation', dueDate: '2026-03-25', status: 'pending' },
    ],
  });
  await f.overlay('B', { kind: 'three_party_review', trigger: 'abnormal_in_beijing', openedAt: '2026-03-10T09:00:00+08:00', status: 'completed', deadlines: [{ key: 'threePartyReview', dueDate: '2026-03-31', status: 'met' }] });
  // C: 6 persons came in person 03-05 and were routed to a statutory channel the same day; the matter ended.
  await f.matter('C', { channel: 'visit', registeredAt: '2026-03-05T11:00:00+08:00', pkey: 'k1', persons: 6, open: false, endedAt: '2026-03-05T12:00:00+08:00', status: 'ROUTED_TO_CHANNEL' });
  await f.event('C', 'triage.routed', '2026-03-05T12:00:00+08:00');
  // D: 青田县 — a letter and a Beijing visit that count only for the whole city.
  await f.matter('D', { division: '331121', channel: 'letter', registeredAt: '2026-03-06T10:00:00+08:00', pkey: 'k3' });
  await f.visit('D', '2026-03-11T08:00:00+08:00', { level: 'national' });
  // E: handling limit missed 03-10. F: replied in February, handling limit (last day 03-30) met. G: an earlier
  //    matter of petitioner k2 with a repeat letter 03-20, its handling limit still pending in March.
  await f.matter('E', { registeredAt: '2025-12-01T10:00:00+08:00' });
  await f.deadline('E', 'handling', '2026-03-10', 'missed');
  await f.matter('F', { registeredAt: '2026-01-05T10:00:00+08:00' });
  await f.event('F', 'replied', '2026-02-27T10:00:00+08:00');
  await f.deadline('F', 'handling', '2026-03-30', 'met');
  await f.matter('G', { registeredAt: '2026-02-02T10:00:00+08:00', pkey: 'k2' });
  await f.repeat('G', '2026-03-20T10:00:00+08:00');
  await f.deadline('G', 'handling', '2026-03-26', 'pending');
  // H: repeat 03-15 but resolved 03-20 (not a key petitioner); I: repeat 03-16, resolved only 04-05 (is one).
  await f.matter('H', { registeredAt: '2026-02-03T10:00:00+08:00', pkey: 'k4', open: false, endedAt: '2026-03-20T10:00:00+08:00' });
  await f.repeat('H', '2026-03-15T10:00:00+08:00');
  await f.matter('I', { registeredAt: '2026-02-04T10:00:00+08:00', pkey: 'k5', open: false, endedAt: '2026-04-05T10:00:00+08:00' });
  await f.repeat('I', '2026-03-16T10:00:00+08:00');
  // K: replied in February, evaluation window closed unused 03-01, no return visit yet.
  await f.matter('K', { registeredAt: '2026-01-05T10:00:00+08:00' });
  await f.event('K', 'replied', '2026-02-20T10:00:00+08:00');
  await f.event('K', 'evaluation.expired', '2026-03-01T00:00:00+08:00');
  // Leaders: two county-level leaders in 莲都 (one held a reception day in March), one in 青田, one city leader.
  await f.leader('liandu-1', { level: 'county', division: '331102' });
  await f.leader('liandu-2', { level: 'county', division: '331102' });
  await f.leader('qingtian-1', { level: 'county', division: '331121' });
  await f.leader('city-1', { level: 'city', division: '331100' });
  await f.reception('liandu-1', '2026-03-12');
  await f.reception('qingtian-1', '2026-03-13');
  await f.review('city-1', '2026-03-03', ['A']);
  // Backlog cases: national — one closed 03-15, one open, one assigned in April; province — closed 03-20, closed 04-03.
  await f.backlog('N1', { level: 'national', assignedOn: '2026-01-10', closedOn: '2026-03-15' });
  await f.backlog('N2', { level: 'national', assignedOn: '2026-02-01' });
  await f.backlog('N3', { level: 'national', assignedOn: '2026-04-10' });
  await f.backlog('P1', { level: 'province', assignedOn: '2026-01-10', closedOn: '2026-03-20' });
  await f.backlog('P2', { level: 'province', assignedOn: '2026-01-10', closedOn: '2026-04-03' });
  // Baseline March 2025: J had 5 recorded visits, 2 of them to Beijing, and was registered that month.
  await f.matter('J', { registeredAt: '2025-03-01T10:00:00+08:00', pkey: 'k9' });
  for (const [day, level] of [['03', 'national'], ['05', 'city'], ['07', 'national'], ['09', 'province'], ['11', 'county']] as const) {
    await f.visit('J', `2025-03-${day}T09:00:00+08:00`, { level });
  }
});

afterAll(async () => {
  await database?.close();
});

async function figure(key: string, params = march()) {
  return computeFigure(database.db, measureByKey(key)!, params);
}

describe('every measure on the hand-built March 2026', () => {
  it('visit volume: in-person submissions and recorded visits, batches and persons', async () => {
    // C came in person (1 batch, 6 persons); B's two Beijing visits (1 + 5 persons); B's April visit and D (青田) do not count.
    expect(await figure('visit_batches')).toMatchObject({ numerator: 3, value: 3, denominator: null });
    expect((await figure('visit_persons')).value).toBe(12);
    // The whole city adds D's Beijing visit.
    expect((await figure('visit_batches', march(CITY))).value).toBe(4);
  });

  it('a visit recorded through POST /visits (a visit event and a submission under the same id) is one batch, not two', async () => {
    const f = fixtures(database.db);
    await f.matter('VV', { division: '331127', channel: 'phone', registeredAt: '2026-03-02T10:00:00+08:00' });
    await f.event('VV', 'visit', '2026-03-12T09:00:00+08:00', { id: 'VXVV1', at: '2026-03-12T01:00:00.000Z', place: '县信访局', persons: 3, level: 'county' });
    await database.db.insert(submissions).values({ id: 'VXVV1', caseNo: 'VV', channel: 'visit', source: 'direct', receivedAt: new Date('2026-03-12T01:00:00.000Z'), summary: '来访', initial: false, registeredBy: 'registrar-city' });
    const jingning = march(['331127']);
    expect((await figure('visit_batches', jingning)).numerator).toBe(1);
    expect((await computeFigureDirect(database.db, measureByKey('visit_batches')!, jingning)).numerator).toBe(1);
    // Its persons are the visit's 3, not the matter's 1.
    expect((await figure('visit_persons', jingning)).numerator).toBe(3);
  });

  it('Beijing visits with their breakdown', async () => {
    const f = await figure('beijing_visits');
    expect(f.value).toBe(2);
    expect(f.breakdown).toEqual({ abnormal: { numerator: 1, denominator: null }, collective: { numerator: 1, denominator: null } });
  });

  it('key petitioners are derived from the matters: repeat or skip-level on an unresolved matter, counted once each', async () => {
    // k2 (B: repeat and skip-level; G: repeat) counts once; k5 (I, resolved only in April) counts; k4 (H, resolved
    // 03-20) does not; k1 (A, C) has no repeat.
    expect((await figure('key_petitioners')).value).toBe(2);
  });

  it('one-time resolution: replied on time with nothing within 30 days', async () => {
    // First replies in March: A and B. A: nothing after; B wrote again 03-28 → 1 / 2.
    expect(await figure('one_time_resolution')).toMatchObject({ numerator: 1, denominator: 2, value: 0.5 });
  });

  it('satisfaction with the unit and with the bureau, and participation', async () => {
    // A satisfied / basically satisfied; B unsatisfied / satisfied.
    expect(await figure('satisfaction_unit')).toMatchObject({ numerator: 1, denominator: 2, value: 0.5 });
    expect(await figure('satisfaction_bureau')).toMatchObject({ numerator: 2, denominator: 2, value: 1 });
    // 2 evaluated + K's window closed unused → 2 / 3.
    expect(await figure('evaluation_participation')).toMatchObject({ numerator: 2, denominator: 3, value: 0.6667 });
  });

  it('leader review rate against the initial letters and online submissions', async () => {
    // 莲都: A (letter, reviewed) and B (online) → 1 / 2; C came in person and is not a letter.
    expect(await figure('leader_review_rate')).toMatchObject({ numerator: 1, denominator: 2, value: 0.5 });
    // The city adds D (letter, not reviewed) → 1 / 3.
    expect(await figure('leader_review_rate', march(CITY))).toMatchObject({ numerator: 1, denominator: 3 });
  });

  it('reception-day compliance per county-level leader and month', async () => {
    // 莲都: liandu-1 held one, liandu-2 none → 1 / 2. City: qingtian-1 too → 2 / 3 (city-1 is not county-level).
    expect(await figure('reception_day_compliance')).toMatchObject({ numerator: 1, denominator: 2, value: 0.5 });
    expect(await figure('reception_day_compliance', march(CITY))).toMatchObject({ numerator: 2, denominator: 3 });
    // February and March: 4 leader-months, still one held.
    expect(await figure('reception_day_compliance', { ...march(), from: '2026-02-10' })).toMatchObject({ numerator: 1, denominator: 4 });
  });

  it('三见面 rates', async () => {
    // ①: B exempted → A only, held → 1 / 1. ②: A held, B not → 1 / 2. ③: B unsatisfied, held → 1 / 1.
    expect(await figure('meeting_1_rate')).toMatchObject({ numerator: 1, denominator: 1 });
    expect(await figure('meeting_2_rate')).toMatchObject({ numerator: 1, denominator: 2 });
    expect(await figure('meeting_3_rate')).toMatchObject({ numerator: 1, denominator: 1 });
  });

  it('return visits to the unevaluated and the unsatisfied', async () => {
    // K (window closed, no visit) and B (unsatisfied, visited) → 1 / 2.
    expect(await figure('return_visit_rate')).toMatchObject({ numerator: 1, denominator: 2 });
  });

  it('on-time acceptance and reply by the limit’s last day', async () => {
    // Acceptance: A met 03-17, B missed 03-19 → 1 / 2. Reply: E missed 03-10, F met 03-30; G still pending → 1 / 2.
    expect(await figure('on_time_acceptance')).toMatchObject({ numerator: 1, denominator: 2 });
    expect(await figure('on_time_reply')).toMatchObject({ numerator: 1, denominator: 2, breakdown: { handling: { numerator: 1, denominator: 2 } } });
  });

  it('new backlog rate', async () => {
    // B became new backlog; A, B, C registered in March → 1 / 3.
    expect(await figure('new_backlog_rate')).toMatchObject({ numerator: 1, denominator: 3, value: 0.3333 });
  });

  it('backlog resolution by assigning level, to the end of the period', async () => {
    // National: N1 closed, N2 open, N3 assigned in April → 1 / 2. Province: P1 closed, P2 closed only in April → 1 / 2.
    expect(await figure('backlog_resolution_national')).toMatchObject({ numerator: 1, denominator: 2 });
    expect(await figure('backlog_resolution_province')).toMatchObject({ numerator: 1, denominator: 2 });
    expect(await figure('backlog_resolution_city')).toMatchObject({ numerator: 0, denominator: 0, value: null });
  });

  it('timeliness of warning explanations and three-party reviews, and 一事双查 completion', async () => {
    // Explanations: met 03-13, missed 03-18, the pending one does not count → 1 / 2.
    expect(await figure('warning_explanation_timeliness')).toMatchObject({ numerator: 1, denominator: 2 });
    // The review whose last day is 03-31 (ending 24:00 that day) counts in March → 1 / 1.
    expect(await figure('three_party_review_timeliness')).toMatchObject({ numerator: 1, denominator: 1 });
    // Investigations opened in March: skip-level (open), new backlog (completed) → 1 / 2.
    expect(await figure('investigation_completion')).toMatchObject({ numerator: 1, denominator: 2 });
  });

  it('statutory routing and daily clearance', async () => {
    // Triage outcomes: A assigned, B assigned, C routed → 1 / 3. Same-day: A and C, not B → 2 / 3.
    expect(await figure('statutory_routing_rate')).toMatchObject({ numerator: 1, denominator: 3 });
    expect(await figure('daily_clearance')).toMatchObject({ numerator: 2, denominator: 3 });
  });

  it('every measure has a Chinese name and its formula; the rates a denominator', () => {
    for (const m of measures) {
      expect(m.name).toMatch(/[\u4e00-\u9fff]/);
      expect(m.numerator.length).toBeGreaterThan(10);
      expect(m.period.length).toBeGreaterThan(5);
      if (m.kind === 'rate') expect(m.denominator?.length).toBeGreaterThan(10);
    }
  });
});

describe('targets and series', () => {
  it('a reduction is judged against the same dates of the baseline year', async () => {
    // March 2025: 5 recorded visits on J → target 5 × 0.8 = 4; March 2026 has 3 → met.
    const volume = await measureReport(database.db, measureByKey('visit_batches')!, march(), { baselineYear: 2025 });
    expect(volume).toMatchObject({ value: 3, baseline: { year: 2025, from: '2025-03-01', to: '2025-03-31', value: 5 }, targetValue: 4, status: 'met' });
    // Beijing: 2 in March 2025 → target 1.4; 2 in March 2026 → not met.
    const beijing = await measureReport(database.db, measureByKey('beijing_visits')!, march(), { baselineYear: 2025 });
    expect(beijing).toMatchObject({ value: 2, targetValue: 1.4, status: 'not_met' });
    // No figures in the default baseline year (2017): nothing to compare.
    expect(await measureReport(database.db, measureByKey('beijing_visits')!, march(), { baselineYear: 2017, series: false })).toMatchObject({ status: 'no_data', targetValue: null });
  });

  it('a rate target and the monthly series', async () => {
    // 阅批 ≥ 30%: March alone 1 / 2 → met; February–March 1 / 5 = 0.2 → not met.
    expect(await measureReport(database.db, measureByKey('leader_review_rate')!, march(), { baselineYear: 2025, series: false })).toMatchObject({ value: 0.5, targetValue: 0.3, status: 'met' });
    const r = await measureReport(database.db, measureByKey('leader_review_rate')!, { ...march(), from: '2026-02-01' }, { baselineYear: 2025 });
    expect(r).toMatchObject({ numerator: 1, denominator: 5, value: 0.2, targetValue: 0.3, status: 'not_met' });
    // February: G, H, I (letters, not reviewed) → 0 / 3; March: A, B → 1 / 2.
    expect(r.series).toEqual([
      { month: '2026-02', numerator: 0, denominator: 3, value: 0 },
      { month: '2026-03', numerator: 1, denominator: 2, value: 0.5 },
    ]);
  });
});

describe('drill-down', () => {
  it('lists the matters behind a numerator and a denominator', async () => {
    const num = await drillDown(database.db, measureByKey('one_time_resolution')!, march(), 'numerator', { limit: 50, offset: 0 });
    expect(num.items.map((r) => r.caseNo)).toEqual(['A']);
    const den = await drillDown(database.db, measureByKey('one_time_resolution')!, march(), 'denominator', { limit: 50, offset: 0 });
    expect(den.total).toBe(2);
    expect(den.items.map((r) => r.caseNo).sort()).toEqual(['A', 'B']);
  });

  it('key petitioners are listed by their matters with an ordinal, never the petitioner key', async () => {
    const r = await drillDown(database.db, measureByKey('key_petitioners')!, march(), 'numerator', { limit: 50, offset: 0 });
    expect(r.items.map((i) => i.caseNo).sort()).toEqual(['B', 'G', 'I']);
    for (const i of r.items) expect(i.ref).toMatch(/^P\d+$/);
    // B and G belong to one petitioner.
    const byCase = Object.fromEntries(r.items.map((i) => [i.caseNo, i.ref]));
    expect(byCase.B).toBe(byCase.G);
    expect(byCase.I).not.toBe(byCase.B);
  });
});
