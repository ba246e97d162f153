/**
 * Upserting the service's search attributes (domain/search-attributes.ts) from workflow code.
 *
 * For the petition workflow (released: this changes its commands) the call must go behind a patch, after each
 * projection of a snapshot, e.g. in its flush():
 *
 *   if (patched('search-attributes')) upsertMatterSearchAttributes(state);
 *
 * The backlog case workflow (new) calls upsertBacklogSearchAttributes directly. The escalations (warning slip,
 * three-party review, investigation; released) upsert theirs in the kit's flush() behind
 * patched('escalation-search-attributes').
 */
import { upsertSearchAttributes } from '@temporalio/workflow';
import { defineSearchAttributeKey, SearchAttributeType, type SearchAttributeUpdatePair } from '@temporalio/common';
import type { PetitionState } from '../domain/matter';
import type { BacklogState } from '../domain/backlog';
import type { EscalationState } from '../domain/escalation';

export const SA = {
  status: defineSearchAttributeKey('PetitionStatus', SearchAttributeType.KEYWORD),
  division: defineSearchAttributeKey('DivisionCode', SearchAttributeType.KEYWORD),
  unit: defineSearchAttributeKey('UnitId', SearchAttributeType.KEYWORD),
  overdue: defineSearchAttributeKey('Overdue', SearchAttributeType.BOOL),
  nextDue: defineSearchAttributeKey('NextDueAt', SearchAttributeType.DATETIME),
  backlog: defineSearchAttributeKey('Backlog', SearchAttributeType.BOOL),
  escalations: defineSearchAttributeKey('EscalationKinds', SearchAttributeType.KEYWORD_LIST),
};

/** What a matter shows to visibility: status, place, unit, overdue, next due, backlog, escalation kinds. */
export function matterSearchAttributes(s: Pick<PetitionState, 'status' | 'divisionCode' | 'unitId' | 'overdue' | 'current' | 'overlays'>): SearchAttributeUpdatePair[] {
  const kinds = [...new Set(Object.values(s.overlays).map((o) => o.kind))].sort();
  const backlog = Object.values(s.overlays).some((o) => o.kind === 'investigation' && o.trigger === 'new_backlog');
  return [
    { key: SA.status, value: s.status },
    { key: SA.division, value: s.divisionCode },
    { key: SA.unit, value: s.unitId ?? null },
    { key: SA.overdue, value: s.overdue },
    { key: SA.nextDue, value: s.current ? new Date(s.current.dueAt) : null },
    { key: SA.backlog, value: backlog },
    { key: SA.escalations, value: kinds },
  ] as SearchAttributeUpdatePair[];
}

export function upsertMatterSearchAttributes(s: Parameters<typeof matterSearchAttributes>[0]): void {
  upsertSearchAttributes(matterSearchAttributes(s));
}

export function backlogSearchAttributes(s: Pick<BacklogState, 'status' | 'divisionCode' | 'unitId' | 'overdue' | 'checkInDue'>, nextDueAt: Date | null): SearchAttributeUpdatePair[] {
  return [
    { key: SA.status, value: s.status === 'open' ? 'OPEN' : 'CLOSED' },
    { key: SA.division, value: s.divisionCode },
    { key: SA.unit, value: s.unitId ?? null },
    { key: SA.overdue, value: s.overdue },
    { key: SA.nextDue, value: nextDueAt },
    { key: SA.backlog, value: true },
  ] as SearchAttributeUpdatePair[];
}

export function upsertBacklogSearchAttributes(s: BacklogState, nextDueAt: Date | null): void {
  upsertSearchAttributes(backlogSearchAttributes(s, nextDueAt));
}

/** What an escalation shows to visibility: OPEN/COMPLETED/CLOSED, its matter's place and unit, overdue, next due. */
export function escalationSearchAttributes(s: Pick<EscalationState, 'status' | 'divisionCode' | 'unitId' | 'overdue' | 'current'>): SearchAttributeUpdatePair[] {
  return [
    { key: SA.status, value: s.status.toUpperCase() },
    { key: SA.division, value: s.divisionCode },
    { key: SA.unit, value: s.unitId ?? null },
    { key: SA.overdue, value: s.overdue },
    { key: SA.nextDue, value: s.current ? new Date(s.current.dueAt) : null },
  ] as SearchAttributeUpdatePair[];
}

export function upsertEscalationSearchAttributes(s: Parameters<typeof escalationSearchAttributes>[0]): void {
  upsertSearchAttributes(escalationSearchAttributes(s));
}
