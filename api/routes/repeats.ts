import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { and, desc, eq } from 'drizzle-orm';
import { petitions } from '../../db/schema';
import { petitionerSchema, type Intake } from '../../domain/petition';
import { petitionerKey } from '../../services/intake';
import { jurisdictionWhere } from '../repositories/matters';
import type { ApiDeps } from '../context';

const body = z.object({ idType: petitionerSchema.shape.idType, idNumber: z.string().trim().min(4).max(40) });
const answer = z.object({
  items: z.array(z.object({ caseNo: z.string(), status: z.string(), summary: z.string(), registeredAt: z.string() })),
});

/**
 * Possible repeats while a registrar types: the open matters in the caller's jurisdiction whose main petitioner has
 * this ID, found by the same hashed key intake uses. A POST so the ID number stays out of URLs and access logs.
 */
const routes: FastifyPluginAsyncZod<{ deps: ApiDeps }> = async (app, { deps }) => {
  const { db } = deps.database;
  app.post('/possible-repeats', { schema: { tags: ['petitions'], summary: 'Open matters of the petitioner with this ID (before registering)', body, response: { 200: answer } } }, async (req) => {
    app.requirePermission(req, 'register');
    const key = petitionerKey({ petitioners: [{ ...req.body, main: true }] } as Intake);
    if (!key) return { items: [] };
    const scope = jurisdictionWhere(app, req.principal, petitions);
    const rows = await db
      .select({ caseNo: petitions.caseNo, status: petitions.status, summary: petitions.summary, registeredAt: petitions.registeredAt })
      .from(petitions)
      .where(and(eq(petitions.petitionerKey, key), eq(petitions.open, true), scope))
      .orderBy(desc(petitions.registeredAt))
      .limit(10);
    return { items: rows.map((r) => ({ ...r, summary: r.summary.length > 80 ? `${r.summary.slice(0, 80)}…` : r.summary, registeredAt: r.registeredAt.toISOString() })) };
  });
};
export default routes;
