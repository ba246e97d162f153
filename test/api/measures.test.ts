/**
 * GET /api/measures and its drill-down through inject(), on a read model written by hand (no workflows needed:
 * the figures come from the read model alone). Exports are read back: the CSV as text, the XLSX with exceljs.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { Client } from '@temporalio/client';
import ExcelJS from 'exceljs';
import { buildApp } from '../../api/app';
import type { Database } from '../../db/client';
import { measures } from '../../domain/measures';
import { queryRows } from '../../read-model/rows';
import { memoryDatabase } from '../support/harness';
import { testConfig } from '../support/api';
import { fixtures } from '../support/read-model-fixtures';

let database: Database;
let app: FastifyInstance;
const get = (url: string, userId: string) => app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${app.signToken(userId)}` } });
const Q = 'from=2026-03-01&to=2026-03-31';

beforeAll(async () => {
  database = await memoryDatabase();
  const f = fixtures(database.db);
  // 莲都: two letters in March, one reviewed by a leader; 青田: one letter with a Beijing visit.
  await f.matter('LD1', { registeredAt: '2026-03-02T10:00:00+08:00' });
  await f.matter('LD2', { registeredAt: '2026-03-09T10:00:00+08:00', channel: 'online' });
  await f.matter('QT1', { division: '331121', registeredAt: '2026-03-03T10:00:00+08:00' });
  await f.visit('QT1', '2026-03-11T08:00:00+08:00', { level: 'national', abnormalInBeijing: true });
  await f.leader('city-leader', { level: 'city', division: '331100' });
  await f.review('city-leader', '2026-03-05', ['LD1']);
  app = await buildApp({ config: testConfig({ CAMPAIGN_BASELINE_YEAR: '2025' }), database, temporal: new Client() });
  await app.ready();
});

afterAll(async () => {
  await app?.close();
  await database?.close();
});

describe('GET /api/measures', () => {
  it('a city supervisor sees every measure with its formula, target, status and monthly series', async () => {
    const res = await get(`/api/measures?${Q}&divisionCode=331100`, 'supervisor-city');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ from: '2026-03-01', to: '2026-03-31', divisionCode: '331100', baselineYear: 2025 });
    expect(body.items.map((m: { key: string }) => m.key)).toEqual(measures.map((m) => m.key));
    const review = body.items.find((m: { key: string }) => m.key === 'leader_review_rate');
    // 3 letters/online in the city, 1 reviewed → 0.3333 ≥ 0.3.
    expect(review).toMatchObject({ name: '领导阅批率', numerator: 1, denominator: 3, value: 0.3333, targetValue: 0.3, status: 'met' });
    expect(review.formula.denominator).toMatch(/initial letters/);
    expect(review.series).toEqual([{ month: '2026-03', numerator: 1, denominator: 3, value: 0.3333 }]);
    const beijing = body.items.find((m: { key: string }) => m.key === 'beijing_visits');
    expect(beijing).toMatchObject({ value: 1, baseline: { year: 2025, value: 0 }, status: 'no_data', target: { kind: 'reduction', percent: 30 } });
  });

  it('defaults to the supervisor’s own division; 莲都 does not see 青田', async () => {
    const res = await get(`/api/measures?${Q}&series=false`, 'supervisor-liandu');
    expect(res.statusCode).toBe(200);
    const review = res.json().items.find((m: { key: string }) => m.key === 'leader_review_rate');
    expect(review).toMatchObject({ numerator: 1, denominator: 2, value: 0.5, series: [] });
    expect(res.json().divisionCode).toBe('331102');
  });

  it('refuses other roles (403), divisions outside the jurisdiction (403), unknown divisions (404), bad periods (400)', async () => {
    expect((await get(`/api/measures?${Q}`, 'registrar-city')).statusCode).toBe(403);
    expect((await get(`/api/measures?${Q}&divisionCode=331121`, 'supervisor-liandu')).statusCode).toBe(403);
    expect((await get(`/api/measures?${Q}&divisionCode=999999`, 'supervisor-city')).statusCode).toBe(404);
    expect((await get(`/api/measures?from=2026-04-01&to=2026-03-01`, 'supervisor-city')).statusCode).toBe(400);
    expect((await get(`/api/measures?from=2026-13-01`, 'supervisor-city')).statusCode).toBe(400);
    expect((await get(`/api/measures/no_such/matters?${Q}`, 'supervisor-city')).statusCode).toBe(404);
  });

  it('exports the measure table as CSV and XLSX', async () => {
    const csv = await get(`/api/measures?${Q}&divisionCode=331100&format=csv`, 'supervisor-city');
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    expect(csv.headers['content-disposition']).toMatch(/measures-331100-2026-03-01-2026-03-31\.csv/);
    const lines = csv.body.replace(/^\ufeff/, '').trim().split('\r\n');
    expect(lines).toHaveLength(measures.length + 1);
    expect(lines.find((l) => l.startsWith('leader_review_rate,'))).toMatch(/^leader_review_rate,领导阅批率,1,3,0\.3333,0\.3,≥ 0\.3,met,/);

    const xlsx = await get(`/api/measures?${Q}&divisionCode=331100&format=xlsx`, 'supervisor-city');
    expect(xlsx.statusCode).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
    const ws = wb.worksheets[0]!;
    expect(ws.rowCount).toBe(measures.length + 1);
    const row = ws.getRows(2, ws.rowCount - 1)!.find((r) => r.getCell(1).value === 'leader_review_rate')!;
    expect([row.getCell(2).value, row.getCell(3).value, row.getCell(4).value, row.getCell(5).value, row.getCell(8).value]).toEqual(['领导阅批率', 1, 3, 0.3333, 'met']);
  });
});

describe('GET /api/measures/:key/matters', () => {
  it('lists the matters behind the numerator and the denominator, and exports them', async () => {
    const num = await get(`/api/measures/leader_review_rate/matters?${Q}&divisionCode=331100`, 'supervisor-city');
    expect(num.statusCode).toBe(200);
    expect(num.json()).toMatchObject({ key: 'leader_review_rate', side: 'numerator', total: 1, items: [{ caseNo: 'LD1', divisionCode: '331102' }] });
    const den = await get(`/api/measures/leader_review_rate/matters?${Q}&divisionCode=331100&side=denominator`, 'supervisor-city');
    expect(den.json().items.map((i: { caseNo: string }) => i.caseNo).sort()).toEqual(['LD1', 'LD2', 'QT1']);
    const csv = await get(`/api/measures/beijing_visits/matters?${Q}&divisionCode=331100&format=csv`, 'supervisor-city');
    expect(csv.body).toMatch(/\r\n[^,]+,QT1,abnormal,1,,IN_HANDLING,331121,/);
  });
});

describe('GET /api/measures after a bulk change', () => {
  it('answers at once with the right figures while 1,300 imported letters wait for the background drain, and says so', { timeout: 120_000 }, async () => {
    // A backlog import of 1,300 letters to 青田 received 3 March 2026, in one statement (more than a read drains or corrects for).
    const cols = await queryRows<{ c: string }>(database.db, sql`select column_name as c from information_schema.columns where table_name = 'petitions' and is_generated = 'NEVER' order by ordinal_position`);
    const keys = ['case_no', 'query_code', 'workflow_id'];
    const list = sql.raw(cols.map((r) => `"${r.c}"`).join(', '));
    const values = sql.raw(cols.map((r) => (keys.includes(r.c) ? `p."${r.c}" || '~' || g` : `p."${r.c}"`)).join(', '));
    await database.db.execute(sql`insert into petitions (${list}) select ${values} from petitions p cross join generate_series(1, 1300) g where p.case_no = 'QT1'`);
    const marked = async () => (await queryRows<{ n: number }>(database.db, sql`select count(*)::int as n from measure_dirty`))[0]!.n;
    expect(await marked()).toBeGreaterThanOrEqual(1300);

    const city = await get(`/api/measures?${Q}&divisionCode=331100`, 'supervisor-city');
    expect(city.statusCode).toBe(200);
    expect(city.json().aggregates.direct).toBe(true);
    expect(city.json().aggregates.pending).toBeGreaterThan(1000);
    const review = city.json().items.find((m: { key: string }) => m.key === 'leader_review_rate');
    expect(review).toMatchObject({ numerator: 1, denominator: 1303, series: [{ month: '2026-03', numerator: 1, denominator: 1303 }] });

    // 莲都 holds none of them: its figures come from the aggregates as they are.
    const liandu = await get(`/api/measures/leader_review_rate?${Q}`, 'supervisor-liandu');
    expect(liandu.json()).toMatchObject({ numerator: 1, denominator: 2, aggregates: { direct: false } });
    expect(liandu.json().aggregates.pending).toBeGreaterThan(1000);
    expect(await marked()).toBeGreaterThan(1000); // the reads left the rest to the background drain
  });
});
