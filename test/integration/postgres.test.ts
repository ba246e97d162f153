import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { migrate, openDatabase, type Database } from '../../db/client';
import { seed } from '../../db/seed';
import { divisions, units, users } from '../../db/schema';
import { testDatabaseUrl, type TestDatabase } from '../support/postgres';

describe('the read model on a real PostgreSQL server', () => {
  let pg: TestDatabase;
  let a: Database;
  let b: Database;
  beforeAll(async () => {
    pg = await testDatabaseUrl();
    a = await openDatabase({ url: pg.url });
    b = await openDatabase({ url: pg.url });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await pg?.stop();
  });

  it('API and worker starting together both migrate and seed without tripping over each other', async () => {
    await Promise.all([migrate(a), migrate(b)]);
    await Promise.all([seed(a.db, { devUsers: true }), seed(b.db, { devUsers: true })]);
    const applied = await a.db.execute(sql`select count(*)::int as n from drizzle.__drizzle_migrations`);
    expect((applied as unknown as { n: number }[])[0]?.n ?? (applied as unknown as { rows: { n: number }[] }).rows?.[0]?.n).toBeGreaterThanOrEqual(1);
    expect(await a.db.$count(divisions)).toBe(12); // Lishui's 11 from the CSV, and the province as root
    expect(await a.db.$count(units)).toBeGreaterThan(10);
    expect(await a.db.$count(users)).toBe(9);
    // Migrating again is a no-op.
    await migrate(a);
  });
});
