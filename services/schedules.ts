/**
 * The four sweeps as Temporal Schedules (Asia/Shanghai), created at the worker's start and brought up to date
 * if they exist (idempotent): overlap SKIP (a run still going when the next is due is not doubled), a catch-up
 * window per kind (a run missed while the server was down is still taken, within a day for 天天清 and a week for
 * the others), and pauseOnFailure off (the next run goes ahead; the failed one shows in recent actions).
 */
import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client, type ScheduleOptions } from '@temporalio/client';
import type { AppConfig } from '../config';
import { sweepCalendars, sweepKinds, SWEEP_TIMEZONE, type SweepKind } from '../domain/sweeps';
import type { SweepSettings } from '../read-model/sweeps';

export const scheduleIdFor = (kind: SweepKind) => `sweep-${kind}`;

export function sweepSettingsFrom(config: AppConfig): SweepSettings {
  return {
    monthlySampleSize: config.MONTHLY_SAMPLE_SIZE,
    listingBottom: config.LISTING_BOTTOM,
    listingRemediationDays: config.LISTING_REMEDIATION_DAYS,
    listingWeights: config.LISTING_WEIGHTS,
    leaderReviewChannels: config.LEADER_REVIEW_CHANNELS,
  };
}

const catchup: Record<SweepKind, string> = { daily: '1 day', weekly: '7 days', monthly: '7 days', quarterly: '7 days' };

function options(kind: SweepKind, taskQueue: string): ScheduleOptions {
  const c = sweepCalendars[kind];
  return {
    scheduleId: scheduleIdFor(kind),
    spec: {
      calendars: [{ hour: c.hour, minute: c.minute, ...(c.dayOfWeek ? { dayOfWeek: c.dayOfWeek as never } : {}), ...(c.dayOfMonth ? { dayOfMonth: c.dayOfMonth } : {}), ...(c.month ? { month: c.month as never } : {}) }],
      timezone: SWEEP_TIMEZONE,
    },
    action: { type: 'startWorkflow', workflowType: 'sweepWorkflow', taskQueue, args: [{ kind }], workflowId: `sweep-${kind}-run`, workflowExecutionTimeout: '1 day' },
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: catchup[kind], pauseOnFailure: false },
    memo: { purpose: `丽委办发〔2018〕51号 ${kind}` },
  };
}

/** The reconciliation job's schedule (issue 10, defect 2): `reconcile`, every RECONCILE_INTERVAL_MINUTES. */
export const RECONCILE_SCHEDULE_ID = 'reconcile';

export interface ReconcileScheduleSettings {
  intervalMinutes: number;
  repair: boolean;
}

export const reconcileScheduleSettingsFrom = (config: AppConfig): ReconcileScheduleSettings => ({ intervalMinutes: config.RECONCILE_INTERVAL_MINUTES, repair: config.RECONCILE_REPAIR });

/**
 * Every interval, a `reconcileWorkflow` (workflows/reconcile.ts). Overlap SKIP (a long run is not doubled), a
 * catch-up window of one interval (runs missed while the server was down are not replayed: the next one sees
 * everything), pauseOnFailure off.
 */
function reconcileOptions(taskQueue: string, s: ReconcileScheduleSettings): ScheduleOptions {
  return {
    scheduleId: RECONCILE_SCHEDULE_ID,
    spec: { intervals: [{ every: `${s.intervalMinutes} minutes` }] },
    action: { type: 'startWorkflow', workflowType: 'reconcileWorkflow', taskQueue, args: [{ repair: s.repair }], workflowId: 'reconcile-run', workflowExecutionTimeout: '1 hour' },
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: `${s.intervalMinutes} minutes`, pauseOnFailure: false },
    memo: { purpose: 'reconciliation: matters without their workflow, workflows without their matter' },
  };
}

/**
 * Creates the schedules, or brings them up to date (spec, action, policies) when they exist. The reconciliation's is
 * included when its settings are given (the worker always gives them).
 */
export async function ensureSchedules(client: Client, taskQueue: string, reconcile?: ReconcileScheduleSettings): Promise<string[]> {
  const ids: string[] = [];
  const all = [...sweepKinds.map((kind) => options(kind, taskQueue)), ...(reconcile ? [reconcileOptions(taskQueue, reconcile)] : [])];
  for (const o of all) {
    try {
      await client.schedule.create(o);
    } catch (err) {
      if (!(err instanceof ScheduleAlreadyRunning)) throw err;
      await client.schedule.getHandle(o.scheduleId).update((prev) => ({ ...prev, spec: o.spec, action: o.action, policies: { ...prev.policies, ...o.policies } }) as never);
    }
    ids.push(o.scheduleId);
  }
  return ids;
}
