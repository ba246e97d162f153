/**
 * One matter, one state machine (domain.md §5). The transition table below is the single source of truth for what a
 * caseworker may do to a matter: for each command, who may give it, in which statuses, the status it leads to, the
 * limits it meets, cancels and starts, and the notices it files. `check` refuses, `decide` applies; the petition
 * workflow (workflows/petition.ts) is a shell that runs the same transitions against Temporal, the API lists and
 * validates commands from the table, and docs/STATE_MACHINE.md is generated from it.
 *
 * Each transition's behaviour is a generator: it changes the state and yields the I/O it needs (file a notice,
 * compute a limit on the working-day calendar, start an escalation, signal a workflow) in order. `decide` drives it
 * synchronously with a calendar given by the caller, so every transition is testable without a server; the
 * workflow drives the very same generator with activities and child workflows. Pure: no I/O, no clock reads.
 */
import type { Deadline } from './deadline';
import { naturalDaysBetween, shanghaiDateOf, type IsoDate } from './dates';
import { hasLimit, policyFor, type LimitKey } from './rules';
import { finalStatuses, isOpen, statuses, type Status } from './petition';
import type * as C from './commands';
import { may, type Permission } from './access';
import type { NoticeKind } from './notices';
import type { Actor, DeadlineEntry, PetitionInput, PetitionState, SubmissionSignal, TimelineEntry } from './matter';
import type { DeadlineRequest, EscalationKind, InvestigationInput, ThreePartyReviewInput, WarningSlipInput } from './escalation';
import { closeLimits, emit, fireAlarms, latestLimit, liveLimit, startLimit, todayOf, type NoticeRequest, type RecordContext } from './record';
import { atOrAboveCounty, becomesNewBacklog, isSkipLevel, threePartyReviewTrigger, visitCounts, visitProblem, warningSlipDue, type Visit } from './triggers';

// --- Commands ---------------------------------------------------------------------------------------------------

type With<T, K extends string> = T & { type: K; actor: Actor };
/** A caseworker's command as the machine sees it: the API's body, the acting user, and which command it is. */
export type Command =
  | With<C.Forward, 'forward'>
  | With<C.Route, 'route'>
  | With<C.NotAccept, 'notAccept'>
  | With<C.Link, 'link'>
  | With<C.Accept, 'accept'>
  | With<C.ObjectTo, 'object'>
  | With<C.Extend, 'extend'>
  | With<C.Meeting, 'meeting'>
  | With<C.Reply, 'reply'>
  | With<C.Evaluation, 'evaluate'>
  | With<C.ReturnVisit, 'returnVisit'>
  | With<C.SendBack, 'sendBack'>
  | With<C.ReviewRequest & { level: 'review' | 'reReview' }, 'requestReview'>
  | With<C.ReviewDecision & { level: 'review' | 'reReview' }, 'decideReview'>
  | With<C.Hearing, 'hearing'>
  | With<{ reason: string }, 'warn'>;
export type CommandType = Command['type'];
export type CommandOf<T extends CommandType> = Extract<Command, { type: T }>;

/** The rows of the table: one per command, and one per variant where the law treats the variants apart. */
export const transitionNames = [
  'forward',
  'route',
  'notAccept',
  'link',
  'accept',
  'object',
  'extend',
  'meet1',
  'meet2',
  'meet3',
  'reply',
  'evaluate',
  'returnVisit',
  'sendBack',
  'requestReview',
  'requestReReview',
  'decideReview',
  'decideReReview',
  'hearing',
  'warn',
] as const;
export type TransitionName = (typeof transitionNames)[number];

/** The row that governs a command. */
export function transitionOf(c: Command): TransitionName {
  switch (c.type) {
    case 'meeting':
      return `meet${c.meeting}`;
    case 'requestReview':
      return c.level === 'review' ? 'requestReview' : 'requestReReview';
    case 'decideReview':
      return c.level === 'review' ? 'decideReview' : 'decideReReview';
    default:
      return c.type;
  }
}

// --- Effects and refusals ---------------------------------------------------------------------------------------

/** An escalation child workflow to start, with its deterministic workflow id. */
export type EscalationLaunch =
  | { kind: 'warning_slip'; id: string; input: WarningSlipInput }
  | { kind: 'three_party_review'; id: string; input: ThreePartyReviewInput }
  | { kind: 'investigation'; id: string; input: InvestigationInput };

/** The I/O a transition needs, in the order it needs it. */
export type Effect =
  | { type: 'fileNotice'; notice: NoticeRequest }
  | { type: 'computeLimit'; request: DeadlineRequest }
  | { type: 'startEscalation'; escalation: EscalationLaunch }
  | { type: 'signalEscalation'; workflowId: string; signal: 'laterVisit'; payload: { visitId: string; at: string; level: string } }
  | { type: 'signalEscalation'; workflowId: string; signal: 'resolve'; payload: { reason: string } }
  | { type: 'signalMatter'; caseNo: string; submission: SubmissionSignal };

/** A transition's behaviour: yields effects, receives their results (a computed limit), may catch their failures. */
export type Run = Generator<Effect, Effect[] | void, unknown>;

export type RefusalType = 'InvalidInput' | 'Forbidden' | 'IllegalState';
/** Why a command is refused: a stable code, the reason in English and Chinese, and the kind (→ HTTP 400/403/409). */
export interface Refusal {
  type: RefusalType;
  code: string;
  en: string;
  zh: string;
}
const refuse = (type: RefusalType, code: string, en: string, zh: string): Refusal => ({ type, code, en, zh });

/** Whether a limit could not be computed because the calendar does not know its year yet. */
export function isUnknownYear(err: unknown): err is { type: 'CalendarUnknownYear'; message: string } {
  // (A failure of the calendar activity, or the calendar's own error in pure use.)
  if (typeof err !== 'object' || err === null) return false;
  return (err as { type?: unknown }).type === 'CalendarUnknownYear' || (err as { name?: unknown }).name === 'CalendarUnknownYearError';
}

// --- Context ----------------------------------------------------------------------------------------------------

export interface MachineContext extends RecordContext {
  /** The matter's input (its registration), for what the state does not repeat. */
  input: Pick<PetitionInput, 'receivedAt' | 'competentLevel'>;
  /** The matter's workflow id: escalations and events are named after it. */
  workflowId: string;
  /**
   * Whether a rule changed since release applies: Temporal's `patched()` in the workflow (old histories replay the
   * old rule), always true in pure use.
   */
  patched(change: string): boolean;
}

// --- Helpers for the transitions ----------------------------------------------------------------------------------

const today = (ctx: MachineContext) => todayOf(ctx);
const received = (ctx: MachineContext) => shanghaiDateOf(ctx.input.receivedAt);

