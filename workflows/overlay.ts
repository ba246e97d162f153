/**
 * What the three escalation child workflows (warning slip, three-party review, accountability investigation) share:
 * a small state with limits, a timeline projected to the read model, escalation when a limit passes, and a
 * report of their state to the parent matter. Deterministic code only.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  condition,
  defineQuery,
  defineSignal,
  getExternalWorkflowHandle,
  proxyActivities,
  setHandler,
  workflowInfo,
  allHandlersFinished,
} from '@temporalio/workflow';
import type { PetitionActivities, DeadlineRequest } from '../activities/types';
import { shanghaiDateOf } from '../domain/dates';
import { anyOverdue, currentLimit } from '../domain/limits';
import { escalationTargets } from '../domain/rules';
import type { NoticeKind } from '../domain/notices';
import type { DeadlineEntry, TimelineEntry } from './types';

export type OverlayKind = 'warning_slip' | 'three_party_review' | 'investigation';

export interface OverlayState {
  id: string;
  kind: OverlayKind;
  caseNo: string;
  parentWorkflowId: string;
  status: 'open' | 'completed' | 'closed';
  trigger: string;
  divisionCode: string;
  unitId: string | null;
  openedAt: string;
  closedAt?: string;
  deadlines: DeadlineEntry[];
  /** Limits that could not be computed yet (a working-day limit into a year the calendar does not know). */
  uncomputed: { id: string; req: DeadlineRequest; reason: string }[];
  overdue: boolean;
  /** The limit it now runs against. */
  current?: { key: string; dueAt: string };
  /** Kind-specific record (participants, explanations, findings …). */
  details: Record<string, unknown>;
  recent: TimelineEntry[];
  seq: number;
}

/** What a child tells its parent, and what the parent shows of it. */
export interface OverlaySummary {
  id: string;
  kind: OverlayKind;
  trigger: string;
  status: OverlayState['status'] | 'starting';
  dueAt: string | null;
  overdue: boolean;
}

export const overlayQuery = defineQuery<OverlayState>('overlay');
/** Child → parent: my state changed. */
export const overlayChangedSignal = defineSignal<[OverlaySummary]>('overlayChanged');

export interface OverlayStart {
  caseNo: string;
  parentWorkflowId: string;
  divisionCode: string;
  unitId: string | null;
  trigger: string;
}

const acts = proxyActivities<PetitionActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', nonRetryableErrorTypes: ['CalendarUnknownYear', 'InvalidInput'] },
});

/** How often a limit the calendar could not compute is tried again. */
const RETRY_UNCOMPUTED_MS = 24 * 3_600_000;

export function illegal(message: string): never {
  throw ApplicationFailure.create({ type: 'IllegalState', message, nonRetryable: true });
}

