import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Payload } from '@temporalio/common';
import { auditLog } from '../../db/schema';
import { withinDivision } from '../../domain/access';
import { MAX_TOKEN_TTL_MINUTES } from '../../config';
import { recordAudit } from '../../services/audit';
import { codecFor, EncryptionCodec } from '../../lib/codec';
import { ServiceError } from '../../services/errors';
import type { ApiDeps } from '../context';
import { errorResponses } from '../responses';

/**
 * The remote codec endpoint for the Temporal Web UI and CLI (`temporal … --codec-endpoint <api>/codec
 * --codec-auth "Bearer <token>"`): POST /codec/decode and /codec/encode take and answer `{ payloads: [...] }`,
 * each payload `{ metadata: { key: base64 }, data: base64 }` (the codec server protocol of the Temporal docs and
 * the SDK's encryption sample). Behind the bearer token of /api; only users who may read the personal data of every
 * matter (the codec cannot tell whose payload it is): the decodePayloads roles with the whole city in their
 * jurisdiction. Every decode is written to the audit log. CORS for the configured Web UI origins.
 *
 * The Web UI has no token of this API: it sends cookies instead ("include cross-origin credentials", fetch with
 * credentials: 'include'). So such a user opens a codec session with the bearer token (POST /codec/session, from the
 * console), which sets an HttpOnly cookie holding a token of its own key and audience (api/plugins/auth.ts
 * signCodecSession), Path=/codec, SameSite=Strict, ending with the bearer token at the latest. Only decode and
 * encode accept it; no other route reads cookies. DELETE /codec/session ends it.
 */
const base64 = z.string().max(16 * 1024 * 1024).regex(/^[A-Za-z0-9+/]*={0,2}$/, 'base64');
const jsonPayload = z.object({
  metadata: z.record(z.string().max(200), base64).nullish(),
  data: base64.nullish(),
});
const codecBody = z.object({ payloads: z.array(jsonPayload).max(10_000) });
type JsonPayload = z.infer<typeof jsonPayload>;

const fromJson = (p: JsonPayload): Payload => ({
  metadata: p.metadata ? Object.fromEntries(Object.entries(p.metadata).map(([k, v]) => [k, new Uint8Array(Buffer.from(v, 'base64'))])) : {},
  data: p.data ? new Uint8Array(Buffer.from(p.data, 'base64')) : undefined,
});
const toJson = (p: Payload) => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  ...(p.data ? { data: Buffer.from(p.data).toString('base64') } : {}),
});

/** Origins of the Temporal Web UI allowed to call the endpoint (CODEC_CORS_ORIGINS; in development the dev UI's). */
export function codecOrigins(config: ApiDeps['config']): string[] {
  if (config.CODEC_CORS_ORIGINS) return config.CODEC_CORS_ORIGINS;
  return config.development ? [`http://127.0.0.1:${config.TEMPORAL_UI_PORT}`, `http://localhost:${config.TEMPORAL_UI_PORT}`] : [];
}

/** The codec session's cookie (HttpOnly, Path=/codec). */
export const CODEC_SESSION_COOKIE = 'codec_session';

/** The value of one cookie of a Cookie header. */
function cookieOf(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=') || undefined;
  }
  return undefined;
}

