import fp from 'fastify-plugin';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import underPressure from '@fastify/under-pressure';
import type { FastifyRequest, RouteOptions } from 'fastify';
import { ServiceError } from '../../services/errors';
import type { ApiDeps } from '../context';

/**
 * C0 control characters other than tab, line feed and carriage return, and DEL. PostgreSQL cannot store NUL in
 * text or jsonb (it used to answer 500), and none of them belongs in a petition.
 */
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

/** The path (a.b.0.c) of the first string — value or key — with a control character, or undefined. */
export function controlCharacterAt(value: unknown, path = ''): string | undefined {
  if (typeof value === 'string') return CONTROL.test(value) ? path || '(value)' : undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const at = controlCharacterAt(value[i], path ? `${path}.${i}` : String(i));
      if (at) return at;
    }
    return undefined;
  }
  // A streamed body (a recording) or a buffer is not walked: a stream's internals are circular (stack overflow).
  if (value && typeof value === 'object' && typeof (value as { pipe?: unknown }).pipe !== 'function' && !ArrayBuffer.isView(value)) {
    for (const [k, v] of Object.entries(value)) {
      const here = path ? `${path}.${k}` : k;
      if (CONTROL.test(k)) return here;
      const at = controlCharacterAt(v, here);
      if (at) return at;
    }
  }
  return undefined;
}

/** Which rate limit a route gets: one table, applied as routes are declared. */
export type RateClass = 'login' | 'public' | 'recordRead' | undefined;
export function rateClassOf(route: Pick<RouteOptions, 'url' | 'method'>): RateClass {
  const url = route.url ?? '';
  const methods = ([] as string[]).concat(route.method as string | string[]);
  if (url.startsWith('/auth/')) return 'login';
  if (!url.startsWith('/api/')) return 'public';
  // Reads that answer with personal data in clear (the full record, a review's session record): per user.
  if (methods.includes('GET') && /^\/api\/(petitions\/:caseNo|three-party-reviews(\/:id)?)$/.test(url)) return 'recordRead';
  return undefined;
}

/**
 * Security headers (helmet), rate limits (login and dev-token, the public routes, full-record reads per user),
 * load shedding (503 + Retry-After when the event loop lags) and the refusal of control characters (400).
 * Registered before the routes: the onRoute hook gives each route its rate limit as it is declared.
 */
export default fp<{ deps: ApiDeps }>(
  async (app, { deps }) => {
    const c = deps.config;
    await app.register(helmet, {
      // The console and the OpenAPI page load their scripts from this origin. No upgrade-insecure-requests: on a
      // plain-http loopback (development, tests) it would send the browser to https; behind TLS, HSTS does its work.
      contentSecurityPolicy: { directives: { defaultSrc: ["'self'"], imgSrc: ["'self'", 'data:'], styleSrc: ["'self'", "'unsafe-inline'"], scriptSrc: ["'self'"], upgradeInsecureRequests: null } },
      hsts: { maxAge: 31_536_000, includeSubDomains: true },
    });

    const limits: Record<Exclude<RateClass, undefined>, { max: number; keyGenerator: (req: FastifyRequest) => string }> = {
      login: { max: c.RATE_LIMIT_LOGIN_PER_MINUTE, keyGenerator: (req) => `login:${req.ip}` },
      public: { max: c.RATE_LIMIT_PUBLIC_PER_MINUTE, keyGenerator: (req) => `public:${req.ip}` },
      recordRead: { max: c.RATE_LIMIT_RECORD_READS_PER_MINUTE, keyGenerator: (req) => `read:${req.principal?.id ?? req.ip}` },
    };
    app.addHook('onRoute', (route) => {
      const cls = rateClassOf(route);
      if (!cls) return;
      route.config = { ...(route.config as object), rateLimit: { ...limits[cls], timeWindow: 60_000 } } as typeof route.config;
    });
    await app.register(rateLimit, {
      global: false,
      // After authentication (an onRequest hook), so a full-record read counts against the user.
      hook: 'preHandler',
      errorResponseBuilder: (_req, ctx) => new ServiceError(429, 'TooManyRequests', `too many requests: at most ${ctx.max} a minute; retry in ${Math.ceil(ctx.ttl / 1000)} s`),
    });

    await app.register(underPressure, {
      maxEventLoopDelay: c.MAX_EVENT_LOOP_DELAY_MS,
      retryAfter: 5,
      pressureHandler: (_req, reply) => {
        void reply.status(503).header('retry-after', '5').send({ statusCode: 503, error: 'ServiceUnavailable', message: 'the service is overloaded; retry later' });
      },
    });

    app.addHook('preValidation', async (request) => {
      for (const [part, value] of [['path', request.params], ['query', request.query], ['body', request.body]] as const) {
        const at = controlCharacterAt(value);
        if (at) throw new ServiceError(400, 'InvalidInput', `control characters (such as NUL) are not accepted: ${part} ${at}`, { [at]: 'contains a control character' });
      }
    });
  },
  { name: 'hardening' },
);
