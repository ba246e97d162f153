import fp from 'fastify-plugin';
import type { FastifyError, FastifyRequest } from 'fastify';
import { recordAudit } from '../../services/audit';
import { toHttp } from '../errors';
import type { ApiDeps } from '../context';

/**
 * What a refused request writes to the audit log (issue 10, item 8: refused reads and failed authorisations), or
 * undefined when it is not recorded:
 * - 401 on /api when a bearer token was presented (forged, expired, of a deactivated user; a request with no token
 *   at all is no attempt to act as anyone and is not recorded);
 * - 403 anywhere under /api (a role or jurisdiction refusal, from the API or from a workflow's own check);
 * - 404 on an /api route that names a record (a path parameter): asking for a matter that is not there, or that
 *   the caller may not know of, is recorded like a refusal.
 * Sign-in (POST /auth/login) writes its own entries (services/users.ts).
 */
export function refusalEntry(request: FastifyRequest, status: number): { action: string } | undefined {
  const route = request.routeOptions.url ?? '';
  if (!route.startsWith('/api/') && !request.url.startsWith('/api/')) return undefined;
  if (status === 401) return request.headers.authorization ? { action: 'auth.token_refused' } : undefined;
  if (status === 403) return { action: 'access.refused' };
  if (status === 404 && /\/:/.test(route)) return { action: 'access.not_found' };
  return undefined;
}

export default fp<{ deps: ApiDeps }>(
  async (app, { deps }) => {
    app.addHook('onError', async (request, _reply, error: FastifyError) => {
      const body = toHttp(error);
      const entry = refusalEntry(request, body.statusCode);
      if (!entry) return;
      const params = (request.params ?? {}) as Record<string, unknown>;
      const caseNo = typeof params.caseNo === 'string' ? params.caseNo.slice(0, 40) : null;
      try {
        await recordAudit(deps.database.db, {
          userId: request.principal?.id ?? 'anonymous',
          action: entry.action,
          caseNo,
          detail: { method: request.method, route: request.routeOptions.url ?? null, path: request.url.split('?')[0]!.slice(0, 300), status: body.statusCode, error: body.error, ip: request.ip },
        });
      } catch (err) {
        // The refusal is answered whatever happens here; the failure to record it is logged as an error.
        request.log.error({ err }, 'could not write the refusal to the audit log');
      }
    });
  },
  { name: 'audit' },
);
