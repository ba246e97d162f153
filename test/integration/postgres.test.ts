import { describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { migrate } from '../../db/client';
import { seed } from '../../db/seed';
import { divisions, units, users } from '../../db/schema';
import { twoConnections } from '../support/postgres';

describe('the read model on a real PostgreSQL server', () => {
  const db = twoConnections();

  it('API and worker starting together both migrate and seed without tripping over each other', async () => {
    const { a, b } = db;
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
