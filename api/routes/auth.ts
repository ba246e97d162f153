import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { asc, eq } from 'drizzle-orm';
import { users } from '../../db/schema';
import { ServiceError } from '../../services/errors';
import { login, LoginRefused } from '../../services/users';
import type { ApiDeps } from '../context';
import { errorResponses } from '../responses';

/** The error handler's body (api/errors.ts). */

const signedInUser = z.object({ id: z.string(), name: z.string(), role: z.string(), divisionCode: z.string().nullable(), unitId: z.string().nullable() });

/**
 * Sign-in with a password (POST /auth/login, always on), and the development login: a token for a seeded user,
 * off outside development (AUTH_DEV_LOGIN=false). Both are rate-limited per client address (api/plugins/hardening.ts).
 */
const routes: FastifyPluginAsyncZod<{ deps: ApiDeps }> = async (app, { deps }) => {
  app.post(
    '/auth/login',
    {
      schema: {
        tags: ['auth'],
        security: [],
        summary: 'Sign in with a user name and password → a bearer token',
        description:
          `A bearer token (HS256, the same as every token of this API, expiring after TOKEN_TTL_MINUTES, at most 8 h). A wrong user name or password → 401, the same for both. ` +
          `After LOGIN_MAX_FAILURES (default 5) failures in a row the name is locked for LOGIN_LOCK_MINUTES (default 15): 423 with Retry-After (seconds), even with the right password. Every attempt is audited.`,
        body: z.object({ userId: z.string().trim().min(1).max(64), password: z.string().min(1).max(256) }),
        response: { 200: z.object({ token: z.string(), expiresAt: z.string(), user: signedInUser }), ...errorResponses(401, 423, 429) },
      },
    },
    async (req, reply) => {
      try {
        const user = await login(deps.database.db, { maxFailures: deps.config.LOGIN_MAX_FAILURES, lockMinutes: deps.config.LOGIN_LOCK_MINUTES }, req.body.userId, req.body.password, req.ip);
        const token = app.signToken(user.id);
        const { exp } = app.jwt.decode<{ exp: number }>(token)!;
        return { token, expiresAt: new Date(exp * 1000).toISOString(), user: { id: user.id, name: user.name, role: user.role, divisionCode: user.divisionCode, unitId: user.unitId } };
      } catch (err) {
        if (err instanceof LoginRefused && err.retryAfterSeconds) void reply.header('retry-after', String(err.retryAfterSeconds));
        throw err;
      }
    },
  );

  app.get(
    '/auth/methods',
    {
      schema: {
        tags: ['auth'],
        security: [],
        summary: 'Which sign-in methods this installation offers (for the console)',
        response: { 200: z.object({ password: z.boolean(), oidc: z.boolean(), devLogin: z.boolean() }) },
      },
    },
    async () => ({ password: true, oidc: !!deps.config.OIDC_ISSUER, devLogin: deps.config.AUTH_DEV_LOGIN }),
  );

  if (!deps.config.AUTH_DEV_LOGIN) return;
  const devUser = signedInUser;
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
