import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig, type AppConfig } from '../../config';
import type { Database } from '../../db/client';
import { startDevServer, type DevServer } from '../../lib/dev-server';
import { temporalCliPath } from '../../lib/temporal-binaries';
import { openReadModel } from '../../services/bootstrap';
import { startWorker, type RunningWorker } from '../../worker/run';
import { startApi, type RunningApi } from '../../api/server';
import { testDatabaseUrl, type TestDatabase } from './postgres';
import { freePort, reservePort } from './ports';
import { generateKey } from '../../lib/codec';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');


/**
 * The whole stack as it runs in production, on loopback: a Temporal dev server (the project's `temporal` CLI),
 * a real PostgreSQL, the worker and the API listening on a port. Tests speak HTTP to it with `call`.
 */
export interface Stack {
  url: string;
  /** The Temporal Web UI of the dev server. */
  uiUrl: string;
  config: AppConfig;
  database: Database;
  call<T>(method: 'GET' | 'POST', path: string, token?: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: T }>;
  /** A development token for a seeded user. */
  token(userId: string): Promise<string>;
  /** Stops everything in reverse order; every step runs even if an earlier one fails. */
  stop(): Promise<void>;
}

export interface StackOptions {
  /**
   * The Web UI as `npm start` runs it: its codec endpoint is the API's /codec (so the API's port is chosen before the
   * dev server starts) and CORS admits the UI's origin.
   */
  webUiCodec?: boolean;
}

export async function startStack(opts: StackOptions = {}): Promise<Stack> {
  mkdirSync(join(repoRoot, '.tmp'), { recursive: true });
  const dataDir = mkdtempSync(join(repoRoot, '.tmp', 'e2e-'));
  let pg: TestDatabase | undefined;
  let temporal: DevServer | undefined;
  let database: Database | undefined;
  let worker: RunningWorker | undefined;
  let api: RunningApi | undefined;
  let reserved: { port: number; release(): Promise<void> } | undefined;

  async function stop(): Promise<void> {
    const steps: [string, (() => Promise<void>) | undefined][] = [
      ['api', api && (() => api!.close())],
      ['reserved port', reserved && (() => reserved!.release())],
      ['worker', worker && (() => worker!.shutdown())],
      ['database', database && (() => database!.close())],
      ['temporal', temporal && (() => temporal!.stop())],
      ['postgres', pg && (() => pg!.stop())],
    ];
    const errors: string[] = [];
    for (const [what, step] of steps) {
      try {
        await step?.();
      } catch (err) {
        errors.push(`${what}: ${(err as Error).message}`);
      }
    }
    rmSync(dataDir, { recursive: true, force: true });
    if (errors.length) throw new Error(`teardown: ${errors.join('; ')}`);
  }

  try {
    const [port, uiPort] = [await freePort(), await freePort()];
    // Held until the API listens: the dev server picks free ports of its own as it starts.
    reserved = opts.webUiCodec ? await reservePort() : undefined;
    const apiPort = reserved?.port ?? 0;
    const codecEndpoint = opts.webUiCodec ? `http://127.0.0.1:${apiPort}/codec` : undefined;
    // Both servers start at once (they are independent); whichever started is stopped on failure.
    const [db, server] = await Promise.allSettled([
      testDatabaseUrl(),
      startDevServer({ cliPath: temporalCliPath(), dataDir, port, uiPort, namespace: 'default', codecEndpoint }),
    ]);
    if (db.status === 'fulfilled') pg = db.value;
    if (server.status === 'fulfilled') temporal = server.value;
    if (db.status === 'rejected') throw db.reason;
    if (server.status === 'rejected') throw server.reason;
    const config = loadConfig({
      NODE_ENV: 'test',
      DATABASE_URL: pg!.url,
      DATA_DIR: dataDir,
      TEMPORAL_ADDRESS: temporal!.address,
      TEMPORAL_TASK_QUEUE: `e2e-${randomUUID()}`,
      HOST: '127.0.0.1',
      PORT: String(apiPort),
      ...(opts.webUiCodec ? { CODEC_CORS_ORIGINS: temporal!.uiUrl } : {}),
      LOG_LEVEL: 'warn',
      AUTH_DEV_LOGIN: 'true',
      JWT_SECRET: 'e2e-test-secret-0123456789abcdef',
      RATE_LIMIT_LOGIN_PER_MINUTE: '100000',
      RATE_LIMIT_PUBLIC_PER_MINUTE: '100000',
      RATE_LIMIT_RECORD_READS_PER_MINUTE: '100000',
      MAX_EVENT_LOOP_DELAY_MS: '0',
      // Configured keys, as in production: a retired key that still decrypts, and the active one.
      TEMPORAL_CODEC_KEYS: `e2e-old:${generateKey()},e2e-new:${generateKey()}`,
      TEMPORAL_CODEC_ACTIVE_KEY: 'e2e-new',
    });
    database = await openReadModel(config);
    worker = await startWorker({ config, address: temporal!.address, db: database.db });
    await reserved?.release();
    api = await startApi({ config, database, temporalAddress: temporal!.address });
    const url = api.url;

    async function call<T>(method: 'GET' | 'POST', path: string, token?: string, body?: unknown, headers: Record<string, string> = {}) {
      const res = await fetch(`${url}${path}`, {
        method,
        headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
    }
    async function token(userId: string): Promise<string> {
      const res = await call<{ token: string }>('POST', '/auth/dev-token', undefined, { userId });
      if (res.status !== 200) throw new Error(`dev token for ${userId}: ${res.status}`);
      return res.body.token;
    }
    return { url, uiUrl: temporal!.uiUrl, config, database, call, token, stop };
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }
}
