import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { loadConfig, type AppConfig } from '../../config';
import type { Database } from '../../db/client';
import { idempotencyKeys, intakeOutbox, petitions, reconciliationRuns, users } from '../../db/schema';
import { intakeSchema } from '../../domain/petition';
import { startDevServer, type DevServer } from '../../lib/dev-server';
import { temporalCliPath } from '../../lib/temporal-binaries';
import { openReadModel, temporalClient } from '../../services/bootstrap';
import { intakeSteps, registerPetition, type IntakeStep } from '../../services/intake';
import { drainOutbox, reconcile, reconcileSince, runReconciliation, RECONCILE_MARGIN_MS } from '../../services/recovery';
import { startWorker, type RunningWorker } from '../../worker/run';
import { sampleBody } from '../support/api';
import { freePort } from '../support/ports';
import { testDatabaseUrl, type TestDatabase } from '../support/postgres';
import type { Client } from '@temporalio/client';
import { generateKey } from '../../lib/codec';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * Intake is crash-safe by construction (issue 10, defects 1 and 2): a process killed with SIGKILL at any step of
 * registering leaves either nothing, or a matter whose workflow the recovery loop starts — never a matter without a
 * workflow, never a workflow without a matter — and a retry with the same Idempotency-Key gives the same matter.
 */
