// Lists that do not grow with the table: keyset (cursor) pages, page queries that each an index serves in order,
// a jurisdiction split into index-sized pieces, and counts that stop counting at a threshold.
//
// A list query is the rows of a table that satisfy a filter, in a total order (sort keys ending in a unique column),
// one page at a time. Served naively (OFFSET, ORDER BY on a filter the index does not lead with, count(*)), each page
// costs time in proportion to the table. Here:
// - `pageRows` runs the page as one or more index-ordered scans that each stop after `limit` rows: one per disjoint
//   scope (e.g. one per division of a supervisor's jurisdiction, each served by an index leading with that column),
//   and, after a cursor, one per "tie level" of the sort keys, so that each piece has equality on a prefix of the
//   index and a range on the next column (a btree can seek to it) rather than an OR the planner can only filter by.
//   The pieces are UNION ALL-ed and the outer ORDER BY/LIMIT merges a few dozen rows.
// - `cursorOf`/`decodeCursor`: the cursor is the last row's sort key values, base64url JSON, bound to the sort's name.
// - `boundedCount`: exact up to a threshold, beyond it the planner's estimate (flagged), so a count never scans;
//   `searchCount` first samples a fixed number of rows to tell a common search term (estimated) from a rare one.
import { and, eq, getTableName, isNotNull, isNull, notInArray, sql, type SQL } from 'drizzle-orm';
import { unionAll, type PgColumn, type PgTable } from 'drizzle-orm/pg-core';
import { z } from 'zod';
import type { Db } from '../db/client';
import { ServiceError } from '../services/errors';

export interface SortKey {
  col: PgColumn;
  dir: 'asc' | 'desc';
  /** Where NULLs go. desc() defaults to last, as drizzle-kit declares a .desc() index column (DESC NULLS LAST). */
  nulls: 'first' | 'last';
  /** How the cursor carries the value. */
  type: 'text' | 'bool' | 'time';
}

/** A named total order: the last key must be unique (e.g. the primary key) so that a cursor is exact. */
export interface Sort {
  name: string;
  keys: SortKey[];
}

export const ascKey = (col: PgColumn, type: SortKey['type'], nulls: SortKey['nulls'] = 'last'): SortKey => ({ col, dir: 'asc', nulls, type });
export const descKey = (col: PgColumn, type: SortKey['type'], nulls: SortKey['nulls'] = 'last'): SortKey => ({ col, dir: 'desc', nulls, type });

/** ORDER BY of a sort (the same text the list indexes are declared with, so that they serve it). */
export function orderBy(sort: Sort): SQL[] {
  return sort.keys.map((k) => sql`${k.col} ${sql.raw(k.dir)} nulls ${sql.raw(k.nulls)}`);
}

/** Rows of one page deeper than this are refused with offset paging: use the cursor. */
export const MAX_OFFSET = 10_000;

/** Query parameters every keyset-paged list accepts. */
export const pagingQuery = {
  page: z.coerce
    .number()
    .int()
    .min(1)
    .default(1)
    .describe(`page number for offset paging (the first ${MAX_OFFSET} rows); deeper, follow nextCursor`),
  pageSize: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z
    .string()
    .max(1000)
    .optional()
    .describe('the nextCursor of the previous page: the page after it, as fast at any depth (page must then be 1)'),
};

type CursorValue = string | boolean | null;

/** The cursor after a row: its sort key values, bound to the sort's name. */
export function cursorOf(sort: Sort, row: Record<string, unknown>, fields: string[]): string {
  const v: CursorValue[] = sort.keys.map((k, i) => {
    const x = row[fields[i]!];
    if (x === null || x === undefined) return null;
    if (k.type === 'time') return (x instanceof Date ? x : new Date(String(x))).toISOString();
    if (k.type === 'bool') return Boolean(x);
    return String(x);
  });
  return Buffer.from(JSON.stringify({ s: sort.name, v })).toString('base64url');
}

const cursorShape = z.object({ s: z.string(), v: z.array(z.union([z.string(), z.boolean(), z.null()])) });

