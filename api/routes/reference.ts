import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { asc } from 'drizzle-orm';
import { divisions, units } from '../../db/schema';
import type { ApiDeps } from '../context';

const reference = z.object({
  divisions: z.array(z.object({ code: z.string(), name: z.string(), level: z.string(), parentCode: z.string().nullable() })),
  units: z.array(z.object({ id: z.string(), name: z.string(), kind: z.string(), divisionCode: z.string(), leaderName: z.string().nullable() })),
});

/** Reference data the console's forms choose from: divisions (problem locations) and responsible units. */
const routes: FastifyPluginAsyncZod<{ deps: ApiDeps }> = async (app, { deps }) => {
  const { db } = deps.database;
  app.get('/reference', { schema: { tags: ['reference'], summary: 'Divisions and responsible units', response: { 200: reference } } }, async (req) => {
    app.requirePermission(req, 'read');
    const [d, u] = await Promise.all([db.select().from(divisions).orderBy(asc(divisions.code)), db.select().from(units).orderBy(asc(units.id))]);
    return { divisions: d, units: u };
  });
};
export default routes;
