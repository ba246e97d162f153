import type { Client } from '@temporalio/client';
import type { AppConfig } from '../config';
import type { Database } from '../db/client';

/** What the API needs from the outside; built by server.ts (or by a test). */
export interface ApiDeps {
  config: AppConfig;
  database: Database;
  temporal: Client;
}
