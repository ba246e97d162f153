import { and, eq, lt } from 'drizzle-orm';
import { backlogCaseMatters, backlogCases, events, tasks } from '../db/schema';
import type { Db } from '../db/client';
import { endOfShanghaiDay } from '../domain/dates';
import type { ProjectBacklogRequest } from '../activities/campaign-types';
import type { BacklogCaseFields } from '../domain/backlog';

/**
 * The columns of a backlog case's row that its source gives (domain/backlog.ts BacklogCaseFields): written by the
 * import before the workflow starts and by every projection of the workflow's snapshot.
 */
export function backlogCaseRow(f: BacklogCaseFields, workflowId: string) {
  return {
    id: f.id,
    workflowId,
    source: f.source,
    assigningLevel: f.assigningLevel,
    assigningBody: f.assigningBody,
    assignedOn: f.assignedOn,
    reason: f.reason,
    divisionCode: f.divisionCode,
    unitId: f.unitId,
    areaName: f.areaName,
    leaderName: f.leaderName,
    leaderMissing: f.leaderMissing,
    targetDate: f.targetDate,
    flags: f.flags,
  } satisfies Partial<typeof backlogCases.$inferInsert>;
}

/** The pseudo case number under which a backlog case's timeline and tasks are kept (it may cover no matter). */
export const backlogRef = (id: string) => `backlog:${id}`;

/**
 * Writes a backlog case's events and snapshot in one transaction, with the guards of the matters' projection:
 * events keyed `<workflowId>:<seq>`, the row only replaced by a newer snapshot, then its matters and tasks.
 */
export async function projectBacklog(db: Db, { workflowId, events: evs, snapshot: s }: ProjectBacklogRequest): Promise<void> {
  const lastSeq = s.seq - 1;
  const ref = backlogRef(s.id);
  await db.transaction(async (tx) => {
    if (evs.length) {
      await tx
        .insert(events)
        .values(evs.map((e) => ({ id: `${workflowId}:${e.seq}`, caseNo: ref, stream: workflowId, seq: e.seq, type: e.type, at: new Date(e.at), actor: e.actor, data: e.data })))
        .onConflictDoNothing();
    }
    const row = {
      ...backlogCaseRow(s, workflowId),
      status: s.status,
      closureCategory: s.closure?.category ?? null,
      closedOn: s.status === 'closed' ? (s.closure?.closedOn ?? null) : null,
      reopenCount: s.reopenCount,
      state: s,
      lastSeq,
      updatedAt: new Date(),
    };
    const written = await tx
      .insert(backlogCases)
      .values(row)
      .onConflictDoUpdate({ target: backlogCases.id, set: { ...row, id: undefined }, setWhere: lt(backlogCases.lastSeq, lastSeq) })
      .returning({ id: backlogCases.id });
    if (!written.length) return; // a newer snapshot is already there
    if (s.caseNos.length) await tx.insert(backlogCaseMatters).values(s.caseNos.map((caseNo) => ({ backlogId: s.id, caseNo }))).onConflictDoNothing();
    await tx.delete(tasks).where(eq(tasks.caseNo, ref));
    if (s.status !== 'open') return;
    const role = s.unitId ? 'unit_head' : 'supervisor';
    // The work list names the open recommendations by number: their texts are free text (they may name the
    // petitioner) and stay in the case's record, read in full only with an audit (GET /api/backlog/:id).
    const openRecs = s.supervisions.flatMap((v) => v.recommendations.filter((r) => r.status === 'open').map((r) => `${v.no}.${r.no}`));
    await tx.insert(tasks).values([
      {
        caseNo: ref,
        kind: 'backlog_check_in',
        assigneeRole: role,
        unitId: s.unitId,
        divisionCode: s.divisionCode,
        dueAt: new Date(endOfShanghaiDay(s.checkInDue)),
        overdue: s.overdue,
        detail: `积案 ${s.id}: 包案领导${s.leaderName ?? '（未明确）'}定期过问，下次 ${s.checkInDue}${s.missedCheckIns ? `；已错过 ${s.missedCheckIns} 次` : ''}`,
      },
      ...(openRecs.length
        ? [{ caseNo: ref, kind: 'backlog_recommendations', assigneeRole: role, unitId: s.unitId, divisionCode: s.divisionCode, dueAt: null, overdue: false, detail: backlogRecommendationsDetail(openRecs) }]
        : []),
    ]);
  });
}

/** The work-list text of a backlog case's open recommendations: their numbers (督查次.建议号), never their texts. */
export function backlogRecommendationsDetail(numbers: string[]): string {
  return `实地督查建议待落实 ${numbers.length} 条：${numbers.join('、')}（建议全文见积案记录）`.slice(0, 2000);
}

/** The backlog cases covering a matter that are closed now (a further petition reopens them). */
export async function closedBacklogCovering(db: Db, caseNo: string): Promise<{ id: string; workflowId: string }[]> {
  return db
    .select({ id: backlogCases.id, workflowId: backlogCases.workflowId })
    .from(backlogCases)
    .innerJoin(backlogCaseMatters, eq(backlogCaseMatters.backlogId, backlogCases.id))
    .where(and(eq(backlogCaseMatters.caseNo, caseNo), eq(backlogCases.status, 'closed')));
}
