import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { asc, eq } from 'drizzle-orm';
import { users } from '../../db/schema';
import { ServiceError } from '../../services/errors';
import type { ApiDeps } from '../context';
import { errorResponses } from '../responses';

/** Development login: a token for a seeded user. Off in production (AUTH_DEV_LOGIN=false). */
const routes: FastifyPluginAsyncZod<{ deps: ApiDeps }> = async (app, { deps }) => {
  if (!deps.config.AUTH_DEV_LOGIN) return;
  const devUser = z.object({ id: z.string(), name: z.string(), role: z.string(), divisionCode: z.string().nullable(), unitId: z.string().nullable() });
  app.get(
    '/auth/dev-users',
    {
      schema: {
        tags: ['auth'],
        security: [],
        description: 'The seeded development users, for the console\'s sign-in picker. Off with the development login.',
        response: { 200: z.object({ items: z.array(devUser) }) },
      },
    },
    async () => ({ items: await deps.database.db.select().from(users).orderBy(asc(users.role), asc(users.id)) }),
  );
  app.post(
    '/auth/dev-token',
    {
      schema: {
        tags: ['auth'],
        security: [],
        description: 'Issues a bearer token for a seeded development user (registrar-city, handler-liandu-housing, head-liandu-housing, supervisor-city, admin, …).',
        body: z.object({ userId: z.string().min(1) }),
        response: { 200: z.object({ token: z.string(), user: devUser }), ...errorResponses(404) },
      },
    },
    async (req) => {
      const [user] = await deps.database.db.select().from(users).where(eq(users.id, req.body.userId));
      if (!user) throw new ServiceError(404, 'NotFound', `no user ${req.body.userId}`);
      return { token: app.signToken(user.id), user };
    },
  );
};
export default routes;