describe('intake killed (SIGKILL) at each step: nothing lost, nothing orphaned', () => {
  let pg: TestDatabase;
  let temporal: DevServer;
  let database: Database;
  let worker: RunningWorker;
  let client: Client;
  let config: AppConfig;
  let dataDir: string;
  const env: Record<string, string> = {};

  beforeAll(async () => {
    mkdirSync(join(repoRoot, '.tmp'), { recursive: true });
    dataDir = mkdtempSync(join(repoRoot, '.tmp', 'crash-'));
    const [port, uiPort] = [await freePort(), await freePort()];
    [pg, temporal] = await Promise.all([testDatabaseUrl(), startDevServer({ cliPath: temporalCliPath(), dataDir, port, uiPort, namespace: 'default' })]);
    Object.assign(env, {
      NODE_ENV: 'test',
      DATABASE_URL: pg.url,
      TEMPORAL_ADDRESS: temporal.address,
      TEMPORAL_TASK_QUEUE: `crash-${randomUUID()}`,
      JWT_SECRET: 'crash-test-secret-0123456789abcdef',
      AUTH_DEV_LOGIN: 'true',
      LOG_LEVEL: 'warn',
      // The children start workflows this worker runs: one codec key for all of them.
      TEMPORAL_CODEC_KEYS: `crash:${generateKey()}`,
    });
    config = loadConfig(env);
    database = await openReadModel(config);
    worker = await startWorker({ config, address: temporal.address, db: database.db });
    client = temporalClient(config, temporal.address);
  }, 180_000);

  afterAll(async () => {
    await client?.connection.close().catch(() => undefined);
    await worker?.shutdown().catch(() => undefined);
    await database?.close().catch(() => undefined);
    await temporal?.stop().catch(() => undefined);
    await pg?.stop().catch(() => undefined);
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  function runChild(step: IntakeStep, key: string, body: unknown): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
    return new Promise((res) => {
      // node --import tsx (not the tsx wrapper): the process that kills itself is the one whose end we see.
      const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/intake-child.ts'], {
        cwd: repoRoot,
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env, INTAKE_CRASH_AT: step, INTAKE_KEY: key, INTAKE_BODY: JSON.stringify(body) },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      child.on('close', (code, signal) => res({ code, signal, stdout, stderr }));
    });
  }

  const exists = (workflowId: string) => client.workflow.getHandle(workflowId).describe().then((d) => d.status.name, () => undefined);

  it.each(intakeSteps.map((s) => [s]))('killed at %s', async (step) => {
    const key = `crash-${step}-${randomUUID()}`;
    const body = sampleBody({ summary: `进程在 ${step} 处被强制终止的登记` });
    const child = await runChild(step, key, body);
    expect(child.signal, child.stderr).toBe('SIGKILL');

    const [claimed] = await database.db.select().from(idempotencyKeys).where(eq(idempotencyKeys.key, key));
    if (step === 'before-insert') {
      expect(claimed).toBeUndefined();
    } else {
      // The matter was committed: the recovery loop (a round of it here) gives it its workflow, with nobody retrying.
      const [row] = await database.db.select().from(petitions).where(eq(petitions.caseNo, claimed!.caseNo));
      expect(row).toBeDefined();
      await drainOutbox({ db: database.db, temporal: client, config }, { graceMs: 0 });
      expect(await exists(row!.workflowId)).toBe('RUNNING');
      const [entry] = await database.db.select().from(intakeOutbox).where(eq(intakeOutbox.caseNo, row!.caseNo));
      expect(entry!.startedAt).not.toBeNull();
    }

    // The client retries with the same key: the same matter (or, if nothing was written, one new matter).
    const [principal] = await database.db.select().from(users).where(eq(users.id, 'registrar-city'));
    const retried = await registerPetition({ db: database.db, temporal: client, config }, principal!, intakeSchema.parse(body), key);
    if (claimed) expect(retried.caseNo).toBe(claimed.caseNo);
    const rows = await database.db.select().from(petitions).where(eq(petitions.summary, `进程在 ${step} 处被强制终止的登记`));
    expect(rows).toHaveLength(1);
    expect(await exists(retried.workflowId)).toBe('RUNNING');
  }, 120_000);

  /** A matter registered now whose row (and everything of it in the read model) is then deleted: its workflow runs on. */
  async function orphanWorkflow(summary: string): Promise<{ caseNo: string; workflowId: string }> {
    const [principal] = await database.db.select().from(users).where(eq(users.id, 'registrar-city'));
    const a = await registerPetition({ db: database.db, temporal: client, config }, principal!, intakeSchema.parse(sampleBody({ summary })));
    await database.db.transaction(async (tx) => {
      await tx.execute(`delete from events where case_no = '${a.caseNo}'` as never);
      await tx.delete(intakeOutbox).where(eq(intakeOutbox.caseNo, a.caseNo));
    });
    await database.db.execute(`delete from idempotency_keys where case_no = '${a.caseNo}'; delete from submissions where case_no = '${a.caseNo}'; delete from deadlines where case_no = '${a.caseNo}'; delete from tasks where case_no = '${a.caseNo}'; delete from petitions where case_no = '${a.caseNo}'` as never);
    return a;
  }

  it('reconciliation then finds no matter without its workflow and no workflow without its matter', async () => {
    const report = await reconcile({ db: database.db, temporal: client, config }, { repair: false });
    expect(report).toEqual({ rowsWithoutWorkflow: [], workflowsWithoutRow: [], repaired: [], failed: [] });
  }, 60_000);

  it('reconciliation reports and repairs both kinds of orphan (as the old compensation could leave them)', async () => {
    // A workflow whose row was deleted, and a row whose workflow was never started (no outbox entry either).
    const [principal] = await database.db.select().from(users).where(eq(users.id, 'registrar-city'));
    const a = await orphanWorkflow('孤儿工作流：登记行已被删除');
    const b = await registerPetition({ db: database.db, temporal: client, config }, principal!, intakeSchema.parse(sampleBody({ summary: '孤儿登记：工作流从未启动' })));
    await client.workflow.getHandle(b.workflowId).terminate('test: make the row an orphan');
    // A terminated workflow still exists; an orphan row is one whose workflow Temporal does not know: simulate with a
    // row under a fresh case number copied from b.
    const [rowB] = await database.db.select().from(petitions).where(eq(petitions.caseNo, b.caseNo));
    const orphanCase = `${b.caseNo.slice(0, 10)}9${b.caseNo.slice(11)}`;
    await database.db.insert(petitions).values({ ...rowB!, caseNo: orphanCase, workflowId: `petition-${orphanCase}` });

    const found = await reconcile({ db: database.db, temporal: client, config }, { repair: false });
    expect(found.workflowsWithoutRow).toEqual([a.workflowId]);
    expect(found.rowsWithoutWorkflow).toEqual([orphanCase]);

    const repaired = await reconcile({ db: database.db, temporal: client, config }, { repair: true });
    expect(repaired.repaired.sort()).toEqual([a.workflowId, orphanCase].sort());
    expect(await exists(a.workflowId)).toBe('TERMINATED');
    expect(await exists(`petition-${orphanCase}`)).toBe('RUNNING');
  }, 120_000);

  it('a scheduled run compares only what was registered since the last clean run, less a day; until a run is clean it compares everything', async () => {
    const deps = { db: database.db, temporal: client, config };
    await database.db.delete(reconciliationRuns);
    expect(await reconcileSince(database.db)).toBeUndefined();
    const orphan = await orphanWorkflow('孤儿工作流：按登记时间窗口对账');
    // And a row registered now whose workflow Temporal does not know (copied from another matter's row).
    const [principal] = await database.db.select().from(users).where(eq(users.id, 'registrar-city'));
    const other = await registerPetition(deps, principal!, intakeSchema.parse(sampleBody({ summary: '按时间窗口对账：正常登记' })));
    const [model] = await database.db.select().from(petitions).where(eq(petitions.caseNo, other.caseNo));
    const rowOnly = 'LS2026120899998';
    await database.db.insert(petitions).values({ ...model!, caseNo: rowOnly, workflowId: `petition-${rowOnly}`, registeredAt: new Date() });
    // Registered and started before the window: not compared; within it: found.
    const before = await reconcile(deps, { repair: false, since: new Date(Date.now() + 60_000) });
    expect([before.workflowsWithoutRow, before.rowsWithoutWorkflow]).toEqual([[], []]);
    const within = await reconcile(deps, { repair: false, since: new Date(Date.now() - 3_600_000) });
    expect([within.workflowsWithoutRow, within.rowsWithoutWorkflow]).toEqual([[orphan.workflowId], [rowOnly]]);

    // A clean run on 2026-12-01, then one that found an orphan and left it: the window still opens a day before the clean one.
    const run = (at: string, found: string[]) => ({ at: new Date(at), trigger: 'schedule', repair: false, rowsWithoutWorkflow: [], workflowsWithoutRow: found, repaired: [], failed: [] });
    await database.db.insert(reconciliationRuns).values([run('2026-12-01T02:00:00Z', []), run('2026-12-02T02:00:00Z', ['petition-LS2026120100099'])]);
    expect(await reconcileSince(database.db)).toEqual(new Date('2026-11-30T02:00:00Z'));

    // The scheduled run finds this orphan and repairs it; it is clean, so the next window opens a day before it.
    const scheduled = await runReconciliation(deps, { repair: true, trigger: 'schedule' });
    expect([scheduled.workflowsWithoutRow, scheduled.rowsWithoutWorkflow]).toEqual([[orphan.workflowId], [rowOnly]]);
    expect(scheduled.repaired.sort()).toEqual([orphan.workflowId, rowOnly].sort());
    expect(await exists(orphan.workflowId)).toBe('TERMINATED');
    expect(await exists(`petition-${rowOnly}`)).toBe('RUNNING');
    expect(await reconcileSince(database.db)).toEqual(new Date(new Date(scheduled.at).getTime() - RECONCILE_MARGIN_MS));
  }, 120_000);
});
