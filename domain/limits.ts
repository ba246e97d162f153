/**
 * Rules over a matter's (or an escalation overlay's) set of limits, shared by every workflow. Pure.
 */
import { isOverdue } from './deadline';
import { atLimit, type LimitKey } from './rules';

export interface LimitState {
  key: LimitKey;
  status: string;
  dueAt: string;
  closedAt?: string;
}

/**
 * Overdue while a missed limit has not been closed by the act it waited for, or a running limit has passed its
 * instant. A paused limit (a re-review hearing) is not running.
 */
export function anyOverdue(limits: readonly LimitState[], nowIso: string): boolean {
  return limits.some((d) => (d.status === 'missed' && !d.closedAt) || (d.status === 'pending' && isOverdue(d, nowIso)));
}

/**
 * The limit a matter now runs against (lists sort by it): the earliest running limit that escalates, else the
 * earliest running window (objection, evaluation, review request), else a missed limit still open.
 */
export function currentLimit<T extends LimitState>(limits: readonly T[]): T | undefined {
  const running = limits.filter((d) => d.status === 'pending').sort((a, b) => Date.parse(a.dueAt) - Date.parse(b.dueAt));
  return running.find((d) => atLimit[d.key] === 'escalate') ?? running[0] ?? limits.find((d) => d.status === 'missed' && !d.closedAt);
}
