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

export async function ensureSchedules(client: Client, taskQueue: string): Promise<string[]> {
  const ids: string[] = [];
  for (const kind of sweepKinds) {
    const o = options(kind, taskQueue);
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