/** A business date given with a command: defaults to today, never in the future, never before `notBefore`. */
function dateProblem(given: string | undefined, notBefore: string, what: { en: string; zh: string }, ctx: MachineContext): Refusal | undefined {
  const d = given ?? today(ctx);
  if (d > today(ctx)) return refuse('InvalidInput', 'date_in_future', `${what.en} ${d} is in the future`, `${what.zh}${d}晚于今天`);
  if (d < notBefore) return refuse('InvalidInput', 'date_too_early', `${what.en} ${d} is before ${notBefore}`, `${what.zh}${d}早于${notBefore}`);
  return undefined;
}
const dateOf = (given: string | undefined, ctx: MachineContext) => given ?? today(ctx);

function* compute(request: DeadlineRequest): Generator<Effect, Deadline, unknown> {
  return (yield { type: 'computeLimit', request }) as Deadline;
}

/** Computes and starts a limit (its id numbers the matter's limits). */
function* startComputed(s: PetitionState, ctx: MachineContext, request: DeadlineRequest): Generator<Effect, DeadlineEntry, unknown> {
  const d = yield* compute({ ...request, evaluationDays: s.settings.evaluationDays, investigationDays: s.settings.investigationDays });
  return startPlanned(s, ctx, d);
}
function startPlanned(s: PetitionState, ctx: MachineContext, d: Deadline): DeadlineEntry {
  return startLimit(s, ctx, d, `${d.key}-${s.deadlines.length + 1}`, s.settings.reminderLeadDays);
}

/** A planned limit: computed, or waiting for the calendar of its year (see `Transition.waits`). */
export type Planned = Deadline | { waiting: DeadlineRequest; reason: string };

function startOrWait(s: PetitionState, ctx: MachineContext, p: Planned): void {
  if ('waiting' in p) waitForCalendar(s, ctx, p.waiting, p.reason);
  else startPlanned(s, ctx, p);
}

/** Records a limit that falls in a year the calendar does not know yet; it starts when the year is declared. */
export function waitForCalendar(s: PetitionState, ctx: MachineContext, req: DeadlineRequest, reason: string): void {
  const id = `${req.key}-${s.deadlines.length + (s.uncomputed?.length ?? 0) + 1}-waiting`;
  s.uncomputed = [...(s.uncomputed ?? []), { id, req: { ...req, evaluationDays: s.settings.evaluationDays, investigationDays: s.settings.investigationDays }, reason }];
  emit(s, ctx, 'deadline.not_computed', { id, key: req.key, startDate: req.startDate, reason });
}

/** Starts the waiting limits that can now be computed; returns whether any started. */
export function startWaiting(s: PetitionState, ctx: MachineContext, computed: Map<string, Deadline>): boolean {
  const ready = (s.uncomputed ?? []).filter((u) => computed.has(u.id));
  if (!ready.length) return false;
  s.uncomputed = (s.uncomputed ?? []).filter((u) => !computed.has(u.id));
  // Under the waiting id, so the timeline shows which waiting limit started.
  for (const u of ready) startLimit(s, ctx, computed.get(u.id)!, u.id, s.settings.reminderLeadDays);
  return true;
}

/** Files a notice (its id is unique for the matter's whole life: the event seq) and records it when filed. */
function* fileNotice(s: PetitionState, ctx: MachineContext, kind: NoticeKind, fields: [string, string][], actor: Actor | null, legalBasis?: string): Generator<Effect, string, unknown> {
  const id = `${s.caseNo}-N${s.seq}`;
  const issuedAt = ctx.now();
  yield { type: 'fileNotice', notice: { id, kind, caseNo: s.caseNo, issuedOn: shanghaiDateOf(issuedAt), issuedAt, issuedBy: actor?.id ?? null, fields, ...(legalBasis ? { legalBasis } : {}) } };
  s.notices = [...s.notices, { id, kind, issuedAt }].slice(-50);
  emit(s, ctx, 'notice.filed', { id, kind }, actor?.id ?? null);
  return id;
}

/** The window a petitioner has to ask for the next level, for the notice that tells them (from its policy). */
const windowDays = (p: Planned) => `${('waiting' in p ? policyFor(p.waiting.key, p.waiting.startDate) : p.policy).days}日`;

const slipIdOf = (ctx: MachineContext) => `${ctx.workflowId}.warning-slip`;
const escalationBase = (s: PetitionState, ctx: MachineContext) => ({ caseNo: s.caseNo, parentWorkflowId: ctx.workflowId, divisionCode: s.divisionCode, unitId: s.unitId, reminderLeadDays: s.settings.reminderLeadDays });

/** Starts one escalation of a kind per matter and trigger; an id already started is not started again. */
function* startEscalation(s: PetitionState, ctx: MachineContext, launch: EscalationLaunch, trigger: string): Run {
  if (s.overlays[launch.id]) return;
  s.overlays[launch.id] = { id: launch.id, kind: launch.kind, trigger, status: 'starting', dueAt: null, overdue: false };
  yield { type: 'startEscalation', escalation: launch };
  emit(s, ctx, 'overlay.started', { id: launch.id, kind: launch.kind, trigger });
}

function* issueWarningSlip(s: PetitionState, ctx: MachineContext, reason: string, issuedBy: string): Run {
  const trigger = reason === 'two_visits' ? 'two_visits' : 'bureau';
  const id = slipIdOf(ctx);
  yield* startEscalation(s, ctx, { kind: 'warning_slip', id, input: { ...escalationBase(s, ctx), trigger, reason, issuedBy } }, trigger);
}

function* startInvestigation(s: PetitionState, ctx: MachineContext, id: string, trigger: 'new_backlog' | 'skip_level', triggerRef: string, triggeredOn: string): Run {
  const input: InvestigationInput = { ...escalationBase(s, ctx), trigger, triggerRef, triggeredOn, investigationDays: s.settings.investigationDays };
  yield* startEscalation(s, ctx, { kind: 'investigation', id, input }, trigger);
}

// --- The transition table ---------------------------------------------------------------------------------------

export interface Transition<T extends CommandType = CommandType> {
  command: T;
  /** Chinese name, for the docs and the console. */
  zh: string;
  /** What the refusal says it cannot do, in English and Chinese. */
  what: { en: string; zh: string };
  permission: Permission;
  /** Statuses in which the command is legal. */
  from: readonly Status[];
  /** The refusal in any other status, where it says more than "wrong status". */
  elsewhere?: Refusal;
  /** The status it leads to; absent: stays. A function where the command's content decides. */
  to?: Status | ((s: PetitionState, c: CommandOf<T>) => Status | undefined);
  /** The matter must be with the acting user's unit (admins excepted). */
  ownUnit?: boolean;
  /** Limits met (closed on time or, if missed, closed late) by the act, and limits cancelled by it. */
  meets?: readonly LimitKey[];
  cancels?: readonly LimitKey[];
  /** Limits it starts, and notices it files (what `run` does, declared; the tests hold `run` to it). */
  starts?: readonly LimitKey[];
  notices?: readonly NoticeKind[];
  /** Preconditions beyond role, status and unit: checked when the command arrives (the update's validator). */
  guard?: (s: PetitionState, c: CommandOf<T>, ctx: MachineContext) => Refusal | undefined;
  /**
   * Checks of what the command says (its dates, a window it must fall in), made when it arrives and again when it
   * is applied: the released workflow made these in its handlers, so a replayed history refuses them the same way,
   * while new preconditions in `guard` and the table never refuse an update its history shows accepted.
   */
  late?: (s: PetitionState, c: CommandOf<T>, ctx: MachineContext) => Refusal | undefined;
  /**
   * Limits computed before anything changes: if one cannot be computed, the command is refused whole, unless the
   * row `waits`: then the act is recorded and the limit waits for the calendar (a year not yet declared).
   */
  plan?: (s: PetitionState, c: CommandOf<T>, ctx: MachineContext) => DeadlineRequest[];
  waits?: boolean;
  /**
   * A command refused after it is put on record (a late review request gets a written refusal): the reason, or
   * undefined to go on.
   */
  refuseOnRecord?: (s: PetitionState, c: CommandOf<T>, ctx: MachineContext) => Refusal | undefined;
  recordRefusal?: (s: PetitionState, c: CommandOf<T>, ctx: MachineContext) => Run;
  /** Its behaviour: changes the state and yields its effects; `planned` holds the planned limits in order. */
  run: (s: PetitionState, c: CommandOf<T>, ctx: MachineContext, planned: Planned[]) => Run;
}

