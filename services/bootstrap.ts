import { Client, Connection, defaultGrpcRetryOptions, makeGrpcRetryInterceptor } from '@temporalio/client';
import type { AppConfig } from '../config';
import { migrate, openDatabase, type Database } from '../db/client';
import { seed } from '../db/seed';

/** Opens the read model (PostgreSQL by DATABASE_URL, else PGlite under DATA_DIR), migrated and seeded. */
export async function openReadModel(config: AppConfig): Promise<Database> {
  const database = await openDatabase({ url: config.DATABASE_URL, dataDir: config.DATA_DIR });
  await migrate(database);
  await seed(database.db, { devUsers: config.AUTH_DEV_LOGIN });
  return database;
}

/** A Temporal client that connects on first use, so the API starts (and answers 503) while Temporal is down. */
export function temporalClient(config: AppConfig, address: string): Client {
  // Few retries: when Temporal is down, a caseworker's request should fail with 503 in seconds, not half a minute.
  const connection = Connection.lazy({
    address,
    connectTimeout: '3s',
    interceptors: [makeGrpcRetryInterceptor(defaultGrpcRetryOptions({ maxAttempts: 3 }))],
  });
  return new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
}
