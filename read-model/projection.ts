import { and, eq, lt } from 'drizzle-orm';
import { deadlines, escalations, events, petitions, tasks } from '../db/schema';
import type { Db } from '../db/client';
import { isOpen } from '../domain/petition';
import type { ProjectEscalationRequest, ProjectRequest } from '../activities/types';
import type { Task, TimelineEntry } from '../domain/matter';

/**
 * Writes a workflow's events and snapshot to the read model in one transaction.
 * Events are keyed by `<workflowId>:<seq>` (a retry inserts nothing new); the snapshot only replaces an older one,
 * so projections that arrive out of order never move a matter backwards.
 */
export async function projectPetition(db: Db, { workflowId, caseNo, events: evs, snapshot: s }: ProjectRequest): Promise<void> {
  const lastSeq = s.seq - 1;
  await db.transaction(async (tx) => {
    await insertEvents(tx, workflowId, caseNo, evs);
    const updated = await tx
      .update(petitions)
      .set({
        status: s.status,
        unitId: s.unitId,
        linkedTo: s.linkedTo ?? null,
        currentDeadlineKey: s.current?.key ?? null,
        currentDueAt: s.current ? new Date(s.current.dueAt) : null,
        overdue: s.overdue,
        open: isOpen(s.status),
        state: s,
        lastEventSeq: lastSeq,
        updatedAt: new Date(),
      })
      .where(and(eq(petitions.caseNo, caseNo), lt(petitions.lastEventSeq, lastSeq)))
      .returning({ caseNo: petitions.caseNo });
    if (updated.length === 0) return; // a newer snapshot is already there

    for (const d of s.deadlines) {
      const row = {
        caseNo,
        id: d.id,
        key: d.key,
        startDate: d.startDate,
        dueDate: d.dueDate,
        dueAt: new Date(d.dueAt),
        policy: d.policy,
        status: d.status,
        escalatedAt: d.escalatedAt ? new Date(d.escalatedAt) : null,
      };
      await tx.insert(deadlines).values(row).onConflictDoUpdate({ target: [deadlines.caseNo, deadlines.id], set: { status: row.status, escalatedAt: row.escalatedAt, dueAt: row.dueAt, dueDate: row.dueDate } });
    }
    await replaceTasks(tx, caseNo, '', s.divisionCode, s.tasks);
  });
}

/** A workflow's work-list entries replace the ones it wrote before (source: '' for the matter, else the escalation). */
async function replaceTasks(tx: Tx, caseNo: string, source: string, divisionCode: string, list: Task[]): Promise<void> {
  await tx.delete(tasks).where(and(eq(tasks.caseNo, caseNo), eq(tasks.source, source)));
  if (!list.length) return;
  await tx.insert(tasks).values(
    list.map((t) => ({
      caseNo,
      source,
      kind: t.kind,
      assigneeRole: t.assigneeRole,
      unitId: t.unitId,
      divisionCode,
      dueAt: t.dueAt ? new Date(t.dueAt) : null,
      overdue: t.overdue,
      detail: t.detail,
    })),
  );
}

/** Writes an escalation's events (into the matter's timeline) and its state, with the same guards. */
export async function projectEscalation(db: Db, { workflowId, caseNo, events: evs, snapshot: s }: ProjectEscalationRequest): Promise<void> {
  const lastSeq = s.seq - 1;
  await db.transaction(async (tx) => {
    await insertEvents(tx, workflowId, caseNo, evs);
    const row = {
      id: workflowId,
      kind: s.kind,
      caseNo,
      status: s.status,
      trigger: s.trigger,
      divisionCode: s.divisionCode,
      unitId: s.unitId,
      dueAt: s.current ? new Date(s.current.dueAt) : null,
      overdue: s.overdue,
      openedAt: new Date(s.openedAt),
      closedAt: s.closedAt ? new Date(s.closedAt) : null,
      state: s,
      lastEventSeq: lastSeq,
    };
    const written = await tx
      .insert(escalations)
      .values(row)
      .onConflictDoUpdate({ target: escalations.id, set: { ...row, id: undefined }, setWhere: lt(escalations.lastEventSeq, lastSeq) })
      .returning({ id: escalations.id });
    if (written.length) await replaceTasks(tx, caseNo, workflowId, s.divisionCode, s.tasks ?? []);
  });
}

type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

/** Timeline events keyed `<workflowId>:<seq>`: a retried activity inserts nothing new. */
async function insertEvents(tx: Tx, workflowId: string, caseNo: string, evs: TimelineEntry[]): Promise<void> {
  if (!evs.length) return;
  await tx
    .insert(events)
    .values(evs.map((e) => ({ id: `${workflowId}:${e.seq}`, caseNo, stream: workflowId, seq: e.seq, type: e.type, at: new Date(e.at), actor: e.actor, data: e.data })))
    .onConflictDoNothing();
}
