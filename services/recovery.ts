import { and, asc, desc, eq, gte, inArray, isNull, lt, sql } from 'drizzle-orm';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { AppConfig } from '../config';
import type { Db } from '../db/client';
import { divisions, intakeOutbox, petitions, reconciliationRuns, users } from '../db/schema';
import { recordAudit } from './audit';
import { competentLevelFor } from '../domain/triggers';
import type { PetitionInput } from '../domain/matter';
import { settingsFrom, startFromOutbox } from './intake';
import { temporalCall } from './temporal-calls';
import { startLoop } from '../lib/loop';

export interface RecoveryDeps {
  db: Db;
  temporal: Client;
  config: AppConfig;
}

/**
 * Starts the workflow of every outbox entry not marked started that is older than `graceMs` (the request that wrote
 * it has had its chance). Idempotent: the start uses the matter's deterministic workflow id with USE_EXISTING.
 */
export async function drainOutbox(deps: RecoveryDeps, opts: { graceMs?: number; limit?: number } = {}): Promise<{ started: string[]; failed: string[] }> {
  const cutoff = new Date(Date.now() - (opts.graceMs ?? 10_000));
  const pending = await deps.db
    .select()
    .from(intakeOutbox)
    .where(and(isNull(intakeOutbox.startedAt), lt(intakeOutbox.createdAt, cutoff)))
    .orderBy(asc(intakeOutbox.createdAt))
    .limit(opts.limit ?? 100);
  const started: string[] = [];
  const failed: string[] = [];
  for (const entry of pending) {
    try {
      await startFromOutbox(deps, entry);
      started.push(entry.caseNo);
    } catch (err) {
      failed.push(entry.caseNo);
      await deps.db
        .update(intakeOutbox)
        .set({ attempts: sql`${intakeOutbox.attempts} + 1`, lastError: String((err as Error).message).slice(0, 500) })
        .where(eq(intakeOutbox.caseNo, entry.caseNo))
        .catch(() => undefined);
    }
  }
  return { started, failed };
}

export interface ReconcileReport {
  /** Matters (rows) whose workflow Temporal does not know. */
  rowsWithoutWorkflow: string[];
  /** Running petition workflows with no row: a matter nobody can see, running timers. */
  workflowsWithoutRow: string[];
  /** What was repaired (with repair: rows given their workflow, orphan workflows terminated). */
  repaired: string[];
  /** What repair was tried on and failed, with the reason (the next run tries again). */
  failed: { id: string; error: string }[];
}

export const ORPHAN_REASON = 'reconciliation: no registration row for this workflow (an intake compensated after an ambiguous start)';

const isNotFound = (err: unknown) => err instanceof WorkflowNotFoundError || (err as { cause?: unknown }).cause instanceof WorkflowNotFoundError;

/** How far before the last clean run a scheduled run looks back: visibility's lag, clocks, an outbox start retried. */
export const RECONCILE_MARGIN_MS = 24 * 3_600_000;

/**
 * Where a scheduled run starts comparing. Orphans arise only at registration (a start that was ambiguous and
 * compensated, an outbox entry not yet started), so a run need only compare the matters registered since the last run
 * that left nothing behind (every orphan it found repaired), less RECONCILE_MARGIN_MS. Undefined, compare everything,
 * until a run has been clean. Comparing everything every time held every workflow id and every row in the worker's
 * memory and, at 100,000 matters, did not finish listing within its 60 s (bench:worker, docs/SCALING.md).
 */
export async function reconcileSince(db: Db): Promise<Date | undefined> {
  const r = reconciliationRuns;
  const [last] = await db
    .select({ at: r.at })
    .from(r)
    .where(sql`jsonb_array_length(${r.rowsWithoutWorkflow}) + jsonb_array_length(${r.workflowsWithoutRow}) = jsonb_array_length(${r.repaired})`)
    .orderBy(desc(r.at))
    .limit(1);
  return last ? new Date(last.at.getTime() - RECONCILE_MARGIN_MS) : undefined;
}

