import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { asc } from 'drizzle-orm';
import { divisions, units } from '../../db/schema';
import { permissions, roles, unitRoles } from '../../domain/access';
import { createUser, type PublicUser, listUsers, password, resetPassword, updateUser, userInput, userPatch } from '../../services/users';
import type { ApiDeps } from '../context';
import { errorResponses } from '../responses';


const user = z.object({
  id: z.string(),
  name: z.string(),
  role: z.enum(roles),
  divisionCode: z.string().nullable(),
  unitId: z.string().nullable(),
  active: z.boolean(),
  hasPassword: z.boolean(),
  passwordChangedAt: z.string().nullable(),
  createdAt: z.string(),
});
const wire = (u: PublicUser) => ({ ...u, passwordChangedAt: u.passwordChangedAt?.toISOString() ?? null, createdAt: u.createdAt.toISOString() });
const userParams = z.object({ id: z.string().min(1).max(64) });

/**
 * User management for admins (issue 10, item 6): users, their role and jurisdiction (a division for bureau roles, a
 * unit for unit roles), deactivation and password resets. Every change is audited in its own transaction
 * (services/users.ts). Roles and what each may do are fixed in domain/access.ts; GET /api/admin/roles lists them.
 */
const routes: FastifyPluginAsyncZod<{ deps: ApiDeps }> = async (app, { deps }) => {
  const { db } = deps.database;

  app.get('/admin/users', { schema: { tags: ['admin'], summary: 'Every user with role, jurisdiction and status (admin)', response: { 200: z.object({ items: z.array(user) }), ...errorResponses(400) } } }, async (req) => {
    app.requirePermission(req, 'admin');
    return { items: (await listUsers(db)).map(wire) };
  });

  app.post(
    '/admin/users',
    { schema: { tags: ['admin'], summary: 'Create a user (admin; audited)', body: userInput, response: { 201: user, ...errorResponses(409, 422) } } },
    async (req, reply) => {
      app.requirePermission(req, 'admin');
      return reply.status(201).send(wire(await createUser(db, req.body, req.principal.id)));
    },
  );

  app.patch(
    '/admin/users/:id',
    {
      schema: {
        tags: ['admin'],
        summary: "Change a user's name, role, jurisdiction or active flag (admin; audited)",
        description: 'A deactivated user can no longer sign in, and their tokens stop working at once. An admin may not demote or deactivate their own account (409).',
        params: userParams,
        body: userPatch,
        response: { 200: user, ...errorResponses(404, 409, 422) },
      },
    },
    async (req) => {
      app.requirePermission(req, 'admin');
      return wire(await updateUser(db, req.params.id, req.body, req.principal.id));
    },
  );

  app.post(
    '/admin/users/:id/password',
    {
      schema: {
        tags: ['admin'],
        summary: "Set a user's password (admin; audited)",
        description: 'Clears a sign-in lock; tokens issued before are refused from now on.',
        params: userParams,
        body: z.object({ password }),
        response: { 204: z.null(), ...errorResponses(404) },
      },
    },
    async (req, reply) => {
      app.requirePermission(req, 'admin');
      await resetPassword(db, req.params.id, req.body.password, req.principal.id);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/admin/roles',
    {
      schema: {
        tags: ['admin'],
        summary: 'The roles, what each may do, and the jurisdictions a user can be bound to (admin)',
        response: {
          200: z.object({
            roles: z.array(z.object({ role: z.enum(roles), boundTo: z.enum(['division', 'unit']), permissions: z.array(z.string()) })),
            divisions: z.array(z.object({ code: z.string(), name: z.string(), level: z.string(), parentCode: z.string().nullable() })),
            units: z.array(z.object({ id: z.string(), name: z.string(), divisionCode: z.string() })),
          }),
        },
      },
    },
    async (req) => {
      app.requirePermission(req, 'admin');
      return {
        roles: roles.map((role) => ({
          role,
          boundTo: unitRoles.includes(role) ? ('unit' as const) : ('division' as const),
          permissions: Object.entries(permissions)
            .filter(([, who]) => (who as readonly string[]).includes(role))
            .map(([p]) => p),
        })),
        divisions: await db.select().from(divisions).orderBy(asc(divisions.code)),
        units: await db.select({ id: units.id, name: units.name, divisionCode: units.divisionCode }).from(units).orderBy(asc(units.id)),
      };
    },
  );
};
export default routes;
