import type { AppConfig } from '../config';
import type { Database } from '../db/client';
import { buildApp } from './app';
import { temporalClient } from '../services/bootstrap';
import { serveConsole } from './plugins/console';

export interface RunningApi {
  url: string;
  close(): Promise<void>;
}

/** Starts the API on HOST:PORT against the given read model and Temporal address. */
export async function startApi(opts: { config: AppConfig; database: Database; temporalAddress: string }): Promise<RunningApi> {
  const temporal = temporalClient(opts.config, opts.temporalAddress);
  const app = await buildApp({ config: opts.config, database: opts.database, temporal });
  // The console at `/` when it has been built (npm install builds it; scripts/build-web.mjs).
  const withConsole = await serveConsole(app);
  if (!withConsole) app.log.warn('the console is not built (web/dist): run `npm run build:web`; serving the API only');
  const url = await app.listen({ host: opts.config.HOST, port: opts.config.PORT });
  return {
    url,
    async close() {
      await app.close();
      await temporal.connection.close();
    },
  };
}

// `npm run api`: the API alone, against a Temporal cluster and a PostgreSQL server (as production runs it).
if (import.meta.url === `file://${process.argv[1]}`) {
  const { loadConfigOrExit } = await import('../config');
  const { openReadModel, requireServers } = await import('../services/bootstrap');
  const config = loadConfigOrExit();
  const { temporalAddress } = requireServers(config, 'npm run api');
  const database = await openReadModel(config);
  const api = await startApi({ config, database, temporalAddress });
  console.log(`API listening on ${api.url} (docs at ${api.url}/docs)`);
  const stop = async () => {
    await api.close();
    await database.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
