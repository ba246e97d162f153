/**
 * The 2018 leader-area table (丽委办发〔2018〕51号 附件) imported through POST /api/admin/backlog/import: 237 backlog
 * cases, each a workflow, assigned to the leaders and areas of the table; the same file twice changes nothing; a
 * malformed file is refused whole with each bad line named. Expected counts are read from the CSV itself.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { backlogCases, leaders } from '../../db/schema';
import { createApiBench, eventually, type ApiBench } from '../support/api';

const csvPath = new URL('../../db/seed/leader-area-backlog-2018.csv', import.meta.url);
const csv = readFileSync(csvPath, 'utf8');

/** Per leader (blank → （未填）) and per area, straight from the file's columns. */
function expectedFromCsv() {
  const perLeader: Record<string, number> = {};
  const perArea: Record<string, number> = {};
  for (const line of csv.trim().split('\n').slice(1)) {
    const [leader, area, , count] = line.split(',');
    if (!count) continue;
    perLeader[leader || '（未填）'] = (perLeader[leader || '（未填）'] ?? 0) + Number(count);
    perArea[area!] = Number(count);
  }
  return { perLeader, perArea };
}

let b: ApiBench;
beforeAll(async () => {
  b = await createApiBench();
});
afterAll(async () => b?.teardown());

const post = (body: string, userId = 'admin', query = 'year=2018') =>
  b.app.inject({ method: 'POST', url: `/api/admin/backlog/import?${query}`, headers: { ...b.auth(userId), 'content-type': 'text/csv' }, payload: body });

describe('POST /api/admin/backlog/import', () => {
  it('refuses a malformed file whole, naming each bad line, and writes nothing', async () => {
    const bad = [
      'supervising_leader,linked_unit,unit_kind,backlog_cases,note',
      '张兵,景宁畲族自治县,county,8,',
      '吴晓东,缙云县,county,四十四,',
      '某某,不存在县,county,3,',
      '方向,龙泉市,township,11,',
      '张兵,景宁畲族自治县,county,2,',
      '林康,市建设局,city_department,,',
    ].join('\n');
    const res = await post(bad);
    expect(res.statusCode).toBe(422);
    expect(res.json().errors).toEqual([
      'line 3: backlog_cases "四十四" is not a whole number',
      'line 4: no division named 不存在县',
      'line 5: unit_kind "township" is not one of county, development_zone, city_department, area',
      'line 6: 景宁畲族自治县 appears again (first on line 2)',
      'line 7: backlog_cases is empty for 市建设局 (only an area line may have no count)',
    ]);
    expect(await b.database.db.$count(backlogCases)).toBe(0);
    // A wrong header is refused too; and only an admin imports.
    expect((await post('leader,unit,count\n张兵,景宁畲族自治县,8')).statusCode).toBe(422);
    expect((await post(csv, 'supervisor-city')).statusCode).toBe(403);
  });

  it('imports the 2018 table: 237 cases with the leaders and areas of the table, each a running workflow', async () => {
    const { perLeader, perArea } = expectedFromCsv();
    const res = await post(csv);
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body).toMatchObject({ imported: true, cases: 237, perLeader });
    // The blank leader is accepted and flagged; the area line without a count is kept as an assignment without cases.
    expect(body.warnings).toEqual([expect.stringMatching(/^line 13: 市发改委 has no supervising leader/)]);
    expect(body.areasWithoutCases).toMatchObject([{ line: 16, area: '城中村改造联系片区', leader: '市人大常委会、市政协领导' }]);

    const db = b.database.db;
    expect(await db.$count(backlogCases)).toBe(237);
    const byLeader = (await db.execute(sql`select coalesce(leader_name, '（未填）') as leader, count(*)::int as n from backlog_cases group by 1`)) as unknown as { rows?: { leader: string; n: number }[] };
    expect(Object.fromEntries((byLeader.rows ?? (byLeader as unknown as { leader: string; n: number }[])).map((r) => [r.leader, r.n]))).toEqual(perLeader);
    const byArea = (await db.execute(sql`select area_name, count(*)::int as n from backlog_cases group by 1`)) as unknown as { rows: { area_name: string; n: number }[] };
    expect(Object.fromEntries(byArea.rows.map((r) => [r.area_name, r.n]))).toEqual(perArea);
    // Where the areas are: 丽水开发区 is the development zone; 市国土局 today's natural-resources bureau.
    const zone = await db.execute(sql`select distinct division_code, unit_id from backlog_cases where area_name in ('丽水经济技术开发区', '市国土局') order by 1, 2`);
    expect((zone as unknown as { rows: unknown[] }).rows).toEqual([
      { division_code: '331100', unit_id: 'city-natural-resources' },
      { division_code: 'LSKFQ', unit_id: null },
    ]);
    const flagged = await db.execute(sql`select count(*)::int as n from backlog_cases where leader_missing and area_name = '市发改委'`);
    expect((flagged as unknown as { rows: { n: number }[] }).rows[0]!.n).toBe(1);
    // 12 named leaders or titles (林亮 twice in the table is one leader).
    expect(await db.$count(leaders)).toBe(Object.keys(perLeader).filter((l) => l !== '（未填）').length);

    // Every case's workflow has run its first step (its projection replaced the row's empty state).
    await eventually(async () => {
      const r = await db.execute(sql`select count(*)::int as n from backlog_cases where last_seq >= 0`);
      const n = (r as unknown as { rows: { n: number }[] }).rows[0]!.n;
      return n === 237 ? n : undefined;
    }, 'all 237 backlog workflows to project', 120_000, 500);
  });

  it('the same file again changes nothing', async () => {
    const before = await b.database.db.execute(sql`select id, last_seq from backlog_cases order by id`);
    const res = await post(csv.replace(/\n/g, '\r\n'));
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ imported: false, cases: 237 });
    const after = await b.database.db.execute(sql`select id, last_seq from backlog_cases order by id`);
    expect(after).toEqual(before);
  });

  it('the register lists them by leader, and the progress shows the city level against its 80% target', async () => {
    const list = await b.get('/api/backlog?leader=%E6%9E%97%E4%BA%AE&limit=100', 'supervisor-city');
    expect(list.statusCode).toBe(200);
    expect(list.json().total).toBe(expectedFromCsv().perLeader['林亮']);
    const progress = await b.get('/api/backlog-progress?to=2018-12-31&divisionCode=331100', 'supervisor-city');
    expect(progress.json().levels.find((l: { level: string }) => l.level === 'city')).toMatchObject({ assigned: 237, closed: 0, rate: 0, target: 0.8, status: 'not_met' });
    // 莲都's supervisor sees only 莲都's 35.
    const liandu = await b.get('/api/backlog?limit=1', 'supervisor-liandu');
    expect(liandu.json().total).toBe(expectedFromCsv().perArea['莲都区']);
    const x = await b.get('/api/backlog?format=csv&limit=1000', 'supervisor-city');
    expect(x.body.trim().split('\r\n')).toHaveLength(238);
  });
});
