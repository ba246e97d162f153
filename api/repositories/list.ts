import { and, getTableColumns, sql, type SQL } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import type { Db } from '../../db/client';

/** One page of a list, with the total number of rows that match. */
export interface Page<T> {
  page: number;
  pageSize: number;
  total: number;
  items: T[];
}

export interface ListQuery<TTable extends PgTable> {
  /** Conditions, undefined ones skipped (a filter not asked for, or no jurisdiction limit for an admin). */
  where: (SQL | undefined)[];
  orderBy: (SQL | PgColumn)[];
  page: number;
  pageSize: number;
  /** Columns left out of the rows (large ones a list does not show). */
  omit?: (keyof TTable['$inferSelect'])[];
}

/**
 * The one way every list is read: its conditions combined, its order, one page of rows, and the count of everything
 * that matches, in parallel. Routes say what to filter and how to show a row; nothing else.
 */
export async function listPage<TTable extends PgTable, R>(db: Db, table: TTable, q: ListQuery<TTable>, show: (row: TTable['$inferSelect']) => R): Promise<Page<R>> {
  const conds = q.where.filter((c): c is SQL => c !== undefined);
  const where = conds.length ? and(...conds) : undefined;
  const columns = Object.fromEntries(Object.entries(getTableColumns(table)).filter(([name]) => !q.omit?.includes(name as keyof TTable['$inferSelect'])));
  const [rows, [count]] = await Promise.all([
    db.select(columns).from(table as PgTable).where(where).orderBy(...q.orderBy).limit(q.pageSize).offset((q.page - 1) * q.pageSize),
    db.select({ n: sql<number>`count(*)::int` }).from(table as PgTable).where(where),
  ]);
  return { page: q.page, pageSize: q.pageSize, total: count?.n ?? 0, items: (rows as TTable['$inferSelect'][]).map(show) };
}
