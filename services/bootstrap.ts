import { Client } from '@temporalio/client';
import { closableConnection } from '../lib/temporal-connection';
import type { AppConfig } from '../config';
import { migrate, openDatabase, type Database } from '../db/client';
import { seed } from '../db/seed';
import { codecDataConverter, codecFor } from '../lib/codec';

/** Opens the read model (PostgreSQL by DATABASE_URL, else PGlite under DATA_DIR), migrated and seeded. */
export async function openReadModel(config: AppConfig): Promise<Database> {
  const database = await openDatabase({ url: config.DATABASE_URL, dataDir: config.DATA_DIR });
  await migrate(database);
  await seed(database.db, { devUsers: config.AUTH_DEV_LOGIN });
  return database;
}

/**
 * A Temporal client that connects on first use, so the API starts (and answers 503) while Temporal is down. Its
 * payloads are encrypted with the configured codec keys (lib/codec.ts).
 */
export function temporalClient(config: AppConfig, address: string): Client {
  // Few retries: when Temporal is down, a caseworker's request should fail with 503 in seconds, not half a minute.
  const connection = closableConnection({ address, connectTimeout: '3s', maxAttempts: 3 });
  return new Client({ connection, namespace: config.TEMPORAL_NAMESPACE, dataConverter: codecDataConverter(codecFor(config)) });
}

/**
 * For `npm run api` and `npm run worker`, which run as separate processes: both servers must be given (PGlite is one
 * process's database, so the split needs PostgreSQL). Exits with a clear message otherwise.
 */
export function requireServers(config: AppConfig, what: string): { temporalAddress: string; databaseUrl: string } {
  if (!config.TEMPORAL_ADDRESS || !config.DATABASE_URL) {
    console.error(`${what} needs TEMPORAL_ADDRESS and DATABASE_URL (PGlite is one process's database: use \`npm start\` for the embedded setup).`);
    process.exit(2);
  }
  return { temporalAddress: config.TEMPORAL_ADDRESS, databaseUrl: config.DATABASE_URL };
}
