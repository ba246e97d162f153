import type { SQL } from 'drizzle-orm';
import type { Db } from '../db/client';

/** Rows of db.execute for both drivers (postgres.js answers an array, PGlite { rows }). */
export async function queryRows<T>(db: Db, q: SQL): Promise<T[]> {
  const res = (await db.execute(q)) as unknown;
  return (Array.isArray(res) ? res : (res as { rows: T[] }).rows) as T[];
}
