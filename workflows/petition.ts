/**
 * petitionWorkflow: one petition matter (信访事项) from registration to its end (domain.md §5), as a shell over the
 * pure state machine in domain/machine.ts. Each update validates with `check`, applies the transition and runs its
 * effects through the shared kit (workflows/kit.ts); signals and timers go through the machine's event rules.
 *
 * Limits are computed by an activity and kept in state as absolute instants; one loop sleeps until the next
 * reminder or limit and wakes whenever the state changes, so an extension or a hearing moves the running timer.
 */
import {
  ParentClosePolicy,
  allHandlersFinished,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  patched,
  setHandler,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError, type UpdateDefinition } from '@temporalio/common';
import { anyOverdue, currentLimit } from '../domain/limits';
import { nextAlarm } from '../domain/record';
import { snapshotOf, viewOf, type PetitionInput, type PetitionView } from '../domain/matter';
import type { Deadline } from '../domain/deadline';
import { tasksOf } from '../domain/tasks';
import {
  apply,
  check,
  initialState,
  onAlarm,
  onSubmission,
  onVisit,
  planOf,
  recheck,
  startWaiting,
  transitionFor,
  isUnknownYear,
  type Planned,
  register,
  type Command,
  type CommandOf,
  type CommandType,
  type Effect,
  type MachineContext,
} from '../domain/machine';
import * as M from './messages';
import { DAY_MS, computeLimit, steps, historyTooLong, recorder, refused, runEffects } from './kit';
import { workflowIdFor } from './ids';
import { upsertMatterSearchAttributes } from './search-attributes';
import { warningSlipWorkflow } from './warning-slip';
import { threePartyReviewWorkflow } from './three-party-review';
import { accountabilityInvestigationWorkflow } from './accountability';

export async function petitionWorkflow(input: PetitionInput): Promise<PetitionView> {
  const m = matterShell(input);
  handleCommands(m);
  handleEvents(m);
  if (!input.carried) {
    await runEffects(register(m.state, m.ctx, input.registeredBy), m.runOwn);
    await m.flush();
  }
  await runUntilDone(m, input);
  await condition(allHandlersFinished);
  m.refresh();
  return viewOf(m.state);
}

type Matter = ReturnType<typeof matterShell>;
type OwnEffect = Exclude<Effect, { type: 'fileNotice' | 'computeLimit' }>;

/** The matter's state, clock and projection, and how it carries out a command. */
function matterShell(input: PetitionInput) {
  const { workflowId } = workflowInfo();
  const state = input.carried ?? initialState(input);
  if (input.carried) state.runs += 1;
  const rec = recorder();
  const ctx: MachineContext = { ...rec, input, workflowId, patched };

  /** Derived fields: overdue flag, current limit, work list. */
  function refresh(): void {
    state.overdue = anyOverdue(state.deadlines, rec.now());
    const cur = currentLimit(state.deadlines);
    state.current = cur ? { key: cur.key, dueAt: cur.dueAt } : undefined;
    state.tasks = tasksOf(state, rec.now());
  }

  /** Writes the pending events and a snapshot to the read model (idempotent by event id). */
  async function flush(events = rec.take()): Promise<void> {
    refresh();
    await steps().project({ workflowId, caseNo: state.caseNo, events, snapshot: snapshotOf(state) });
    // Supervisors' visibility queries (no personal data); released matters did not upsert.
    if (patched('search-attributes')) upsertMatterSearchAttributes(state);
  }

  /** A command: refused whole, or planned (its limits computed first), applied, run and projected. */
  async function execute(c: Command): Promise<PetitionView> {
    // The validator checked everything; what the command says is checked again as the released handlers did.
    const problem = recheck(state, c, ctx);
    if (problem) refused(problem);
    const planned: Planned[] = [];
    for (const req of planOf(state, c, ctx)) {
      try {
        planned.push(await computeLimit(req));
      } catch (err) {
        // A year the calendar does not know: the act is recorded and the limit waits (released: refused whole).
        if (!(isUnknownYear(err) && transitionFor(c).waits && patched('limits-wait-for-calendar'))) throw err;
        planned.push({ waiting: req, reason: err.message });
      }
    }
    const applied = apply(state, c, ctx, planned);
    const after = await runEffects(applied.run, runOwn);
    await flush();
    for (const effect of after) await runOwn(effect as OwnEffect);
    if (applied.refusal) refused(applied.refusal);
    return viewOf(state);
  }

  /** Computes the limits waiting for the calendar; starts those whose year is now known. */
  async function startWaitingLimits(): Promise<void> {
    const computed = new Map<string, Deadline>();
    for (const u of state.uncomputed ?? []) {
      try {
        computed.set(u.id, await computeLimit(u.req));
      } catch (err) {
        if (!isUnknownYear(err)) throw err;
      }
    }
    if (startWaiting(state, ctx, computed)) await flush();
  }

  /** Set when waiting limits should be tried again (the calendar changed, or a day passed). */
  const retry = { waiting: false };
  return { state, rec, ctx, workflowId, slipId: `${workflowId}.warning-slip`, refresh, flush, execute, runOwn, startWaitingLimits, retry };
}

