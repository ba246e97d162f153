import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { and, ilike, sql } from 'drizzle-orm';
import { buildApp } from '../../api/app';
import { boundedCount, descKey, divisionScope, MAX_OFFSET, pageRows, rowsOf, searchCount, type Sort } from '../../api/paging';
import { loadConfig } from '../../config';
import type { Database } from '../../db/client';
import { petitions, tasks } from '../../db/schema';
import { isOpen, type Status } from '../../domain/petition';
import { temporalClient } from '../../services/bootstrap';
import { memoryDatabase } from '../support/api';

// Keyset pages, bounded counts and bigram search, on a read model filled directly with 240 matters whose order has
// ties on every sort key but the last (same registration instant, same limit, no limit), so that a cursor that
// skipped or repeated a row would show. Lists never call Temporal: the client here is never dialled.

interface Item {
  caseNo: string;
  status: string;
  divisionCode: string;
  unitId: string | null;
  registeredAt: string;
  currentDeadline: { key: string; dueAt: string | null } | null;
  open: boolean;
}
interface List {
  page: number | null;
  total: number;
  totalExact: boolean;
  nextCursor: string | null;
  items: Item[];
}

const statusesUsed: Status[] = ['TRIAGE', 'AWAITING_ACCEPTANCE', 'IN_HANDLING', 'REPLIED', 'CLOSED', 'NOT_ACCEPTED', 'REVIEW'];
const divisionsUsed = ['331102', '331121', '331100', 'LSKFQ'];
const summaries = ['小区旁违章建筑影响采光通风', '建筑工地拖欠农民工工资', '夜间施工噪音扰民', '物业维修基金使用不透明'];

type Row = typeof petitions.$inferInsert;