const TRIAGE_WHAT = { en: 'triage', zh: '分流处理' };

type Table = { [K in TransitionName]: Transition<K extends `meet${string}` ? 'meeting' : K extends 'requestReReview' ? 'requestReview' : K extends 'decideReReview' ? 'decideReview' : K> };

const meetingRun = (s: PetitionState, c: CommandOf<'meeting'>, ctx: MachineContext): Run =>
  (function* () {
    const { actor, meeting, type: _type, ...record } = c;
    s.meetings[String(meeting) as '1' | '2' | '3'] = { ...record, recordedBy: actor.id, recordedAt: ctx.now() };
    emit(s, ctx, record.exemption ? 'meeting.exempted' : 'meeting.held', { meeting, ...record }, actor.id);
  })();
const meetingGuard = (s: PetitionState, c: CommandOf<'meeting'>, ctx: MachineContext) =>
  c.date ? dateProblem(c.date, received(ctx), { en: 'meeting date', zh: '见面日期' }, ctx) : undefined;

const reviewRecordOf = (s: PetitionState, level: 'review' | 'reReview') => (level === 'review' ? s.review : s.reReview);

function requestDate(s: PetitionState, c: CommandOf<'requestReview'>, ctx: MachineContext) {
  const window = latestLimit(s, c.level === 'review' ? 'reviewRequest' : 'reReviewRequest');
  return { window, on: dateOf(c.requestedOn, ctx), from: window?.startDate ?? received(ctx) };
}

const requestReviewTransition = (level: 'review' | 'reReview'): Transition<'requestReview'> => ({
  command: 'requestReview',
  zh: level === 'review' ? '复查申请' : '复核申请',
  what: level === 'review' ? { en: 'request a review', zh: '申请复查' } : { en: 'request a re-review', zh: '申请复核' },
  permission: 'requestReview',
  from: level === 'review' ? ['REPLIED', 'UNSATISFIED', 'CLOSED'] : ['REVIEWED', 'CLOSED', 'TERMINATED'],
  to: level === 'review' ? 'REVIEW' : 'RE_REVIEW',
  meets: [level === 'review' ? 'reviewRequest' : 'reReviewRequest'],
  cancels: ['evaluation'],
  starts: [level === 'review' ? 'reviewDecision' : 'reReviewDecision'],
  notices: ['refusal'],
  guard: (s) => {
    if (level === 'review' && s.review) return refuse('IllegalState', 'review_requested', 'a review has been requested already', '已申请过复查');
    if (level === 'reReview' && (s.reReview || !s.review?.decidedOn)) return refuse('IllegalState', 're_review_order', 'a re-review follows a review decision, once', '复核须在复查意见之后，且只能申请一次');
    return undefined;
  },
  late: (s, c, ctx) => dateProblem(c.requestedOn, requestDate(s, c, ctx).from, { en: 'request date', zh: '申请日期' }, ctx),
  refuseOnRecord: (s, c, ctx) => {
    const { window, on } = requestDate(s, c, ctx);
    if (window && on <= window.dueDate && window.status !== 'cancelled') return undefined;
    const name = level === 'review' ? 'review' : 're-review';
    return refuse('IllegalState', 'request_late', `the ${name} request of ${on} is late: the window ended on ${window?.dueDate ?? '(none)'}; a written refusal was filed`, `${on}提出的${level === 'review' ? '复查' : '复核'}申请已超过期限（截至${window?.dueDate ?? '无'}），已出具不予受理告知书`);
  },
  recordRefusal: (s, c, ctx) =>
    (function* () {
      const { window, on } = requestDate(s, c, ctx);
      emit(s, ctx, 'request.refused', { level, on, dueDate: window?.dueDate ?? null }, c.actor.id);
      yield* fileNotice(s, ctx, 'refusal', [
        ['请求', level === 'review' ? '复查' : '复核'],
        ['不予受理理由', `请求日期 ${on} 已超过法定期限${window ? `（截至 ${window.dueDate}）` : ''}`],
      ], c.actor);
    })(),
  run: (s, c, ctx) =>
    (function* () {
      const { window, on } = requestDate(s, c, ctx);
      if (window?.status === 'expired') {
        // Dated within the window but recorded after its timer closed the matter: the request is in time; reopen.
        window.status = 'met';
        delete s.endedAt;
      }
      const record = { requestedOn: on, grounds: c.grounds, hearings: [] };
      if (level === 'review') s.review = record;
      else s.reReview = record;
      emit(s, ctx, level === 'review' ? 'review.requested' : 're_review.requested', { on, grounds: c.grounds }, c.actor.id);
      yield* startComputed(s, ctx, { key: level === 'review' ? 'reviewDecision' : 'reReviewDecision', startDate: on });
    })(),
});

