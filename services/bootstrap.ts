import { Client, Connection } from '@temporalio/client';
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
  const connection = Connection.lazy({ address, connectTimeout: '5s' });
  return new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
}
