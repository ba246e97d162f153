/**
 * What every workflow of this service shares: the activities with their options, the timeline recorder and its
 * projection, driving a transition's effects (domain/machine.ts) against Temporal, limits with escalation, and the
 * history bound that triggers continue-as-new. The petition workflow and the three escalation workflows are shells
 * over this kit and the pure rules in domain/. Deterministic code only.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  allHandlersFinished,
  patched,
  condition,
  getExternalWorkflowHandle,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { ActivityOptions } from '@temporalio/workflow';
import type { PetitionActivities } from '../activities/types';
import type { Deadline } from '../domain/deadline';
import { shanghaiDateOf } from '../domain/dates';
import { anyOverdue, currentLimit } from '../domain/limits';
import { emit, fireAlarms, nextAlarm, startLimit, type RecordContext } from '../domain/record';
import type { Effect, Refusal, Run } from '../domain/machine';
import type { TimelineEntry } from '../domain/matter';
import { escalationTasks, type DeadlineRequest, type EscalationKind, type EscalationStart, type EscalationState, type EscalationSummary } from '../domain/escalation';
import type { NoticeKind } from '../domain/notices';
import { escalationChangedSignal, escalationQuery } from './messages';
import { upsertEscalationSearchAttributes } from './search-attributes';

/** The activities' one retry policy: business refusals (an unknown calendar year, bad input) are final. */
const ACTIVITY_OPTIONS: Pick<ActivityOptions, 'startToCloseTimeout' | 'retry'> = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', nonRetryableErrorTypes: ['CalendarUnknownYear', 'InvalidInput'] },
};

/** The activities as Temporal activities: each one a task the server hands to a worker. */
export const acts = proxyActivities<PetitionActivities>(ACTIVITY_OPTIONS);

const localActs = proxyLocalActivities<PetitionActivities>(ACTIVITY_OPTIONS);

/**
 * The steps every command takes, a limit's computation and the projection to the read model, run as local activities
 * in the worker that runs the workflow task (one marker event each), not as activity tasks through the server (three
 * events and a workflow task each). They take milliseconds and are idempotent, as local activities must be. A matter's
 * first step went from four workflow tasks and two activity tasks to one workflow task; on this project's 2-core
 * machine, where the dev server was the bound, bench:worker settled 31 matters a second instead of 17 (docs/SCALING.md).
 * Matters whose history scheduled them as activity tasks replay as they ran: behind patched('local-steps'), which a
 * running matter takes at its next workflow task.
 */
export function steps(): Pick<PetitionActivities, 'computeDeadline' | 'project' | 'projectOverlay'> {
  return patched('local-steps') ? localActs : acts;
}

export const DAY_MS = 86_400_000;

/** A refusal as the failure an update answers with (its type maps to 400/403/409 in the API). */
export function refused(r: Refusal): never {
  throw ApplicationFailure.create({ type: r.type, message: r.en, nonRetryable: true, details: [{ code: r.code, zh: r.zh }] });
}

/**
 * The recorder of one workflow: its clock, the events waiting for the next projection, and the version the main
 * loop watches (every event and every closed limit bumps it, as the released workflows did).
 */
export function recorder(): RecordContext & { version(): number; take(): TimelineEntry[] } {
  let version = 0;
  let pending: TimelineEntry[] = [];
  return {
    now: () => new Date(Date.now()).toISOString(),
    record: (e) => void pending.push(e),
    touch: () => void version++,
    version: () => version,
    take: () => {
      const events = pending;
      pending = [];
      return events;
    },
  };
}

/**
 * The business failure an activity threw (an unknown calendar year, bad input), as a workflow sees it: wrapped in an
 * ActivityFailure when it ran as an activity task, itself when it ran as a local activity. Undefined for anything else.
 */
export function businessFailureOf(err: unknown): ApplicationFailure | undefined {
  if (err instanceof ActivityFailure && err.cause instanceof ApplicationFailure) return err.cause;
  if (err instanceof ApplicationFailure) return err;
  return undefined;
}

/** Computes a limit; a business failure of the activity (an unknown calendar year) becomes the caller's failure. */
export async function computeLimit(req: DeadlineRequest): Promise<Deadline> {
  try {
    return await steps().computeDeadline(req);
  } catch (err) {
    const failure = businessFailureOf(err);
    if (failure) throw ApplicationFailure.create({ type: failure.type ?? 'DeadlineFailed', message: failure.message, nonRetryable: true });
    throw err;
  }
}

/** How a workflow carries out the effects that are its own (escalations, signals); notices and limits are the kit's. */
export type EffectRunner = (effect: Exclude<Effect, { type: 'fileNotice' | 'computeLimit' }>) => Promise<void>;

/** Drives a transition against Temporal: each effect in order, its result (or failure) handed back to the transition. */
export async function runEffects(run: Run, others: EffectRunner): Promise<Effect[]> {
  let step = run.next();
  while (!step.done) {
    const effect = step.value;
    let result: unknown;
    try {
      if (effect.type === 'fileNotice') await acts.fileNotice(effect.notice);
      else if (effect.type === 'computeLimit') result = await computeLimit(effect.request);
      else await others(effect);
    } catch (err) {
      step = run.throw(err);
      continue;
    }
    step = run.next(result);
  }
  return step.value ?? [];
}

/** True when the history should be cut by continue-as-new (the server's suggestion, or our own bound). */
export function historyTooLong(limit: number): boolean {
  const info = workflowInfo();
  return info.continueAsNewSuggested || info.historyLength > limit;
}