const decideReviewTransition = (level: 'review' | 'reReview'): Transition<'decideReview'> => ({
  command: 'decideReview',
  zh: level === 'review' ? '复查意见' : '复核意见（三级终结）',
  what: { en: 'decide', zh: '作出意见' },
  permission: 'decideReview',
  from: [level === 'review' ? 'REVIEW' : 'RE_REVIEW'],
  to: level === 'review' ? 'REVIEWED' : 'TERMINATED',
  meets: [level === 'review' ? 'reviewDecision' : 'reReviewDecision'],
  starts: level === 'review' ? ['reReviewRequest'] : [],
  notices: [level === 'review' ? 'review_decision' : 're_review_decision'],
  guard: (s) =>
    level === 'reReview' && s.reReview!.hearings.some((h) => !h.end) ? refuse('IllegalState', 'hearing_open', 'end the hearing before deciding', '听证结束后方可作出复核意见') : undefined,
  late: (s, c, ctx) =>
    dateProblem(c.decidedOn, reviewRecordOf(s, level)!.requestedOn, { en: 'decision date', zh: '决定日期' }, ctx) ??
    (c.deliveredOn ? dateProblem(c.deliveredOn, dateOf(c.decidedOn, ctx), { en: 'delivery date', zh: '送达日期' }, ctx) : undefined),
  // The petitioner's window runs from the day the decision reached them, as the review window runs from the reply's.
  plan: (s, c, ctx) => (level === 'review' ? [{ key: 'reReviewRequest', startDate: c.deliveredOn ?? dateOf(c.decidedOn, ctx) }] : []),
  waits: true,
  run: (s, c, ctx, [reReviewWindow]) =>
    (function* () {
      const rec = reviewRecordOf(s, level)!;
      const on = dateOf(c.decidedOn, ctx);
      Object.assign(rec, { decidedOn: on, outcome: c.outcome, decision: c.decision, ...(c.deliveredOn ? { deliveredOn: c.deliveredOn } : {}) });
      emit(s, ctx, level === 'review' ? 'review.decided' : 're_review.decided', { on, outcome: c.outcome }, c.actor.id);
      yield* fileNotice(s, ctx, level === 'review' ? 'review_decision' : 're_review_decision', [
        ['复查（复核）请求', rec.grounds],
        ['结论', c.outcome],
        ['意见', c.decision],
        level === 'review' ? ['复核告知', `如不服本复查意见，可自收到之日起${windowDays(reReviewWindow!)}内请求复核`] : ['终结', '信访人以同一事实和理由提出信访诉求的，不再受理'],
      ], c.actor);
      if (level === 'review') startOrWait(s, ctx, reReviewWindow!);
      else emit(s, ctx, 'terminated', { on }, c.actor.id);
    })(),
});

/**
 * The table. Read a row as: `command` by `permission`, legal `from` these statuses, leads `to` this one, meeting,
 * cancelling and starting these limits and filing these notices.
 */