describe('lists at any depth: cursors, bounded counts, bigram search', () => {
  let database: Database;
  let app: FastifyInstance;
  const rows: Row[] = [];

  const get = async (url: string, userId = 'supervisor-city') => {
    const res = await app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${app.signToken(userId)}` } });
    return res;
  };
  const list = async (query: string, userId = 'supervisor-city'): Promise<List> => {
    const res = await get(`/api/petitions?${query}`, userId);
    expect(res.statusCode, res.body).toBe(200);
    return res.json<List>();
  };
  /** Every page through nextCursor, starting with `query`. */
  const walk = async (query: string, userId = 'supervisor-city'): Promise<string[]> => {
    const out: string[] = [];
    let l = await list(query, userId);
    out.push(...l.items.map((i) => i.caseNo));
    for (let n = 0; l.nextCursor && n < 200; n++) {
      l = await list(`${query}&cursor=${encodeURIComponent(l.nextCursor)}`, userId);
      expect(l.page).toBeNull();
      out.push(...l.items.map((i) => i.caseNo));
    }
    expect(l.nextCursor).toBeNull();
    return out;
  };

  const byDeadline = (a: Row, b: Row) =>
    Number(b.open) - Number(a.open) ||
    (a.currentDueAt ? (b.currentDueAt ? a.currentDueAt.getTime() - b.currentDueAt.getTime() : -1) : b.currentDueAt ? 1 : 0) ||
    b.registeredAt.getTime() - a.registeredAt.getTime() ||
    (a.caseNo < b.caseNo ? 1 : a.caseNo > b.caseNo ? -1 : 0);
  const byRegistered = (a: Row, b: Row) => b.registeredAt.getTime() - a.registeredAt.getTime() || (a.caseNo < b.caseNo ? 1 : a.caseNo > b.caseNo ? -1 : 0);

  beforeAll(async () => {
    database = await memoryDatabase();
    const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' });
    app = await buildApp({ config, database, temporal: temporalClient(config, '127.0.0.1:1') });
    const base = Date.parse('2026-03-02T01:00:00Z');
    for (let i = 0; i < 240; i++) {
      const status = statusesUsed[i % statusesUsed.length]!;
      const open = isOpen(status);
      const caseNo = `LS20260302${String(1000 + ((i * 37) % 240)).padStart(5, '0')}`;
      // Pairs registered at the same instant; limits on 10 distinct days, or none.
      const registeredAt = new Date(base + Math.floor(i / 2) * 3_600_000);
      const currentDueAt = open && i % 5 !== 0 ? new Date(Date.parse('2026-04-01T15:59:59.999Z') + (i % 10) * 86_400_000) : null;
      const divisionCode = divisionsUsed[i % divisionsUsed.length]!;
      rows.push({
        caseNo,
        queryCode: caseNo.slice(-8),
        workflowId: `petition-${caseNo}`,
        status,
        channel: 'letter',
        source: 'direct',
        divisionCode,
        unitId: status === 'TRIAGE' ? null : divisionCode === '331102' ? 'liandu-housing' : null,
        category: 'urban_construction',
        purpose: 'complaint',
        summary: `${summaries[i % summaries.length]}（第${i}件）`,
        petitioners: [{ name: '王五', main: true, idType: 'resident_id' }],
        personsCount: 1,
        flags: {},
        intake: {},
        receivedAt: registeredAt,
        registeredAt,
        registeredBy: 'registrar-city',
        firstReceiver: 'registrar-city',
        currentDeadlineKey: currentDueAt ? 'handling' : null,
        currentDueAt,
        overdue: false,
        open,
      });
    }
    await database.db.insert(petitions).values(rows);
    // Work-list tasks of the open matters bound to 莲都区住建局: a reply for the handler, a meeting for the head.
    const unitRows = rows.filter((r) => r.open && r.unitId === 'liandu-housing');
    await database.db.insert(tasks).values(
      unitRows.flatMap((r, i) => [
        { caseNo: r.caseNo, kind: 'reply', assigneeRole: 'unit_handler', unitId: 'liandu-housing', divisionCode: r.divisionCode, dueAt: r.currentDueAt, overdue: i % 3 === 0 },
        { caseNo: r.caseNo, kind: 'meet3', assigneeRole: 'unit_head', unitId: 'liandu-housing', divisionCode: r.divisionCode, dueAt: null, overdue: false },
      ]),
    );
  });
  afterAll(async () => {
    await app?.close();
    await database?.close();
  });

  it('the cursor walks the default order once, with ties on the limit and the registration, as offset pages do', async () => {
    const expected = [...rows].sort(byDeadline).map((r) => r.caseNo);
    expect(await walk('pageSize=7')).toEqual(expected);
    const offsetPages: string[] = [];
    for (let page = 1; page <= 35; page++) offsetPages.push(...(await list(`pageSize=7&page=${page}`)).items.map((i) => i.caseNo));
    expect(offsetPages).toEqual(expected);
  });

  it('sort=registered: the cursor walks the latest registration first, the case number breaking ties', async () => {
    expect(await walk('sort=registered&pageSize=9')).toEqual([...rows].sort(byRegistered).map((r) => r.caseNo));
  });

  it('several statuses are served piece by piece and still come out in one order, at every depth', async () => {
    const wanted = new Set<string>(['TRIAGE', 'CLOSED', 'REVIEW']);
    const expected = rows.filter((r) => wanted.has(r.status)).sort(byDeadline).map((r) => r.caseNo);
    expect(await walk('status=TRIAGE,CLOSED,REVIEW&pageSize=6')).toEqual(expected);
    const l = await list('status=TRIAGE,CLOSED,REVIEW&pageSize=6');
    expect(l).toMatchObject({ total: expected.length, totalExact: true });
  });

  it("a county registrar's cursor pages keep to the county", async () => {
    const expected = rows.filter((r) => r.divisionCode === '331102').sort(byDeadline).map((r) => r.caseNo);
    expect(await walk('pageSize=8', 'registrar-liandu')).toEqual(expected);
  });

  it('each response says whether there is a next page: nextCursor is null on the last', async () => {
    const l = await list('pageSize=100&page=3');
    expect(l.items).toHaveLength(40);
    expect(l.nextCursor).toBeNull();
    expect((await list('pageSize=100&page=2')).nextCursor).toEqual(expect.any(String));
  });

  it('refuses a cursor it did not give, one made for the other sort, a cursor with a page, and offset pages too deep', async () => {
    const first = await list('pageSize=5');
    const bad = await get('/api/petitions?cursor=not-a-cursor');
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: 'InvalidInput' });
    const other = await get(`/api/petitions?sort=registered&cursor=${encodeURIComponent(first.nextCursor!)}`);
    expect(other.statusCode).toBe(400);
    expect(other.json<{ message: string }>().message).toMatch(/sort=deadline/);
    expect((await get(`/api/petitions?page=2&cursor=${encodeURIComponent(first.nextCursor!)}`)).statusCode).toBe(400);
    const deep = await get(`/api/petitions?pageSize=20&page=${MAX_OFFSET / 20 + 2}`);
    expect(deep.statusCode).toBe(400);
    expect(deep.json<{ message: string }>().message).toMatch(/nextCursor/);
    expect((await get(`/api/petitions?pageSize=20&page=${MAX_OFFSET / 20 + 1}`)).statusCode).toBe(200);
  });

  it('q: a two-character Chinese term finds exactly the matters whose summary has it; one character still works', async () => {
    const has = (t: string) => rows.filter((r) => r.summary.includes(t)).sort(byDeadline).map((r) => r.caseNo);
    expect(await walk(`q=${encodeURIComponent('采光')}&pageSize=25`)).toEqual(has('采光'));
    expect(await walk(`q=${encodeURIComponent('农民工工资')}&pageSize=25`)).toEqual(has('农民工工资'));
    expect(await walk(`q=${encodeURIComponent('第17件')}`)).toEqual(has('第17件'));
    expect(await walk(`q=${encodeURIComponent('噪')}&pageSize=25`)).toEqual(has('噪'));
    expect(await walk(`q=${encodeURIComponent('光通风夜')}`)).toEqual([]);
  });

  it('the bigrams the search index holds are those of the case number and summary, lower-cased', async () => {
    const [r] = rowsOf<{ b: string[] }>(await database.db.execute(sql`select text_bigrams('AB采光') as b`));
    expect([...r!.b].sort()).toEqual(['ab', 'b采', '采光'].sort());
  });

  it('a search page read strictly in index order (as for a common term) is the same page', async () => {
    const sort: Sort = { name: 'registered', keys: [descKey(petitions.registeredAt, 'time'), descKey(petitions.caseNo, 'text')] };
    const where = and(sql`${petitions.searchBigrams} @> text_bigrams(${'采光'})`, ilike(petitions.summary, '%采光%'));
    const read = (inOrder: boolean) =>
      pageRows<{ caseNo: string }>({ query: (w, tx) => (tx ?? database.db).select({ caseNo: petitions.caseNo, registeredAt: petitions.registeredAt }).from(petitions).where(w), where, sort, offset: 0, limit: 15, inOrder: inOrder ? { db: database.db } : undefined });
    const expected = rows.filter((r) => r.summary.includes('采光')).sort(byRegistered).slice(0, 15).map((r) => r.caseNo);
    expect((await read(true)).map((r) => r.caseNo)).toEqual(expected);
    expect((await read(false)).map((r) => r.caseNo)).toEqual(expected);
  });

  it('a count stops at its threshold and then gives the estimate, flagged as such', async () => {
    const exact = await boundedCount(database.db, sql`${petitions}`, undefined, 500);
    expect(exact).toEqual({ total: 240, exact: true });
    const capped = await boundedCount(database.db, sql`${petitions}`, undefined, 100);
    expect(capped.exact).toBe(false);
    expect(capped.total).toBeGreaterThan(100);
  });

  it('a search term common in a sample of the table is estimated (and read in order); a rare one is counted exactly', async () => {
    await database.db.execute(sql`analyze petitions`);
    const term = (t: string) => and(ilike(petitions.summary, `%${t}%`), sql`${petitions.searchBigrams} @> text_bigrams(${t})`);
    // 60 of the 240 summaries have 农民工工资. Its four bigrams, taken as independent, make the planner expect about one
    // match; a sample of about 80 rows (threshold 20) finds it common: estimated, flagged.
    const common = await searchCount(database.db, petitions, term('农民工工资'), 20, 80);
    expect(common).toMatchObject({ exact: false, common: true });
    expect(common.total).toBeGreaterThan(40);
    expect(common.total).toBeLessThan(120);
    // The same sample again (REPEATABLE): every page of one list shows the same total.
    expect(await searchCount(database.db, petitions, term('农民工工资'), 20, 80)).toEqual(common);
    // 采光 is one bigram, whose frequency the planner knows: common without a sample.
    expect(await searchCount(database.db, petitions, term('采光'), 20, 80)).toMatchObject({ exact: false, common: true });
    // One matter has 第17件: too few in the sample, so it is counted, exactly.
    expect(await searchCount(database.db, petitions, term('第17件'), 20, 80)).toEqual({ total: 1, exact: true, common: false });
    // Common in the sample but under twice the threshold: counted exactly up to the threshold, as boundedCount does.
    expect(await searchCount(database.db, petitions, term('农民工工资'), 100, 80)).toEqual({ total: 60, exact: true, common: false });
    // A table no larger than the sample is not sampled: counted up to the threshold, then the planner's estimate.
    expect(await searchCount(database.db, petitions, term('农民工工资'), 20)).toMatchObject({ exact: false, common: false });
  });

  it("a division filter outside the caller's jurisdiction gives nothing, not everything", async () => {
    const l = await list('divisionCode=331121', 'registrar-liandu');
    expect(l).toMatchObject({ total: 0, items: [], nextCursor: null });
    expect((await list('divisionCode=331121&status=TRIAGE,CLOSED', 'registrar-liandu')).items).toEqual([]);
  });

  it('a jurisdiction becomes the divisions themselves when few, else their complement', () => {
    const all = ['330000', '331100', '331102', '331121', '331122'];
    expect(divisionScope(petitions.divisionCode, [], all).where).toBeDefined();
    expect(divisionScope(petitions.divisionCode, all, all)).toEqual({});
    expect(divisionScope(petitions.divisionCode, ['331102'], all).where).toBeDefined();
    expect(divisionScope(petitions.divisionCode, ['331102', '331121'], all).scopes).toHaveLength(2);
    const wide = divisionScope(petitions.divisionCode, ['331100', '331102', '331121', '331122'], all);
    expect(wide.scopes).toBeUndefined();
    expect(wide.where).toBeDefined();
  });

  it("work list: the unit head's tasks, overdue first then by limit, walked by cursor; the handler sees only hers", async () => {
    const walkTasks = async (userId: string) => {
      const out: { caseNo: string; kind: string; overdue: boolean; dueAt: string | null }[] = [];
      let cursor: string | null = null;
      for (let n = 0; n < 100; n++) {
        const res = await get(`/api/tasks?limit=4${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, userId);
        expect(res.statusCode, res.body).toBe(200);
        const body = res.json<{ items: typeof out; nextCursor: string | null }>();
        out.push(...body.items);
        cursor = body.nextCursor;
        if (!cursor) break;
      }
      return out;
    };
    const head = await walkTasks('head-liandu-housing');
    const count = rows.filter((r) => r.open && r.unitId === 'liandu-housing').length;
    expect(head).toHaveLength(count * 2);
    const key = (t: (typeof head)[number]) => [t.overdue ? 0 : 1, t.dueAt ?? '9999', t.caseNo, t.kind].join('|');
    expect(head.map(key)).toEqual([...head.map(key)].sort());
    const handler = await walkTasks('handler-liandu-housing');
    expect(handler.map((t) => t.kind)).toEqual(Array(count).fill('reply'));
  });
});
