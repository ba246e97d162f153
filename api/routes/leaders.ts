import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { and, asc, eq, gte, inArray, isNull, lte, sql } from 'drizzle-orm';
import { randomUUID } from 'node:crypto';
import { events, groupIssueMatters, groupIssues, leaderReviewMatters, leaderReviews, leaders, petitions, receptionDays, receptionMatters } from '../../db/schema';
import * as L from '../../domain/leaders';
import { may } from '../../domain/access';
import { shanghaiDateOf } from '../../domain/dates';
import { registerPetition } from '../../services/intake';
import { ServiceError } from '../../services/errors';
import { jsonOrTable, formatQuery, sendTable } from '../export';
import { loadMatter } from '../repositories/matters';
import { periodQuery, resolveScope } from '../scope';
import type { ApiDeps } from '../context';
import { anyJson, errorResponses } from '../responses';
import { idParams } from '../params';

/** 清初访 leaders' duties: the leaders, 阅批, reception days and the joint meeting's group issues. */
const routes: FastifyPluginAsyncZod<{ deps: ApiDeps }> = async (app, { deps }) => {
  const { db } = deps.database;

  const notFuture = (date: string, field: string) => {
    if (date > shanghaiDateOf(new Date())) throw new ServiceError(400, 'InvalidInput', `${field} is in the future`, { [field]: 'in the future' });
  };
  async function loadLeader(req: FastifyRequest, id: string) {
    const [l] = await db.select().from(leaders).where(eq(leaders.id, id));
    if (!l) throw new ServiceError(404, 'NotFound', `no leader ${id}`);
    app.requireJurisdiction(req, { divisionCode: l.divisionCode });
    return l;
  }
  async function loadMatters(req: FastifyRequest, caseNos: string[]) {
    const rows = [];
    for (const c of [...new Set(caseNos)]) rows.push(await loadMatter(app, db, req, c));
    return rows;
  }

  // --- leaders ---
  app.post('/leaders', { schema: { tags: ['leaders'], summary: 'Add a leader (city or county level)', body: L.leaderSchema, response: { 201: anyJson('the leader'), ...errorResponses(404, 409) } } }, async (req, reply) => {
    app.requirePermission(req, 'backlogManage');
    if (app.parentOf(req.body.divisionCode) === undefined) throw new ServiceError(404, 'NotFound', `no division ${req.body.divisionCode}`);
    app.requireJurisdiction(req, { divisionCode: req.body.divisionCode });
    const inserted = await db.insert(leaders).values(req.body).onConflictDoNothing().returning();
    if (!inserted.length) throw new ServiceError(409, 'Conflict', `leader ${req.body.id} exists`);
    return reply.status(201).send(inserted[0]!);
  });
  app.get('/leaders', { schema: { tags: ['leaders'], summary: 'Leaders in your jurisdiction', querystring: z.object({ format: formatQuery }), response: { 200: jsonOrTable(anyJson('the leaders')) } } }, async (req, reply) => {
    app.requirePermission(req, 'read');
    const scope = req.principal.role === 'admin' ? undefined : inArray(leaders.divisionCode, app.divisionsUnder(req.principal.divisionCode ?? '331100'));
    const rows = await db.select().from(leaders).where(scope).orderBy(asc(leaders.id));
    if (req.query.format !== 'json')
      return sendTable(reply, req.query.format, 'leaders', [
        { header: 'id', value: (r: (typeof rows)[number]) => r.id },
        { header: 'name', value: (r) => r.name },
        { header: 'level', value: (r) => r.level },
        { header: 'divisionCode', value: (r) => r.divisionCode },
      ], rows);
    return { items: rows };
  });

  // --- 阅批 ---
  app.post('/leader-reviews', { schema: { tags: ['leaders'], summary: '阅批: a leader’s review and instruction on initial letters or online submissions', body: L.leaderReviewSchema, response: { 201: z.object({ id: z.string(), caseNos: z.array(z.string()) }), ...errorResponses(404, 422) } } }, async (req, reply) => {
    app.requirePermission(req, 'leaderDuties');
    notFuture(req.body.reviewedOn, 'reviewedOn');
    await loadLeader(req, req.body.leaderId);
    const matters = await loadMatters(req, req.body.caseNos);
    const channels = deps.config.LEADER_REVIEW_CHANNELS;
    const wrong = matters.filter((m) => !channels.includes(m.channel));
    if (wrong.length) throw new ServiceError(422, 'NotAnInitialLetter', `阅批 is of initial letters and online submissions (${channels.join(', ')}): ${wrong.map((m) => `${m.caseNo} came by ${m.channel}`).join('; ')}`);
    const id = `review-${randomUUID()}`;
    await db.transaction(async (tx) => {
      await tx.insert(leaderReviews).values({ id, leaderId: req.body.leaderId, reviewedOn: req.body.reviewedOn, instruction: req.body.instruction, recordedBy: req.principal.id });
      await tx.insert(leaderReviewMatters).values(matters.map((m) => ({ reviewId: id, caseNo: m.caseNo })));
    });
    return reply.status(201).send({ id, caseNos: matters.map((m) => m.caseNo) });
  });
  app.get('/leader-reviews', { schema: { tags: ['leaders'], summary: '阅批 records in a period and jurisdiction', querystring: periodQuery.extend({ format: formatQuery }), response: { 200: jsonOrTable(anyJson('阅批 records with their matters')), ...errorResponses(404) } } }, async (req, reply) => {
    app.requirePermission(req, 'read');
    const scope = resolveScope(app, req, req.query);
    const rows = (await db
      .select({ id: leaderReviews.id, leaderId: leaderReviews.leaderId, leader: leaders.name, reviewedOn: leaderReviews.reviewedOn, instruction: leaderReviews.instruction, caseNos: sql<string[]>`array_agg(${leaderReviewMatters.caseNo} order by ${leaderReviewMatters.caseNo})` })
      .from(leaderReviews)
      .innerJoin(leaders, eq(leaders.id, leaderReviews.leaderId))
      .innerJoin(leaderReviewMatters, eq(leaderReviewMatters.reviewId, leaderReviews.id))
      .innerJoin(petitions, eq(petitions.caseNo, leaderReviewMatters.caseNo))
      .where(and(gte(leaderReviews.reviewedOn, scope.from), lte(leaderReviews.reviewedOn, scope.to), inArray(petitions.divisionCode, scope.divisions)))
      .groupBy(leaderReviews.id, leaders.name)
      .orderBy(asc(leaderReviews.reviewedOn))) as { id: string; leaderId: string; leader: string; reviewedOn: string; instruction: string; caseNos: string[] }[];
    if (req.query.format !== 'json')
      return sendTable(reply, req.query.format, `leader-reviews-${scope.from}-${scope.to}`, [
        { header: 'leader', value: (r: (typeof rows)[number]) => r.leader },
        { header: 'reviewedOn', value: (r) => r.reviewedOn },
        { header: 'instruction', value: (r) => r.instruction },
        { header: 'caseNos', value: (r) => r.caseNos.join(' ') },
      ], rows);
    return { from: scope.from, to: scope.to, items: rows };
  });

  // --- reception days ---
  app.post('/reception-days', { schema: { tags: ['leaders'], summary: 'A leader’s reception day with the matters received (linked or registered on the spot)', body: L.receptionDaySchema, response: { 201: z.object({ id: z.string(), linked: z.array(z.string()), registered: z.array(z.string()) }), ...errorResponses(404, 409, 422) } } }, async (req, reply) => {
    app.requirePermission(req, 'leaderDuties');
    notFuture(req.body.heldOn, 'heldOn');
    const leader = await loadLeader(req, req.body.leaderId);
    const linked = await loadMatters(req, req.body.linked);
    const intakes = req.body.registered.map((b, i) => {
      const r = L.receptionIntake(b, leader.name, req.body.heldOn);
      if (!r.success) throw new ServiceError(400, 'InvalidInput', `registered[${i}]: ${r.error.issues.map((x) => `${x.path.join('.')}: ${x.message}`).join('; ')}`);
      return r.data;
    });
    if (intakes.length && !may(req.principal, 'register')) throw new ServiceError(403, 'Forbidden', `the role ${req.principal.role} may not register petitions on the spot`);
    for (const i of intakes) app.requireJurisdiction(req, { divisionCode: i.divisionCode });
    const [existing] = await db.select().from(receptionDays).where(and(eq(receptionDays.leaderId, leader.id), eq(receptionDays.heldOn, req.body.heldOn)));
    if (existing) throw new ServiceError(409, 'Conflict', `${leader.name} already has a reception day on ${req.body.heldOn} (${existing.id})`);
    const id = `reception-${leader.id}-${req.body.heldOn}`;
    await db.insert(receptionDays).values({ id, leaderId: leader.id, heldOn: req.body.heldOn, place: req.body.place, recordedBy: req.principal.id });
    if (linked.length) await db.insert(receptionMatters).values(linked.map((m) => ({ receptionId: id, caseNo: m.caseNo, how: 'linked' as const })));
    const registered = [];
    for (const [n, intake] of intakes.entries()) {
      // One Idempotency-Key per reception day and position: a retried request does not register twice.
      const r = await registerPetition({ db, temporal: deps.temporal, config: deps.config }, req.principal, intake, `${id}-${n}`);
      await db.insert(receptionMatters).values({ receptionId: id, caseNo: r.caseNo, how: 'registered' }).onConflictDoNothing();
      registered.push(r.caseNo);
    }
    return reply.status(201).send({ id, linked: linked.map((m) => m.caseNo), registered });
  });
  app.get('/reception-days/compliance', { schema: { tags: ['leaders'], summary: 'Each county-level leader’s reception days per month (≥1 a month)', querystring: periodQuery.extend({ format: formatQuery }), response: { 200: jsonOrTable(anyJson('each leader and month with the days held')), ...errorResponses(404) } } }, async (req, reply) => {
    app.requirePermission(req, 'read');
    const scope = resolveScope(app, req, req.query);
    const res = (await db.execute(sql`
      select l.id as leader_id, l.name, l.division_code, to_char(m, 'YYYY-MM') as month,
             (select count(*)::int from reception_days r where r.leader_id = l.id and r.held_on >= m::date and r.held_on < (m + interval '1 month')::date) as days
        from leaders l cross join generate_series(date_trunc('month', ${scope.from}::date), date_trunc('month', ${scope.to}::date), interval '1 month') m
       where l.level = 'county' and l.active and l.division_code in (${sql.join(scope.divisions.map((d) => sql`${d}`), sql`, `)})
       order by l.id, month`)) as unknown;
    const rows = (Array.isArray(res) ? res : (res as { rows: unknown[] }).rows) as { leader_id: string; name: string; division_code: string; month: string; days: number }[];
    const items = rows.map((r) => ({ leaderId: r.leader_id, name: r.name, divisionCode: r.division_code, month: r.month, days: Number(r.days), compliant: Number(r.days) >= 1 }));
    if (req.query.format !== 'json')
      return sendTable(reply, req.query.format, `reception-compliance-${scope.from}-${scope.to}`, [
        { header: 'leader', value: (r: (typeof items)[number]) => r.name },
        { header: 'divisionCode', value: (r) => r.divisionCode },
        { header: 'month', value: (r) => r.month },
        { header: 'days', value: (r) => r.days },
        { header: 'compliant', value: (r) => r.compliant },
      ], items);
    return { from: scope.from, to: scope.to, compliant: items.filter((i) => i.compliant).length, leaderMonths: items.length, items };
  });

  // --- group issues of the joint meeting ---
  async function loadIssue(req: FastifyRequest, id: string) {
    const [g] = await db.select().from(groupIssues).where(eq(groupIssues.id, id));
    if (!g) throw new ServiceError(404, 'NotFound', `no group issue ${id}`);
    app.requireJurisdiction(req, { divisionCode: g.divisionCode });
    return g;
  }
  async function issueView(id: string) {
    const [g] = await db.select().from(groupIssues).where(eq(groupIssues.id, id));
    const ms = await db.select().from(groupIssueMatters).where(eq(groupIssueMatters.issueId, id)).orderBy(asc(groupIssueMatters.caseNo));
    return { ...g!, topicLabel: L.groupTopicLabels[g!.topic as keyof typeof L.groupTopicLabels], matters: ms, decided: ms.filter((m) => m.batchId).length };
  }
  app.post('/group-issues', { schema: { tags: ['leaders'], summary: 'A joint-meeting group issue linking many matters', body: L.groupIssueSchema, response: { 201: anyJson('the group issue with its matters'), ...errorResponses(404) } } }, async (req, reply) => {
    app.requirePermission(req, 'leaderDuties');
    if (app.parentOf(req.body.divisionCode) === undefined) throw new ServiceError(404, 'NotFound', `no division ${req.body.divisionCode}`);
    app.requireJurisdiction(req, { divisionCode: req.body.divisionCode });
    const matters = await loadMatters(req, req.body.caseNos);
    const id = `group-${randomUUID()}`;
    await db.transaction(async (tx) => {
      await tx.insert(groupIssues).values({ id, topic: req.body.topic, title: req.body.title, divisionCode: req.body.divisionCode, openedBy: req.principal.id });
      if (matters.length) await tx.insert(groupIssueMatters).values(matters.map((m) => ({ issueId: id, caseNo: m.caseNo })));
    });
    return reply.status(201).send(await issueView(id));
  });
  app.post('/group-issues/:id/matters', { schema: { tags: ['leaders'], summary: 'Link more matters to a group issue', params: idParams, body: L.groupLinkSchema, response: { 200: anyJson('the group issue with its matters'), ...errorResponses(409) } } }, async (req) => {
    app.requirePermission(req, 'leaderDuties');
    const g = await loadIssue(req, req.params.id);
    if (g.status !== 'open') throw new ServiceError(409, 'IllegalState', 'the group issue is closed');
    const matters = await loadMatters(req, req.body.caseNos);
    await db.insert(groupIssueMatters).values(matters.map((m) => ({ issueId: g.id, caseNo: m.caseNo }))).onConflictDoNothing();
    return issueView(g.id);
  });
  app.post('/group-issues/:id/batches', { schema: { tags: ['leaders'], summary: 'Close a batch of the issue’s matters with one decision, recorded on each matter', params: idParams, body: L.groupBatchSchema, response: { 201: anyJson('the batch and the group issue'), ...errorResponses(409, 422) } } }, async (req, reply) => {
    app.requirePermission(req, 'leaderDuties');
    notFuture(req.body.decidedOn, 'decidedOn');
    const g = await loadIssue(req, req.params.id);
    if (g.status !== 'open') throw new ServiceError(409, 'IllegalState', 'the group issue is closed');
    const caseNos = [...new Set(req.body.caseNos)];
    const rows = await db.select().from(groupIssueMatters).where(and(eq(groupIssueMatters.issueId, g.id), inArray(groupIssueMatters.caseNo, caseNos)));
    const notLinked = caseNos.filter((c) => !rows.some((r) => r.caseNo === c));
    if (notLinked.length) throw new ServiceError(422, 'NotInIssue', `not matters of this issue: ${notLinked.join(', ')}`);
    const decided = rows.filter((r) => r.batchId);
    if (decided.length) throw new ServiceError(409, 'IllegalState', `already decided in an earlier batch: ${decided.map((r) => `${r.caseNo} (${r.batchId})`).join(', ')}`);
    const batchId = `batch-${randomUUID().slice(0, 8)}`;
    const now = new Date();
    await db.transaction(async (tx) => {
      await tx.update(groupIssueMatters).set({ batchId, decision: req.body.decision, decidedOn: req.body.decidedOn, decidedBy: req.principal.id }).where(and(eq(groupIssueMatters.issueId, g.id), inArray(groupIssueMatters.caseNo, caseNos), isNull(groupIssueMatters.batchId)));
      // The decision goes on each matter's timeline (one stream per issue and matter: written once).
      await tx
        .insert(events)
        .values(caseNos.map((caseNo) => ({ id: `${g.id}:${caseNo}:0`, caseNo, stream: `${g.id}:${caseNo}`, seq: 0, type: 'group_issue.decided', at: now, actor: req.principal.id, data: { issueId: g.id, topic: g.topic, batchId, decision: req.body.decision, decidedOn: req.body.decidedOn } })))
        .onConflictDoNothing();
      const [{ open }] = (await tx.select({ open: sql<number>`count(*)::int` }).from(groupIssueMatters).where(and(eq(groupIssueMatters.issueId, g.id), isNull(groupIssueMatters.batchId)))) as [{ open: number }];
      if (Number(open) === 0) await tx.update(groupIssues).set({ status: 'closed', closedAt: now }).where(eq(groupIssues.id, g.id));
    });
    return reply.status(201).send({ batchId, ...(await issueView(g.id)) });
  });
  app.get('/group-issues', { schema: { tags: ['leaders'], summary: 'Group issues in your jurisdiction', querystring: z.object({ status: z.enum(['open', 'closed']).optional(), format: formatQuery }), response: { 200: jsonOrTable(anyJson('the group issues with their counts')) } } }, async (req, reply) => {
    app.requirePermission(req, 'read');
    const conds = [req.principal.role === 'admin' ? undefined : inArray(groupIssues.divisionCode, app.divisionsUnder(req.principal.divisionCode ?? '-')), req.query.status ? eq(groupIssues.status, req.query.status) : undefined];
    const rows = (await db
      .select({ id: groupIssues.id, topic: groupIssues.topic, title: groupIssues.title, divisionCode: groupIssues.divisionCode, status: groupIssues.status, matters: sql<number>`(select count(*)::int from group_issue_matters m where m.issue_id = ${groupIssues.id})`, decided: sql<number>`(select count(*)::int from group_issue_matters m where m.issue_id = ${groupIssues.id} and m.batch_id is not null)` })
      .from(groupIssues)
      .where(and(...conds))
      .orderBy(asc(groupIssues.openedAt))) as { id: string; topic: string; title: string; divisionCode: string; status: string; matters: number; decided: number }[];
    if (req.query.format !== 'json')
      return sendTable(reply, req.query.format, 'group-issues', [
        { header: 'id', value: (r: (typeof rows)[number]) => r.id },
        { header: 'topic', value: (r) => L.groupTopicLabels[r.topic as keyof typeof L.groupTopicLabels] },
        { header: 'title', value: (r) => r.title },
        { header: 'status', value: (r) => r.status },
        { header: 'matters', value: (r) => r.matters },
        { header: 'decided', value: (r) => r.decided },
      ], rows);
    return { items: rows };
  });
  app.get('/group-issues/:id', { schema: { tags: ['leaders'], summary: 'A group issue with its matters', params: idParams, response: { 200: anyJson('the group issue with its matters') } } }, async (req) => {
    app.requirePermission(req, 'read');
    await loadIssue(req, req.params.id);
    return issueView(req.params.id);
  });
};
export default routes;