/**
 * Compares the read model with Temporal (visibility: every petitionWorkflow; with `since`, those started since and the
 * rows registered since) and reports both kinds of orphan.
 * Visibility lags: each candidate is confirmed before it is reported (a row's workflow by describe, a workflow's row
 * read again), so a matter registered during the listing is not taken for an orphan.
 * With repair: a row without its workflow gets an outbox entry (if it has none) and is started (USE_EXISTING: a
 * start that raced it is harmless); a running workflow without a row is terminated with the reason. One repair that
 * fails does not stop the others: it is listed in `failed`.
 */
export async function reconcile(deps: RecoveryDeps, opts: { repair: boolean; since?: Date }): Promise<ReconcileReport> {
  const workflows = new Map<string, string>();
  // A matter's row is written before its workflow starts, so its workflow (any run of it) started since the row's registration.
  const query = `WorkflowType = 'petitionWorkflow'` + (opts.since ? ` AND StartTime >= '${opts.since.toISOString()}'` : '');
  await temporalCall(
    deps,
    'listing petition workflows',
    async () => {
      for await (const wf of deps.temporal.workflow.list({ query })) workflows.set(wf.workflowId, wf.status.name);
    },
    60_000,
  );
  const rows = await deps.db
    .select({ caseNo: petitions.caseNo, workflowId: petitions.workflowId })
    .from(petitions)
    .where(opts.since ? gte(petitions.registeredAt, opts.since) : undefined);
  const rowIds = new Set(rows.map((r) => r.workflowId));
  const rowsWithoutWorkflow: string[] = [];
  for (const r of rows.filter((x) => !workflows.has(x.workflowId))) {
    const known = await temporalCall(deps, `describing ${r.workflowId}`, () => deps.temporal.workflow.getHandle(r.workflowId).describe().then(() => true, (err: unknown) => (isNotFound(err) ? false : Promise.reject(err))));
    if (!known) rowsWithoutWorkflow.push(r.caseNo);
  }
  // Only running ones matter: a closed workflow has no timers left.
  const candidates = [...workflows.entries()].filter(([id, status]) => status === 'RUNNING' && !rowIds.has(id)).map(([id]) => id);
  const stillWithoutRow = candidates.length ? new Set(candidates) : new Set<string>();
  if (candidates.length) for (const r of await deps.db.select({ workflowId: petitions.workflowId }).from(petitions).where(inArray(petitions.workflowId, candidates))) stillWithoutRow.delete(r.workflowId);
  const workflowsWithoutRow = candidates.filter((id) => stillWithoutRow.has(id));
  const repaired: string[] = [];
  const failed: ReconcileReport['failed'] = [];
  if (opts.repair) {
    const attempt = async (id: string, fix: () => Promise<void>) => {
      try {
        await fix();
        repaired.push(id);
      } catch (err) {
        failed.push({ id, error: String((err as Error).message).slice(0, 500) });
      }
    };
    for (const caseNo of rowsWithoutWorkflow) await attempt(caseNo, async () => startFromOutbox(deps, await outboxEntryFor(deps, caseNo)));
    for (const id of workflowsWithoutRow) {
      await attempt(id, () =>
        temporalCall(deps, `terminating ${id}`, () =>
          deps.temporal.workflow
            .getHandle(id)
            .terminate(ORPHAN_REASON)
            .then(() => undefined, (err: unknown) => (isNotFound(err) ? undefined : Promise.reject(err))),
        ),
      );
    }
  }
  return { rowsWithoutWorkflow, workflowsWithoutRow, repaired, failed };
}

export type ReconcileTrigger = 'schedule' | 'command';

export interface ReconcileRun extends ReconcileReport {
  /** The run's row in reconciliation_runs. */
  runId: number;
  at: string;
  trigger: ReconcileTrigger;
  repair: boolean;
}