/** The effects that are the matter's own: its escalations (children that outlive a continue-as-new) and signals. */
async function runOwn(effect: OwnEffect): Promise<void> {
  switch (effect.type) {
    case 'startEscalation': {
      const { kind, id, input: args } = effect.escalation;
      const options = { workflowId: id, parentClosePolicy: ParentClosePolicy.ABANDON };
      try {
        if (kind === 'warning_slip') await startChild(warningSlipWorkflow, { ...options, args: [args] });
        else if (kind === 'three_party_review') await startChild(threePartyReviewWorkflow, { ...options, args: [args] });
        else await startChild(accountabilityInvestigationWorkflow, { ...options, args: [args] });
      } catch (err) {
        // A retried signal finds the child started already.
        if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      }
      return;
    }
    case 'signalEscalation':
      if (effect.signal === 'laterVisit') await getExternalWorkflowHandle(effect.workflowId).signal(M.laterVisitSignal, effect.payload);
      else await getExternalWorkflowHandle(effect.workflowId).signal(M.resolveSlipSignal, effect.payload);
      return;
    case 'signalMatter':
      await getExternalWorkflowHandle(workflowIdFor(effect.caseNo)).signal(M.submissionSignal, effect.submission);
      return;
  }
}

/** Caseworkers' commands: each update validates with the machine's `check` and runs its transition. */
function handleCommands(m: Matter): void {
  function command<T extends CommandType>(update: UpdateDefinition<PetitionView, [Omit<CommandOf<T>, 'type'>]>, type: T): void {
    const asCommand = (arg: Omit<CommandOf<T>, 'type'>) => ({ ...arg, type }) as CommandOf<T>;
    setHandler(update, (arg) => m.execute(asCommand(arg)), {
      validator: (arg) => {
        const problem = check(m.state, asCommand(arg), m.ctx);
        if (problem) refused(problem);
      },
    });
  }
  command(M.forwardUpdate, 'forward');
  command(M.routeUpdate, 'route');
  command(M.notAcceptUpdate, 'notAccept');
  command(M.linkUpdate, 'link');
  command(M.acceptUpdate, 'accept');
  command(M.objectUpdate, 'object');
  command(M.extendUpdate, 'extend');
  command(M.meetingUpdate, 'meeting');
  command(M.replyUpdate, 'reply');
  command(M.evaluationUpdate, 'evaluate');
  command(M.returnVisitUpdate, 'returnVisit');
  command(M.sendBackUpdate, 'sendBack');
  command(M.reviewRequestUpdate, 'requestReview');
  command(M.reviewDecisionUpdate, 'decideReview');
  command(M.hearingUpdate, 'hearing');
  command(M.warnUpdate, 'warn');
}

/** What happens to the matter without a caseworker's decision: submissions, visits, escalations reporting back. */
function handleEvents(m: Matter): void {
  const { state, ctx } = m;
  // Ids of recent submissions travel with the state, so a signal retried across a continue-as-new counts once.
  const seenSubmissions = new Set<string>(state.submissions.recentIds);
  setHandler(M.submissionSignal, async (s) => {
    if (seenSubmissions.has(s.id)) return;
    seenSubmissions.add(s.id);
    await runEffects(onSubmission(state, ctx, s), runOwn);
    await m.flush();
  });

  const seenVisits = new Set(state.visits.map((v) => v.id));
  setHandler(M.visitSignal, async (v) => {
    if (seenVisits.has(v.id)) return; // a retried signal is recorded once
    seenVisits.add(v.id);
    await runEffects(onVisit(state, ctx, v), runOwn);
    await m.flush();
  });

  setHandler(M.calendarKnownSignal, () => {
    m.retry.waiting = true;
    m.rec.touch();
  });

  setHandler(M.escalationChangedSignal, (summary) => {
    state.overlays[summary.id] = summary;
    m.rec.touch();
  });

  setHandler(M.stateQuery, () => {
    m.refresh();
    return viewOf(state);
  });
}

/**
 * Sleeps until the next reminder or limit and fires it, waking whenever the state changes; continues as new when
 * the history grows long; ends when a finished matter has lingered long enough for late requests.
 */
async function runUntilDone(m: Matter, input: PetitionInput): Promise<void> {
  const { state, rec } = m;
  const lingerUntil = () => (state.endedAt ? Date.parse(state.endedAt) + state.settings.lingerDays * DAY_MS : undefined);
  for (;;) {
    const linger = lingerUntil();
    if (linger !== undefined && Date.now() >= linger) return;
    if (historyTooLong(state.settings.historyLimit)) {
      await condition(allHandlersFinished);
      const events = rec.take();
      if (events.length) await m.flush(events);
      await continueAsNew<typeof petitionWorkflow>({ ...input, carried: state });
    }
    const slip = state.overlays[m.slipId];
    if (state.endedAt && slip && (slip.status === 'open' || slip.status === 'starting')) {
      // The matter is resolved: the warning slip closes with it.
      slip.status = 'closed';
      await getExternalWorkflowHandle(m.slipId).signal(M.resolveSlipSignal, { reason: `matter ${state.status}` }).catch(() => undefined);
    }
    if (m.retry.waiting) {
      m.retry.waiting = false;
      await m.startWaitingLimits();
    }
    const seen = rec.version();
    // Limits waiting for the calendar are also tried daily, should a signal from the calendar admin be missed.
    const retryAt = state.uncomputed?.length ? Date.now() + DAY_MS : undefined;
    const wakeAt = [nextAlarm(state, state.settings.reminderLeadDays), lingerUntil(), retryAt].filter((t): t is number => t !== undefined).sort((a, b) => a - b)[0];
    // Activity completions also grow the history: wake for that too, or a quiet matter would never continue as new.
    const wake = () => rec.version() !== seen || historyTooLong(state.settings.historyLimit);
    if (wakeAt === undefined) await condition(wake);
    else if (!(await condition(wake, Math.max(wakeAt - Date.now(), 1)))) {
      if (onAlarm(state, m.ctx)) await m.flush();
      if (retryAt !== undefined && Date.now() >= retryAt) m.retry.waiting = true;
    }
  }
}
