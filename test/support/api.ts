import { randomUUID } from 'node:crypto';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { buildApp } from '../../api/app';
import { loadConfig, type AppConfig } from '../../config';
import type { Database } from '../../db/client';
import { shanghaiDateOf } from '../../domain/dates';
import { temporalClient } from '../../services/bootstrap';
import type { IntakeResult } from '../../services/intake';
import { freePort } from './ports';
import { environmentAndDatabase, memoryDatabase, startTestWorker } from './harness';

export { memoryDatabase };

/**
 * The API for inject() tests: the real Fastify app on an in-memory PGlite read model (migrated, seeded with the
 * development users), a time-skipping Temporal test server started at the real "now", and a real worker on a
 * unique task queue. Nothing listens on a port. Call teardown() when done.
 *
 * The server's clock runs at real speed between client calls; these suites never await a workflow's result, so
 * no time is skipped and intake's `new Date()` agrees with the workflows' clock.
 */
export interface ApiBench {
  app: FastifyInstance;
  env: TestWorkflowEnvironment;
  database: Database;
  config: AppConfig;
  /** A bearer token for a seeded user, signed with the configured secret. */
  token(userId: string): string;
  /** { authorization: 'Bearer …' } for a seeded user. */
  auth(userId: string): Record<string, string>;
  /** GET as a user; returns the response. */
  get(url: string, userId: string): Promise<LightMyRequestResponse>;
  /** POST JSON as a user. */
  post(url: string, userId: string, body: unknown, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  /**
   * Registers a petition (sampleIntake merged with `patch`) as a user through POST /api/petitions, expects 201 and
   * waits until the read model shows the matter in TRIAGE; returns the intake answer.
   */
  register(patch?: Record<string, unknown>, userId?: string): Promise<RegisterAnswer>;
  /** Polls GET /api/petitions/:caseNo (as admin) until `until` holds for the row; returns it. */
  waitForMatter(caseNo: string, until: (m: MatterDetail) => boolean, what?: string): Promise<MatterDetail>;
  teardown(): Promise<void>;
}

/** The answer of POST /api/petitions. */
export type RegisterAnswer = IntakeResult;

/** The parts of GET /api/petitions/:caseNo the suites look at. */
export interface MatterDetail {
  caseNo: string;
  status: string;
  divisionCode: string;
  unitId: string | null;
  open: boolean;
  overdue: boolean;
  currentDeadlineKey: string | null;
  currentDueAt: string | null;
  petitioners: { name: string; idNumber?: string; phone?: string; main?: boolean }[];
  timeline: { seq: number; type: string; actor: string | null; data: Record<string, unknown> }[];
  submissions: { id: string; caseNo: string; channel: string; initial: boolean; summary: string }[];
  deadlines: { key: string; status: string; dueDate: string; description: string }[];
  notices: { id: string; kind: string }[];
  [k: string]: unknown;
}

/** A petition body that registers as-is for registrar-city or registrar-liandu (莲都区, a complaint letter). */
export function sampleBody(patch: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    channel: 'letter',
    source: 'direct',
    divisionCode: '331102',
    category: 'urban_construction',
    purpose: 'complaint',
    summary: '小区旁违章建筑影响采光通风，请求依法拆除',
    petitioners: [{ name: '王小五', main: true, idNumber: uniqueIdNumber(), phone: '13900002222' }],
    ...patch,
  };
}

let idSeq = 0;
/** An 18-character resident ID number no other test uses (possible-repeat checks compare them). */
export function uniqueIdNumber(): string {
  idSeq += 1;
  const digits = `${Date.now() % 1_000_000}${String(idSeq).padStart(4, '0')}`.padStart(10, '0').slice(-10);
  return `33110219${digits}`;
}

export function testConfig(env: Record<string, string> = {}): AppConfig {
  return loadConfig({
    NODE_ENV: 'test',
    TEMPORAL_TASK_QUEUE: `api-test-${randomUUID()}`,
    JWT_SECRET: 'api-test-secret-0123456789abcdef',
    AUTH_DEV_LOGIN: 'true',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    // The suites poll records and log in far more often than people do; test/api/hardening.test.ts sets its own.
    RATE_LIMIT_LOGIN_PER_MINUTE: '100000',
    RATE_LIMIT_PUBLIC_PER_MINUTE: '100000',
    RATE_LIMIT_RECORD_READS_PER_MINUTE: '100000',
    // The test worker bundles workflows in this process, which stalls the event loop for seconds: load shedding off.
    MAX_EVENT_LOOP_DELAY_MS: '0',
    ...env,
  });
}


