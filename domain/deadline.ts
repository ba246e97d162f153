// Deadlines of a petition matter: pure arithmetic on Asia/Shanghai calendar dates.
// Imported by workflow code, so: no I/O, no Node built-ins, no clock reads, and no calendar data — callers that
// need working days pass a WorkingDays calendar in (domain/calendar.ts in activities).
import { DAY_MS, addNaturalDays, assertIsoDate, endOfShanghaiDay, instantMs, type IsoDate, type WorkingDays } from './dates';
import { policyFor, type DeadlinePolicy, type LimitKey } from './rules';

// --- Deadlines --------------------------------------------------------------------------------------------------

export interface Deadline {
  key: LimitKey;
  /** The day of the triggering event; excluded from the count. */
  startDate: IsoDate;
  /** The last day of the limit. */
  dueDate: IsoDate;
  /** End of dueDate, 24:00 Asia/Shanghai, as an ISO instant (Z). */
  dueAt: string;
  policy: DeadlinePolicy;
  /** Days actually counted: policy.days, or the shorter length given (e.g. an extension of 20 of at most 30 d). */
  days: number;
  /** For an extension: the days granted. */
  extendedBy?: number;
  /** Natural days not counted (e.g. a hearing during re-review). */
  pausedDays?: number;
  /** The non-working day the limit first fell on, when it rolled forward to dueDate. */
  rolledFrom?: IsoDate;
}

export interface ComputeDeadlineOptions {
  /** A shorter length than policy.days (which is then the maximum), e.g. an extension of 20 d. */
  days?: number;
  /** Natural days during which the clock stops (e.g. a hearing); the count starts that many days later. */
  pausedDays?: number;
}

/**
 * Computes a limit (domain.md §3 counting): the start day is excluded; natural limits end on start + days;
 * working-day limits on the days-th working day after start; a window with rollForward that ends on a non-working
 * day moves to the next working day. A natural-day limit without rollForward never consults the calendar.
 */
export function computeDeadline(
  policy: DeadlinePolicy,
  startDate: IsoDate,
  calendar: WorkingDays,
  opts: ComputeDeadlineOptions = {},
): Deadline {
  assertIsoDate(startDate, 'start date');
  const days = opts.days ?? policy.days;
  if (!Number.isInteger(days) || days < 1) {
    throw new RangeError(`${policy.key}: the length must be a whole number of days ≥ 1, got ${days}`);
  }
  if (days > policy.days) {
    throw new RangeError(`${policy.key}: ${days} d exceeds the maximum of ${policy.days} d (${policy.basis})`);
  }
  const paused = opts.pausedDays ?? 0;
  if (!Number.isInteger(paused) || paused < 0) {
    throw new RangeError(`${policy.key}: pausedDays must be a whole number ≥ 0, got ${paused}`);
  }

  const countFrom = addNaturalDays(startDate, paused);
  let dueDate: IsoDate;
  let rolledFrom: IsoDate | undefined;
  if (policy.counting === 'working') {
    dueDate = calendar.addWorkingDays(countFrom, days);
  } else {
    dueDate = addNaturalDays(countFrom, days);
    if (policy.rollForward) {
      const rolled = calendar.nextWorkingDayOnOrAfter(dueDate);
      if (rolled !== dueDate) rolledFrom = dueDate;
      dueDate = rolled;
    }
  }

  const deadline: Deadline = { key: policy.key, startDate, dueDate, dueAt: endOfShanghaiDay(dueDate), policy, days };
  if (policy.key === 'extension') deadline.extendedBy = days;
  if (paused > 0) deadline.pausedDays = paused;
  if (rolledFrom) deadline.rolledFrom = rolledFrom;
  return deadline;
}

/**
 * Reminder instants leadDays natural days before dueAt (e.g. [10, 3]), earliest first; leads that would fall
 * on or before the end of the start day (when the count begins) are dropped.
 */
export function reminderInstants(deadline: Deadline, leadDays: number[]): { leadDays: number; at: string }[] {
  const due = Date.parse(deadline.dueAt);
  const countBegins = Date.parse(endOfShanghaiDay(deadline.startDate));
  const leads = [...new Set(leadDays)];
  for (const lead of leads) {
    if (!Number.isInteger(lead) || lead < 0) throw new RangeError(`Reminder lead must be a whole number of days ≥ 0, got ${lead}`);
  }
  return leads
    .sort((a, b) => b - a)
    .map((lead) => ({ leadDays: lead, ms: due - lead * DAY_MS }))
    .filter((r) => r.ms > countBegins)
    .map((r) => ({ leadDays: r.leadDays, at: new Date(r.ms).toISOString() }));
}

/** True from dueAt (24:00 of the last day) on. */
export function isOverdue(deadline: Pick<Deadline, 'dueAt'>, nowIso: string): boolean {
  return instantMs(nowIso) >= Date.parse(deadline.dueAt);
}

/** One line for a case file, e.g. '处理期限 handling: 60 d (natural) from 2026-09-25 → 2026-11-24 24:00 Asia/Shanghai — 《信访工作条例》第三十四条'. */
export function describeDeadline(d: Deadline): string {
  const unit = d.policy.counting === 'working' ? 'WD' : 'd';
  const how = [d.policy.counting, ...(d.policy.rollForward ? ['rolls to next working day'] : [])].join(', ');
  const notes = [
    ...(d.pausedDays ? [`${d.pausedDays} d paused, not counted`] : []),
    ...(d.rolledFrom ? [`rolled forward from ${d.rolledFrom}`] : []),
  ];
  const suffix = notes.length ? ` (${notes.join('; ')})` : '';
  return `${d.policy.label}: ${d.days} ${unit} (${how}) from ${d.startDate} → ${d.dueDate} 24:00 Asia/Shanghai${suffix} — ${d.policy.basis}`;
}

/** A limit asked for by a workflow: its key, the day of the event that starts it, and what the policy leaves open. */
export interface DeadlineRequest {
  key: LimitKey;
  startDate: string;
  /** A shorter length than the policy's (an extension of fewer than 30 days). */
  days?: number;
  /** Natural days not counted (a hearing during re-review). */
  pausedDays?: number;
  evaluationDays?: number;
  investigationDays?: number;
}

/**
 * The limit a request asks for, under the rule set of its start date, on this calendar: the one path by which the
 * workflows (through their activity), the API and the tests compute a limit.
 */
export function computeRequested(req: DeadlineRequest, calendar: WorkingDays): Deadline {
  const policy = policyFor(req.key, req.startDate, { evaluationDays: req.evaluationDays, investigationDays: req.investigationDays });
  return computeDeadline(policy, req.startDate, calendar, { days: req.days, pausedDays: req.pausedDays });
}
