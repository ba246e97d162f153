/**
 * petitionWorkflow: one petition matter (信访事项) from registration to its end (domain.md §5).
 *
 * Deterministic code only. Limits are computed by an activity (calendar data lives in the database) and kept in
 * state as absolute instants; one loop sleeps until the next reminder or limit, and wakes early whenever a command
 * changes the state, so an extension or a hearing moves the running timer.
 */
import {
  ApplicationFailure,
  ActivityFailure,
  condition,
  continueAsNew,
  proxyActivities,
  setHandler,
  workflowInfo,
  allHandlersFinished,
  startChild,
  getExternalWorkflowHandle,
  ParentClosePolicy,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { PetitionActivities, DeadlineRequest } from '../activities/types';
import { reminderInstants, type Deadline } from '../domain/deadline';
import { naturalDaysBetween, shanghaiDateOf } from '../domain/dates';
import { atLimit, escalationTargets, hasLimit, type LimitKey } from '../domain/rules';
import { anyOverdue, currentLimit } from '../domain/limits';
import type { Status } from '../domain/petition';
import type { NoticeKind } from '../domain/notices';
import * as M from './messages';
import type { Actor } from './messages';
import type { DeadlineEntry, PetitionInput, PetitionState, TimelineEntry } from './types';
import { tasksOf } from './tasks';
import { workflowIdFor } from './ids';
import { atOrAboveCounty, becomesNewBacklog, isSkipLevel, threePartyReviewTrigger, visitCounts, visitProblem, warningSlipDue } from '../domain/triggers';
import { isOpen } from '../domain/petition';
import { may, type Permission } from '../domain/access';
import type { OverlayKind } from './overlay';
import { overlayChangedSignal } from './overlay';
import { warningSlipWorkflow, laterVisitSignal, resolveSlipSignal } from './warning-slip';
import { threePartyReviewWorkflow } from './three-party-review';
import { accountabilityInvestigationWorkflow } from './accountability';

const acts = proxyActivities<PetitionActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', nonRetryableErrorTypes: ['CalendarUnknownYear', 'InvalidInput'] },
});

const DAY_MS = 86_400_000;
const RECENT_EVENTS = 20;

function illegal(message: string): never {
  throw ApplicationFailure.create({ type: 'IllegalState', message, nonRetryable: true });
}
function invalid(message: string): never {
  throw ApplicationFailure.create({ type: 'InvalidInput', message, nonRetryable: true });
}
function forbidden(message: string): never {
  throw ApplicationFailure.create({ type: 'Forbidden', message, nonRetryable: true });
}

