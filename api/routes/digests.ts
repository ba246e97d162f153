import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { WorkflowNotFoundError } from '@temporalio/client';
import { and, desc, eq, like } from 'drizzle-orm';
import { digests, listings, tasks, weeklyExplanations } from '../../db/schema';
import { isoDate } from '../../domain/petition';
import { measureByKey } from '../../domain/measures';
import { listingSubjectLabels, sweepKinds, sweepLabels, type ListedEntry, type ListingSubject, type RankedDivision, type RankedUnit } from '../../domain/sweeps';
import { scheduleIdFor } from '../../services/schedules';
import { ServiceError } from '../../services/errors';
import { executeCommand, idempotencyHeader, temporalCall } from '../../services/temporal-calls';
import { remediationUpdate } from '../../workflows/sweeps';
import { formatQuery, jsonOrTable, sendTable } from '../export';
import { periodQuery, resolveScope } from '../scope';
import { listingRanks, type RankEntry } from '../../read-model/listing';
import { loadMatter } from '../repositories/matters';
import type { ApiDeps } from '../context';
import { anyJson, errorResponses, htmlPage } from '../responses';
import { idParams } from '../params';


const esc = (s: unknown) => String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** The scheduled sweeps' digests, the schedules' recent runs, 周周结 explanations, 挂牌 listings and the printable 督查通报. */
const routes: FastifyPluginAsyncZod<{ deps: ApiDeps }> = async (app, { deps }) => {
  const { db } = deps.database;

  app.get('/digests', { schema: { tags: ['sweeps'], summary: 'Digests written by the scheduled sweeps, newest first', querystring: z.object({ kind: z.enum(sweepKinds).optional(), limit: z.coerce.number().int().min(1).max(200).default(20), format: formatQuery }), response: { 200: jsonOrTable(anyJson('the digests')) } } }, async (req, reply) => {
    app.requirePermission(req, 'readMeasures');
    const rows = await db.select().from(digests).where(req.query.kind ? eq(digests.kind, req.query.kind) : undefined).orderBy(desc(digests.createdAt)).limit(req.query.limit);
    if (req.query.format !== 'json')
      return sendTable(reply, req.query.format, 'digests', [
        { header: 'id', value: (r: (typeof rows)[number]) => r.id },
        { header: 'kind', value: (r) => sweepLabels[r.kind] },
        { header: 'periodStart', value: (r) => r.periodStart },
        { header: 'periodEnd', value: (r) => r.periodEnd },
        { header: 'createdAt', value: (r) => r.createdAt.toISOString() },
        { header: 'counts', value: (r) => JSON.stringify((r.body as { counts?: unknown }).counts ?? null) },
      ], rows);
    return { items: rows };
  });

  app.get('/digests/:id', { schema: { tags: ['sweeps'], summary: 'One digest', params: idParams, response: { 200: anyJson('the digest') } } }, async (req) => {
    app.requirePermission(req, 'readMeasures');
    const [d] = await db.select().from(digests).where(eq(digests.id, req.params.id));
    if (!d) throw new ServiceError(404, 'NotFound', `no digest ${req.params.id}`);
    return d;
  });

  app.get('/digests/:id/report', { schema: { tags: ['sweeps'], summary: 'The printable 督查通报 of a quarterly digest (HTML)', params: idParams, response: { 200: htmlPage('the report, ready to print'), ...errorResponses(409) } } }, async (req, reply) => {
    app.requirePermission(req, 'readMeasures');
    const [d] = await db.select().from(digests).where(eq(digests.id, req.params.id));
    if (!d) throw new ServiceError(404, 'NotFound', `no digest ${req.params.id}`);
    if (d.kind !== 'quarterly') throw new ServiceError(409, 'IllegalState', '督查通报 is the report of a quarterly listing');
    const b = d.body as { quarter: string; from: string; to: string; ranking: RankedDivision[]; unitRanking?: RankedUnit[]; listed: ListedEntry[]; weights: Record<string, { weight: number }> };
    const keys = Object.keys(b.weights);
    const name = (k: string) => measureByKey(k)?.name ?? k;
    const isListed = (subject: ListingSubject, id: string) => b.listed.some((l) => (l.subject ?? 'division') === subject && (subject === 'unit' ? l.unitId : l.divisionCode) === id);
    const table = (subject: ListingSubject, rows: (RankedDivision | RankedUnit)[]) => `<h2>${esc(listingSubjectLabels[subject])}排名</h2>
<table><thead><tr><th>排名</th><th>${subject === 'unit' ? '单位' : '地区'}</th><th>得分</th>${keys.map((k) => `<th>${esc(name(k))}</th>`).join('')}</tr></thead><tbody>
${rows.map((r) => `<tr class="${isListed(subject, subject === 'unit' ? (r as RankedUnit).unitId : r.divisionCode) ? 'listed' : ''}"><td>${r.rank}</td><td>${esc(r.name)}</td><td>${r.score.toFixed(4)}</td>${keys.map((k) => `<td>${r.parts[k]?.value ?? '—'}</td>`).join('')}</tr>`).join('\n')}
</tbody></table>`;
    const html = `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>督查通报 ${esc(b.quarter)}</title>
<style>body{font-family:"Noto Serif CJK SC","Songti SC",serif;margin:2cm}h1{text-align:center;font-size:22pt}table{border-collapse:collapse;width:100%}td,th{border:1px solid #000;padding:4px;font-size:10pt}.listed{font-weight:bold}@media print{a{display:none}}</style></head><body>
<h1>信访工作督查通报</h1><p style="text-align:center">${esc(b.quarter)}（${esc(b.from)} 至 ${esc(b.to)}）</p>
<p>根据丽委办发〔2018〕51号文件要求，现将本季度各县（市、区）和市级责任单位信访工作加权排名情况通报如下。权重：${keys.map((k) => `${esc(name(k))} ${b.weights[k]!.weight}`).join('，')}。</p>
${table('division', b.ranking)}
${b.unitRanking ? table('unit', b.unitRanking) : ''}
<h2>挂牌督办</h2>${b.listed.length ? `<ul>${b.listed.map((l) => `<li>${esc(l.name)}（${esc(listingSubjectLabels[l.subject ?? 'division'])}第${l.rank}名，得分${l.score.toFixed(4)}）：挂牌督办，须于${esc(l.dueDate)}前完成整改并书面报告；整改不力的，由市领导约谈。</li>`).join('')}</ul>` : '<p>本季度无挂牌单位。</p>'}
<p style="text-align:right">丽水市信访工作联席会议办公室</p></body></html>`;
    return reply.type('text/html; charset=utf-8').send(html);
  });

  app.get('/schedules', { schema: { tags: ['sweeps'], summary: 'The sweeps’ schedules: next runs and the recent runs with their outcome', response: { 200: anyJson('each schedule with its next and recent runs') } } }, async (req) => {
    app.requirePermission(req, 'readMeasures');
    // One deadline for the whole answer (services/temporal-calls.ts): a frozen Temporal gives 503, not a hung request.
    const items = await temporalCall(deps, 'the sweeps’ schedules', async () => {
      const out = [];
      for (const kind of sweepKinds) {
        const d = await deps.temporal.schedule.getHandle(scheduleIdFor(kind)).describe();
        const recent = [];
        for (const a of d.info.recentActions.slice(-10)) {
          const wid = a.action.workflow.workflowId;
          let status = 'unknown';
          try {
            status = (await deps.temporal.workflow.getHandle(wid, a.action.workflow.firstExecutionRunId).describe()).status.name;
          } catch (err) {
            // A run the server no longer keeps; anything else (Temporal away, the deadline) answers for the request.
            if (!(err instanceof WorkflowNotFoundError)) throw err;
            status = 'not found';
          }
          recent.push({ scheduledAt: a.scheduledAt.toISOString(), takenAt: a.takenAt.toISOString(), workflowId: wid, status });
        }
        out.push({ kind, label: sweepLabels[kind], scheduleId: scheduleIdFor(kind), timezone: d.spec.timezone, paused: d.state.paused, nextActionTimes: d.info.nextActionTimes.slice(0, 3).map((t) => t.toISOString()), recent });
      }
      return out;
    });
    return { items };
  });

  app.post(
    '/weekly-explanations',
    { schema: { tags: ['sweeps'], summary: '周周结: the unit’s written explanation for an item due this week and not closed', body: z.object({ weekStart: isoDate, caseNo: z.string().min(3).max(40), deadlineId: z.string().min(1).max(100), explanation: z.string().min(5).max(5000) }), response: { 201: z.object({ recorded: z.literal(true) }), ...errorResponses(404) } } },
    async (req, reply) => {
      app.requirePermission(req, 'reply');
      const m = await loadMatter(app, db, req, req.body.caseNo);
      const taskKey = `sweep:weekly:${req.body.weekStart}:${m.caseNo}:${req.body.deadlineId}`;
      const [t] = await db.select().from(tasks).where(and(eq(tasks.caseNo, taskKey), eq(tasks.kind, 'weekly_explanation')));
      if (!t) throw new ServiceError(404, 'NotFound', `no explanation is asked for ${m.caseNo} ${req.body.deadlineId} in the week of ${req.body.weekStart}`);
      await db.transaction(async (tx) => {
        await tx.insert(weeklyExplanations).values({ ...req.body, caseNo: m.caseNo, by: req.principal.id }).onConflictDoUpdate({ target: [weeklyExplanations.weekStart, weeklyExplanations.caseNo, weeklyExplanations.deadlineId], set: { explanation: req.body.explanation, by: req.principal.id, at: new Date() } });
        await tx.delete(tasks).where(eq(tasks.caseNo, taskKey));
      });
      return reply.status(201).send({ recorded: true });
    },
  );

  app.get('/listings', { schema: { tags: ['sweeps'], summary: '挂牌督办 listings', querystring: z.object({ quarter: z.string().max(10).optional() }), response: { 200: anyJson('the listings') } } }, async (req) => {
    app.requirePermission(req, 'readMeasures');
    return { items: await db.select().from(listings).where(req.query.quarter ? like(listings.quarter, req.query.quarter) : undefined).orderBy(desc(listings.quarter), listings.rank) };
  });

  app.get(
    '/listings/ranks',
    {
      schema: {
        tags: ['sweeps'],
        summary: '挂牌督办 ranking: each county’s and responsible unit’s rank and score per quarter (quarters ending in the period)',
        querystring: periodQuery.extend({
          subject: z.enum(['division', 'unit']).optional().describe('one table: counties (division) or responsible units (unit)'),
          id: z.string().min(1).max(60).optional().describe('one county (division code) or unit (unit id)'),
          format: formatQuery,
        }),
        response: { 200: jsonOrTable(anyJson('each quarter’s rank, score and parts per county or unit')), ...errorResponses(404) },
      },
    },
    async (req, reply) => {
      app.requirePermission(req, 'readMeasures');
      const scope = resolveScope(app, req, req.query);
      // Within the caller's jurisdiction: a county sees its own rows (with their rank among all); the city sees all.
      const items = (await listingRanks(db, { from: scope.from, to: scope.to, subject: req.query.subject, id: req.query.id })).filter((r) => scope.divisions.includes(r.divisionCode));
      if (req.query.format !== 'json')
        return sendTable(reply, req.query.format, `listing-ranks-${scope.divisionCode}-${scope.from}-${scope.to}`, [
          { header: 'quarter', value: (r: RankEntry) => r.quarter },
          { header: 'table', value: (r) => listingSubjectLabels[r.subject] },
          { header: 'id', value: (r) => r.id },
          { header: 'name', value: (r) => r.name },
          { header: 'rank', value: (r) => r.rank },
          { header: 'of', value: (r) => r.of },
          { header: 'score', value: (r) => r.score },
          { header: 'listed', value: (r) => r.listed },
        ], items);
      return { from: scope.from, to: scope.to, divisionCode: scope.divisionCode, items };
    },
  );

  app.post('/listings/:id/remediation', { schema: { tags: ['sweeps'], summary: 'The listed county’s or unit’s rectification report, accepted by the bureau', params: idParams, headers: idempotencyHeader, body: z.object({ report: z.string().min(5).max(10_000) }), response: { 200: anyJson('the listing’s new state'), ...errorResponses(409, 422) } } }, async (req) => {
    app.requirePermission(req, 'readMeasures');
    const [l] = await db.select().from(listings).where(eq(listings.id, req.params.id));
    if (!l) throw new ServiceError(404, 'NotFound', `no listing ${req.params.id}`);
    app.requireJurisdiction(req, l);
    const { id, role, unitId } = req.principal;
    // Under the Idempotency-Key: a retry after a 503 is the same Update and applies once; the key with another report → 422.
    return executeCommand({ ...deps, db }, deps.temporal.workflow.getHandle(`listing-${l.id}`), remediationUpdate, [{ report: req.body.report, actor: { id, role, unitId } }], {
      caseNo: `listing-${l.id}`,
      userId: id,
      idempotencyKey: req.headers['idempotency-key'],
      scope: `listing.remediation:${l.id}`,
      body: req.body,
    });
  });
};
export default routes;