/** Sets up an overlay's state, query, projection and limit loop. */
export function overlay(kind: OverlayKind, start: OverlayStart, details: Record<string, unknown>) {
  const { workflowId } = workflowInfo();
  const state: OverlayState = {
    id: workflowId,
    kind,
    caseNo: start.caseNo,
    parentWorkflowId: start.parentWorkflowId,
    status: 'open',
    trigger: start.trigger,
    divisionCode: start.divisionCode,
    unitId: start.unitId,
    openedAt: new Date(Date.now()).toISOString(),
    deadlines: [],
    uncomputed: [],
    overdue: false,
    details,
    recent: [],
    seq: 0,
  };
  let version = 0;
  let pending: TimelineEntry[] = [];
  const nowIso = () => new Date(Date.now()).toISOString();

  function refresh(): void {
    state.overdue = anyOverdue(state.deadlines, nowIso());
    const cur = currentLimit(state.deadlines);
    state.current = cur ? { key: cur.key, dueAt: cur.dueAt } : undefined;
  }

  setHandler(overlayQuery, () => {
    refresh();
    return state;
  });

  const kit = {
    state,
    today: () => shanghaiDateOf(new Date(Date.now())),
    nowIso,
    emit(type: string, data: Record<string, unknown>, actor: string | null = null): void {
      const e: TimelineEntry = { seq: state.seq++, type, at: nowIso(), actor, data: { overlay: kind, ...data } };
      pending.push(e);
      state.recent = [...state.recent, e].slice(-20);
      version++;
    },
    /** Projects the overlay and tells the parent (which may have ended: that is not an error). */
    async flush(): Promise<void> {
      refresh();
      const events = pending;
      pending = [];
      await acts.projectOverlay({ workflowId, caseNo: state.caseNo, events, snapshot: state });
      const summary: OverlaySummary = { id: workflowId, kind, trigger: state.trigger, status: state.status, dueAt: state.current?.dueAt ?? null, overdue: state.overdue };
      try {
        await getExternalWorkflowHandle(state.parentWorkflowId).signal(overlayChangedSignal, summary);
      } catch {
        // The matter's workflow has completed; the read model still has this overlay's state.
      }
    },
    /**
     * Starts a limit. One the calendar cannot compute yet (next year's schedule not entered) is recorded and tried
     * again daily, so an admin entering the overrides starts it; the overlay never fails for it.
     */
    async startDeadline(id: string, req: DeadlineRequest): Promise<DeadlineEntry | undefined> {
      let d;
      try {
        d = await acts.computeDeadline(req);
      } catch (err) {
        if (!(err instanceof ActivityFailure && err.cause instanceof ApplicationFailure && err.cause.type === 'CalendarUnknownYear')) throw err;
        if (!state.uncomputed.some((u) => u.id === id)) {
          state.uncomputed.push({ id, req, reason: err.cause.message });
          kit.emit('deadline.not_computed', { id, key: req.key, reason: err.cause.message });
        }
        return undefined;
      }
      state.uncomputed = state.uncomputed.filter((u) => u.id !== id);
      const entry: DeadlineEntry = { ...d, id, status: 'pending', reminded: [] };
      state.deadlines.push(entry);
      kit.emit('deadline.started', { id, key: d.key, startDate: d.startDate, dueDate: d.dueDate, dueAt: d.dueAt, basis: d.policy.basis });
      return entry;
    },
    meet(id: string): void {
      state.uncomputed = state.uncomputed.filter((u) => u.id !== id);
      const d = state.deadlines.find((x) => x.id === id);
      if (!d) return;
      if (d.status === 'pending') d.status = 'met';
      d.closedAt = nowIso();
      version++;
    },
    async fileNotice(kindOfNotice: NoticeKind, fields: [string, string][], actor: string | null): Promise<string> {
      const id = `${state.caseNo}-${kind}-${state.seq}`;
      await acts.fileNotice({ id, kind: kindOfNotice, caseNo: state.caseNo, issuedOn: kit.today(), issuedAt: nowIso(), issuedBy: actor, fields });
      kit.emit('notice.filed', { id, kind: kindOfNotice }, actor);
      return id;
    },
    close(status: 'completed' | 'closed', reason: string): void {
      state.status = status;
      state.closedAt = nowIso();
      for (const d of state.deadlines) if (d.status === 'pending') kit.meet(d.id);
      kit.emit(status === 'completed' ? 'overlay.completed' : 'overlay.closed', { reason });
    },
    /** Sleeps until the next limit (escalating it when it passes) until the overlay is no longer open. */
    async run(): Promise<OverlayState> {
      await kit.flush();
      while (state.status === 'open') {
        const seen = version;
        const retryAt = state.uncomputed.length ? Date.now() + RETRY_UNCOMPUTED_MS : undefined;
        const next = [...state.deadlines.filter((d) => d.status === 'pending').map((d) => Date.parse(d.dueAt)), ...(retryAt ? [retryAt] : [])].sort((a, b) => a - b)[0];
        const woken = next === undefined ? await condition(() => version !== seen) : await condition(() => version !== seen, Math.max(next - Date.now(), 1));
        if (woken) continue;
        if (retryAt && Date.now() >= retryAt) {
          for (const u of [...state.uncomputed]) await kit.startDeadline(u.id, u.req);
        }
        for (const d of state.deadlines) {
          if (d.status !== 'pending' || Date.parse(d.dueAt) > Date.now()) continue;
          d.status = 'missed';
          d.escalatedAt = nowIso();
          kit.emit('deadline.escalated', { id: d.id, key: d.key, dueDate: d.dueDate, to: escalationTargets(d.key), basis: d.policy.basis });
        }
        await kit.flush();
      }
      await condition(allHandlersFinished);
      await kit.flush();
      return state;
    },
  };
  return kit;
}