// --- Escalations ------------------------------------------------------------------------------------------------

/** How often a limit the calendar could not compute is tried again. */
const RETRY_UNCOMPUTED_MS = 24 * 3_600_000;

/**
 * Sets up an escalation's state, query, projection and limit loop: the shell of the warning slip, the three-party
 * review and the investigation, each of which adds its own commands.
 */
export function escalation(kind: EscalationKind, start: EscalationStart, details: Record<string, unknown>) {
  const { workflowId } = workflowInfo();
  const rec = recorder();
  const state: EscalationState = {
    id: workflowId,
    kind,
    caseNo: start.caseNo,
    parentWorkflowId: start.parentWorkflowId,
    status: 'open',
    trigger: start.trigger,
    divisionCode: start.divisionCode,
    unitId: start.unitId,
    openedAt: rec.now(),
    deadlines: [],
    uncomputed: [],
    overdue: false,
    details,
    recent: [],
    seq: 0,
  };
  const tag = { overlay: kind };
  // Reminders before an escalation's limits came after its release: escalations started before then have none.
  const leadDays = patched('escalation-reminders') ? (start.reminderLeadDays ?? []) : [];

  function refresh(): void {
    state.overdue = anyOverdue(state.deadlines, rec.now());
    const cur = currentLimit(state.deadlines);
    state.current = cur ? { key: cur.key, dueAt: cur.dueAt } : undefined;
    state.tasks = escalationTasks(state, rec.now());
  }

  setHandler(escalationQuery, () => {
    refresh();
    return state;
  });

  const kit = {
    state,
    today: () => shanghaiDateOf(rec.now()),
    nowIso: rec.now,
    emit(type: string, data: Record<string, unknown>, actor: string | null = null): void {
      emit(state, rec, type, { ...tag, ...data }, actor);
    },
    /** Projects the escalation and tells the matter (which may have ended: that is not an error). */
    async flush(): Promise<void> {
      refresh();
      await steps().projectOverlay({ workflowId, caseNo: state.caseNo, events: rec.take(), snapshot: state });
      // Supervisors' visibility queries (no personal data); escalations started before this did not upsert.
      if (patched('escalation-search-attributes')) upsertEscalationSearchAttributes(state);
      const summary: EscalationSummary = { id: workflowId, kind, trigger: state.trigger, status: state.status, dueAt: state.current?.dueAt ?? null, overdue: state.overdue };
      try {
        await getExternalWorkflowHandle(state.parentWorkflowId).signal(escalationChangedSignal, summary);
      } catch {
        // The matter's workflow has completed; the read model still has this escalation's state.
      }
    },
    /**
     * Starts a limit. One the calendar cannot compute yet (next year's schedule not entered) is recorded and tried
     * again daily, so an admin entering the schedule starts it; the escalation never fails for it.
     */
    async startDeadline(id: string, req: DeadlineRequest): Promise<void> {
      let d: Deadline;
      try {
        d = await steps().computeDeadline(req);
      } catch (err) {
        const failure = businessFailureOf(err);
        if (failure?.type !== 'CalendarUnknownYear') throw err;
        if (!state.uncomputed.some((u) => u.id === id)) {
          state.uncomputed.push({ id, req, reason: failure.message });
          kit.emit('deadline.not_computed', { id, key: req.key, reason: failure.message });
        }
        return;
      }
      state.uncomputed = state.uncomputed.filter((u) => u.id !== id);
      startLimit(state, rec, d, id, leadDays, tag);
    },
    meet(id: string): void {
      state.uncomputed = state.uncomputed.filter((u) => u.id !== id);
      const d = state.deadlines.find((x) => x.id === id);
      if (!d) return;
      if (d.status === 'pending') d.status = 'met';
      d.closedAt = rec.now();
      rec.touch();
    },
    async fileNotice(noticeKind: NoticeKind, fields: [string, string][], actor: string | null): Promise<string> {
      const id = `${state.caseNo}-${kind}-${state.seq}`;
      await acts.fileNotice({ id, kind: noticeKind, caseNo: state.caseNo, issuedOn: kit.today(), issuedAt: rec.now(), issuedBy: actor, fields });
      kit.emit('notice.filed', { id, kind: noticeKind }, actor);
      return id;
    },
    close(status: 'completed' | 'closed', reason: string): void {
      state.status = status;
      state.closedAt = rec.now();
      for (const d of state.deadlines) if (d.status === 'pending') kit.meet(d.id);
      kit.emit(status === 'completed' ? 'overlay.completed' : 'overlay.closed', { reason });
    },
    /** Sleeps until the next limit (escalating it when it passes) until the escalation is no longer open. */
    async run(): Promise<EscalationState> {
      await kit.flush();
      while (state.status === 'open') {
        const seen = rec.version();
        const retryAt = state.uncomputed.length ? Date.now() + RETRY_UNCOMPUTED_MS : undefined;
        const next = [nextAlarm(state, leadDays), retryAt].filter((t): t is number => t !== undefined).sort((a, b) => a - b)[0];
        const woken = next === undefined ? await condition(() => rec.version() !== seen) : await condition(() => rec.version() !== seen, Math.max(next - Date.now(), 1));
        if (woken) continue;
        if (retryAt && Date.now() >= retryAt) {
          for (const u of [...state.uncomputed]) await kit.startDeadline(u.id, u.req);
        }
        fireAlarms(state, rec, leadDays, tag);
        await kit.flush();
      }
      await condition(allHandlersFinished);
      await kit.flush();
      return state;
    },
  };
  return kit;
}