/** The sort key values of a cursor; 400 when it is malformed or was made for another sort. */
export function decodeCursor(sort: Sort, cursor: string): CursorValue[] {
  let parsed: z.infer<typeof cursorShape> | undefined;
  try {
    parsed = cursorShape.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
  } catch {
    parsed = undefined;
  }
  const bad = (why: string) => new ServiceError(400, 'InvalidInput', `invalid cursor: ${why}`, { cursor: why });
  if (!parsed) throw bad('not a cursor this list gave');
  if (parsed.s !== sort.name) throw bad(`it was made for sort=${parsed.s}`);
  if (parsed.v.length !== sort.keys.length) throw bad('wrong number of values');
  sort.keys.forEach((k, i) => {
    const x = parsed.v[i];
    if (x === null) return;
    const ok = k.type === 'bool' ? typeof x === 'boolean' : typeof x === 'string' && (k.type === 'text' || !Number.isNaN(Date.parse(x)));
    if (!ok) throw bad(`value ${i + 1} has the wrong type`);
  });
  return parsed.v;
}

const param = (k: SortKey, v: string | boolean) => (k.type === 'time' ? sql`${new Date(v as string).toISOString()}::timestamptz` : k.type === 'bool' ? sql`${v}::boolean` : sql`${v}`);

/**
 * The rows after a cursor, as disjoint conditions in sort order (finest tie first): piece i has the first i keys
 * equal to the cursor's and key i+1 strictly after it. Each is a prefix-equality-plus-range an index seeks to.
 */
export function afterCursor(sort: Sort, values: CursorValue[]): SQL[] {
  const pieces: SQL[] = [];
  for (let i = sort.keys.length - 1; i >= 0; i--) {
    const prefix = sort.keys.slice(0, i).map((k, j) => (values[j] === null ? isNull(k.col) : eq(k.col, param(k, values[j]!))));
    const k = sort.keys[i]!;
    const v = values[i] ?? null;
    const afters: SQL[] = [];
    if (v === null) {
      // After a NULL: nothing if NULLs come last; every non-NULL if they come first.
      if (k.nulls === 'first') afters.push(isNotNull(k.col));
    } else {
      afters.push(k.dir === 'asc' ? sql`${k.col} > ${param(k, v)}` : sql`${k.col} < ${param(k, v)}`);
      if (k.nulls === 'last') afters.push(isNull(k.col));
    }
    for (const a of afters) pieces.push(and(...prefix, a)!);
  }
  return pieces;
}

/** A select with its columns and FROM chosen, given the WHERE of one piece. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type PieceQuery = (where: SQL | undefined, db?: Db) => any;

/**
 * One page of rows, `limit` of them (ask for one more than the page to learn whether there is a next).
 * `scopes` are disjoint alternatives OR-ed together (undefined: no split); each piece is index-ordered and limited.
 */
