import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { and, asc, eq, gte, ilike, lt, or, sql, type SQL } from 'drizzle-orm';
import { auditLog, deadlines, events, notices, petitions, submissions, type StoredPetitioner } from '../../db/schema';
import { intakeSchema, isOpen, statuses, channels } from '../../domain/petition';
import { unitRoles } from '../../domain/access';
import { maskEventData, maskPetitioners, maskPetitionState } from '../../domain/masking';
import { answerWithPersonalData, personalDataQuery, wantsFullRecord } from '../personal-data';
import { describeDeadline } from '../../domain/deadline';
import { endOfShanghaiDay, startOfShanghaiDay } from '../../domain/dates';
import { isoDate } from '../../domain/petition';
import { registerPetition } from '../../services/intake';
import { loadMatter } from '../repositories/matters';
import { ascKey, boundedCount, cursorOf, decodeCursor, descKey, divisionScope, EXACT_COUNT_UP_TO, MAX_OFFSET, pageRows, pagingQuery, searchCount, type Sort } from '../paging';
import { ServiceError } from '../../services/errors';
import { stateQuery } from '../../workflows/messages';
import type { ApiDeps } from '../context';
import { formatQuery, jsonOrTable, sendTable, type Column } from '../export';
import { errorResponses } from '../responses';
import { intakeResult, matterDetail, matterList, petitionStateRead } from '../schemas';
import { booleanQuery, caseParams } from '../params';
import { temporalCall } from '../../services/temporal-calls';


const listQuery = z.object({
  status: z
    .string()
    .optional()
    .transform((s) => (s ? s.split(',') : undefined))
    .pipe(z.array(z.enum(statuses)).optional()),
  divisionCode: z.string().max(20).optional(),
  unitId: z.string().max(60).optional(),
  channel: z.enum(channels).optional(),
  overdue: booleanQuery.optional(),
  open: booleanQuery.optional(),
  from: isoDate.optional().describe('registered on or after (Asia/Shanghai date)'),
  to: isoDate.optional().describe('registered on or before (Asia/Shanghai date)'),
  q: z.string().min(1).max(100).optional().describe('text in the case number or summary'),
  sort: z.enum(['deadline', 'registered']).default('deadline'),
  ...pagingQuery,
  format: formatQuery.describe('json (default), or the page as a csv or xlsx file'),
});

type ListItem = { caseNo: string; status: string; channel: string; divisionCode: string; unitId: string | null; category: string; summary: string; petitioners: { name: string; main: boolean }[]; personsCount: number; registeredAt: string; currentDeadline: { key: string; dueAt: string | null } | null; overdue: boolean };
/** The list as a table (CSV/XLSX): what the page shows, personal data masked as in the list. */
const exportColumns: Column<ListItem>[] = [
  { header: '信访件编号', value: (r) => r.caseNo },
  { header: '状态', value: (r) => r.status },
  { header: '渠道', value: (r) => r.channel },
  { header: '问题属地', value: (r) => r.divisionCode },
  { header: '承办单位', value: (r) => r.unitId },
  { header: '内容分类', value: (r) => r.category },
  { header: '主访人', value: (r) => (r.petitioners.find((p) => p.main) ?? r.petitioners[0])?.name },
  { header: '人数', value: (r) => r.personsCount },
  { header: '摘要', value: (r) => r.summary },
  { header: '登记时间', value: (r) => r.registeredAt },
  { header: '当前期限', value: (r) => r.currentDeadline?.key },
  { header: '到期', value: (r) => r.currentDeadline?.dueAt },
  { header: '超期', value: (r) => (r.overdue ? '是' : '否') },
];

/** The list orders; each ends with the case number so that a cursor is exact, and each has indexes that serve it. */
const sorts: Record<'deadline' | 'registered', Sort> = {
  deadline: { name: 'deadline', keys: [descKey(petitions.open, 'bool'), ascKey(petitions.currentDueAt, 'time'), descKey(petitions.registeredAt, 'time'), descKey(petitions.caseNo, 'text')] },
  registered: { name: 'registered', keys: [descKey(petitions.registeredAt, 'time'), descKey(petitions.caseNo, 'text')] },
};