/**
 * One reconciliation run, as the Schedule's activity and `npm run reconcile` both do it: reconcile, then record the
 * run (a row in reconciliation_runs, which supervisors read, and, when it repaired anything, an audit entry per
 * repair, by the system user `reconciliation`).
 */
export async function runReconciliation(deps: RecoveryDeps, opts: { repair: boolean; trigger: ReconcileTrigger }): Promise<ReconcileRun> {
  // The Schedule's runs compare what was registered since the last clean run; the command compares everything.
  const since = opts.trigger === 'schedule' ? await reconcileSince(deps.db) : undefined;
  const report = await reconcile(deps, { repair: opts.repair, since });
  const row = await deps.db.transaction(async (tx) => {
    const [r] = await tx.insert(reconciliationRuns).values({ trigger: opts.trigger, repair: opts.repair, ...report }).returning({ id: reconciliationRuns.id, at: reconciliationRuns.at });
    for (const id of report.repaired) {
      const row = report.rowsWithoutWorkflow.includes(id);
      await recordAudit(tx, {
        userId: RECONCILIATION_USER,
        action: row ? 'reconcile.workflow_started' : 'reconcile.workflow_terminated',
        caseNo: row ? id : null,
        detail: { runId: r!.id, trigger: opts.trigger, ...(row ? {} : { workflowId: id, reason: ORPHAN_REASON }) },
      });
    }
    return r!;
  });
  return { runId: row.id, at: row.at.toISOString(), trigger: opts.trigger, repair: opts.repair, ...report };
}

/** The user id the reconciliation's audit entries carry (not a login: no row in users). */
export const RECONCILIATION_USER = 'system:reconciliation';

/** The outbox entry of a matter; for a row that has none (registered before the outbox), rebuilt from the row. */
async function outboxEntryFor(deps: RecoveryDeps, caseNo: string): Promise<typeof intakeOutbox.$inferSelect> {
  const [existing] = await deps.db.select().from(intakeOutbox).where(eq(intakeOutbox.caseNo, caseNo));
  if (existing) return existing;
  const [row] = await deps.db.select().from(petitions).where(eq(petitions.caseNo, caseNo));
  const [division] = await deps.db.select({ level: divisions.level }).from(divisions).where(eq(divisions.code, row!.divisionCode));
  const [registrar] = await deps.db.select({ role: users.role }).from(users).where(eq(users.id, row!.registeredBy));
  const input: PetitionInput = {
    caseNo,
    channel: row!.channel as PetitionInput['channel'],
    source: row!.source as PetitionInput['source'],
    divisionCode: row!.divisionCode,
    personsCount: row!.personsCount,
    receivedAt: row!.receivedAt.toISOString(),
    registeredAt: row!.registeredAt.toISOString(),
    registeredBy: { id: row!.registeredBy, role: registrar?.role ?? 'registrar' },
    accusedUnitIds: ((row!.intake as { accusedUnitIds?: string[] }).accusedUnitIds ?? []),
    competentLevel: competentLevelFor(division?.level),
    settings: settingsFrom(deps.config),
  };
  await deps.db.insert(intakeOutbox).values({ caseNo, workflowId: row!.workflowId, taskQueue: deps.config.TEMPORAL_TASK_QUEUE, input }).onConflictDoNothing();
  const [entry] = await deps.db.select().from(intakeOutbox).where(eq(intakeOutbox.caseNo, caseNo));
  return entry!;
}

/**
 * The worker's recovery loop: drains the outbox every `intervalMs`. Returns a stop function that waits for the
 * round in progress.
 */
export function startRecoveryLoop(deps: RecoveryDeps, log: (msg: string) => void, intervalMs = deps.config.RECOVERY_INTERVAL_MS): () => Promise<void> {
  return startLoop(
    'recovery',
    async () => {
      const { started, failed } = await drainOutbox(deps);
      if (started.length) log(`recovery: started the workflows of ${started.join(', ')}`);
      if (failed.length) log(`recovery: could not start ${failed.join(', ')} yet (will retry)`);
    },
    log,
    intervalMs,
  );
}
