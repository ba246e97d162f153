/**
 * Rows written straight into the read model, for tests of what reads it (measures, sweeps, listing): a matter, its
 * events, submissions, deadlines and escalations, leaders and their duties, backlog cases. Instants are given with
 * their +08:00 offset so the Asia/Shanghai dates read as written.
 */
import type { Db } from '../../db/client';
import {
  backlogCases,
  deadlines,
  events,
  leaderReviewMatters,
  leaderReviews,
  leaders,
  escalations,
  petitions,
  receptionDays,
  submissions,
} from '../../db/schema';

export function fixtures(db: Db) {
  let seq = 0;
  const next = () => ++seq;
  return {
    async matter(caseNo: string, m: { division?: string; channel?: string; registeredAt: string; pkey?: string | null; persons?: number; open?: boolean; endedAt?: string; unitId?: string | null; status?: string }) {
      const at = new Date(m.registeredAt);
      await db.insert(petitions).values({
        caseNo,
        queryCode: `Q${caseNo}`,
        workflowId: `petition-${caseNo}`,
        status: m.status ?? (m.open === false ? 'CLOSED' : 'IN_HANDLING'),
        channel: m.channel ?? 'letter',
        source: 'direct',
        divisionCode: m.division ?? '331102',
        unitId: m.unitId ?? null,
        category: 'urban_construction',
        purpose: 'complaint',
        summary: `fixture ${caseNo}`,
        petitioners: [],
        petitionerKey: m.pkey === undefined ? `key-${caseNo}` : m.pkey,
        personsCount: m.persons ?? 1,
        flags: {},
        intake: {},
        receivedAt: at,
        registeredAt: at,
        registeredBy: 'registrar-city',
        firstReceiver: 'registrar-city',
        open: m.open ?? true,
        // Only what the measures read of the snapshot.
        state: (m.endedAt ? { endedAt: m.endedAt } : {}) as never,
      });
      await db.insert(submissions).values({ id: `${caseNo}-S1`, caseNo, channel: m.channel ?? 'letter', source: 'direct', receivedAt: at, summary: 'initial', initial: true, registeredBy: 'registrar-city' });
    },
    async event(caseNo: string, type: string, at: string, data: Record<string, unknown> = {}) {
      const n = next();
      await db.insert(events).values({ id: `petition-${caseNo}:${n}`, caseNo, stream: `petition-${caseNo}`, seq: n, type, at: new Date(at), actor: null, data });
    },
    async visit(caseNo: string, at: string, v: { level: string; persons?: number; abnormalInBeijing?: boolean; collective?: boolean }) {
      await this.event(caseNo, 'visit', at, { id: `V${next()}`, at: new Date(at).toISOString(), place: 'x', persons: v.persons ?? 1, abnormalInBeijing: !!v.abnormalInBeijing, collective: !!v.collective, level: v.level });
    },
    async repeat(caseNo: string, at: string, channel = 'letter') {
      await db.insert(submissions).values({ id: `${caseNo}-S${next()}`, caseNo, channel, source: 'direct', receivedAt: new Date(at), summary: 'again', initial: false, registeredBy: 'registrar-city' });
    },
    async deadline(caseNo: string, key: string, dueDate: string, status: 'pending' | 'met' | 'missed' | 'expired' | 'cancelled') {
      await db.insert(deadlines).values({
        caseNo,
        id: `${key}-${next()}`,
        key: key as never,
        startDate: dueDate,
        dueDate,
        dueAt: new Date(`${dueDate}T23:59:59+08:00`),
        policy: { key } as never,
        status,
      });
    },
    async overlay(caseNo: string, o: { kind: 'warning_slip' | 'three_party_review' | 'investigation'; trigger: string; openedAt: string; status?: string; deadlines?: { key: string; dueDate: string; status: string }[]; division?: string }) {
      const id = `petition-${caseNo}.${o.kind}.${next()}`;
      await db.insert(escalations).values({
        id,
        kind: o.kind,
        caseNo,
        status: (o.status ?? 'open') as never,
        trigger: o.trigger,
        divisionCode: o.division ?? '331102',
        openedAt: new Date(o.openedAt),
        // Only what the measures read of the escalation's state.
        state: { deadlines: (o.deadlines ?? []).map((d, i) => ({ id: `${d.key}-${i + 1}`, ...d, dueAt: new Date(`${d.dueDate}T23:59:59+08:00`).toISOString() })) } as never,
      });
      return id;
    },
    async leader(id: string, l: { level: 'city' | 'county'; division: string; name?: string }) {
      await db.insert(leaders).values({ id, name: l.name ?? id, level: l.level, divisionCode: l.division });
    },
    async review(leaderId: string, on: string, caseNos: string[]) {
      const id = `R${next()}`;
      await db.insert(leaderReviews).values({ id, leaderId, reviewedOn: on, instruction: '请依法处理', recordedBy: 'supervisor-city' });
      await db.insert(leaderReviewMatters).values(caseNos.map((caseNo) => ({ reviewId: id, caseNo })));
    },
    async reception(leaderId: string, on: string) {
      await db.insert(receptionDays).values({ id: `D${next()}`, leaderId, heldOn: on, place: '区信访局接待大厅', recordedBy: 'supervisor-city' });
    },
    async backlog(id: string, b: { level: 'national' | 'province' | 'city' | 'county'; assignedOn: string; division?: string; unitId?: string; closedOn?: string }) {
      await db.insert(backlogCases).values({
        id,
        workflowId: `backlog-${id}`,
        source: 'central_assignment',
        assigningLevel: b.level,
        assignedOn: b.assignedOn,
        divisionCode: b.division ?? '331102',
        unitId: b.unitId ?? null,
        status: b.closedOn ? 'closed' : 'open',
        closedOn: b.closedOn ?? null,
        flags: {},
        state: {},
      });
    },
  };
}
