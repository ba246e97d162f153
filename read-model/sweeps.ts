import { randomInt } from 'node:crypto';
import { eq, like, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { digests, listings, tasks } from '../db/schema';
import { addNaturalDays, endOfShanghaiDay } from '../domain/dates';
import { bottomOf, listingSubjectLabels, sample, sweepLabels, sweepPeriod, type ListedEntry, type SweepKind } from '../domain/sweeps';
import { queryRows } from './rows';
import { rankQuarter } from './listing';
import type { DigestRecord, ListingState } from '../domain/sweeps';

export type { DigestRecord };

export interface SweepSettings {
  monthlySampleSize: number;
  listingBottom: number;
  listingRemediationDays: number;
  listingWeights: Record<string, { weight: number; better: 'higher' | 'lower' }>;
  leaderReviewChannels: string[];
}

/** Statutory limits that escalate: the ones a unit must close in the week or explain (周周结). */
const WEEKLY_KEYS = ['triage', 'acceptance', 'handling', 'extension', 'reviewDecision', 'reReviewDecision'];

/** A unit's (or, without a unit, the bureau's) notice in the work list: one task per sweep kind and recipient. */
function recipient(unitId: string | null, divisionCode: string) {
  return unitId ? { unitId, assigneeRole: 'unit_handler', divisionCode } : { unitId: null, assigneeRole: 'registrar', divisionCode };
}

/**
 * One sweep over the read model: computes the digest of its period, writes it (a run for the same period replaces
 * it: id `<kind>-<period>`), and rewrites the work-list notices of that sweep kind for the units concerned.
 * Idempotent, so the activity may be retried.
 */
export async function runSweep(db: Db, kind: SweepKind, day: string, settings: SweepSettings): Promise<DigestRecord> {
  const period = sweepPeriod(kind, day);
  const id = `${kind}-${period.label}`;
  let body: Record<string, unknown>;
  let listed: DigestRecord['listed'];
  const taskRows: (typeof tasks.$inferInsert)[] = [];
  const digestRef = (suffix: string) => `sweep:${kind}:${suffix}`;

  if (kind === 'daily') {
    const tomorrow = addNaturalDays(day, 1);
    const undispatched = await queryRows<{ case_no: string; division_code: string }>(
      db,
      sql`select case_no, division_code from petitions where status in ('REGISTERED', 'TRIAGE')
           and (registered_at at time zone 'Asia/Shanghai')::date = ${day}::date order by case_no`,
    );
    const dueTomorrow = await queryRows<{ case_no: string; key: string; unit_id: string | null; division_code: string }>(
      db,
      sql`select d.case_no, d.key, p.unit_id, p.division_code from deadlines d join petitions p on p.case_no = d.case_no
           where d.status = 'pending' and d.due_date = ${tomorrow} and p.open order by d.case_no`,
    );
    const overdue = await queryRows<{ case_no: string; unit_id: string | null; division_code: string; current_deadline_key: string | null }>(
      db,
      sql`select case_no, unit_id, division_code, current_deadline_key from petitions where open and overdue order by unit_id nulls first, case_no`,
    );
    const perUnit = new Map<string, { unitId: string | null; divisionCode: string; undispatched: string[]; dueTomorrow: string[]; overdue: string[] }>();
    const slot = (unitId: string | null, divisionCode: string) => {
      const k = unitId ?? `division:${divisionCode}`;
      if (!perUnit.has(k)) perUnit.set(k, { unitId, divisionCode, undispatched: [], dueTomorrow: [], overdue: [] });
      return perUnit.get(k)!;
    };
    for (const r of undispatched) slot(null, r.division_code).undispatched.push(r.case_no);
    for (const r of dueTomorrow) slot(r.unit_id, r.division_code).dueTomorrow.push(`${r.case_no}(${r.key})`);
    for (const r of overdue) slot(r.unit_id, r.division_code).overdue.push(r.case_no);
    const units = [...perUnit.values()];
    body = { title: `${sweepLabels.daily} ${day}`, day, tomorrow, counts: { undispatched: undispatched.length, dueTomorrow: dueTomorrow.length, overdue: overdue.length }, units };
    for (const u of units) {
      taskRows.push({
        caseNo: digestRef(u.unitId ?? u.divisionCode),
        kind: 'daily_digest',
        ...recipient(u.unitId, u.divisionCode),
        dueAt: new Date(endOfShanghaiDay(day)),
        overdue: false,
        detail: `天天清 ${day}：当日未流转 ${u.undispatched.length}，明日到期 ${u.dueTomorrow.length}，已超期 ${u.overdue.length}（摘要 ${id}）`,
      });
    }
  } else if (kind === 'weekly') {
    const items = await queryRows<{ case_no: string; deadline_id: string; key: string; due_date: string; status: string; unit_id: string | null; division_code: string; explanation: string | null }>(
      db,
      sql`select d.case_no, d.id as deadline_id, d.key, d.due_date, d.status, p.unit_id, p.division_code, w.explanation
            from deadlines d join petitions p on p.case_no = d.case_no
            left join weekly_explanations w on w.week_start = ${period.start}::date and w.case_no = d.case_no and w.deadline_id = d.id
           where d.key in (${sql.join(WEEKLY_KEYS.map((k) => sql`${k}`), sql`, `)}) and d.due_date between ${period.start} and ${period.end}
             and d.status in ('pending', 'met', 'missed')
           order by d.due_date, d.case_no`,
    );
    const rows = items.map((r) => ({ caseNo: r.case_no, deadlineId: r.deadline_id, key: r.key, dueDate: r.due_date, unitId: r.unit_id, divisionCode: r.division_code, outcome: r.status === 'met' ? 'closed' : r.explanation ? 'explained' : 'missing' }));
    body = { title: `${sweepLabels.weekly} ${period.label}`, weekStart: period.start, weekEnd: period.end, counts: { due: rows.length, closed: rows.filter((r) => r.outcome === 'closed').length, explained: rows.filter((r) => r.outcome === 'explained').length, missing: rows.filter((r) => r.outcome === 'missing').length }, items: rows };
    for (const r of rows.filter((x) => x.outcome === 'missing')) {
      taskRows.push({
        caseNo: digestRef(`${period.start}:${r.caseNo}:${r.deadlineId}`),
        kind: 'weekly_explanation',
        ...recipient(r.unitId, r.divisionCode),
        dueAt: new Date(endOfShanghaiDay(addNaturalDays(period.end, 3))),
        overdue: false,
        detail: `周周结 ${period.label}：${r.caseNo} 的${r.key}期限（${r.dueDate}）本周未办结，请书面说明（POST /api/weekly-explanations）`,
      });
    }
  } else if (kind === 'monthly') {
    const [previous] = await db.select().from(digests).where(eq(digests.id, id));
    // The seed is drawn once per month and recorded; a re-run of the same month draws the same sample.
    const seed = (previous?.body as { seed?: number } | undefined)?.seed ?? randomInt(0, 2 ** 31);
    const closed = await queryRows<{ case_no: string; unit_id: string | null; division_code: string }>(
      db,
      sql`select case_no, unit_id, division_code from petitions
           where not open and ended_at is not null
             and (ended_at at time zone 'Asia/Shanghai')::date between ${period.start}::date and ${period.end}::date
           order by case_no`,
    );
    const byUnit = new Map<string, typeof closed>();
    for (const c of closed) {
      const k = c.unit_id ?? '(bureau)';
      byUnit.set(k, [...(byUnit.get(k) ?? []), c]);
    }
    const units = [...byUnit.entries()]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([unit, list]) => ({ unit, closed: list.length, sample: sample(list, settings.monthlySampleSize, seed ^ hash(unit), (c) => c.case_no).map((c) => c.case_no) }));
    body = { title: `${sweepLabels.monthly} ${period.label}`, month: period.label, seed, sampleSize: settings.monthlySampleSize, method: 'mulberry32(seed XOR fnv1a(unit)), partial Fisher–Yates over the unit’s closed matters sorted by case number', units };
    for (const u of units) {
      for (const caseNo of u.sample) {
        const m = closed.find((c) => c.case_no === caseNo)!;
        taskRows.push({ caseNo: digestRef(`${period.label}:${caseNo}`), kind: 'monthly_inspection', unitId: null, assigneeRole: 'supervisor', divisionCode: m.division_code, dueAt: new Date(endOfShanghaiDay(addNaturalDays(day, 14))), overdue: false, detail: `月月检 ${period.label}：抽查已办结事项 ${caseNo}（${u.unit}）` });
      }
    }
  } else {
    const { counties, units } = await rankQuarter(db, { from: period.start, to: period.end }, settings);
    const dueDate = addNaturalDays(day, settings.listingRemediationDays);
    listed = [
      ...bottomOf(counties, settings.listingBottom).map((r): ListedEntry => ({ id: `${period.label}-${r.divisionCode}`, subject: 'division', divisionCode: r.divisionCode, name: r.name, rank: r.rank, score: r.score, dueDate })),
      ...bottomOf(units, settings.listingBottom).map((r): ListedEntry => ({ id: `${period.label}-unit-${r.unitId}`, subject: 'unit', divisionCode: r.divisionCode, unitId: r.unitId, name: r.name, rank: r.rank, score: r.score, dueDate })),
    ];
    body = { title: `${sweepLabels.quarterly} ${period.label} 督查通报`, quarter: period.label, from: period.start, to: period.end, weights: settings.listingWeights, ranking: counties, unitRanking: units, listed, remediationDays: settings.listingRemediationDays };
    for (const l of listed) {
      const of = l.subject === 'unit' ? units.length : counties.length;
      taskRows.push({
        caseNo: digestRef(`${l.id}`),
        kind: 'listing_remediation',
        // A listed county is followed by its bureau's supervisors; a listed unit sees the listing in its own work list.
        ...(l.unitId ? { unitId: l.unitId, assigneeRole: 'unit_head' } : { unitId: null, assigneeRole: 'supervisor' }),
        divisionCode: l.divisionCode,
        dueAt: new Date(endOfShanghaiDay(dueDate)),
        overdue: false,
        detail: `挂牌督办 ${period.label}：${l.name} 在${listingSubjectLabels[l.subject ?? 'division']}中排名第 ${l.rank}/${of}，须于 ${dueDate} 前整改并书面报告`,
      });
    }
  }

  await db.transaction(async (tx) => {
    await tx
      .insert(digests)
      .values({ id, kind, periodStart: period.start, periodEnd: period.end, body })
      .onConflictDoUpdate({ target: digests.id, set: { body, createdAt: new Date() } });
    // The notices of this sweep kind are replaced: what no longer applies disappears from the work lists.
    // (Monthly inspections and listings accumulate per period: only this period's are replaced.)
    const scope = kind === 'daily' ? `sweep:daily:%` : kind === 'weekly' ? `sweep:weekly:${period.start}:%` : `sweep:${kind}:${period.label}%`;
    await tx.delete(tasks).where(like(tasks.caseNo, scope));
    if (taskRows.length) await tx.insert(tasks).values(taskRows).onConflictDoNothing();
  });
  return { id, kind, periodStart: period.start, periodEnd: period.end, body, listed };
}

function hash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) >>> 0;
  return h;
}

/** A listing workflow's snapshot into `listings`, newest wins. */
export async function projectListing(db: Db, s: ListingState): Promise<void> {
  const row = { id: s.id, quarter: s.quarter, divisionCode: s.divisionCode, unitId: s.unitId ?? null, rank: s.rank, score: { score: s.score }, status: s.status, dueDate: s.dueDate, state: s, lastSeq: s.seq };
  await db
    .insert(listings)
    .values(row)
    .onConflictDoUpdate({ target: listings.id, set: { ...row, id: undefined }, setWhere: sql`${listings.lastSeq} < ${s.seq}` });
  if (s.status === 'remediated') await db.delete(tasks).where(eq(tasks.caseNo, `sweep:quarterly:${s.id}`));
  else if (s.status === 'overdue') await db.update(tasks).set({ overdue: true }).where(eq(tasks.caseNo, `sweep:quarterly:${s.id}`));
}