export const transitions: Table = {
  forward: {
    command: 'forward',
    zh: '转送/交办',
    what: TRIAGE_WHAT,
    permission: 'triage',
    from: ['TRIAGE'],
    to: 'AWAITING_ACCEPTANCE',
    meets: ['triage'],
    starts: ['acceptance', 'objection'],
    notices: ['forwarded'],
    late: (s, c) =>
      s.accusedUnitIds.includes(c.unitId)
        ? refuse('Forbidden', 'accused_unit', 'a report must never be routed to the unit it accuses (《信访工作条例》第三十条)', '检举控告事项不得转送、交办给被检举控告的人员或单位（《信访工作条例》第三十条）')
        : undefined,
    run: (s, c, ctx) =>
      (function* () {
        const { actor, mode, unitId, note } = c;
        s.unitId = unitId;
        s.handOff = { mode, unitId, at: ctx.now(), by: actor.id, note };
        emit(s, ctx, mode === 'assign' ? 'triage.assigned' : 'triage.forwarded', { unitId, note: note ?? null }, actor.id);
        yield* fileNotice(s, ctx, 'forwarded', [['事项', mode === 'assign' ? '交办' : '转送'], ['承办单位', unitId]], actor);
        // The receiving unit's limits count from its receipt: the day of the hand-off.
        yield* startComputed(s, ctx, { key: 'acceptance', startDate: today(ctx) });
        if (hasLimit('objection', today(ctx))) {
          try {
            yield* startComputed(s, ctx, { key: 'objection', startDate: today(ctx) });
          } catch (err) {
            // A working-day window into a year the calendar does not know yet must not block the hand-off itself.
            if (!isUnknownYear(err)) throw err;
            // The unit's right to object is not lost: the window waits for the calendar (released: only noted).
            if (ctx.patched('limits-wait-for-calendar')) waitForCalendar(s, ctx, { key: 'objection', startDate: today(ctx) }, err.message);
            else emit(s, ctx, 'deadline.not_computed', { key: 'objection', reason: err.message });
          }
        }
      })(),
  },
  route: {
    command: 'route',
    zh: '告知法定途径（诉访分离）',
    what: TRIAGE_WHAT,
    permission: 'triage',
    from: ['TRIAGE'],
    to: 'ROUTED_TO_CHANNEL',
    meets: ['triage'],
    notices: ['routing'],
    run: (s, c, ctx) =>
      (function* () {
        s.routing = { channel: c.channel, organ: c.organ };
        emit(s, ctx, 'triage.routed', { channel: c.channel, organ: c.organ }, c.actor.id);
        yield* fileNotice(s, ctx, 'routing', [['法定途径', c.channel], ['受理机关', c.organ], ['告知内容', c.notice]], c.actor);
      })(),
  },
  notAccept: {
    command: 'notAccept',
    zh: '不予受理',
    what: TRIAGE_WHAT,
    permission: 'triage',
    from: ['TRIAGE'],
    to: 'NOT_ACCEPTED',
    meets: ['triage'],
    notices: ['non_acceptance'],
    run: (s, c, ctx) =>
      (function* () {
        s.notAccepted = { reason: c.reason };
        emit(s, ctx, 'triage.not_accepted', { reason: c.reason }, c.actor.id);
        yield* fileNotice(s, ctx, 'non_acceptance', [['不予受理理由', c.reason]], c.actor);
      })(),
  },
  link: {
    command: 'link',
    zh: '并入在办事项',
    what: TRIAGE_WHAT,
    permission: 'triage',
    from: ['TRIAGE'],
    to: 'LINKED',
    meets: ['triage'],
    guard: (s, c) => (c.caseNo === s.caseNo ? refuse('InvalidInput', 'link_self', 'a matter cannot be linked to itself', '事项不能并入其自身') : undefined),
    run: (s, c, ctx) =>
      (function* () {
        s.linkedTo = c.caseNo;
        emit(s, ctx, 'triage.linked', { to: c.caseNo }, c.actor.id);
        // After the projection: the other matter takes this one as a further submission (件次) on it.
        return [{ type: 'signalMatter', caseNo: c.caseNo, submission: { id: `${s.caseNo}-linked`, channel: s.channel, receivedAt: s.receivedAt, summary: `linked from ${s.caseNo}`, registeredBy: c.actor.id } }];
      })(),
  },
  accept: {
    command: 'accept',
    zh: '受理',
    what: { en: 'accept', zh: '受理' },
    permission: 'accept',
    from: ['AWAITING_ACCEPTANCE'],
    to: 'IN_HANDLING',
    ownUnit: true,
    meets: ['acceptance'],
    cancels: ['objection'],
    starts: ['handling'],
    notices: ['acceptance'],
    late: (s, c, ctx) => dateProblem(c.acceptedOn, latestLimit(s, 'acceptance')?.startDate ?? received(ctx), { en: 'acceptance date', zh: '受理日期' }, ctx),
    run: (s, c, ctx) =>
      (function* () {
        const on = dateOf(c.acceptedOn, ctx);
        s.acceptedOn = on;
        emit(s, ctx, 'accepted', { on, note: c.note ?? null }, c.actor.id);
        yield* fileNotice(s, ctx, 'acceptance', [['受理日期', on], ['承办单位', s.unitId ?? '']], c.actor);
        yield* startComputed(s, ctx, { key: 'handling', startDate: on });
      })(),
  },
  object: {
    command: 'object',
    zh: '管辖异议',
    what: { en: 'object', zh: '提出管辖异议' },
    permission: 'object',
    from: ['AWAITING_ACCEPTANCE'],
    to: 'TRIAGE',
    ownUnit: true,
    meets: ['objection'],
    cancels: ['acceptance'],
    starts: ['triage'],
    late: (s, c, ctx) => {
      const window = liveLimit(s, 'objection');
      const waiting = s.uncomputed?.find((u) => u.req.key === 'objection');
      const problem = dateProblem(c.objectedOn, window?.startDate ?? waiting?.req.startDate ?? received(ctx), { en: 'objection date', zh: '异议日期' }, ctx);
      if (problem) return problem;
      const on = dateOf(c.objectedOn, ctx);
      // A window still waiting for next year's calendar has not ended: the objection is in time.
      if (waiting) return undefined;
      if (!window || on > window.dueDate)
        return refuse('IllegalState', 'objection_closed', `the objection window has closed${window ? ` (due ${window.dueDate})` : ''}: the unit must accept or the bureau re-route`, `异议期限已过${window ? `（截至${window.dueDate}）` : ''}：承办单位应当受理，或由信访部门重新分流`);
      return undefined;
    },
    run: (s, c, ctx) =>
      (function* () {
        const on = dateOf(c.objectedOn, ctx);
        s.objections.push({ reason: c.reason, on, unitId: s.unitId });
        emit(s, ctx, 'objection', { reason: c.reason, on, unitId: s.unitId }, c.actor.id);
        s.unitId = null;
        yield* startComputed(s, ctx, { key: 'triage', startDate: on });
      })(),
  },
  extend: {
    command: 'extend',
    zh: '延期办理',
    what: { en: 'extend', zh: '延期' },
    permission: 'extend',
    from: ['IN_HANDLING'],
    to: 'EXTENDED',
    ownUnit: true,
    cancels: ['handling'],
    starts: ['extension'],
    notices: ['extension'],
    guard: (s) => (s.extension ? refuse('IllegalState', 'extended_once', 'the handling limit may be extended once only', '办理期限只能延长一次') : undefined),
    late: (s, c, ctx) => {
      const handling = liveLimit(s, 'handling');
      if (!handling) return refuse('IllegalState', 'no_handling_limit', 'no running handling limit to extend', '没有正在计算的办理期限可延长');
      if (Date.parse(ctx.now()) >= Date.parse(handling.dueAt))
        return refuse('IllegalState', 'handling_passed', `the handling limit passed on ${handling.dueDate}; it can no longer be extended`, `办理期限已于${handling.dueDate}届满，不能再延长`);
      return undefined;
    },
    plan: (s, c) => [{ key: 'extension', startDate: liveLimit(s, 'handling')!.dueDate, days: c.days }],
    run: (s, c, ctx, [planned]) =>
      (function* () {
        // An extension does not wait for the calendar (its new date goes into the notice): planned means computed.
        const extended = planned as Deadline;
        const from = extended.startDate;
        s.extension = { days: c.days, reason: c.reason, approvedBy: c.actor.id, on: today(ctx) };
        emit(s, ctx, 'extended', { days: c.days, reason: c.reason, from }, c.actor.id);
        startPlanned(s, ctx, extended);
        yield* fileNotice(s, ctx, 'extension', [['延长天数', `${c.days}日`], ['延期理由', c.reason], ['新的办理期限', extended.dueDate]], c.actor);
      })(),
  },
  meet1: {
    command: 'meeting',
    zh: '三见面①：承办单位与信访人见面',
    what: { en: 'record meeting ①', zh: '记录见面①' },
    permission: 'meet',
    from: ['IN_HANDLING', 'EXTENDED'],
    ownUnit: true,
    late: meetingGuard,
    run: meetingRun,
  },
  meet2: {
    command: 'meeting',
    zh: '三见面②：当面反馈处理结果',
    what: { en: 'record meeting ②', zh: '记录见面②' },
    permission: 'meet',
    from: ['IN_HANDLING', 'EXTENDED', 'REPLIED'],
    ownUnit: true,
    late: meetingGuard,
    run: meetingRun,
  },
  meet3: {
    command: 'meeting',
    zh: '三见面③：单位领导约见不满意的信访人',
    what: { en: 'record meeting ③ (after an unsatisfied evaluation)', zh: '记录见面③（评价不满意之后）' },
    permission: 'meetAsLeader',
    from: ['UNSATISFIED'],
    ownUnit: true,
    late: meetingGuard,
    run: meetingRun,
  },
  reply: {
    command: 'reply',
    zh: '出具处理意见书',
    what: { en: 'reply', zh: '答复' },
    permission: 'reply',
    from: ['IN_HANDLING', 'EXTENDED'],
    to: 'REPLIED',
    ownUnit: true,
    meets: ['handling', 'extension'],
    starts: ['evaluation', 'reviewRequest'],
    notices: ['reply'],
    guard: (s) =>
      s.meetings['1']
        ? undefined
        : refuse('IllegalState', 'meeting1_missing', 'meeting ① (the unit meets the petitioner) must be recorded, or exempted with a reason, before the reply', '答复前须记录三见面①（承办单位与信访人见面），或说明免于见面的理由'),
    late: (s, c, ctx) => dateProblem(c.deliveredOn, s.acceptedOn ?? received(ctx), { en: 'delivery date', zh: '送达日期' }, ctx),
    // The windows may need next year's calendar: if one cannot be computed, nothing happens.
    plan: (s, c, ctx) => [
      { key: 'evaluation', startDate: dateOf(c.deliveredOn, ctx) },
      { key: 'reviewRequest', startDate: dateOf(c.deliveredOn, ctx) },
    ],
    waits: true,
    run: (s, c, ctx, [evaluationWindow, reviewWindow]) =>
      (function* () {
        const { actor, deliveredOn: _given, type: _type, ...reply } = c;
        const on = dateOf(c.deliveredOn, ctx);
        const noticeId = yield* fileNotice(s, ctx, 'reply', [
          ['信访请求', reply.request],
          ['查明事实', reply.facts],
          ['处理意见', reply.opinion],
          ['法律依据', reply.legalBasis],
          ['送达方式', reply.deliveryMethod],
          ['复查告知', `如不服本处理意见，可自收到本意见书之日起${windowDays(reviewWindow!)}内请求复查`],
        ], actor);
        s.reply = { ...reply, deliveredOn: on, noticeId };
        emit(s, ctx, 'replied', { deliveredOn: on, deliveryMethod: reply.deliveryMethod, noticeId }, actor.id);
        startOrWait(s, ctx, evaluationWindow!);
        startOrWait(s, ctx, reviewWindow!);
      })(),
  },
  evaluate: {
    command: 'evaluate',
    zh: '满意度评价',
    what: { en: 'evaluate', zh: '评价' },
    permission: 'evaluate',
    from: ['REPLIED'],
    to: (s, c) => (c.unit === 'unsatisfied' || c.bureau === 'unsatisfied' ? 'UNSATISFIED' : undefined),
    meets: ['evaluation'],
    guard: (s, c) => {
      if (s.evaluation) return refuse('IllegalState', 'evaluated', 'the matter has been evaluated already', '该事项已评价');
      const byPetitioner = c.actor.role === 'petitioner';
      if (byPetitioner && c.method && c.method !== 'query_code') return refuse('InvalidInput', 'evaluation_method', 'the petitioner evaluates through the query-code channel', '信访人通过查询码渠道评价');
      if (!byPetitioner && (!c.method || c.method === 'query_code'))
        return refuse('InvalidInput', 'evaluation_method', "an evaluation taken on the petitioner's behalf records how: by phone, visit or letter", '代信访人录入评价须注明方式：电话、走访或信函');
      return undefined;
    },
    late: (s, c, ctx) => {
      const problem = dateProblem(c.evaluatedOn, s.reply!.deliveredOn, { en: 'evaluation date', zh: '评价日期' }, ctx);
      if (problem) return problem;
      const window = liveLimit(s, 'evaluation');
      if (!window || dateOf(c.evaluatedOn, ctx) > window.dueDate)
        return refuse('IllegalState', 'evaluation_closed', `the evaluation window closed${window ? ` on ${window.dueDate}` : ''} (超期未评价)`, `评价期限已过${window ? `（${window.dueDate}）` : ''}（超期未评价）`);
      return undefined;
    },
    run: (s, c, ctx) =>
      (function* () {
        const { actor, evaluatedOn: _given, type: _type, ...ev } = c;
        const on = dateOf(c.evaluatedOn, ctx);
        s.evaluation = { ...ev, evaluatedOn: on, on, ...(actor.role === 'petitioner' ? { method: 'query_code' as const } : {}) };
        emit(s, ctx, 'evaluated', { ...ev, on }, actor.id);
      })(),
  },
  returnVisit: {
    command: 'returnVisit',
    zh: '回访',
    what: { en: 'record a return visit', zh: '记录回访' },
    permission: 'returnVisit',
    // After a reply has been delivered (a matter sent back to handling has none until it is replied again).
    from: ['REPLIED', 'UNSATISFIED', 'CLOSED', 'REVIEW', 'REVIEWED', 'RE_REVIEW', 'TERMINATED'],
    elsewhere: refuse('IllegalState', 'no_reply', 'a return visit follows a delivered reply', '回访须在答复送达之后'),
    late: (s, c, ctx) => dateProblem(c.date, s.reply!.deliveredOn, { en: 'return-visit date', zh: '回访日期' }, ctx),
    run: (s, c, ctx) =>
      (function* () {
        const on = dateOf(c.date, ctx);
        s.returnVisits = [...s.returnVisits, { date: on, notes: c.notes, by: c.actor.id }].slice(-50);
        emit(s, ctx, 'return_visit', { date: on, notes: c.notes }, c.actor.id);
      })(),
  },
  sendBack: {
    command: 'sendBack',
    zh: '退回重办',
    what: { en: 'send the matter back to handling', zh: '退回重办' },
    permission: 'sendBack',
    from: ['UNSATISFIED'],
    to: 'IN_HANDLING',
    cancels: ['evaluation', 'reviewRequest'],
    starts: ['handling'],
    run: (s, c, ctx) =>
      (function* () {
        emit(s, ctx, 'sent_back', { reason: c.reason }, c.actor.id);
        s.reply = undefined;
        s.evaluation = undefined;
        delete s.meetings['2'];
        delete s.meetings['3'];
        yield* startComputed(s, ctx, { key: 'handling', startDate: today(ctx) });
      })(),
  },
  requestReview: requestReviewTransition('review'),
  requestReReview: requestReviewTransition('reReview'),
  decideReview: decideReviewTransition('review'),
  decideReReview: decideReviewTransition('reReview'),
  hearing: {
    command: 'hearing',
    zh: '复核听证（期间不计入期限）',
    what: { en: 'hold a hearing', zh: '举行听证' },
    permission: 'hearing',
    from: ['RE_REVIEW'],
    starts: ['reReviewDecision'],
    guard: (s, c) => {
      const open = s.reReview!.hearings.some((h) => !h.end);
      if (c.action === 'start' && open) return refuse('IllegalState', 'hearing_in_progress', 'a hearing is already in progress', '听证正在进行中');
      if (c.action === 'end' && !open) return refuse('IllegalState', 'no_hearing', 'no hearing in progress', '没有正在进行的听证');
      return undefined;
    },
    late: (s, c, ctx) => {
      const rr = s.reReview!;
      const problem = dateProblem(c.date, rr.requestedOn, { en: 'hearing date', zh: '听证日期' }, ctx);
      if (problem) return problem;
      const started = rr.hearings[rr.hearings.length - 1];
      const on = dateOf(c.date, ctx);
      if (c.action === 'end' && started && on < started.start)
        return refuse('InvalidInput', 'hearing_end_before_start', `the hearing cannot end (${on}) before it started (${started.start})`, `听证结束日期（${on}）不能早于开始日期（${started.start}）`);
      return undefined;
    },
    run: (s, c, ctx) =>
      (function* () {
        const rr = s.reReview!;
        const on = dateOf(c.date, ctx);
        // A hearing pauses the running limit; one held after the limit was missed cannot undo the miss.
        const deadline = liveLimit(s, 'reReviewDecision');
        if (c.action === 'start') {
          rr.hearings.push({ start: on });
          if (deadline) deadline.status = 'paused';
          emit(s, ctx, 'hearing.started', { on, note: c.note ?? null }, c.actor.id);
          return;
        }
        rr.hearings[rr.hearings.length - 1]!.end = on;
        // The hearing's days, both ends included, are not counted (《信访工作条例》第三十六条).
        const paused = rr.hearings.reduce((n, x) => n + naturalDaysBetween(x.start, x.end!) + 1, 0);
        const wasPaused = deadline?.status === 'paused';
        if (deadline && wasPaused) {
          deadline.status = 'cancelled';
          deadline.closedAt = ctx.now();
        }
        emit(s, ctx, 'hearing.ended', { on, pausedDays: paused }, c.actor.id);
        if (wasPaused) yield* startComputed(s, ctx, { key: 'reReviewDecision', startDate: rr.requestedOn, pausedDays: paused });
      })(),
  },
  warn: {
    command: 'warn',
    zh: '发出信访预警单',
    what: { en: 'issue a warning slip', zh: '发出预警单' },
    permission: 'warn',
    from: statuses.filter(isOpen),
    elsewhere: refuse('IllegalState', 'ended', 'the matter has ended', '该事项已办结'),
    guard: (s, c, ctx) => (s.overlays[slipIdOf(ctx)] ? refuse('IllegalState', 'slip_issued', 'a warning slip has been issued for this matter already', '该事项已发出过预警单') : undefined),
    run: (s, c, ctx) => issueWarningSlip(s, ctx, c.reason, c.actor.id),
  },
};

