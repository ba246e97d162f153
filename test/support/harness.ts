import { createHash, randomUUID } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { eq } from 'drizzle-orm';
import { Worker } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { loadConfig, type AppConfig } from '../../config';
import { migrate, migrationsFolder, openDatabase, type Database } from '../../db/client';
import { cachedFile } from '../../lib/file-cache';
import { bundleInputs, repoRoot } from '../../worker/bundle';
import { seed } from '../../db/seed';
import { users } from '../../db/schema';
import { createActivities } from '../../activities';
import { sweepSettingsFrom } from '../../services/schedules';
import { workerWorkflowBundle } from '../../worker/run';
import { registerPetition, workflowIdFor } from '../../services/intake';
import { intakeSchema, type Intake } from '../../domain/petition';
import type { Principal } from '../../domain/access';
import { stateQuery, type Actor } from '../../workflows/messages';
import type { PetitionInput, PetitionSettings, PetitionState } from '../../domain/matter';
import { Client } from '@temporalio/client';
import { createTimeSkippingEnv } from './time-skipping';
import { testClientDataConverter, testWorkerDataConverter } from './codec';

/** A petition test bench on the time-skipping server: real activities on an in-memory PGlite read model. */
export interface Harness {
  env: TestWorkflowEnvironment;
  database: Database;
  config: AppConfig;
  /** Registers through the same intake service the API uses; receivedAt defaults to the server's now. */
  register(intake: Partial<Intake>, userId?: string): Promise<string>;
  /** Runs a command (Temporal Update) as a seeded user. */
  command<A>(caseNo: string, update: { name: string }, body: A, userId: string): Promise<PetitionState>;
  state(caseNo: string): Promise<PetitionState>;
  /** Skips the server's clock forward to an instant; timers due on the way fire. */
  skipTo(instant: string): Promise<void>;
  now(): Promise<Date>;
  actor(userId: string): Promise<Actor>;
  teardown(): Promise<void>;
}

/** A fresh in-memory read model, migrated and seeded, the slow way (PGlite's initdb and every migration). */
async function freshMemoryDatabase(): Promise<Database> {
  const database = await openDatabase({ memory: true });
  await migrate(database);
  await seed(database.db, { devUsers: true });
  return database;
}

/**
 * The migrated and seeded read model as a PGlite data directory, made once for every test process (lib/file-cache.ts,
 * .tmp/pglite-templates/<hash>.tar): PGlite's initdb and the migrations took 5 s on a quiet machine, 50 s on a loaded
 * one, for each of the suites' two dozen read models. Named by a hash of what makes it: the migrations, the seed and
 * what it imports, and package-lock.json (the PGlite and drizzle versions).
 */
async function readModelTemplate(): Promise<Blob> {
  const h = createHash('sha256');
  for (const f of readdirSync(migrationsFolder, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name)).sort()) {
    h.update(`${relative(repoRoot, f)}\0`).update(readFileSync(f));
  }
  for (const f of bundleInputs([join(repoRoot, 'db', 'seed.ts')])) h.update(`${relative(repoRoot, f)}\0`).update(readFileSync(f));
  h.update(readFileSync(join(repoRoot, 'package-lock.json')));
  const { path } = await cachedFile(join(repoRoot, '.tmp', 'pglite-templates'), `${h.digest('hex').slice(0, 24)}.tar`, async () => {
    const database = await freshMemoryDatabase();
    try {
      const client = (database.db as unknown as { $client: { dumpDataDir(c: 'none'): Promise<Blob> } }).$client;
      return new Uint8Array(await (await client.dumpDataDir('none')).arrayBuffer());
    } finally {
      await database.close();
    }
  }, 5);
  return new Blob([readFileSync(path)]);
}

/**
 * The time-skipping server and the read model, started together (a server process and PGlite in this one, so their
 * starts overlap); whichever started is stopped if the other fails.
 */
export async function environmentAndDatabase(startAt?: string): Promise<{ testEnv: TestWorkflowEnvironment; database: Database }> {
  const [env, db] = await Promise.allSettled([createTimeSkippingEnv(startAt), memoryDatabase()]);
  if (env.status === 'rejected' || db.status === 'rejected') {
    if (env.status === 'fulfilled') await env.value.teardown().catch(() => undefined);
    if (db.status === 'fulfilled') await db.value.close().catch(() => undefined);
    throw env.status === 'rejected' ? env.reason : (db as PromiseRejectedResult).reason;
  }
  return { testEnv: env.value, database: db.value };
}

/** A fresh in-memory read model, migrated and seeded with the development users (a copy of the template). */
export async function memoryDatabase(): Promise<Database> {
  return openDatabase({ memory: true, loadDataDir: await readModelTemplate() });
}

