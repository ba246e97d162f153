/**
 * Pure operations on what a matter and its escalations record: timeline events, limits, notices. The petition's
 * state machine (domain/machine.ts) and the escalation workflows both use them; the workflows' shared kit
 * (workflows/kit.ts) supplies the clock and the hooks. No I/O.
 */
import { reminderInstants, type Deadline } from './deadline';
import { shanghaiDateOf, type IsoDate } from './dates';
import { atLimit, escalationTargets, type LimitKey } from './rules';
import type { NoticeKind } from './notices';

/** met: done in time; missed: escalated at the limit; expired: a window closed unused; paused: a hearing runs. */
export const deadlineStatuses = ['pending', 'met', 'missed', 'expired', 'cancelled', 'paused'] as const;
export type DeadlineStatus = (typeof deadlineStatuses)[number];

export interface DeadlineEntry extends Deadline {
  id: string;
  status: DeadlineStatus;
  /** Lead days whose reminder has been recorded. */
  reminded: number[];
  escalatedAt?: string;
  closedAt?: string;
}

/** One event of a timeline; `seq` is the workflow's own counter, so `<workflowId>:<seq>` identifies it for ever. */
export interface TimelineEntry {
  seq: number;
  type: string;
  at: string;
  actor: string | null;
  data: Record<string, unknown>;
}

/** An obligation on someone's work list (GET /api/tasks). */
export interface Task {
  kind: string;
  assigneeRole: string;
  unitId: string | null;
  dueAt: string | null;
  overdue: boolean;
  detail: string;
}

/** How many events a state keeps; the read model keeps the whole timeline. */
export const RECENT_EVENTS = 20;

/** What the pure rules need of their surroundings: the clock, and the hooks through which a workflow listens. */
export interface RecordContext {
  /** The current instant (workflow time in a workflow). */
  now(): string;
  /** Called for every new event: the workflow queues it for the next projection. */
  record(e: TimelineEntry): void;
  /** Called on every change: the workflow's main loop wakes on it. */
  touch(): void;
}

export function todayOf(ctx: RecordContext): IsoDate {
  return shanghaiDateOf(ctx.now());
}

/** What has a timeline and limits: a matter, or one of its escalations. */
export interface Recorded {
  seq: number;
  recent: TimelineEntry[];
  deadlines: DeadlineEntry[];
  /** Limits waiting for the calendar of their year (see domain/machine.ts waitForCalendar). */
  uncomputed?: { req: { key: LimitKey } }[];
}

export function emit(s: Recorded, ctx: RecordContext, type: string, data: Record<string, unknown>, actor: string | null = null): TimelineEntry {
  const e: TimelineEntry = { seq: s.seq++, type, at: ctx.now(), actor, data };
  s.recent = [...s.recent, e].slice(-RECENT_EVENTS);
  ctx.record(e);
  ctx.touch();
  return e;
}

/** The running (or paused) limit of a key. */
export function liveLimit(s: Recorded, key: LimitKey): DeadlineEntry | undefined {
  return s.deadlines.find((d) => d.key === key && (d.status === 'pending' || d.status === 'paused'));
}

/** The latest limit of a key, whatever its status. */
export function latestLimit(s: Recorded, key: LimitKey): DeadlineEntry | undefined {
  return [...s.deadlines].reverse().find((d) => d.key === key);
}

/** A limit of this key is met (or cancelled) by the act that ends it; one already missed is at least closed. */
export function closeLimits(s: Recorded, ctx: RecordContext, key: LimitKey, how: 'met' | 'cancelled'): void {
  // One still waiting for the calendar is settled by the act too: nothing is left to start.
  if (s.uncomputed?.some((u) => u.req.key === key)) s.uncomputed = s.uncomputed.filter((u) => u.req.key !== key);
  for (const d of s.deadlines) {
    if (d.key !== key) continue;
    if (d.status === 'pending' || d.status === 'paused') {
      d.status = how;
      d.closedAt = ctx.now();
    } else if (d.status === 'missed' && !d.closedAt) {
      d.closedAt = ctx.now();
    }
  }
  ctx.touch();
}

/**
 * Starts a computed limit under an id. Reminders whose time has already passed when it starts (a recomputed or
 * backdated limit) are marked sent: they would say nothing new.
 */
export function startLimit(s: Recorded, ctx: RecordContext, d: Deadline, id: string, reminderLeadDays: number[], eventData: Record<string, unknown> = {}): DeadlineEntry {
  const now = Date.parse(ctx.now());
  const passed = reminderInstants(d, reminderLeadDays).filter((r) => Date.parse(r.at) <= now).map((r) => r.leadDays);
  const entry: DeadlineEntry = { ...d, id, status: 'pending', reminded: passed };
  s.deadlines.push(entry);
  emit(s, ctx, 'deadline.started', { ...eventData, id, key: d.key, startDate: d.startDate, dueDate: d.dueDate, dueAt: d.dueAt, basis: d.policy.basis });
  return entry;
}

/** The next instant at which a limit falls due or a reminder is owed, if any. */
export function nextAlarm(s: Recorded, reminderLeadDays: number[]): number | undefined {
  let next: number | undefined;
  for (const d of s.deadlines) {
    if (d.status !== 'pending') continue;
    const times = [Date.parse(d.dueAt)];
    if (atLimit[d.key] === 'escalate') {
      for (const r of reminderInstants(d, reminderLeadDays)) if (!d.reminded.includes(r.leadDays)) times.push(Date.parse(r.at));
    }
    for (const t of times) if (next === undefined || t < next) next = t;
  }
  return next;
}

/**
 * Fires what is due now: reminders before the administration's limits, escalation at them (the matter goes on,
 * flagged overdue), expiry of windows (handed to `onExpired` for what follows from it). Returns whether anything
 * changed.
 */
export function fireAlarms(
  s: Recorded,
  ctx: RecordContext,
  reminderLeadDays: number[],
  eventData: Record<string, unknown> = {},
  onExpired: (d: DeadlineEntry) => void = () => undefined,
): boolean {
  const now = Date.parse(ctx.now());
  let changed = false;
  for (const d of s.deadlines) {
    if (d.status !== 'pending') continue;
    if (Date.parse(d.dueAt) <= now) {
      changed = true;
      if (atLimit[d.key] === 'escalate') {
        d.status = 'missed';
        d.escalatedAt = ctx.now();
        emit(s, ctx, 'deadline.escalated', { ...eventData, id: d.id, key: d.key, dueDate: d.dueDate, to: escalationTargets(d.key), basis: d.policy.basis });
      } else {
        d.status = 'expired';
        d.closedAt = ctx.now();
        emit(s, ctx, 'deadline.expired', { ...eventData, id: d.id, key: d.key, dueDate: d.dueDate });
        onExpired(d);
      }
      continue;
    }
    if (atLimit[d.key] !== 'escalate') continue;
    for (const r of reminderInstants(d, reminderLeadDays)) {
      if (Date.parse(r.at) <= now && !d.reminded.includes(r.leadDays)) {
        d.reminded.push(r.leadDays);
        changed = true;
        emit(s, ctx, 'deadline.reminder', { ...eventData, id: d.id, key: d.key, leadDays: r.leadDays, dueDate: d.dueDate });
      }
    }
  }
  return changed;
}

/** A notice to file: the activity renders and stores it (idempotent by id). */
export interface NoticeRequest {
  id: string;
  kind: NoticeKind;
  caseNo: string;
  issuedOn: string;
  issuedAt: string;
  issuedBy: string | null;
  fields: [string, string][];
  legalBasis?: string;
}
