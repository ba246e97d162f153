import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { eq } from 'drizzle-orm';
import { notices } from '../../db/schema';
import { ServiceError } from '../../services/errors';
import type { ApiDeps } from '../context';
import { htmlPage } from '../responses';
import { notice } from '../schemas';

import { noticeParams } from '../params';
import { loadMatter } from '../repositories/matters';
import { noticeHtml } from '../notice-html';

/** Written notices in a matter's dossier, as data and as a printable page. */
const routes: FastifyPluginAsyncZod<{ deps: ApiDeps }> = async (app, { deps }) => {
  const { db } = deps.database;
  async function load(req: Parameters<typeof app.requirePermission>[0], id: string) {
    app.requirePermission(req, 'read');
    const [n] = await db.select().from(notices).where(eq(notices.id, id));
    if (!n) throw new ServiceError(404, 'NotFound', `no notice ${id}`);
    await loadMatter(app, db, req, n.caseNo);
    return n;
  }
  app.get('/notices/:id', { schema: { tags: ['notices'], summary: 'A written notice of a matter', params: noticeParams, response: { 200: notice } } }, async (req) => load(req, req.params.id));
  app.get('/notices/:id/print', { schema: { tags: ['notices'], summary: 'The notice as a printable HTML document', params: noticeParams, response: { 200: htmlPage('the notice, ready to print') } } }, async (req, reply) => {
    const n = await load(req, req.params.id);
    return reply.type('text/html; charset=utf-8').send(noticeHtml(n));
  });
};
export default routes;
