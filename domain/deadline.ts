// Deadlines of a petition matter: pure arithmetic on Asia/Shanghai calendar dates.
// Imported by workflow code, so: no I/O, no Node built-ins, no clock reads, and no calendar data — callers that
// need working days pass a WorkingDays calendar in (domain/calendar.ts in activities).
import { DAY_MS, addNaturalDays, assertIsoDate, endOfShanghaiDay, instantMs, weekdayOf, type DayFacts, type IsoDate, type WorkingDays } from './dates';
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

/** A day the count passed over, rolled over or counted against the ordinary week. */
export interface ExplainedDay {
  date: IsoDate;
  /** 国庆节, 春节, 周末; 春节调休上班 for a make-up working day; else the override's source document. */
  name: string;
  kind: 'holiday' | 'weekend' | 'makeUpWorkday';
}

/** How a limit was counted: what GET /api/deadlines/preview answers, derived while computing it. */
export interface DeadlineExplanation {
  key: LimitKey;
  label: string;
  ruleSet: DeadlinePolicy['ruleSet'];
  basis: string;
  counting: DeadlinePolicy['counting'];
  rollForward: boolean;
  /** Days counted (a shorter length than the maximum when given, e.g. an extension of 20 d). */
  days: number;
  maxDays: number;
  /** The triggering day, excluded from the count. */
  startDate: IsoDate;
  /** The day the count runs from (startDate plus paused days). */
  countFrom: IsoDate;
  pausedDays: number;
  dueDate: IsoDate;
  dueAt: string;
  /** Non-working days passed over while counting working days. */
  skipped: ExplainedDay[];
  /** Weekend days counted as working days (调休上班). */
  makeUpWorkdays: ExplainedDay[];
  /** Non-working days the end of a window rolled over to reach dueDate. */
  rolledOver: ExplainedDay[];
  rolledFrom?: IsoDate;
  /** The same in one Chinese sentence. */
  summary: string;
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
  return explainDeadline(policy, startDate, calendar, opts).deadline;
}

/** computeDeadline with the explanation of its counting: the same computation (computeDeadline calls it). */
export function explainDeadline(
  policy: DeadlinePolicy,
  startDate: IsoDate,
  calendar: WorkingDays,
  opts: ComputeDeadlineOptions = {},
): { deadline: Deadline; explanation: DeadlineExplanation } {
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
  const counted: DayFacts[] = [];
  const rolling: DayFacts[] = [];
  let dueDate: IsoDate;
  let rolledFrom: IsoDate | undefined;
  if (policy.counting === 'working') {
    dueDate = calendar.addWorkingDays(countFrom, days, counted);
  } else {
    dueDate = addNaturalDays(countFrom, days);
    if (policy.rollForward) {
      const rolled = calendar.nextWorkingDayOnOrAfter(dueDate, rolling);
      if (rolled !== dueDate) rolledFrom = dueDate;
      dueDate = rolled;
    }
  }

  const deadline: Deadline = { key: policy.key, startDate, dueDate, dueAt: endOfShanghaiDay(dueDate), policy, days };
  if (policy.key === 'extension') deadline.extendedBy = days;
  if (paused > 0) deadline.pausedDays = paused;
  if (rolledFrom) deadline.rolledFrom = rolledFrom;

  const explained = (d: DayFacts): ExplainedDay => ({
    date: d.date,
    name: d.label ?? d.name ?? (d.working ? '调休上班' : '非工作日'),
    kind: d.working ? 'makeUpWorkday' : d.label === '周末' ? 'weekend' : 'holiday',
  });
  const isWeekend = (d: IsoDate) => weekdayOf(d) === 0 || weekdayOf(d) === 6;
  const explanation: DeadlineExplanation = {
    key: policy.key,
    label: policy.label,
    ruleSet: policy.ruleSet,
    basis: policy.basis,
    counting: policy.counting,
    rollForward: policy.rollForward,
    days,
    maxDays: policy.days,
    startDate,
    countFrom,
    pausedDays: paused,
    dueDate,
    dueAt: deadline.dueAt,
    skipped: counted.filter((d) => !d.working).map(explained),
    makeUpWorkdays: counted.filter((d) => d.working && isWeekend(d.date)).map(explained),
    rolledOver: rolling.filter((d) => !d.working).map(explained),
    ...(rolledFrom ? { rolledFrom } : {}),
    summary: '',
  };
  explanation.summary = summarize(explanation);
  return { deadline, explanation };
}

/** Consecutive days of the same name as one run: 国庆节 2026-10-01至2026-10-07. */
function runs(days: ExplainedDay[]): string {
  const out: { name: string; from: IsoDate; to: IsoDate }[] = [];
  for (const d of days) {
    const last = out[out.length - 1];
    if (last && last.name === d.name && addNaturalDays(last.to, 1) === d.date) last.to = d.date;
    else out.push({ name: d.name, from: d.date, to: d.date });
  }
  return out.map((r) => (r.from === r.to ? `${r.name} ${r.from}` : `${r.name} ${r.from}至${r.to}`)).join('，');
}

function summarize(e: DeadlineExplanation): string {
  const unit = e.counting === 'working' ? '个工作日' : '日（自然日）';
  const parts = [`自${e.startDate}次日起${e.pausedDays ? `（另有${e.pausedDays}日不计入，自${e.countFrom}次日起）` : ''}计算${e.days}${unit}`];
  if (e.skipped.length) parts.push(`跳过非工作日${e.skipped.length}天（${runs(e.skipped)}）`);
  if (e.makeUpWorkdays.length) parts.push(`计入调休上班日${e.makeUpWorkdays.length}天（${runs(e.makeUpWorkdays)}）`);
  if (e.counting === 'natural') {
    if (e.rolledFrom) parts.push(`期满日${e.rolledFrom}为非工作日，顺延${e.rolledOver.length}天（${runs(e.rolledOver)}）`);
    else parts.push(e.rollForward ? '期满日为工作日，无需顺延' : '节假日照常计入，期满日不顺延');
  }
  return `${parts.join('，')}，至${e.dueDate} 24:00（北京时间）届满。依据：${e.basis}。`;
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
  return explainRequested(req, calendar).deadline;
}

/** computeRequested with the explanation of its counting (GET /api/deadlines/preview): the same computation. */
export function explainRequested(req: DeadlineRequest, calendar: WorkingDays): { deadline: Deadline; explanation: DeadlineExplanation } {
  const policy = policyFor(req.key, req.startDate, { evaluationDays: req.evaluationDays, investigationDays: req.investigationDays });
  return explainDeadline(policy, req.startDate, calendar, { days: req.days, pausedDays: req.pausedDays });
}
