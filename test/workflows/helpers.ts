import type { Visit } from '../../domain/triggers';
// Helpers shared by the workflow suites (not a test file itself: vitest only picks up *.test.ts).
import { asc, eq } from 'drizzle-orm';
import { ApplicationFailure } from '@temporalio/common';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { deadlines, events, notices, petitions, tasks } from '../../db/schema';
import type { Harness } from '../support/harness';
import type { PetitionState } from '../../domain/matter';

/** An Asia/Shanghai wall-clock time, e.g. sh('2026-09-28 10:00') → '2026-09-28T10:00:00+08:00'. */
export function sh(local: string): string {
  const [date, time = '00:00'] = local.split(' ');
  return `${date}T${time.length === 5 ? `${time}:00` : time}+08:00`;
}

/** The refusal a command met: the ApplicationFailure type the API maps to 409/403/400, and its message. */
export async function refusal(p: Promise<unknown>): Promise<{ type: string | null; message: string }> {
  try {
    await p;
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) {
      return { type: err.cause.type ?? null, message: err.cause.message };
    }
    throw err;
  }
  throw new Error('expected the command to be refused, but it was carried out');
}

/** Notices in the matter's dossier (read model), in the order they were filed. */
export async function dossier(h: Harness, caseNo: string) {
  const rows = await h.database.db.select().from(notices).where(eq(notices.caseNo, caseNo));
  return rows.sort((a, b) => noticeNo(a.id) - noticeNo(b.id));
}
function noticeNo(id: string): number {
  return Number(id.slice(id.lastIndexOf('-N') + 2));
}

/** The matter's timeline in the read model, by seq. */
export async function timeline(h: Harness, caseNo: string) {
  return h.database.db.select().from(events).where(eq(events.caseNo, caseNo)).orderBy(asc(events.seq));
}

export async function petitionRow(h: Harness, caseNo: string) {
  const [row] = await h.database.db.select().from(petitions).where(eq(petitions.caseNo, caseNo));
  return row!;
}

export async function deadlineRows(h: Harness, caseNo: string) {
  return h.database.db.select().from(deadlines).where(eq(deadlines.caseNo, caseNo));
}

export async function taskRows(h: Harness, caseNo: string) {
  return h.database.db.select().from(tasks).where(eq(tasks.caseNo, caseNo));
}

/** The latest deadline of a kind. */
export function limitOf(s: PetitionState, key: string) {
  const d = [...s.deadlines].reverse().find((x) => x.key === key);
  if (!d) throw new Error(`no ${key} deadline on ${s.caseNo}: ${s.deadlines.map((x) => x.key).join(', ')}`);
  return d;
}

/** Event types of the in-state recent window. */
export function recentTypes(s: PetitionState): string[] {
  return s.recent.map((e) => e.type);
}

/** The body of a 处理意见书 for tests. */
export const sampleReply = {
  request: '请求依法拆除小区旁违章建筑',
  facts: '经现场核查，该建筑未取得建设工程规划许可证',
  opinion: '已责令当事人限期自行拆除，逾期将依法强制拆除',
  legalBasis: '《中华人民共和国城乡规划法》第六十四条',
  deliveryMethod: 'in_person' as const,
};

export const meeting = (n: 1 | 2 | 3, date: string) => ({
  meeting: n,
  date,
  place: '莲都区住建局接待室',
  participants: ['王五', '经办人'],
  notes: `三见面${'①②③'[n - 1]}`,
});

/** Polls the matter's state (real time, a few seconds at most) until `ok` holds: signals are handled asynchronously. */
export async function stateWhen(h: Harness, caseNo: string, ok: (s: PetitionState) => boolean, what = 'the expected state'): Promise<PetitionState> {
  let s = await h.state(caseNo);
  for (let i = 0; i < 400 && !ok(s); i++) {
    await new Promise((r) => setTimeout(r, 25));
    s = await h.state(caseNo);
  }
  if (!ok(s)) throw new Error(`${caseNo} did not reach ${what}: status ${s.status}, recent ${s.recent.map((e) => e.type).join(', ')}`);
  return s;
}

/** Waits until the read model has caught up with the workflow (every event projected, the latest snapshot stored). */
export async function projected(h: Harness, caseNo: string): Promise<PetitionState> {
  for (let i = 0; i < 400; i++) {
    const s = await h.state(caseNo);
    const row = await petitionRow(h, caseNo);
    const n = (await timeline(h, caseNo)).length;
    if (row.lastEventSeq === s.seq - 1 && n === s.seq) return s;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`the read model of ${caseNo} did not catch up with the workflow`);
}

/**
 * Waits, without querying the workflow (the time-skipping test server can leave a query unanswered when it lands
 * on a run that is continuing as new), until the latest run has no activity and no workflow task outstanding.
 */
export async function settled(h: Harness, workflowId: string): Promise<void> {
  for (let i = 0; i < 800; i++) {
    const events = (await h.env.client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
    const scheduled = events.filter((e) => e.activityTaskScheduledEventAttributes).length;
    const completed = events.filter((e) => e.activityTaskCompletedEventAttributes).length;
    const activitiesDone = scheduled === completed;
    const taskDone = events.findLastIndex((e) => e.workflowTaskCompletedEventAttributes) > events.findLastIndex((e) => e.workflowTaskScheduledEventAttributes);
    if (activitiesDone && taskDone) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`${workflowId} did not settle`);
}

/** Polls `read` until `ok` holds (the workflows and their projections are asynchronous); fails after ~15 s. */
export async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean, what: string): Promise<T> {
  for (let i = 0; i < 300; i++) {
    const v = await read();
    if (ok(v)) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** A visit as the API records it, with the fields a test does not care about filled in (a county visit by one person). */
export function visitOf(id: string, at: string, v: Partial<Visit> = {}): Visit & { recordedBy: string } {
  return { id, at, level: 'county', place: '莲都区信访局', persons: 1, collective: false, abnormalInBeijing: false, receivedBy: '接待员', recordedBy: 'registrar-city', ...v };
}