export async function pageRows<T>(opts: {
  query: PieceQuery;
  where: SQL | undefined;
  scopes?: SQL[];
  sort: Sort;
  after?: CursorValue[];
  offset: number;
  limit: number;
  /**
   * Read in index order even where the planner would rather collect every match and sort (it estimates a search term's
   * bigrams as independent, so a common term looks rare): for filters known to match many rows, where the ordered
   * scan meets a page of them at once. Needs `db` to run the page in a transaction with bitmap scans and sorts off.
   */
  inOrder?: { db: Db };
}): Promise<T[]> {
  if (opts.inOrder) {
    const { inOrder, ...rest } = opts;
    return inOrder.db.transaction(async (tx) => {
      // No bitmap (collect every match) and no sort of a whole result: the planner falls back to the ordered index.
      await tx.execute(sql.raw('set local enable_bitmapscan = off'));
      await tx.execute(sql.raw('set local enable_sort = off'));
      // The plan's cost is that of reading the whole index (the planner does not know the page comes early), which
      // would buy parallel workers costing more than the page itself (JIT is off for every session: db/client.ts).
      await tx.execute(sql.raw('set local max_parallel_workers_per_gather = 0'));
      return pageRows<T>({ ...rest, query: (w) => rest.query(w, tx) });
    });
  }
  const order = orderBy(opts.sort);
  // Alternatives given but none left: no rows (an empty list of scopes must never mean "unscoped").
  if (opts.scopes && opts.scopes.length === 0) return [];
  const scopes: (SQL | undefined)[] = opts.scopes ? opts.scopes : [undefined];
  const afters: (SQL | undefined)[] = opts.after ? afterCursor(opts.sort, opts.after) : [undefined];
  const pieces: SQL[] = [];
  for (const s of scopes) for (const a of afters) pieces.push(and(opts.where, s, a) ?? sql`true`);
  if (!pieces.length) return [];
  if (pieces.length === 1) return opts.query(pieces[0]).orderBy(...order).limit(opts.limit).offset(opts.offset);
  const each = pieces.map((w) => opts.query(w).orderBy(...order).limit(opts.offset + opts.limit));
  const [first, second, ...rest] = each;
  return unionAll(first, second, ...rest)
    .orderBy(...order)
    .limit(opts.limit)
    .offset(opts.offset) as unknown as Promise<T[]>;
}

/**
 * The jurisdiction (or a division filter) as something an index serves: the divisions themselves when they are few
 * (one scope each, so each is an index range in sort order), else the complement when that is smaller (a cheap filter
 * on an index-ordered scan that rarely rejects a row), else an IN list.
 */
export function divisionScope(col: PgColumn, allowed: string[], all: string[]): { scopes?: SQL[]; where?: SQL } {
  // Nothing allowed (a division filter outside the jurisdiction): nothing, never "no condition".
  if (allowed.length === 0) return { where: sql`false` };
  const allowedSet = new Set(allowed);
  const others = all.filter((c) => !allowedSet.has(c));
  if (others.length === 0) return {};
  if (allowed.length <= 16 && allowed.length <= others.length) return allowed.length === 1 ? { where: eq(col, allowed[0]!) } : { scopes: allowed.map((c) => eq(col, c)) };
  if (others.length <= 64) return { where: notInArray(col, others) };
  return { where: sql`${col} in ${allowed}` };
}

/** Counts are exact up to this many rows; beyond, the planner's estimate (flagged). */
export const EXACT_COUNT_UP_TO = 1_000;
/** A count that would take longer than this (a filter no index serves) gives the estimate instead. */
const COUNT_BUDGET_MS = 40;

/**
 * Counts up to `threshold` exactly; beyond it, or when counting would take longer than COUNT_BUDGET_MS, returns the
 * planner's estimate with exact=false. A count never scans the table.
 */
export async function boundedCount(db: Db, from: SQL, where: SQL | undefined, threshold = EXACT_COUNT_UP_TO): Promise<{ total: number; exact: boolean }> {
  const estimate = Math.round(await planRows(db, sql`select 1 from ${from} where ${where ?? sql`true`}`));
  if (estimate > threshold * 2) return { total: estimate, exact: false };
  return countUpTo(db, from, where, threshold, estimate);
}

/** The exact count up to `threshold` (within COUNT_BUDGET_MS), else the planner's `estimate`, flagged. */
async function countUpTo(db: Db, from: SQL, where: SQL | undefined, threshold: number, estimate: number): Promise<{ total: number; exact: boolean }> {
  const cond = where ?? sql`true`;
  let n: number;
  try {
    n = await db.transaction(async (tx) => {
      await tx.execute(sql.raw(`set local statement_timeout = ${COUNT_BUDGET_MS}`));
      const rows = rowsOf<{ n: number }>(await tx.execute(sql`select count(*)::int as n from (select 1 from ${from} where ${cond} limit ${threshold + 1}) t`));
      return Number(rows[0]?.n ?? 0);
    });
  } catch (err) {
    // 57014: statement_timeout (query_canceled)
    if ((err as { code?: string }).code === '57014' || (err as { cause?: { code?: string } }).cause?.code === '57014') return { total: Math.max(estimate, 1), exact: false };
    throw err;
  }
  if (n <= threshold) return { total: n, exact: true };
  return { total: Math.max(estimate, threshold + 1), exact: false };
}

