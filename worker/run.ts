import { fileURLToPath } from 'node:url';
import { NativeConnection, Worker, Runtime, DefaultLogger, type LogLevel } from '@temporalio/worker';
import { Client } from '@temporalio/client';
import { closableConnection } from '../lib/temporal-connection';
import type { AppConfig } from '../config';
import type { Db } from '../db/client';
import { createActivities } from '../activities';
import { ensureSchedules, reconcileScheduleSettingsFrom, sweepSettingsFrom } from '../services/schedules';
import { codecDataConverter, codecFor } from '../lib/codec';
import { cachedWorkflowBundle, type WorkflowBundleSpec } from './bundle';

export const workflowsPath = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

/**
 * Modules the workflow bundle loads once per worker thread and shares between workflows, instead of once per
 * workflow (the SDK gives each workflow its own instance of every module otherwise). zod and the domain modules that
 * build zod schemas at load time were most of a cached matter's ~1.4 MB; they keep no per-workflow state (pure
 * functions, constant tables and schemas the workflows never parse with), which is what sharing needs. The SDK
 * deep-freezes them.
 */
export const sharedWorkflowModules = [
  'zod',
  // What workflows/ imports from domain/, and what that imports (not calendar.ts: it holds a cache, and runs in activities).
  // Every domain module a workflow imports by value must be here: a module left out that builds on a shared schema
  // (isoDate.optional()) at load would write to a frozen object and fail the workflow task.
  ...['petition', 'triggers', 'escalation', 'rules', 'deadline', 'limits', 'access', 'dates', 'machine', 'matter', 'record', 'tasks', 'notices', 'backlog', 'sweeps'].map((m) =>
    fileURLToPath(new URL(`../domain/${m}.ts`, import.meta.url)),
  ),
];

/**
 * What every worker's workflow bundle is made of: the workflows, the shared modules, and the data converter's
 * failure / payload converter (loaded inside the bundle). Production and test workers run the same bundle.
 */
export function workflowBundleSpec(dataConverter: { failureConverterPath?: string; payloadConverterPath?: string } = {}): WorkflowBundleSpec {
  return { workflowsPath, preloadModules: sharedWorkflowModules, failureConverterPath: dataConverter.failureConverterPath, payloadConverterPath: dataConverter.payloadConverterPath };
}

/**
 * Worker.create's `workflowBundle`: the cached bundle (worker/bundle.ts), built by webpack only when a source it is
 * made of changed, instead of at every worker start.
 */
export async function workerWorkflowBundle(dataConverter?: { failureConverterPath?: string; payloadConverterPath?: string }, log?: (msg: string) => void): Promise<{ codePath: string }> {
  const { codePath } = await cachedWorkflowBundle(workflowBundleSpec(dataConverter), { log });
  return { codePath };
}

let runtimeInstalled = false;

export interface RunningWorker {
  worker: Worker;
  /** Resolves when the worker has stopped (after shutdown()). */
  done: Promise<void>;
  shutdown(): Promise<void>;
}

/** Starts the petition worker: workflows from workflows/, activities bound to the read model. */
export async function startWorker(opts: { config: AppConfig; address: string; db: Db }): Promise<RunningWorker> {
  if (!runtimeInstalled) {
    const level = (opts.config.LOG_LEVEL === 'silent' || opts.config.LOG_LEVEL === 'fatal' ? 'ERROR' : opts.config.LOG_LEVEL.toUpperCase()) as LogLevel;
    Runtime.install({ logger: new DefaultLogger(level === ('TRACE' as LogLevel) ? 'TRACE' : level) });
    runtimeInstalled = true;
  }
  // Every payload encrypted at rest (lib/codec.ts): the worker, and the client its activities use, share the codec.
  const codec = codecFor(opts.config);
  const dataConverter = codecDataConverter(codec);
  // Built once per change of the workflow sources (worker/bundle.ts), with sharedWorkflowModules preloaded; taken
  // before any connection opens, so a failing build leaves nothing open.
  const verbose = ['info', 'debug', 'trace'].includes(opts.config.LOG_LEVEL);
  const workflowBundle = await workerWorkflowBundle(dataConverter, verbose ? (msg) => console.log(msg) : undefined);
  const connection = await NativeConnection.connect({ address: opts.address });
  // Activities start and signal the campaign's workflows (backlog cases) through a client of their own.
  const clientConnection = closableConnection({ address: opts.address });
  await clientConnection.ensureConnected();
  const client = new Client({ connection: clientConnection, namespace: opts.config.TEMPORAL_NAMESPACE, dataConverter });
  const worker = await Worker.create({
    connection,
    dataConverter,
    namespace: opts.config.TEMPORAL_NAMESPACE,
    taskQueue: opts.config.TEMPORAL_TASK_QUEUE,
    workflowBundle,
    activities: createActivities({
      db: opts.db,
      campaign: { temporal: client, taskQueue: opts.config.TEMPORAL_TASK_QUEUE, checkInDays: opts.config.BACKLOG_CHECK_IN_DAYS, sweeps: sweepSettingsFrom(opts.config) },
      reconcile: { temporal: client, config: opts.config },
    }),
    // Set deliberately rather than derived from the host's memory (the SDK's default was 2,310 here, ~1 MB each):
    // the cache bounds the worker's memory, not the number of open matters it can hold (docs/SCALING.md).
    maxCachedWorkflows: opts.config.WORKER_MAX_CACHED_WORKFLOWS,
    maxConcurrentWorkflowTaskExecutions: opts.config.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS,
    maxConcurrentActivityTaskExecutions: opts.config.WORKER_MAX_CONCURRENT_ACTIVITIES,
    // The local steps (limits, projections: workflows/kit.ts steps()) share the read model's pool: the same bound.
    maxConcurrentLocalActivityExecutions: opts.config.WORKER_MAX_CONCURRENT_ACTIVITIES,
    // One VM context per thread, reused by every workflow (the SDK's default, stated): a cached matter costs its
    // own state only, not a copy of the libraries.
    reuseV8Context: true,
  });
  // The sweeps' and the reconciliation's schedules: created, or brought up to date, at every start.
  await ensureSchedules(client, opts.config.TEMPORAL_TASK_QUEUE, reconcileScheduleSettingsFrom(opts.config));
  const done = worker
    .run()
    .finally(() => connection.close())
    .finally(() => clientConnection.close());
  return {
    worker,
    done,
    async shutdown() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await done;
    },
  };
}