export function transitionFor(c: Command): Transition {
  return transitions[transitionOf(c)] as unknown as Transition;
}

/** The status a command leads to from this state (undefined: it stays). */
export function nextStatus(t: Transition, s: PetitionState, c: Command): Status | undefined {
  return typeof t.to === 'function' ? (t.to as (s: PetitionState, c: Command) => Status | undefined)(s, c) : t.to;
}

// --- Check and decide ---------------------------------------------------------------------------------------------

/** Why this command cannot be given now, or undefined. Pure; the workflow's update validators call it. */
export function check(s: PetitionState, c: Command, ctx: MachineContext): Refusal | undefined {
  const t = transitionFor(c);
  if (!may(c.actor, t.permission)) return permissionRefusal(t, c.actor);
  if (!t.from.includes(s.status)) {
    if (t.elsewhere) return c.type === 'warn' ? { ...t.elsewhere, en: `the matter has ended (${s.status})`, zh: `该事项已办结（${s.status}）` } : t.elsewhere;
    return refuse('IllegalState', 'wrong_status', `cannot ${t.what.en}: the matter is ${s.status}, this needs ${t.from.join(' or ')}`, `当前状态为${s.status}，不能${t.what.zh}（需要：${t.from.join('、')}）`);
  }
  if (t.ownUnit && c.actor.role !== 'admin' && c.actor.unitId !== s.unitId)
    return refuse('Forbidden', 'not_your_unit', 'the matter is not with your unit', '该事项不在本单位办理');
  return (t.guard as Check | undefined)?.(s, c, ctx) ?? recheck(s, c, ctx);
}
type Check = (s: PetitionState, c: Command, ctx: MachineContext) => Refusal | undefined;