const routes: FastifyPluginAsyncZod<{ deps: ApiDeps }> = async (app, { deps }) => {
  // On first use: building the app (the OpenAPI export, tests) must not create a development key file.
  const codec = () => codecFor(deps.config);
  const origins = new Set(codecOrigins(deps.config));

  // Secure whenever https is in play: the request came over it (or through a TLS proxy), or a Web UI origin uses it.
  const secure = (req: FastifyRequest) =>
    req.protocol === 'https' || req.headers['x-forwarded-proto'] === 'https' || [...origins].some((o) => o.startsWith('https:'));
  const cookieAttrs = (req: FastifyRequest) => `Path=/codec; HttpOnly; SameSite=Strict${secure(req) ? '; Secure' : ''}`;
  /** Which credential authenticated a decode or encode (for the audit log). */
  const via = new WeakMap<FastifyRequest, 'bearer' | 'cookie'>();

  // CORS first, so that the UI also reads a 401 or 403; then the credential, except on a preflight and on ending a
  // session (which needs none: it only clears the cookie).
  app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
    const origin = req.headers.origin;
    if (origin && origins.has(origin)) {
      reply.header('access-control-allow-origin', origin).header('vary', 'Origin').header('access-control-allow-credentials', 'true');
    }
    if (req.method === 'OPTIONS') return;
    const route = req.routeOptions.url;
    if (route === '/codec/session' && req.method === 'DELETE') return;
    // The cookie stands for the token on decode and encode only; a request with an Authorization header is judged by it.
    const session = cookieOf(req.headers.cookie, CODEC_SESSION_COOKIE);
    if ((route === '/codec/decode' || route === '/codec/encode') && session && !req.headers.authorization) {
      await app.authenticateCodecSession(req, session);
      via.set(req, 'cookie');
      return;
    }
    await app.authenticate(req);
    via.set(req, 'bearer');
  });

  /** The codec decrypts any matter's payloads: a role that may, with every division of the service in its jurisdiction. */
  function requireWholeJurisdiction(req: FastifyRequest): void {
    app.requirePermission(req, 'decodePayloads');
    const p = req.principal;
    if (p.role === 'admin') return;
    const everywhere = app.allDivisions().filter((c) => app.parentOf(c) !== null);
    if (!p.divisionCode || !everywhere.every((c) => withinDivision(c, p.divisionCode!, app.parentOf))) {
      throw new ServiceError(403, 'Forbidden', 'decoding payloads needs every matter in your jurisdiction (the codec cannot tell whose payload it is)');
    }
  }

  // Behind the API's authentication (401), for roles over the whole jurisdiction (403); a payload that does not
  // decrypt is 422 (decode only).
  const schema = (summary: string, ...more: 422[]) => ({
    tags: ['codec'],
    summary,
    body: codecBody,
    headers: z.object({ 'x-namespace': z.string().max(200).optional() }),
    response: { 200: codecBody.describe('the payloads, decoded or encoded, in the order given'), ...errorResponses(401, 403, ...more) },
  });
  const preflight = async (req: FastifyRequest, reply: FastifyReply) => {
    if (req.headers.origin && origins.has(req.headers.origin)) {
      reply
        .header('access-control-allow-methods', 'POST, OPTIONS')
        .header('access-control-allow-headers', 'authorization, content-type, x-namespace')
        .header('access-control-max-age', '600');
    }
    return reply.code(204).send();
  };
  const opts = { bodyLimit: 64 * 1024 * 1024 };

  app.options('/codec/decode', { schema: { hide: true } }, preflight);
  app.options('/codec/encode', { schema: { hide: true } }, preflight);

  app.post('/codec/decode', { ...opts, schema: schema('Decrypt payloads for the Temporal Web UI or CLI (audited)', 422) }, async (req) => {
    requireWholeJurisdiction(req);
    const payloads = req.body.payloads.map(fromJson);
    const keyIds = [...new Set(payloads.map((p) => EncryptionCodec.keyIdOf(p)).filter((k): k is string => !!k))];
    let decoded: Payload[];
    try {
      decoded = await codec().decode(payloads);
    } catch (err) {
      throw new ServiceError(422, 'CodecError', (err as Error).message);
    }
    await deps.database.db.insert(auditLog).values({
      userId: req.principal.id,
      action: 'codec.decode',
      caseNo: null,
      detail: { ip: req.ip, via: via.get(req) ?? null, namespace: req.headers['x-namespace'] ?? null, payloads: payloads.length, encrypted: payloads.filter(EncryptionCodec.isEncrypted).length, keyIds },
    });
    return { payloads: decoded.map(toJson) };
  });

  app.post('/codec/encode', { ...opts, schema: schema('Encrypt payloads with the active key (for the Web UI)') }, async (req) => {
    requireWholeJurisdiction(req);
    return { payloads: (await codec().encode(req.body.payloads.map(fromJson))).map(toJson) };
  });

  app.post(
    '/codec/session',
    {
      schema: {
        tags: ['codec'],
        summary: 'Open a codec session for the Temporal Web UI: an HttpOnly cookie valid on /codec/decode and /codec/encode only (audited)',
        description:
          'For a user who may use the codec (supervisor or admin over the whole city), with the bearer token. Sets the cookie ' +
          `${CODEC_SESSION_COOKIE} (Path=/codec, HttpOnly, SameSite=Strict, Secure over https), which ends with the bearer token ` +
          `(at most ${MAX_TOKEN_TTL_MINUTES / 60} h). The Web UI sends it when its codec settings include cross-origin credentials.`,
        response: {
          200: z.object({ expiresAt: z.string().describe('when the session ends (ISO 8601)'), endpoint: z.string().describe('the codec endpoint the Web UI is to use (this path)') }),
          ...errorResponses(401, 403),
        },
      },
    },
    async (req, reply) => {
      requireWholeJurisdiction(req);
      const now = Math.floor(Date.now() / 1000);
      // Never beyond the bearer token that opened it (nor the longest a token may live).
      const exp = Math.min(req.user.exp ?? now, now + MAX_TOKEN_TTL_MINUTES * 60);
      if (exp <= now) throw new ServiceError(401, 'Unauthorized', 'the bearer token has expired');
      const expiresAt = new Date(exp * 1000).toISOString();
      await recordAudit(deps.database.db, { userId: req.principal.id, action: 'codec.session', caseNo: null, detail: { ip: req.ip, expiresAt } });
      void reply.header('set-cookie', `${CODEC_SESSION_COOKIE}=${app.signCodecSession(req.principal.id, exp)}; Max-Age=${exp - now}; ${cookieAttrs(req)}`);
      return { expiresAt, endpoint: '/codec' };
    },
  );

  app.delete(
    '/codec/session',
    {
      schema: {
        tags: ['codec'],
        security: [],
        summary: 'End the codec session: clears its cookie (needs no token; audited when the session was valid)',
        response: { 204: z.null().describe('the cookie is cleared') },
      },
    },
    async (req, reply) => {
      const session = cookieOf(req.headers.cookie, CODEC_SESSION_COOKIE);
      if (session) {
        try {
          await app.authenticateCodecSession(req, session);
          await recordAudit(deps.database.db, { userId: req.principal.id, action: 'codec.session_end', caseNo: null, detail: { ip: req.ip } });
        } catch (err) {
          if (!(err instanceof ServiceError && err.statusCode === 401)) throw err;
        }
      }
      void reply.header('set-cookie', `${CODEC_SESSION_COOKIE}=; Max-Age=0; ${cookieAttrs(req)}`);
      return reply.code(204).send(null);
    },
  );
};

export default routes;