/** Waits until `check` returns a value that is not undefined; fails after `timeoutMs` with the last error. */
/**
 * Sends a request again, as a client would, while it answers 503 (a worker just started, still loading), once a
 * second for up to 30 s; returns the first other answer (or the last 503).
 */
export async function retryWhile503(send: () => Promise<LightMyRequestResponse>): Promise<LightMyRequestResponse> {
  let res = await send();
  for (let i = 0; i < 30 && res.statusCode === 503; i++) {
    await new Promise((r) => setTimeout(r, 1000));
    res = await send();
  }
  return res;
}

export async function eventually<T>(check: () => Promise<T | undefined>, what: string, timeoutMs = 15_000, intervalMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((res) => setTimeout(res, intervalMs));
  }
}

/** Today in Asia/Shanghai (the business calendar of the read model's date filters). */
export const todayInShanghai = (): string => shanghaiDateOf(new Date());

/** The SDK's core logs at INFO by default (bundles, worker states): keep test output to warnings. */
function quietRuntime(): void {
  try {
    Runtime.install({ logger: new DefaultLogger((process.env.TEST_SDK_LOG_LEVEL as 'WARN' | undefined) ?? 'WARN') });
  } catch {
    // already installed in this process
  }
}

export async function createApiBench(env: Record<string, string> = {}): Promise<ApiBench> {
  quietRuntime();
  const { testEnv, database } = await environmentAndDatabase();
  const config = testConfig(env);
  const { worker, running } = await startTestWorker(testEnv, config.TEMPORAL_TASK_QUEUE, database);
  const app = await buildApp({ config, database, temporal: testEnv.client });
  await app.ready();

  const token = (userId: string) => app.signToken(userId);
  const auth = (userId: string) => ({ authorization: `Bearer ${token(userId)}` });
  const get = (url: string, userId: string) => app.inject({ method: 'GET', url, headers: auth(userId) });
  const post = (url: string, userId: string, body: unknown, headers: Record<string, string> = {}) =>
    app.inject({ method: 'POST', url, headers: { ...auth(userId), ...headers }, payload: body as object });

  async function waitForMatter(caseNo: string, until: (m: MatterDetail) => boolean, what = 'the matter'): Promise<MatterDetail> {
    return eventually(async () => {
      const res = await get(`/api/petitions/${caseNo}`, 'admin');
      if (res.statusCode !== 200) throw new Error(`GET ${caseNo}: ${res.statusCode} ${res.body}`);
      const m = res.json<MatterDetail>();
      return until(m) ? m : undefined;
    }, `${caseNo}: ${what}`);
  }

  async function register(patch: Record<string, unknown> = {}, userId = 'registrar-city'): Promise<RegisterAnswer> {
    const res = await post('/api/petitions', userId, sampleBody(patch));
    if (res.statusCode !== 201) throw new Error(`register: expected 201, got ${res.statusCode} ${res.body}`);
    const answer = res.json<RegisterAnswer>();
    await waitForMatter(answer.caseNo, (m) => m.status === 'TRIAGE' && m.currentDeadlineKey === 'triage', 'status TRIAGE with its triage limit');
    return answer;
  }

  return {
    app,
    env: testEnv,
    database,
    config,
    token,
    auth,
    get,
    post,
    register,
    waitForMatter,
    async teardown() {
      await app.close();
      worker.shutdown();
      await running;
      await testEnv.teardown();
      await database.close();
    },
  };
}

/** An address on 127.0.0.1 where nothing listens (a port just released). */
export async function closedAddress(): Promise<string> {
  return `127.0.0.1:${await freePort()}`;
}

/**
 * The app with Temporal down: the same read model as `database`, and a lazily-connecting Temporal client pointed at
 * a closed port on 127.0.0.1 (as services/bootstrap.ts builds it for the real server).
 */
export async function appWithTemporalDown(database: Database, config: AppConfig): Promise<{ app: FastifyInstance; close(): Promise<void> }> {
  const temporal = temporalClient(config, await closedAddress());
  const app = await buildApp({ config, database, temporal });
  await app.ready();
  return {
    app,
    async close() {
      await app.close();
      await temporal.connection.close().catch(() => undefined);
    },
  };
}

/**
 * The app with the database down: built on its own read model (the auth plugin reads divisions at start), which is
 * then closed. Temporal is the given client (it may well be up).
 */
export async function appWithDatabaseDown(config: AppConfig, temporal: ApiBench['env']['client']): Promise<{ app: FastifyInstance; close(): Promise<void> }> {
  const database = await memoryDatabase();
  const app = await buildApp({ config, database, temporal });
  await app.ready();
  await database.close();
  return { app, close: () => app.close() };
}