/** The columns a list item shows (not the state snapshot, which would make every page read kilobytes per row). */
const listColumns = {
  caseNo: petitions.caseNo,
  status: petitions.status,
  channel: petitions.channel,
  source: petitions.source,
  divisionCode: petitions.divisionCode,
  unitId: petitions.unitId,
  category: petitions.category,
  summary: petitions.summary,
  petitioners: petitions.petitioners,
  personsCount: petitions.personsCount,
  receivedAt: petitions.receivedAt,
  registeredAt: petitions.registeredAt,
  currentDeadlineKey: petitions.currentDeadlineKey,
  currentDueAt: petitions.currentDueAt,
  overdue: petitions.overdue,
  open: petitions.open,
};
const cursorFields = { deadline: ['open', 'currentDueAt', 'registeredAt', 'caseNo'], registered: ['registeredAt', 'caseNo'] };

const routes: FastifyPluginAsyncZod<{ deps: ApiDeps }> = async (app, { deps }) => {
  const { db } = deps.database;

  app.post(
    '/petitions',
    {
      schema: {
        tags: ['petitions'],
        summary: 'Register a petition (or link a submission to an open matter) and start its workflow',
        headers: z.object({ 'idempotency-key': z.string().min(8).max(200).optional() }).passthrough(),
        body: intakeSchema,
        response: {
          200: intakeResult.describe('linked to an open matter (or a retry with the same Idempotency-Key)'),
          201: intakeResult.describe('registered; its workflow started'),
          ...errorResponses(404),
        },
      },
    },
    async (req, reply) => {
      app.requirePermission(req, 'register');
      const p = req.principal;
      // Unknown for everyone, admin included (parentOf is undefined only for codes not in the divisions table;
      // an admin used to reach the insert and get a 500 from the foreign key).
      if (app.parentOf(req.body.divisionCode) === undefined)
        throw new ServiceError(400, 'InvalidInput', `unknown division ${req.body.divisionCode}`, { divisionCode: 'unknown division code' });
      app.requireJurisdiction(req, { divisionCode: req.body.divisionCode });
      if (req.body.linkToCaseNo) await loadMatter(app, db, req, req.body.linkToCaseNo);
      const result = await registerPetition({ db, temporal: deps.temporal, config: deps.config }, p, req.body, req.headers['idempotency-key']);
      return reply.status(result.outcome === 'registered' ? 201 : 200).send(result);
    },
  );

  app.get(
    '/petitions',
    {
      schema: {
        tags: ['petitions'],
        summary: 'List matters in your jurisdiction (personal data masked)',
        description:
          `Offset pages (page, pageSize) for the first ${MAX_OFFSET} rows; every response has nextCursor (null on the last page), ` +
          'and ?cursor=<nextCursor> gives the next page at any depth in constant time. total is exact up to ' +
          `${EXACT_COUNT_UP_TO} matters; beyond, the planner's estimate, with totalExact false.`,
        querystring: listQuery,
        response: { 200: jsonOrTable(matterList) },
      },
    },
    async (req, reply) => {
      app.requirePermission(req, 'read');
      const q = req.query;
      const p = req.principal;
      const sort = sorts[q.sort];
      if (q.cursor && q.page !== 1) throw new ServiceError(400, 'InvalidInput', 'give either page or cursor', { page: 'must be 1 with a cursor' });
      const offset = (q.page - 1) * q.pageSize;
      if (offset > MAX_OFFSET) throw new ServiceError(400, 'InvalidInput', `page ${q.page} is deeper than ${MAX_OFFSET} rows: follow nextCursor`, { page: `at most ${Math.floor(MAX_OFFSET / q.pageSize) + 1} at this pageSize` });
      const after = q.cursor ? decodeCursor(sort, q.cursor) : undefined;

      const where: SQL[] = [];
      const scopes: SQL[][] = [];
      // The jurisdiction and the division filter together, as the divisions an index serves (api/paging.ts).
      let divisionsAllowed: string[] | undefined;
      if (p.role !== 'admin' && unitRoles.includes(p.role)) where.push(eq(petitions.unitId, p.unitId ?? '-'));
      else if (p.role !== 'admin') divisionsAllowed = app.divisionsUnder(p.divisionCode ?? '-');
      if (q.divisionCode) {
        const under = new Set(app.divisionsUnder(q.divisionCode));
        divisionsAllowed = (divisionsAllowed ?? app.allDivisions()).filter((c) => under.has(c));
      }
      if (divisionsAllowed) {
        const d = divisionScope(petitions.divisionCode, divisionsAllowed, app.allDivisions());
        if (d.where) where.push(d.where);
        if (d.scopes) scopes.push(d.scopes);
      }
      if (q.status) {
        // One piece per status, each in order by petitions_status_deadline_idx; open follows from the statuses.
        const st = [...new Set(q.status)];
        scopes.push(st.map((x) => eq(petitions.status, x)));
        if (st.every((x) => isOpen(x))) where.push(eq(petitions.open, true));
        else if (st.every((x) => !isOpen(x))) where.push(eq(petitions.open, false));
      }
      if (q.unitId) where.push(eq(petitions.unitId, q.unitId));
      if (q.channel) where.push(eq(petitions.channel, q.channel));
      if (q.overdue !== undefined) where.push(eq(petitions.overdue, q.overdue));
      if (q.open !== undefined) where.push(eq(petitions.open, q.open));
      if (q.from) where.push(gte(petitions.registeredAt, new Date(startOfShanghaiDay(q.from))));
      if (q.to) where.push(lt(petitions.registeredAt, new Date(endOfShanghaiDay(q.to))));
      if (q.q) {
        const like = `%${q.q.replace(/[%_\\]/g, (c) => `\\${c}`)}%`;
        // Every bigram of the term (the GIN index finds the candidates), then the exact text. The text test comes
        // first: where rows are filtered one by one (a search's sample, api/paging.ts), it rejects most rows more
        // cheaply than the array containment, which must read each row's bigrams.
        where.push(or(ilike(petitions.caseNo, like), ilike(petitions.summary, like))!);
        if ([...q.q].length >= 2) where.push(sql`${petitions.searchBigrams} @> text_bigrams(${q.q})`);
      }
      const cond = where.length ? and(...where) : undefined;
      const pieces = scopes.reduce<SQL[]>((acc, alternatives) => acc.flatMap((a) => alternatives.map((b) => and(a, b)!)), [sql`true`]);
      const countWhere = and(cond, ...scopes.map((alternatives) => or(...alternatives) ?? sql`false`));
      const page = (inOrder: boolean) =>
        pageRows<{ [K in keyof typeof listColumns]: (typeof petitions.$inferSelect)[K] }>({
          query: (w, tx) => (tx ?? db).select(listColumns).from(petitions).where(w),
          where: cond,
          scopes: scopes.length ? pieces : undefined,
          sort,
          after,
          offset,
          limit: q.pageSize + 1,
          inOrder: inOrder ? { db } : undefined,
        });
      // A search term: its count first tells a common term (read in index order, the page is met at once) from a rare
      // one (collect its few matches by the bigram index and sort them); the planner cannot tell them apart.
      const [rows, count] = q.q
        ? await searchCount(db, petitions, countWhere).then(async (c) => [await page(c.common), c] as const)
        : await Promise.all([page(false), boundedCount(db, sql`${petitions}`, countWhere)]);
      const more = rows.length > q.pageSize;
      const items = rows.slice(0, q.pageSize);
      const body = {
        page: q.cursor ? null : q.page,
        pageSize: q.pageSize,
        total: count.total,
        totalExact: count.exact,
        nextCursor: more ? cursorOf(sort, items[items.length - 1]!, cursorFields[q.sort]) : null,
        items: items.map((r) => ({
          caseNo: r.caseNo,
          status: r.status,
          channel: r.channel,
          source: r.source,
          divisionCode: r.divisionCode,
          unitId: r.unitId,
          category: r.category,
          summary: r.summary.length > 120 ? `${r.summary.slice(0, 120)}…` : r.summary,
          petitioners: maskPetitioners(r.petitioners),
          personsCount: r.personsCount,
          receivedAt: new Date(r.receivedAt).toISOString(),
          registeredAt: new Date(r.registeredAt).toISOString(),
          currentDeadline: r.currentDeadlineKey ? { key: r.currentDeadlineKey, dueAt: r.currentDueAt ? new Date(r.currentDueAt).toISOString() : null } : null,
          overdue: r.overdue,
          open: r.open,
        })),
      };
      if (q.format !== 'json') return sendTable(reply, q.format, 'petitions', exportColumns, body.items);
      return body;
    },
  );

  const detailQuery = z.object({
    personalData: z.enum(['full', 'masked']).default('full').describe("masked: petitioners' personal data masked as in lists, the timeline's names masked and free text withheld, and the read is not audited"),
  });
  app.get('/petitions/:caseNo', { schema: { tags: ['petitions'], summary: 'A matter with its full record and timeline (read audited unless masked)', params: caseParams, querystring: detailQuery, response: { 200: matterDetail } } }, async (req) => {
    app.requirePermission(req, 'read');
    const row = await loadMatter(app, db, req, req.params.caseNo);
    const masked = req.query.personalData === 'masked';
    const [timeline, dls, docs, subs] = await Promise.all([
      db.select().from(events).where(eq(events.caseNo, row.caseNo)).orderBy(asc(events.seq)),
      db.select().from(deadlines).where(eq(deadlines.caseNo, row.caseNo)).orderBy(asc(deadlines.dueAt)),
      db.select({ id: notices.id, kind: notices.kind, title: notices.title, issuedAt: notices.issuedAt, legalBasis: notices.legalBasis }).from(notices).where(eq(notices.caseNo, row.caseNo)).orderBy(asc(notices.issuedAt)),
      db.select().from(submissions).where(eq(submissions.caseNo, row.caseNo)).orderBy(asc(submissions.receivedAt)),
    ]);
    // PIPL: every read of full personal data is recorded.
    if (!masked) await db.insert(auditLog).values({ userId: req.principal.id, action: 'read_petition', caseNo: row.caseNo, detail: { ip: req.ip } });
    const { state, ...rest } = row;
    return {
      ...rest,
      ...(masked ? { petitioners: maskPetitioners(row.petitioners), personalData: 'masked' as const } : { personalData: 'full' as const }),
      tasks: state?.tasks ?? [],
      deadlines: dls.map((d) => ({ ...d, description: describeDeadline({ ...d, dueAt: d.dueAt.toISOString(), days: d.policy.days }) })),
      // The timeline's entries carry what people wrote (notes, reasons, meeting participants): masked with the rest.
      timeline: masked ? timeline.map((e) => ({ ...e, data: maskEventData(e.data) })) : timeline,
      notices: docs,
      // A linked submission's petitioners are personal data too: masked with the rest.
      submissions: subs.map((x) => ({ ...x, petitioners: masked ? maskPetitioners(x.petitioners as StoredPetitioner[]) : (x.petitioners as StoredPetitioner[]) })),
    };
  });

  // The live state carries what people wrote (meeting participants and notes, reasons, reply texts, review grounds):
  // masked unless asked for in full, and a full read is audited like the full record's (api/personal-data.ts, as the
  // commands' answers).
  app.get('/petitions/:caseNo/state', { schema: { tags: ['petitions'], summary: "The matter's live state, from its workflow (masked unless personalData=full, which is audited)", params: caseParams, querystring: personalDataQuery(), response: { 200: petitionStateRead } } }, async (req) => {
    app.requirePermission(req, 'read');
    const full = wantsFullRecord(app, req);
    const row = await loadMatter(app, db, req, req.params.caseNo);
    const state = await temporalCall(deps, `the state of ${row.caseNo}`, () => deps.temporal.workflow.getHandle(row.workflowId).query(stateQuery));
    return answerWithPersonalData(db, req, full, state, maskPetitionState, { action: 'read_petition_state', caseNo: row.caseNo });
  });
};

export default routes;
