import { mkdirSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import * as schema from './schema';

export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;

export interface Database {
  db: Db;
  kind: 'pglite' | 'postgres';
  /** The server's URL (postgres only). */
  url?: string;
  /** Throws when the database does not answer. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export const migrationsFolder = resolve(dirname(fileURLToPath(import.meta.url)), 'migrations');

/**
 * Opens the read model: a PostgreSQL server when a URL is given, else PGlite with files under dataDir/pglite.
 * PGlite is one process's database: with it, worker and API must run in the same process (`npm start`).
 */
export async function openDatabase(opts: { url?: string; dataDir?: string; memory?: boolean; /** In memory, starting from this PGlite dumpDataDir(). */ loadDataDir?: Blob }): Promise<Database> {
  if (opts.url) {
    const { default: postgres } = await import('postgres');
    const { drizzle } = await import('drizzle-orm/postgres-js');
    // JIT off for every session: the read model's queries are short (index lookups, a page, a measure), and JIT
    // compilation cost them more than it saved (860 ms of a 1.6 s measure at 1,000,000 matters; bench:scale).
    const client = postgres(opts.url, { max: 10, onnotice: () => {}, connect_timeout: 5, connection: { jit: 'off' } });
    const db = drizzle(client, { schema }) as unknown as Db;
    return {
      db,
      kind: 'postgres',
      url: opts.url,
      ping: async () => {
        await db.execute(sql`select 1`);
      },
      close: () => client.end({ timeout: 5 }),
    };
  }
  const { PGlite } = await import('@electric-sql/pglite');
  const { drizzle } = await import('drizzle-orm/pglite');
  let client;
  if (opts.memory) {
    client = new PGlite(opts.loadDataDir ? { loadDataDir: opts.loadDataDir } : undefined);
  } else {
    const dir = join(opts.dataDir ?? './data', 'pglite');
    mkdirSync(dir, { recursive: true });
    client = new PGlite(dir);
  }
  await client.waitReady;
  const db = drizzle(client, { schema }) as unknown as Db;
  return {
    db,
    kind: 'pglite',
    ping: async () => {
      await db.execute(sql`select 1`);
    },
    close: () => client.close(),
  };
}

const MIGRATION_LOCK = 7_233_001;

/** Applies the committed drizzle-kit migrations (idempotent), for PGlite and PostgreSQL alike. */
export async function migrate(database: Database): Promise<void> {
  if (database.kind === 'postgres') {
    const { migrate: run } = await import('drizzle-orm/postgres-js/migrator');
    const { default: postgres } = await import('postgres');
    // API and worker may start together against one server: one migrates while the other waits.
    const lock = postgres(database.url!, { max: 1, onnotice: () => {} });
    try {
      await lock`select pg_advisory_lock(${MIGRATION_LOCK})`;
      await run(database.db as never, { migrationsFolder });
    } finally {
      await lock`select pg_advisory_unlock(${MIGRATION_LOCK})`.catch(() => undefined);
      await lock.end({ timeout: 5 });
    }
  } else {
    const { migrate: run } = await import('drizzle-orm/pglite/migrator');
    await run(database.db as never, { migrationsFolder });
  }
}