/** The checks of what a command says, made again when it is applied (see `Transition.late`). */
export function recheck(s: PetitionState, c: Command, ctx: MachineContext): Refusal | undefined {
  return (transitionFor(c).late as Check | undefined)?.(s, c, ctx);
}

const PERMISSION_REFUSALS: Partial<Record<Permission, { en: string; zh: string }>> = {
  triage: { en: "triage is the bureau registrar's", zh: '分流处理由信访部门登记人员进行' },
  extend: { en: 'an extension needs the approval of the unit head (《信访工作条例》第三十四条)', zh: '延期须经承办单位负责人批准（《信访工作条例》第三十四条）' },
  meetAsLeader: { en: "meeting ③ is held by the unit's leader", zh: '三见面③由承办单位领导进行' },
  warn: { en: 'a warning slip is issued by the petition bureau', zh: '预警单由信访部门发出' },
};
function permissionRefusal(t: Transition, actor: Actor): Refusal {
  const known = PERMISSION_REFUSALS[t.permission];
  return refuse('Forbidden', 'role', known?.en ?? `the role ${actor.role} may not ${t.permission}`, known?.zh ?? `角色${actor.role}无权${t.what.zh}`);
}

/** The limits a command needs computed before it changes anything. */
export function planOf(s: PetitionState, c: Command, ctx: MachineContext): DeadlineRequest[] {
  const t = transitionFor(c);
  const reqs = (t.plan as ((s: PetitionState, c: Command, ctx: MachineContext) => DeadlineRequest[]) | undefined)?.(s, c, ctx) ?? [];
  return reqs.map((r) => ({ ...r, evaluationDays: s.settings.evaluationDays, investigationDays: s.settings.investigationDays }));
}

/** What applying a command yields: the effects to run before the projection, after it, and a refusal on record. */
export interface Applied {
  run: Run;
  /** Set when the command is recorded and then refused (a late review request). */
  refusal?: Refusal;
}

/**
 * Applies a checked command to the state in place: closes the limits the table names, runs the transition and,
 * when it ends, enters the status the table names. The caller drives `run` (the workflow with activities, `decide`
 * synchronously) and then projects.
 */
export function apply(s: PetitionState, c: Command, ctx: MachineContext, planned: Planned[]): Applied {
  const t = transitionFor(c);
  const onRecord = (t.refuseOnRecord as ((s: PetitionState, c: Command, ctx: MachineContext) => Refusal | undefined) | undefined)?.(s, c, ctx);
  if (onRecord) return { run: (t.recordRefusal as (s: PetitionState, c: Command, ctx: MachineContext) => Run)(s, c, ctx), refusal: onRecord };
  return {
    run: (function* (): Run {
      for (const key of t.meets ?? []) closeLimits(s, ctx, key, 'met');
      for (const key of t.cancels ?? []) closeLimits(s, ctx, key, 'cancelled');
      const to = nextStatus(t, s, c);
      const after = yield* (t.run as (s: PetitionState, c: Command, ctx: MachineContext, planned: Planned[]) => Run)(s, c, ctx, planned);
      if (to) enter(s, ctx, to);
      return after ?? undefined;
    })(),
  };
}

/** Enters a status; a final one ends the matter (it then lingers for late requests before its workflow completes). */
export function enter(s: PetitionState, ctx: RecordContext, to: Status): void {
  s.status = to;
  if (finalStatuses.includes(to)) s.endedAt = ctx.now();
}

// --- The events that happen to a matter without a caseworker's decision --------------------------------------------

/** The first step of a new matter: registered, and the 15-day triage limit starts from its receipt. */
export function* register(s: PetitionState, ctx: MachineContext, registeredBy: { id: string }): Run {
  emit(s, ctx, 'registered', { channel: s.channel, source: s.source, receivedAt: s.receivedAt, by: registeredBy.id }, registeredBy.id);
  yield* startComputed(s, ctx, { key: 'triage', startDate: received(ctx) });
  s.status = 'TRIAGE';
}

/** Another letter, call or message on this matter (件次). */
export function* onSubmission(s: PetitionState, ctx: MachineContext, sub: SubmissionSignal): Run {
  s.submissions.recentIds = [...s.submissions.recentIds, sub.id].slice(-200);
  s.submissions.total += 1;
  s.submissions.lastAt = sub.receivedAt;
  if (s.status === 'TERMINATED') {
    s.submissions.refused += 1;
    emit(s, ctx, 'submission.refused', { id: sub.id, channel: sub.channel, reason: '三级终结' }, sub.registeredBy);
    yield* fileNotice(s, ctx, 'refusal', [['不予受理理由', '该信访事项已经复核终结，以同一事实和理由提出的信访诉求不再受理']], null, '《信访工作条例》第三十六条');
    return;
  }
  s.submissions.repeats += 1;
  emit(s, ctx, 'submission.linked', { id: sub.id, channel: sub.channel, receivedAt: sub.receivedAt }, sub.registeredBy);
  yield* newBacklogCheck(s, ctx, sub.id, sub.receivedAt);
}

/**
 * 新增积案 (51号文 二（三）3): petitioned again — by letter, call, message or visit, at any level — while a statutory
 * limit stands missed and the matter unresolved: 一事双查, once per matter.
 */
