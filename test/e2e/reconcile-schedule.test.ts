import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq, like } from 'drizzle-orm';
import { ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import { auditLog, intakeOutbox, petitions } from '../../db/schema';
import { temporalClient } from '../../services/bootstrap';
import { ORPHAN_REASON, RECONCILIATION_USER, type ReconcileRun } from '../../services/recovery';
import { ensureSchedules, RECONCILE_SCHEDULE_ID } from '../../services/schedules';
import { eventually, sampleBody } from '../support/api';
import { startStack, type Stack } from '../support/stack';

type Run = { id: number; at: string; trigger: string; repair: boolean; rowsWithoutWorkflow: string[]; workflowsWithoutRow: string[]; repaired: string[]; failed: { id: string; error: string }[] };

/**
 * Issue 10, defect 2, on the real stack (Temporal dev server, PostgreSQL, worker, API): the worker keeps a
 * `reconcile` Schedule; a run of it finds a matter whose workflow was never started and a running petition workflow
 * whose matter is gone (what the old compensation after an ambiguous start left), repairs both, and reports them
 * where supervisors look (GET /api/workflows/reconciliations), in the audit log and in the run's workflow result.
 */
describe('the reconciliation Schedule on the real stack', () => {
  let stack: Stack;
  let client: Client;
  let registrar: string;
  let supervisor: string;
  beforeAll(async () => {
    stack = await startStack();
    client = temporalClient(stack.config, stack.config.TEMPORAL_ADDRESS!);
    [registrar, supervisor] = await Promise.all([stack.token('registrar-city'), stack.token('supervisor-city')]);
  }, 180_000);
  afterAll(async () => {
    await client?.connection.close().catch(() => undefined);
    await stack?.stop();
  });

  const status = (workflowId: string) =>
    client.workflow
      .getHandle(workflowId)
      .describe()
      .then((d) => d.status.name, () => undefined);

  async function register(summary: string): Promise<{ caseNo: string; workflowId: string }> {
    const reg = await stack.call<{ caseNo: string; workflowId: string }>('POST', '/api/petitions', registrar, sampleBody({ summary }), { 'idempotency-key': `reconcile-${randomUUID()}` });
    expect(reg.status).toBe(201);
    // Its workflow has run its first steps and projected them (the matter is in triage).
    await eventually(async () => ((await stack.call<{ status: string }>('GET', `/api/petitions/${reg.body.caseNo}/state`, registrar)).body.status === 'TRIAGE' ? true : undefined), 'triage', 30_000, 200);
    return reg.body;
  }

  it('the worker created the schedule: every RECONCILE_INTERVAL_MINUTES (10 by default), repairing, on this task queue', async () => {
    const d = await client.schedule.getHandle(RECONCILE_SCHEDULE_ID).describe();
    expect(d.spec.intervals?.map((i) => Number(i.every))).toEqual([stack.config.RECONCILE_INTERVAL_MINUTES * 60_000]);
    expect(stack.config.RECONCILE_INTERVAL_MINUTES).toBe(10);
    expect(d.action).toMatchObject({ type: 'startWorkflow', workflowType: 'reconcileWorkflow', taskQueue: stack.config.TEMPORAL_TASK_QUEUE, args: [{ repair: true }] });
    expect(d.state.paused).toBe(false);
    expect(d.info.nextActionTimes.length).toBeGreaterThan(0);
  });

  it('a triggered run reports and repairs a matter without its workflow and a workflow without its matter', async () => {
    // A workflow whose matter was deleted (as a blind compensation did): it keeps running timers for a case nobody sees.
    const a = await register('孤儿工作流：登记行已被补偿删除');
    const db = stack.database.db;
    await db.transaction(async (tx) => {
      for (const table of ['events', 'intake_outbox', 'idempotency_keys', 'submissions', 'deadlines', 'tasks', 'notices', 'escalations', 'measure_contributions']) {
        await tx.execute(`delete from ${table} where case_no = '${a.caseNo}'` as never);
      }
      await tx.delete(petitions).where(eq(petitions.caseNo, a.caseNo));
    });
    // A matter whose workflow was never started and which has no outbox entry (registered before the outbox, or its
    // start compensated): a copy of a registered matter's row under a case number of its own.
    const b = await register('孤儿登记的原型');
    const [rowB] = await db.select().from(petitions).where(eq(petitions.caseNo, b.caseNo));
    const orphanCase = `${b.caseNo.slice(0, -4)}9${b.caseNo.slice(-3)}`;
    expect(orphanCase).not.toBe(b.caseNo);
    await db.insert(petitions).values({ ...rowB!, caseNo: orphanCase, workflowId: `petition-${orphanCase}`, queryCode: `${rowB!.queryCode}`.split('').reverse().join('') });
    expect(await status(a.workflowId)).toBe('RUNNING');
    expect(await status(`petition-${orphanCase}`)).toBeUndefined();

    const before = (await stack.call<{ items: Run[] }>('GET', '/api/workflows/reconciliations', supervisor)).body.items.map((r) => r.id);
    await client.schedule.getHandle(RECONCILE_SCHEDULE_ID).trigger();

    // Supervisors see the run: what it found and what it repaired.
    const run = await eventually(
      async () => (await stack.call<{ items: Run[] }>('GET', '/api/workflows/reconciliations?found=true', supervisor)).body.items.find((r) => !before.includes(r.id)),
      'the scheduled run',
      60_000,
      250,
    );
    expect(run).toMatchObject({ trigger: 'schedule', repair: true, rowsWithoutWorkflow: [orphanCase], workflowsWithoutRow: [a.workflowId], failed: [] });
    expect([...run.repaired].sort()).toEqual([a.workflowId, orphanCase].sort());

    // Repaired: the orphan workflow is terminated with the reason, the orphan matter has its workflow and runs.
    const terminated = await client.workflow.getHandle(a.workflowId).describe();
    expect(terminated.status.name).toBe('TERMINATED');
    const history = await client.workflow.getHandle(a.workflowId).fetchHistory();
    expect(history.events!.at(-1)?.workflowExecutionTerminatedEventAttributes?.reason).toBe(ORPHAN_REASON);
    expect(await status(`petition-${orphanCase}`)).toBe('RUNNING');
    await eventually(async () => ((await stack.call<{ status: string }>('GET', `/api/petitions/${orphanCase}/state`, registrar)).body.status === 'TRIAGE' ? true : undefined), 'the repaired matter in triage', 30_000, 200);
    const [entry] = await db.select().from(intakeOutbox).where(eq(intakeOutbox.caseNo, orphanCase));
    expect(entry?.startedAt).not.toBeNull();

    // The run's workflow (started by the schedule) returned the same report.
    const recent = (await client.schedule.getHandle(RECONCILE_SCHEDULE_ID).describe()).info.recentActions.at(-1)!;
    const result = await client.workflow.getHandle<() => Promise<ReconcileRun>>(recent.action.workflow.workflowId, recent.action.workflow.firstExecutionRunId).result();
    expect(result).toMatchObject({ runId: run.id, trigger: 'schedule', rowsWithoutWorkflow: [orphanCase], workflowsWithoutRow: [a.workflowId] });

    // Each repair is in the audit log, by the reconciliation, with its run.
    const audited = await db
      .select({ action: auditLog.action, caseNo: auditLog.caseNo, detail: auditLog.detail })
      .from(auditLog)
      .where(and(eq(auditLog.userId, RECONCILIATION_USER), like(auditLog.action, 'reconcile.%')));
    expect(audited).toEqual(
      expect.arrayContaining([
        { action: 'reconcile.workflow_started', caseNo: orphanCase, detail: { runId: run.id, trigger: 'schedule' } },
        { action: 'reconcile.workflow_terminated', caseNo: null, detail: { runId: run.id, trigger: 'schedule', workflowId: a.workflowId, reason: ORPHAN_REASON } },
      ]),
    );
  }, 180_000);

  it('the next run finds nothing left to repair', async () => {
    const [last] = (await stack.call<{ items: Run[] }>('GET', '/api/workflows/reconciliations?limit=1', supervisor)).body.items;
    await client.schedule.getHandle(RECONCILE_SCHEDULE_ID).trigger();
    const run = await eventually(async () => (await stack.call<{ items: Run[] }>('GET', '/api/workflows/reconciliations?limit=1', supervisor)).body.items.find((r) => r.id !== last!.id), 'the next run', 60_000, 250);
    expect(run).toMatchObject({ trigger: 'schedule', rowsWithoutWorkflow: [], workflowsWithoutRow: [], repaired: [], failed: [] });
    const quiet = await stack.call<{ items: Run[] }>('GET', '/api/workflows/reconciliations?found=false&limit=1', supervisor);
    expect(quiet.body.items[0]?.id).toBe(run.id);
  }, 120_000);

  it('a worker started with other settings brings the existing schedule up to date (ensureSchedules at every start)', async () => {
    await ensureSchedules(client, stack.config.TEMPORAL_TASK_QUEUE, { intervalMinutes: 30, repair: false });
    const d = await client.schedule.getHandle(RECONCILE_SCHEDULE_ID).describe();
    expect(d.spec.intervals?.map((i) => Number(i.every))).toEqual([30 * 60_000]);
    expect(d.action).toMatchObject({ workflowType: 'reconcileWorkflow', args: [{ repair: false }] });
    expect(d.policies).toMatchObject({ overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: 30 * 60_000 });
  });

  it('runs are for those who read the measures: a registrar gets 403', async () => {
    expect((await stack.call('GET', '/api/workflows/reconciliations', registrar)).status).toBe(403);
  });
});