export async function petitionWorkflow(input: PetitionInput): Promise<PetitionState> {
  const { workflowId } = workflowInfo();
  const state: PetitionState = input.carried ?? {
    caseNo: input.caseNo,
    status: 'REGISTERED',
    divisionCode: input.divisionCode,
    channel: input.channel,
    source: input.source,
    personsCount: input.personsCount,
    receivedAt: input.receivedAt,
    registeredAt: input.registeredAt,
    unitId: null,
    objections: [],
    meetings: {},
    returnVisits: [],
    submissions: { total: 1, repeats: 0, refused: 0, recentIds: [] },
    deadlines: [],
    overdue: false,
    notices: [],
    tasks: [],
    recent: [],
    seq: 0,
    runs: 0,
    accusedUnitIds: input.accusedUnitIds,
    settings: input.settings,
    visits: [],
    visitCounts: visitCounts([]),
    overlays: {},
  };
  if (input.carried) state.runs += 1;

  /** Bumped on every change; the main loop wakes on it. */
  let version = 0;
  let pending: TimelineEntry[] = [];

  const today = () => shanghaiDateOf(new Date(Date.now()));
  const nowIso = () => new Date(Date.now()).toISOString();

  function emit(type: string, data: Record<string, unknown>, actor: Actor | string | null = null): TimelineEntry {
    const e: TimelineEntry = { seq: state.seq++, type, at: nowIso(), actor: typeof actor === 'string' || actor === null ? actor : actor.id, data };
    pending.push(e);
    state.recent = [...state.recent, e].slice(-RECENT_EVENTS);
    version++;
    return e;
  }

  /** Writes the pending events and a snapshot to the read model (idempotent by event id). */
  async function flush(): Promise<void> {
    refresh();
    const events = pending;
    pending = [];
    await acts.project({ workflowId, caseNo: state.caseNo, events, snapshot: state });
  }

  /** Derived fields: overdue flag, current limit, work list. */
  function refresh(): void {
    state.overdue = anyOverdue(state.deadlines, nowIso());
    const cur = currentLimit(state.deadlines);
    state.current = cur ? { key: cur.key, dueAt: cur.dueAt } : undefined;
    state.tasks = tasksOf(state, nowIso());
  }

  async function computeDeadline(req: DeadlineRequest): Promise<Deadline> {
    try {
      return await acts.computeDeadline(req);
    } catch (err) {
      // Surface the activity's business failure (e.g. an unknown calendar year) to the caller of the update.
      if (err instanceof ActivityFailure && err.cause instanceof ApplicationFailure) {
        throw ApplicationFailure.create({ type: err.cause.type ?? 'DeadlineFailed', message: err.cause.message, nonRetryable: true });
      }
      throw err;
    }
  }

  /** Computes a limit without changing anything: handlers plan their limits first, so a refusal leaves no trace. */
  function planDeadline(req: DeadlineRequest): Promise<Deadline> {
    return computeDeadline({ ...req, evaluationDays: state.settings.evaluationDays, investigationDays: state.settings.investigationDays });
  }

  async function startDeadline(req: DeadlineRequest | Deadline): Promise<DeadlineEntry> {
    const d = 'dueAt' in req ? req : await planDeadline(req);
    // A reminder whose time has already passed when the limit starts (a recomputed or backdated limit) says nothing new.
    const passed = reminderInstants(d, state.settings.reminderLeadDays).filter((r) => Date.parse(r.at) <= Date.now()).map((r) => r.leadDays);
    const entry: DeadlineEntry = { ...d, id: `${d.key}-${state.deadlines.length + 1}`, status: 'pending', reminded: passed };
    state.deadlines.push(entry);
    emit('deadline.started', { id: entry.id, key: d.key, startDate: d.startDate, dueDate: d.dueDate, dueAt: d.dueAt, basis: d.policy.basis });
    return entry;
  }

  function live(key: LimitKey): DeadlineEntry | undefined {
    return state.deadlines.find((d) => d.key === key && (d.status === 'pending' || d.status === 'paused'));
  }
  function latest(key: LimitKey): DeadlineEntry | undefined {
    return [...state.deadlines].reverse().find((d) => d.key === key);
  }

  /** A limit is met (or, if already missed, at least closed) by the event that ends it. */
  function close(key: LimitKey, how: 'met' | 'cancelled' = 'met'): void {
    for (const d of state.deadlines) {
      if (d.key !== key) continue;
      if (d.status === 'pending' || d.status === 'paused') {
        d.status = how;
        d.closedAt = nowIso();
      } else if (d.status === 'missed' && !d.closedAt) {
        d.closedAt = nowIso();
      }
    }
    version++;
  }

  async function fileNotice(kind: NoticeKind, fields: [string, string][], actor: Actor | null, legalBasis?: string): Promise<string> {
    const id = `${state.caseNo}-N${state.seq}`; // seq is unique for the matter's whole life
    const issuedAt = nowIso();
    await acts.fileNotice({ id, kind, caseNo: state.caseNo, issuedOn: today(), issuedAt, issuedBy: actor?.id ?? null, fields, legalBasis });
    state.notices = [...state.notices, { id, kind, issuedAt }].slice(-50);
    emit('notice.filed', { id, kind }, actor);
    return id;
  }

  function end(status: Status): void {
    state.status = status;
    state.endedAt = nowIso();
  }

  /** A business date given with a command: defaults to today, never in the future, never before `notBefore`. */
  function effectiveDate(given: string | undefined, notBefore: string, what: string): string {
    const d = given ?? today();
    if (d > today()) invalid(`${what} ${d} is in the future`);
    if (d < notBefore) invalid(`${what} ${d} is before ${notBefore}`);
    return d;
  }

  function requireStatus(allowed: Status[], what: string): void {
    if (!allowed.includes(state.status)) illegal(`cannot ${what}: the matter is ${state.status}, this needs ${allowed.join(' or ')}`);
  }
  /** The API checks roles too; the workflow refuses on its own, whoever calls it (domain/access.ts). */
  function requirePermission(actor: Actor, what: Permission): void {
    if (!may(actor, what)) forbidden(`the role ${actor.role} may not ${what}`);
  }
  function requireOwnUnit(actor: Actor): void {
    if (actor.role !== 'admin' && actor.unitId !== state.unitId) forbidden('the matter is not with your unit');
  }

  // --- Registration ----------------------------------------------------------------------------------------

  const received = shanghaiDateOf(input.receivedAt);

  // --- Triage (15 d: forward/assign, route, not accept, link) -----------------------------------------------

  setHandler(M.forwardUpdate, async ({ actor, mode, unitId, note }) => {
    if (state.accusedUnitIds.includes(unitId)) {
      forbidden('a report must never be routed to the unit it accuses (《信访工作条例》第三十条)');
    }
    state.status = 'AWAITING_ACCEPTANCE';
    state.unitId = unitId;
    state.handOff = { mode, unitId, at: nowIso(), by: actor.id, note };
    close('triage');
    emit(mode === 'assign' ? 'triage.assigned' : 'triage.forwarded', { unitId, note: note ?? null }, actor);
    await fileNotice('forwarded', [['事项', mode === 'assign' ? '交办' : '转送'], ['承办单位', unitId]], actor);
    // The receiving unit's limits count from its receipt: the day of the hand-off.
    await startDeadline({ key: 'acceptance', startDate: today() });
    if (hasLimit('objection', today())) {
      try {
        await startDeadline({ key: 'objection', startDate: today() });
      } catch (err) {
        // A working-day window into a year the calendar does not know yet must not block the hand-off itself.
        if (!(err instanceof ApplicationFailure && err.type === 'CalendarUnknownYear')) throw err;
        emit('deadline.not_computed', { key: 'objection', reason: err.message });
      }
    }
    await flush();
    return state;
  }, { validator: ({ actor }) => { validateTriage(actor); } });

  setHandler(M.routeUpdate, async ({ actor, channel, organ, notice }) => {
    state.routing = { channel, organ };
    close('triage');
    emit('triage.routed', { channel, organ }, actor);
    await fileNotice('routing', [['法定途径', channel], ['受理机关', organ], ['告知内容', notice]], actor);
    end('ROUTED_TO_CHANNEL');
    await flush();
    return state;
  }, { validator: ({ actor }) => { validateTriage(actor); } });

  setHandler(M.notAcceptUpdate, async ({ actor, reason }) => {
    state.notAccepted = { reason };
    close('triage');
    emit('triage.not_accepted', { reason }, actor);
    await fileNotice('non_acceptance', [['不予受理理由', reason]], actor);
    end('NOT_ACCEPTED');
    await flush();
    return state;
  }, { validator: ({ actor }) => { validateTriage(actor); } });

  setHandler(M.linkUpdate, async ({ actor, caseNo }) => {
    state.linkedTo = caseNo;
    close('triage');
    emit('triage.linked', { to: caseNo }, actor);
    end('LINKED');
    await flush();
    // The other matter takes this one as a further submission (件次) on it.
    await getExternalWorkflowHandle(workflowIdFor(caseNo)).signal(M.submissionSignal, {
      id: `${state.caseNo}-linked`,
      channel: state.channel,
      receivedAt: state.receivedAt,
      summary: `linked from ${state.caseNo}`,
      registeredBy: actor.id,
    });
    return state;
  }, {
    validator: ({ actor, caseNo }) => {
      validateTriage(actor);
      if (caseNo === state.caseNo) invalid('a matter cannot be linked to itself');
    },
  });

  function validateTriage(actor: Actor): void {
    if (!may(actor, 'triage')) forbidden('triage is the bureau registrar\'s');
    requireStatus(['TRIAGE'], 'triage');
  }

  // --- Acceptance (15 d) or objection (5 WD, 2022 rules only) --------------------------------------------------

  setHandler(M.acceptUpdate, async ({ actor, acceptedOn, note }) => {
    const on = effectiveDate(acceptedOn, latest('acceptance')?.startDate ?? received, 'acceptance date');
    state.acceptedOn = on;
    state.status = 'IN_HANDLING';
    close('acceptance');
    close('objection', 'cancelled');
    emit('accepted', { on, note: note ?? null }, actor);
    await fileNotice('acceptance', [['受理日期', on], ['承办单位', state.unitId ?? '']], actor);
    await startDeadline({ key: 'handling', startDate: on });
    await flush();
    return state;
  }, {
    validator: ({ actor }) => {
      requireStatus(['AWAITING_ACCEPTANCE'], 'accept');
      requireOwnUnit(actor);
    },
  });

  setHandler(M.objectUpdate, async ({ actor, reason, objectedOn }) => {
    const window = live('objection');
    const on = effectiveDate(objectedOn, window?.startDate ?? received, 'objection date');
    if (!window || on > window.dueDate) {
      illegal(`the objection window has closed${window ? ` (due ${window.dueDate})` : ''}: the unit must accept or the bureau re-route`);
    }
    state.objections.push({ reason, on, unitId: state.unitId });
    close('objection');
    close('acceptance', 'cancelled');
    emit('objection', { reason, on, unitId: state.unitId }, actor);
    state.status = 'TRIAGE';
    state.unitId = null;
    await startDeadline({ key: 'triage', startDate: on });
    await flush();
    return state;
  }, {
    validator: ({ actor }) => {
      requireStatus(['AWAITING_ACCEPTANCE'], 'object');
      requireOwnUnit(actor);
    },
  });

  // --- Handling (60 d, one extension ≤30 d), meetings, reply ---------------------------------------------------

  setHandler(M.extendUpdate, async ({ actor, days, reason }) => {
    const handling = live('handling');
    if (!handling) illegal('no running handling limit to extend');
    if (Date.now() >= Date.parse(handling.dueAt)) illegal(`the handling limit passed on ${handling.dueDate}; it can no longer be extended`);
    const extended = await planDeadline({ key: 'extension', startDate: handling.dueDate, days });
    close('handling', 'cancelled');
    state.extension = { days, reason, approvedBy: actor.id, on: today() };
    state.status = 'EXTENDED';
    emit('extended', { days, reason, from: handling.dueDate }, actor);
    await startDeadline(extended);
    await fileNotice('extension', [['延长天数', `${days}日`], ['延期理由', reason], ['新的办理期限', extended.dueDate]], actor);
    await flush();
    return state;
  }, {
    validator: ({ actor }) => {
      if (!may(actor, 'extend')) forbidden('an extension needs the approval of the unit head (《信访工作条例》第三十四条)');
      requireStatus(['IN_HANDLING'], 'extend');
      requireOwnUnit(actor);
      if (state.extension) illegal('the handling limit may be extended once only');
    },
  });

  setHandler(M.meetingUpdate, async ({ actor, meeting, ...record }) => {
    const key = String(meeting) as '1' | '2' | '3';
    if (record.date) effectiveDate(record.date, received, 'meeting date');
    state.meetings[key] = { ...record, recordedBy: actor.id, recordedAt: nowIso() };
    emit(record.exemption ? 'meeting.exempted' : 'meeting.held', { meeting, ...record }, actor);
    await flush();
    return state;
  }, {
    validator: ({ actor, meeting }) => {
      requireOwnUnit(actor);
      if (meeting === 1) requireStatus(['IN_HANDLING', 'EXTENDED'], 'record meeting ①');
      if (meeting === 2) requireStatus(['IN_HANDLING', 'EXTENDED', 'REPLIED'], 'record meeting ②');
      if (meeting === 3) {
        requireStatus(['UNSATISFIED'], 'record meeting ③ (after an unsatisfied evaluation)');
        if (!may(actor, 'meetAsLeader')) forbidden('meeting ③ is held by the unit\'s leader');
      }
    },
  });

  setHandler(M.replyUpdate, async ({ actor, deliveredOn, ...reply }) => {
    const on = effectiveDate(deliveredOn, state.acceptedOn ?? received, 'delivery date');
    // The review-request window may need next year's calendar: if it cannot be computed, nothing happens.
    const evaluationWindow = await planDeadline({ key: 'evaluation', startDate: on });
    const reviewWindow = await planDeadline({ key: 'reviewRequest', startDate: on });
    close('handling');
    close('extension');
    const noticeId = await fileNotice('reply', [
      ['信访请求', reply.request],
      ['查明事实', reply.facts],
      ['处理意见', reply.opinion],
      ['法律依据', reply.legalBasis],
      ['送达方式', reply.deliveryMethod],
      ['复查告知', '如不服本处理意见，可自收到本意见书之日起30日内请求复查'],
    ], actor);
    state.reply = { ...reply, deliveredOn: on, noticeId };
    state.status = 'REPLIED';
    emit('replied', { deliveredOn: on, deliveryMethod: reply.deliveryMethod, noticeId }, actor);
    await startDeadline(evaluationWindow);
    await startDeadline(reviewWindow);
    await flush();
    return state;
  }, {
    validator: ({ actor }) => {
      requireStatus(['IN_HANDLING', 'EXTENDED'], 'reply');
      requireOwnUnit(actor);
      if (!state.meetings['1']) illegal('meeting ① (the unit meets the petitioner) must be recorded, or exempted with a reason, before the reply');
    },
  });

  // --- Evaluation, return visits, re-handling -----------------------------------------------------------------

  setHandler(M.evaluationUpdate, async ({ actor, evaluatedOn, ...ev }) => {
    const window = live('evaluation');
    const on = effectiveDate(evaluatedOn, state.reply!.deliveredOn, 'evaluation date');
    if (!window || on > window.dueDate) illegal(`the evaluation window closed${window ? ` on ${window.dueDate}` : ''} (超期未评价)`);
    state.evaluation = { ...ev, evaluatedOn: on, on };
    close('evaluation');
    const unsatisfied = ev.unit === 'unsatisfied' || ev.bureau === 'unsatisfied';
    if (unsatisfied) state.status = 'UNSATISFIED';
    emit('evaluated', { ...ev, on }, actor);
    await flush();
    return state;
  }, {
    validator: ({ actor }) => {
      requirePermission(actor, 'evaluate');
      requireStatus(['REPLIED'], 'evaluate');
      if (state.evaluation) illegal('the matter has been evaluated already');
    },
  });

  setHandler(M.returnVisitUpdate, async ({ actor, date, notes }) => {
    const on = effectiveDate(date, state.reply!.deliveredOn, 'return-visit date');
    state.returnVisits = [...state.returnVisits, { date: on, notes, by: actor.id }].slice(-50);
    emit('return_visit', { date: on, notes }, actor);
    await flush();
    return state;
  }, {
    validator: ({ actor }) => {
      requirePermission(actor, 'returnVisit');
      if (!state.reply) illegal('a return visit follows a delivered reply');
    },
  });

  setHandler(M.sendBackUpdate, async ({ actor, reason }) => {
    close('evaluation', 'cancelled');
    close('reviewRequest', 'cancelled');
    emit('sent_back', { reason }, actor);
    state.status = 'IN_HANDLING';
    state.reply = undefined;
    state.evaluation = undefined;
    delete state.meetings['2'];
    delete state.meetings['3'];
    await startDeadline({ key: 'handling', startDate: today() });
    await flush();
    return state;
  }, {
    validator: ({ actor }) => {
      requirePermission(actor, 'sendBack');
      requireStatus(['UNSATISFIED'], 'send the matter back to handling');
    },
  });

  // --- Review (复查) and re-review (复核) -----------------------------------------------------------------------

  setHandler(M.reviewRequestUpdate, async ({ actor, level, requestedOn, grounds }) => {
    const windowKey: LimitKey = level === 'review' ? 'reviewRequest' : 'reReviewRequest';
    const window = latest(windowKey);
    const from = window?.startDate ?? received;
    const on = effectiveDate(requestedOn, from, 'request date');
    if (!window || on > window.dueDate || window.status === 'cancelled') {
      emit('request.refused', { level, on, dueDate: window?.dueDate ?? null }, actor);
      await fileNotice('refusal', [
        ['请求', level === 'review' ? '复查' : '复核'],
        ['不予受理理由', `请求日期 ${on} 已超过法定期限${window ? `（截至 ${window.dueDate}）` : ''}`],
      ], actor);
      await flush();
      illegal(`the ${level === 'review' ? 'review' : 're-review'} request of ${on} is late: the window ended on ${window?.dueDate ?? '(none)'}; a written refusal was filed`);
    }
    if (window.status === 'expired') {
      // Dated within the window but recorded after its timer closed the matter: the request is in time; reopen.
      window.status = 'met';
      delete state.endedAt;
    }
    close(windowKey);
    close('evaluation', 'cancelled');
    const record = { requestedOn: on, grounds, hearings: [] };
    if (level === 'review') state.review = record;
    else state.reReview = record;
    state.status = level === 'review' ? 'REVIEW' : 'RE_REVIEW';
    emit(level === 'review' ? 'review.requested' : 're_review.requested', { on, grounds }, actor);
    await startDeadline({ key: level === 'review' ? 'reviewDecision' : 'reReviewDecision', startDate: on });
    await flush();
    return state;
  }, {
    validator: ({ actor, level }) => {
      requirePermission(actor, 'requestReview');
      if (level === 'review') requireStatus(['REPLIED', 'UNSATISFIED', 'CLOSED'], 'request a review');
      else requireStatus(['REVIEWED', 'CLOSED', 'TERMINATED'], 'request a re-review');
      if (level === 'review' && state.review) illegal('a review has been requested already');
      if (level === 'reReview' && (state.reReview || !state.review?.decidedOn)) illegal('a re-review follows a review decision, once');
    },
  });

  setHandler(M.hearingUpdate, async ({ actor, action, date, note }) => {
    const rr = state.reReview!;
    const on = effectiveDate(date, rr.requestedOn, 'hearing date');
    // A hearing pauses the running limit; one held after the limit was missed cannot undo the miss.
    const deadline = live('reReviewDecision');
    if (action === 'start') {
      rr.hearings.push({ start: on });
      if (deadline) deadline.status = 'paused';
      emit('hearing.started', { on, note: note ?? null }, actor);
    } else {
      const h = rr.hearings[rr.hearings.length - 1]!;
      if (on < h.start) invalid(`the hearing cannot end (${on}) before it started (${h.start})`);
      h.end = on;
      // The hearing's days, both ends included, are not counted (《信访工作条例》第三十六条).
      const paused = rr.hearings.reduce((n, x) => n + naturalDaysBetween(x.start, x.end!) + 1, 0);
      const wasPaused = deadline?.status === 'paused';
      if (deadline && wasPaused) {
        deadline.status = 'cancelled';
        deadline.closedAt = nowIso();
      }
      emit('hearing.ended', { on, pausedDays: paused }, actor);
      if (wasPaused) await startDeadline({ key: 'reReviewDecision', startDate: rr.requestedOn, pausedDays: paused });
    }
    await flush();
    return state;
  }, {
    validator: ({ actor, action }) => {
      requirePermission(actor, 'hearing');
      requireStatus(['RE_REVIEW'], 'hold a hearing');
      const open = state.reReview!.hearings.some((h) => !h.end);
      if (action === 'start' && open) illegal('a hearing is already in progress');
      if (action === 'end' && !open) illegal('no hearing in progress');
    },
  });

  setHandler(M.reviewDecisionUpdate, async ({ actor, level, outcome, decision, decidedOn }) => {
    const rec = (level === 'review' ? state.review : state.reReview)!;
    const on = effectiveDate(decidedOn, rec.requestedOn, 'decision date');
    const reReviewWindow = level === 'review' ? await planDeadline({ key: 'reReviewRequest', startDate: on }) : undefined;
    Object.assign(rec, { decidedOn: on, outcome, decision });
    close(level === 'review' ? 'reviewDecision' : 'reReviewDecision');
    emit(level === 'review' ? 'review.decided' : 're_review.decided', { on, outcome }, actor);
    await fileNotice(level === 'review' ? 'review_decision' : 're_review_decision', [
      ['复查（复核）请求', rec.grounds],
      ['结论', outcome],
      ['意见', decision],
      ...(level === 'review' ? [['复核告知', '如不服本复查意见，可自收到之日起30日内请求复核'] as [string, string]] : [['终结', '信访人以同一事实和理由提出信访诉求的，不再受理'] as [string, string]]),
    ], actor);
    if (level === 'review') {
      state.status = 'REVIEWED';
      await startDeadline(reReviewWindow!);
    } else {
      end('TERMINATED');
      emit('terminated', { on }, actor);
    }
    await flush();
    return state;
  }, {
    validator: ({ actor, level }) => {
      requirePermission(actor, 'decideReview');
      requireStatus([level === 'review' ? 'REVIEW' : 'RE_REVIEW'], 'decide');
      if (level === 'reReview' && state.reReview!.hearings.some((h) => !h.end)) illegal('end the hearing before deciding');
    },
  });

  // --- Repeat submissions ----------------------------------------------------------------------------------------

  // Ids of recent submissions travel with the state, so a signal retried across a continue-as-new counts once.
  const seenSubmissions = new Set<string>(state.submissions.recentIds);
  setHandler(M.submissionSignal, async (s) => {
    if (seenSubmissions.has(s.id)) return; // a retried signal is recorded once
    seenSubmissions.add(s.id);
    state.submissions.recentIds = [...state.submissions.recentIds, s.id].slice(-200);
    state.submissions.total += 1;
    state.submissions.lastAt = s.receivedAt;
    if (state.status === 'TERMINATED') {
      state.submissions.refused += 1;
      emit('submission.refused', { id: s.id, channel: s.channel, reason: '三级终结' }, s.registeredBy);
      await fileNotice('refusal', [['不予受理理由', '该信访事项已经复核终结，以同一事实和理由提出的信访诉求不再受理']], null, '《信访工作条例》第三十六条');
    } else {
      state.submissions.repeats += 1;
      emit('submission.linked', { id: s.id, channel: s.channel, receivedAt: s.receivedAt }, s.registeredBy);
      // 新增积案: past a statutory limit, unresolved, petitioned again → 一事双查.
      if (becomesNewBacklog(isOpen(state.status), state.deadlines)) {
        await startInvestigation(`${workflowId}.investigation.new-backlog`, 'new_backlog', s.id, shanghaiDateOf(s.receivedAt));
      }
    }
    await flush();
  });

  // --- Visits and the escalation child workflows (triggers in domain/triggers.ts) ---------------------------------

  const slipId = `${workflowId}.warning-slip`;
  const seenVisits = new Set(state.visits.map((v) => v.id));
  const overlayBase = () => ({ caseNo: state.caseNo, parentWorkflowId: workflowId, divisionCode: state.divisionCode, unitId: state.unitId });

  /** Starts one child of a kind per matter and trigger; a retried signal finds it started and starts nothing. */
  async function startOverlay(id: string, kind: OverlayKind, trigger: string, start: () => Promise<unknown>): Promise<void> {
    if (state.overlays[id]) return;
    state.overlays[id] = { id, kind, trigger, status: 'starting', dueAt: null, overdue: false };
    try {
      await start();
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }
    emit('overlay.started', { id, kind, trigger });
  }
  // Children outlive a continue-as-new of the matter: ABANDON, and they report back by signal.
  const childOptions = (workflowId: string) => ({ workflowId, parentClosePolicy: ParentClosePolicy.ABANDON });

  async function issueWarningSlip(reason: string, issuedBy: string): Promise<void> {
    await startOverlay(slipId, 'warning_slip', reason === 'two_visits' ? 'two_visits' : 'bureau', () =>
      startChild(warningSlipWorkflow, { ...childOptions(slipId), args: [{ ...overlayBase(), trigger: reason === 'two_visits' ? 'two_visits' : 'bureau', reason, issuedBy }] }),
    );
  }

  async function startInvestigation(id: string, trigger: 'new_backlog' | 'skip_level', triggerRef: string, triggeredOn: string): Promise<void> {
    await startOverlay(id, 'investigation', trigger, () =>
      startChild(accountabilityInvestigationWorkflow, {
        ...childOptions(id),
        args: [{ ...overlayBase(), trigger, triggerRef, triggeredOn, investigationDays: state.settings.investigationDays }],
      }),
    );
  }

  setHandler(M.visitSignal, async (v) => {
    if (seenVisits.has(v.id)) return; // a retried signal is recorded once
    seenVisits.add(v.id);
    // The API refuses these with the reason; one that reaches the workflow anyway is recorded, not counted.
    const problem = visitProblem(v.at, { registeredAt: state.registeredAt, open: isOpen(state.status), status: state.status }, Date.now());
    if (problem) {
      emit('visit.rejected', { id: v.id, reason: problem.message }, v.recordedBy);
      await flush();
      return;
    }
    const { recordedBy, ...visit } = v;
    state.visits = [...state.visits, visit].slice(-100);
    state.visitCounts[v.level] += 1;
    emit('visit', { id: v.id, at: v.at, level: v.level, place: v.place, persons: v.persons, collective: v.collective, abnormalInBeijing: v.abnormalInBeijing }, recordedBy);

    const slip = state.overlays[slipId];
    if (slip && atOrAboveCounty(v.level) && slip.status !== 'closed' && slip.status !== 'completed') {
      await getExternalWorkflowHandle(slipId).signal(laterVisitSignal, { visitId: v.id, at: v.at, level: v.level });
    } else if (!slip && warningSlipDue(state.visitCounts)) {
      await issueWarningSlip('two_visits', recordedBy);
    }
    const review = threePartyReviewTrigger(v);
    if (review) {
      const id = `${workflowId}.three-party-review.${v.id}`;
      await startOverlay(id, 'three_party_review', review, () =>
        startChild(threePartyReviewWorkflow, { ...childOptions(id), args: [{ ...overlayBase(), trigger: review, visit: { id: v.id, at: v.at, level: v.level, persons: v.persons } }] }),
      );
    }
    if (isSkipLevel(v, input.competentLevel ?? 'county')) {
      await startInvestigation(`${workflowId}.investigation.skip-level.${v.id}`, 'skip_level', v.id, shanghaiDateOf(v.at));
    }
    await flush();
  });

  setHandler(M.warnUpdate, async ({ reason, actor }) => {
    await issueWarningSlip(reason, actor.id);
    await flush();
    return state;
  }, {
    validator: ({ actor }) => {
      if (!may(actor, 'warn')) forbidden('a warning slip is issued by the petition bureau');
      if (!isOpen(state.status)) illegal(`the matter has ended (${state.status})`);
      if (state.overlays[slipId]) illegal('a warning slip has been issued for this matter already');
    },
  });

  setHandler(overlayChangedSignal, (summary) => {
    state.overlays[summary.id] = summary;
    version++;
  });

  setHandler(M.stateQuery, () => {
    refresh();
    return state;
  });

  // --- Timers ----------------------------------------------------------------------------------------------------

  /** The next reminder or limit, if any. */
  function nextAlarm(): number | undefined {
    let next: number | undefined;
    for (const d of state.deadlines) {
      if (d.status !== 'pending') continue;
      const times = [Date.parse(d.dueAt)];
      if (atLimit[d.key] === 'escalate') {
        for (const r of reminderInstants(d, state.settings.reminderLeadDays)) if (!d.reminded.includes(r.leadDays)) times.push(Date.parse(r.at));
      }
      for (const t of times) if (next === undefined || t < next) next = t;
    }
    return next;
  }

  async function fireAlarms(): Promise<void> {
    const now = Date.now();
    let changed = false;
    for (const d of state.deadlines) {
      if (d.status !== 'pending') continue;
      if (Date.parse(d.dueAt) <= now) {
        changed = true;
        await onDue(d);
        continue;
      }
      if (atLimit[d.key] !== 'escalate') continue;
      for (const r of reminderInstants(d, state.settings.reminderLeadDays)) {
        if (Date.parse(r.at) <= now && !d.reminded.includes(r.leadDays)) {
          d.reminded.push(r.leadDays);
          changed = true;
          emit('deadline.reminder', { id: d.id, key: d.key, leadDays: r.leadDays, dueDate: d.dueDate });
        }
      }
    }
    if (changed) await flush();
  }

  async function onDue(d: DeadlineEntry): Promise<void> {
    if (atLimit[d.key] === 'escalate') {
      d.status = 'missed';
      d.escalatedAt = nowIso();
      emit('deadline.escalated', { id: d.id, key: d.key, dueDate: d.dueDate, to: escalationTargets(d.key), basis: d.policy.basis });
      return;
    }
    d.status = 'expired';
    d.closedAt = nowIso();
    emit('deadline.expired', { id: d.id, key: d.key, dueDate: d.dueDate });
    if (d.key === 'evaluation' && !state.evaluation) {
      state.evaluation = { expired: true, on: d.dueDate };
      emit('evaluation.expired', { dueDate: d.dueDate });
    }
    if ((d.key === 'reviewRequest' && ['REPLIED', 'UNSATISFIED'].includes(state.status)) || (d.key === 'reReviewRequest' && state.status === 'REVIEWED')) {
      end('CLOSED');
      emit('closed', { reason: `${d.key} window ended ${d.dueDate}` });
    }
  }

  // --- Main loop ---------------------------------------------------------------------------------------------------

  if (!input.carried) {
    emit('registered', { channel: input.channel, source: input.source, receivedAt: input.receivedAt, by: input.registeredBy.id }, input.registeredBy.id);
    await startDeadline({ key: 'triage', startDate: received });
    state.status = 'TRIAGE';
    await flush();
  }

  function historyTooLong(): boolean {
    const info = workflowInfo();
    return info.continueAsNewSuggested || info.historyLength > state.settings.historyLimit;
  }

  for (;;) {
    if (state.endedAt && Date.now() >= Date.parse(state.endedAt) + state.settings.lingerDays * DAY_MS) break;
    if (historyTooLong()) {
      await condition(allHandlersFinished);
      if (pending.length) await flush();
      await continueAsNew<typeof petitionWorkflow>({ ...input, carried: state });
    }
    const slip = state.overlays[slipId];
    if (state.endedAt && slip && (slip.status === 'open' || slip.status === 'starting')) {
      // The matter is resolved: the warning slip closes with it.
      slip.status = 'closed';
      await getExternalWorkflowHandle(slipId).signal(resolveSlipSignal, { reason: `matter ${state.status}` }).catch(() => undefined);
    }
    const seen = version;
    const alarm = nextAlarm();
    const lingerUntil = state.endedAt ? Date.parse(state.endedAt) + state.settings.lingerDays * DAY_MS : undefined;
    const wakeAt = [alarm, lingerUntil].filter((t): t is number => t !== undefined).sort((a, b) => a - b)[0];
    // Activity completions also grow the history: wake for that too, or a quiet matter would never continue as new.
    const wake = () => version !== seen || historyTooLong();
    if (wakeAt === undefined) {
      await condition(wake);
    } else {
      const woken = await condition(wake, Math.max(wakeAt - Date.now(), 1));
      if (!woken) await fireAlarms();
    }
  }
  await condition(allHandlersFinished);
  refresh();
  return state;
}