function* newBacklogCheck(s: PetitionState, ctx: MachineContext, ref: string, at: string): Run {
  const now = becomesNewBacklog(isOpen(s.status), s.deadlines);
  const released = becomesNewBacklog(isOpen(s.status), s.deadlines, 'any_miss');
  if (now === released ? now : ctx.patched('new-backlog-open-misses-only') ? now : released) {
    yield* startInvestigation(s, ctx, `${ctx.workflowId}.investigation.new-backlog`, 'new_backlog', ref, shanghaiDateOf(at));
  }
}

/** A petitioner's visit to a petition body: counted, and the campaign's triggers read (domain/triggers.ts). */
export function* onVisit(s: PetitionState, ctx: MachineContext, v: Visit & { recordedBy: string }): Run {
  // The API refuses these with the reason; one that reaches the workflow anyway is recorded, not counted.
  const problem = visitProblem(v.at, { registeredAt: s.registeredAt, open: isOpen(s.status), status: s.status }, Date.parse(ctx.now()));
  if (problem) {
    emit(s, ctx, 'visit.rejected', { id: v.id, reason: problem.message }, v.recordedBy);
    return;
  }
  const { recordedBy, ...visit } = v;
  s.visits = [...s.visits, visit].slice(-100);
  s.visitCounts[v.level] += 1;
  // A visit is a submission (件次) on the matter: counted in its volume and its repeats.
  s.submissions.total += 1;
  s.submissions.repeats += 1;
  s.submissions.lastAt = v.at;
  emit(s, ctx, 'visit', { id: v.id, at: v.at, level: v.level, place: v.place, persons: v.persons, collective: v.collective, abnormalInBeijing: v.abnormalInBeijing }, recordedBy);

  const slipId = slipIdOf(ctx);
  const slip = s.overlays[slipId];
  if (slip && atOrAboveCounty(v.level) && slip.status !== 'closed' && slip.status !== 'completed') {
    yield { type: 'signalEscalation', workflowId: slipId, signal: 'laterVisit', payload: { visitId: v.id, at: v.at, level: v.level } };
  } else if (!slip && warningSlipDue(s.visitCounts)) {
    yield* issueWarningSlip(s, ctx, 'two_visits', recordedBy);
  }
  const review = threePartyReviewTrigger(v);
  if (review) {
    const id = `${ctx.workflowId}.three-party-review.${v.id}`;
    yield* startEscalation(s, ctx, { kind: 'three_party_review', id, input: { ...escalationBase(s, ctx), trigger: review, visit: { id: v.id, at: v.at, level: v.level, persons: v.persons } } }, review);
  }
  if (isSkipLevel(v, ctx.input.competentLevel ?? 'county')) {
    yield* startInvestigation(s, ctx, `${ctx.workflowId}.investigation.skip-level.${v.id}`, 'skip_level', v.id, shanghaiDateOf(v.at));
  }
  // Released matters did not treat a visit as a further petition for new backlog; new ones do.
  if (becomesNewBacklog(isOpen(s.status), s.deadlines) && ctx.patched('visit-makes-new-backlog')) yield* newBacklogCheck(s, ctx, v.id, v.at);
}

/** Reminders, escalations and expiries now due; a window's expiry may close the matter. Returns whether anything changed. */
export function onAlarm(s: PetitionState, ctx: RecordContext): boolean {
  return fireAlarms(s, ctx, s.settings.reminderLeadDays, {}, (d) => {
    if (d.key === 'evaluation' && !s.evaluation) {
      s.evaluation = { expired: true, on: d.dueDate };
      emit(s, ctx, 'evaluation.expired', { dueDate: d.dueDate });
    }
    if ((d.key === 'reviewRequest' && ['REPLIED', 'UNSATISFIED'].includes(s.status)) || (d.key === 'reReviewRequest' && s.status === 'REVIEWED')) {
      enter(s, ctx, 'CLOSED');
      emit(s, ctx, 'closed', { reason: `${d.key} window ended ${d.dueDate}` });
    }
  });
}

/** A new matter's state, before its first step. */
export function initialState(input: PetitionInput): PetitionState {
  return {
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
}

// --- Pure use: decide, and what a user may do now ----------------------------------------------------------------------

/** How `decide` computes a limit without a server: the caller's calendar (tests pass domain/calendar's). */
export type LimitCalculator = (req: DeadlineRequest) => Deadline;

export interface Decision {
  state: PetitionState;
  events: TimelineEntry[];
  effects: Effect[];
  /** Effects run after the projection (a linked matter's submission). */
  after: Effect[];
  /** The command was put on record and then refused (a late review request). */
  refusal?: Refusal;
}

/** Runs a transition to its end without I/O: a refusal, or the new state with the events and effects it produced. */
export function decide(state: PetitionState, c: Command, ctx: Omit<MachineContext, 'record' | 'touch' | 'patched'>, calculate: LimitCalculator): Decision | { refused: Refusal } {
  const s: PetitionState = JSON.parse(JSON.stringify(state));
  const events: TimelineEntry[] = [];
  const full: MachineContext = { ...ctx, record: (e) => events.push(e), touch: () => undefined, patched: () => true };
  const refusal = check(s, c, full);
  if (refusal) return { refused: refusal };
  const planned: Planned[] = [];
  for (const req of planOf(s, c, full)) {
    try {
      planned.push(calculate(req));
    } catch (err) {
      if (!isUnknownYear(err)) throw err;
      if (!transitionFor(c).waits) return { refused: refuse('IllegalState', 'calendar_unknown_year', err.message, '所需年度的工作日历尚未录入') };
      planned.push({ waiting: req, reason: err.message });
    }
  }
  const applied = apply(s, c, full, planned);
  const { effects, after } = drive(applied.run, calculate);
  return { state: s, events, effects, after, ...(applied.refusal ? { refusal: applied.refusal } : {}) };
}

/** Drives a transition synchronously: notices and escalations are only collected, limits computed by `calculate`. */
export function drive(run: Run, calculate: LimitCalculator): { effects: Effect[]; after: Effect[] } {
  const effects: Effect[] = [];
  let step = run.next();
  while (!step.done) {
    const effect = step.value;
    effects.push(effect);
    if (effect.type === 'computeLimit') {
      let result: Deadline;
      try {
        result = calculate(effect.request);
      } catch (err) {
        step = run.throw(err);
        continue;
      }
      step = run.next(result);
    } else {
      step = run.next();
    }
  }
  return { effects, after: step.value ?? [] };
}

/** The commands this user may give on this matter now, by table row (the console shows exactly these). */
export function availableTransitions(s: PetitionState, actor: Actor): TransitionName[] {
  return transitionNames.filter((name) => {
    const t = transitions[name] as unknown as Transition;
    if (!t.from.includes(s.status)) return false;
    if (!may(actor, t.permission)) return false;
    if (t.ownUnit && actor.role !== 'admin' && actor.unitId !== s.unitId) return false;
    return true;
  });
}

export type { EscalationKind, IsoDate };
