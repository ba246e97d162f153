import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { isoDate } from '../../domain/petition';
import { endOfShanghaiDay, startOfShanghaiDay } from '../../domain/dates';
import { listAudit, recordAudit, verifyAuditChain, type AuditFilter } from '../../services/audit';
import { sendTable, type Column } from '../export';
import type { ApiDeps } from '../context';
import { errorResponses } from '../responses';


/** Most rows one CSV export holds; narrow the filter (dates) for more. */
export const AUDIT_EXPORT_MAX = 50_000;

const entry = z.object({
  id: z.number(),
  seq: z.number(),
  at: z.string(),
  userId: z.string(),
  action: z.string(),
  caseNo: z.string().nullable(),
  detail: z.record(z.string(), z.unknown()).nullable(),
  prevHash: z.string(),
  hash: z.string(),
});
type Row = Awaited<ReturnType<typeof listAudit>>[number];
const wire = (r: Row) => ({ ...r, at: r.at.toISOString(), detail: r.detail ?? null });

const filterQuery = z.object({
  from: isoDate.optional().describe('first day (Asia/Shanghai), inclusive'),
  to: isoDate.optional().describe('last day (Asia/Shanghai), inclusive'),
  userId: z.string().min(1).max(64).optional(),
  action: z.string().min(1).max(64).regex(/^[a-z_.*]+$/).optional().describe('an action, or a prefix ending in .* (e.g. auth.*)'),
  caseNo: z.string().min(3).max(40).optional(),
});

const columns: Column<Row>[] = [
  { header: 'seq', value: (r) => r.seq },
  { header: 'id', value: (r) => r.id },
  { header: 'at', value: (r) => r.at.toISOString() },
  { header: 'user', value: (r) => r.userId },
  { header: 'action', value: (r) => r.action },
  { header: 'case_no', value: (r) => r.caseNo },
  { header: 'detail', value: (r) => (r.detail ? JSON.stringify(r.detail) : null) },
  { header: 'prev_hash', value: (r) => r.prevHash },
  { header: 'hash', value: (r) => r.hash },
];

const verifyReport = z.object({
  ok: z.boolean(),
  rows: z.number(),
  firstSeq: z.number().nullable(),
  lastSeq: z.number().nullable(),
  headHash: z.string().nullable(),
  broken: z.object({ id: z.number(), seq: z.number(), reason: z.string() }).optional(),
});

/** The audit log for admins (issue 10, item 8): filtered pages, CSV export (itself audited), and chain verification. */
const routes: FastifyPluginAsyncZod<{ deps: ApiDeps }> = async (app, { deps }) => {
  const { db } = deps.database;
  const filterOf = (q: z.output<typeof filterQuery>): AuditFilter => ({
    from: q.from ? new Date(startOfShanghaiDay(q.from)) : undefined,
    to: q.to ? new Date(endOfShanghaiDay(q.to)) : undefined,
    userId: q.userId,
    action: q.action,
    caseNo: q.caseNo,
  });

  app.get(
    '/admin/audit',
    {
      schema: {
        tags: ['admin'],
        summary: 'The audit log, newest first, filtered and paged; format=csv exports every matching row (admin)',
        description: `Pages by seq: pass nextBefore as before for the next page. format=csv answers every row that matches (at most ${AUDIT_EXPORT_MAX}) with its chain hashes, and writes audit.exported.`,
        querystring: filterQuery.extend({
          before: z.coerce.number().int().min(1).optional(),
          pageSize: z.coerce.number().int().min(1).max(500).default(100),
          format: z.enum(['json', 'csv']).default('json'),
        }),
        response: { 200: z.object({ items: z.array(entry), nextBefore: z.number().nullable() }), ...errorResponses(400) },
      },
    },
    async (req, reply) => {
      app.requirePermission(req, 'admin');
      const f = { ...filterOf(req.query), before: req.query.before };
      if (req.query.format === 'csv') {
        const rows = await listAudit(db, f, AUDIT_EXPORT_MAX);
        await recordAudit(db, { userId: req.principal.id, action: 'audit.exported', detail: { filter: { ...req.query, format: undefined }, rows: rows.length, ip: req.ip } });
        return sendTable(reply, 'csv', `audit-log-${new Date().toISOString().slice(0, 10)}`, columns, rows);
      }
      const rows = await listAudit(db, f, req.query.pageSize + 1);
      const more = rows.length > req.query.pageSize;
      const page = rows.slice(0, req.query.pageSize);
      return { items: page.map(wire), nextBefore: more ? page[page.length - 1]!.seq : null };
    },
  );

  app.get(
    '/admin/audit/verify',
    {
      schema: {
        tags: ['admin'],
        summary: 'Walks the hash chain of the audit log and reports the first broken row (admin)',
        description: 'The same check as `npm run audit:verify`. ok=false names the first row (id, seq) where the chain does not hold and why.',
        response: { 200: verifyReport, ...errorResponses(400) },
      },
    },
    async (req) => {
      app.requirePermission(req, 'admin');
      return verifyAuditChain(db);
    },
  );
};
export default routes;