/** Rows a search's sample reads: enough to tell a term in one matter of a few hundred from a rarer one. */
const SEARCH_SAMPLE_ROWS = 1_500;
/** Matches the sample must hold before a term is taken as common (fewer could be chance). */
const SEARCH_SAMPLE_MIN_HITS = 10;

/**
 * The count of a text search, and whether its term is common. The planner cannot tell: it takes a term's bigrams as
 * independent, so a common term looks rare, and counting a common term exactly up to the threshold builds the bitmap
 * of all its matches first (that grows with the table). So when the planner's estimate is not already beyond twice the
 * threshold (it only errs low), a fixed-size sample of the table's pages (TABLESAMPLE
 * SYSTEM, REPEATABLE so that every page of one list shows the same total) is filtered by the whole condition: a term
 * with at least SEARCH_SAMPLE_MIN_HITS matches in it and an estimate beyond twice the threshold is common, its total
 * that estimate (flagged); any other is counted exactly up to the threshold, as boundedCount does. A table no larger
 * than the sample is not sampled.
 */
export async function searchCount(
  db: Db,
  table: PgTable,
  where: SQL | undefined,
  threshold = EXACT_COUNT_UP_TO,
  sampleRows = SEARCH_SAMPLE_ROWS,
): Promise<{ total: number; exact: boolean; common: boolean }> {
  const cond = where ?? sql`true`;
  // The planner only underestimates a term (independent bigrams): when even it says common, the term is.
  const planned = Math.round(await planRows(db, sql`select 1 from ${table} where ${cond}`));
  if (planned > threshold * 2) return { total: planned, exact: false, common: true };
  const name = getTableName(table);
  // Pages now (not the planner's, which may predate a load), rows per page as the planner last saw them.
  const [size] = rowsOf<{ pages: number; density: number }>(
    await db.execute(sql`select (pg_relation_size(oid) / current_setting('block_size')::int)::float8 as pages,
        (case when relpages > 0 and reltuples > 0 then reltuples / relpages else 10 end)::float8 as density
      from pg_class where oid = ${name}::regclass`),
  );
  const rows = Number(size?.pages ?? 0) * Number(size?.density ?? 0);
  let sampled = 0;
  if (rows > sampleRows) {
    const percent = (100 * sampleRows) / rows;
    const [s] = rowsOf<{ seen: number; hits: number }>(
      await db.execute(
        sql`select count(*)::int as seen, (count(*) filter (where ${cond}))::int as hits from ${table} tablesample system (${sql.raw(percent.toFixed(6))}) repeatable (0)`,
      ),
    );
    const seen = Number(s?.seen ?? 0);
    const hits = Number(s?.hits ?? 0);
    sampled = seen ? Math.round((hits / seen) * rows) : 0;
    if (hits >= SEARCH_SAMPLE_MIN_HITS && sampled > threshold * 2) return { total: sampled, exact: false, common: true };
  }
  // Beyond the threshold, the better of the two estimates (the planner's only errs low).
  return { ...(await countUpTo(db, sql`${table}`, where, threshold, Math.max(planned, sampled))), common: false };
}

async function planRows(db: Db, query: SQL): Promise<number> {
  const rows = rowsOf<Record<string, unknown>>(await db.execute(sql`explain (format json) ${query}`));
  const raw = rows[0] ? Object.values(rows[0])[0] : undefined;
  const plan = (typeof raw === 'string' ? JSON.parse(raw) : raw) as { Plan: { 'Plan Rows': number } }[] | undefined;
  return plan?.[0]?.Plan['Plan Rows'] ?? 0;
}

/** Rows of db.execute on either driver (postgres.js gives an array, PGlite { rows }). */
export function rowsOf<T>(result: unknown): T[] {
  return (Array.isArray(result) ? result : ((result as { rows?: unknown[] }).rows ?? [])) as T[];
}