/**
 * A real worker (the production workers' workflow bundle, cached across test files by worker/bundle.ts; real
 * activities on the given read model) on a test environment's task queue. `options.maxCachedWorkflows: 0` for a
 * worker a test stops and starts again: without a cache it uses no sticky queue, which the time-skipping server would
 * keep sending the stopped worker's tasks to (its sticky timeout runs on the virtual clock, which does not move).
 */
export async function startTestWorker(env: TestWorkflowEnvironment, taskQueue: string, database: Database, options: { maxCachedWorkflows?: number } = {}): Promise<{ worker: Worker; running: Promise<void> }> {
  const dataConverter = testWorkerDataConverter();
  const worker = await Worker.create({
    ...options,
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: await workerWorkflowBundle(dataConverter),
    dataConverter,
    activities: createActivities({ db: database.db, campaign: { temporal: env.client, taskQueue, sweeps: sweepSettingsFrom(loadConfig({ NODE_ENV: 'test' })) } }),
  });
  return { worker, running: worker.run() };
}

export const sampleIntake: Intake = intakeSchema.parse({
  channel: 'letter',
  divisionCode: '331102',
  category: 'urban_construction',
  purpose: 'complaint',
  summary: '小区旁违章建筑影响采光通风，请求依法拆除',
  petitioners: [{ name: '王五', main: true, idNumber: '331102197501012345', phone: '13900002222' }],
  // The harness registers many matters for one petitioner: each is a new matter, on purpose.
  newMatterReason: '测试：另一信访事项',
});

/**
 * @param settings overrides the workflow settings given at registration (e.g. a small historyLimit to see
 *   continue-as-new), through a client interceptor, so the intake service itself runs unchanged.
 */
export async function createHarness(startAt: string, env?: Partial<Record<string, string>>, settings?: Partial<PetitionSettings>): Promise<Harness> {
  const { testEnv, database } = await environmentAndDatabase(startAt);
  const config = loadConfig({ NODE_ENV: 'test', TEMPORAL_TASK_QUEUE: `test-${randomUUID()}`, LOG_LEVEL: 'warn', ...env });
  const { worker, running } = await startTestWorker(testEnv, config.TEMPORAL_TASK_QUEUE, database);

  async function principal(userId: string): Promise<Principal> {
    const [u] = await database.db.select().from(users).where(eq(users.id, userId));
    if (!u) throw new Error(`no user ${userId}`);
    return u;
  }
  async function actor(userId: string): Promise<Actor> {
    const p = await principal(userId);
    return { id: p.id, role: p.role, unitId: p.unitId };
  }
  const intakeClient = settings
    ? new Client({
        connection: testEnv.connection,
        namespace: testEnv.namespace,
        dataConverter: testClientDataConverter(),
        interceptors: {
          workflow: [
            {
              async startWithDetails(input, next) {
                const [arg, ...rest] = input.options.args as [PetitionInput, ...unknown[]];
                return next({ ...input, options: { ...input.options, args: [{ ...arg, settings: { ...arg.settings, ...settings } }, ...rest] } });
              },
            },
          ],
        },
      })
    : testEnv.client;
  const now = async () => new Date(await testEnv.currentTimeMs());

  return {
    env: testEnv,
    database,
    config,
    now,
    actor,
    async register(this: Harness, partial, userId = 'registrar-city') {
      const at = await now();
      const intake = intakeSchema.parse({ ...sampleIntake, receivedAt: at.toISOString(), ...partial });
      const r = await registerPetition({ db: database.db, temporal: intakeClient, config, now: () => at }, await principal(userId), intake);
      // Wait until the workflow has computed its first limit.
      for (let i = 0; i < 200 && (await this.state(r.caseNo)).status === 'REGISTERED'; i++) await new Promise((res) => setTimeout(res, 25));
      return r.caseNo;
    },
    async command(caseNo, update, body, userId) {
      const a = await actor(userId);
      return testEnv.client.workflow.getHandle(workflowIdFor(caseNo)).executeUpdate(update.name, { args: [{ ...body, actor: a }] }) as Promise<PetitionState>;
    },
    state: (caseNo) => testEnv.client.workflow.getHandle(workflowIdFor(caseNo)).query(stateQuery),
    async skipTo(instant) {
      const target = Date.parse(instant);
      const current = await testEnv.currentTimeMs();
      if (target > current) await testEnv.sleep(target - current);
    },
    async teardown() {
      worker.shutdown();
      await running;
      await testEnv.teardown();
      await database.close();
    },
  };
}
