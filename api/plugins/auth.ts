import { createHmac } from 'node:crypto';
import fp from 'fastify-plugin';
import jwt from '@fastify/jwt';
import { eq } from 'drizzle-orm';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { divisions, users } from '../../db/schema';
import { inJurisdiction, may, withinDivision, type ParentOf, type Permission, type Principal } from '../../domain/access';
import { ServiceError } from '../../services/errors';
import type { ApiDeps } from '../context';
import { MAX_TOKEN_TTL_MINUTES } from '../../config';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal;
  }
  interface FastifyInstance {
    /** Throws 403 unless the principal's role may do this. */
    requirePermission(request: FastifyRequest, what: Permission): void;
    /** Throws 403 unless the matter lies in the principal's jurisdiction. */
    requireJurisdiction(request: FastifyRequest, matter: { divisionCode: string; unitId?: string | null }): void;
    parentOf: ParentOf;
    /** The division and every division below it. */
    divisionsUnder(root: string): string[];
    /** Every division code (for lists: a jurisdiction may be served as its complement, api/paging.ts). */
    allDivisions(): string[];
    /** Signs a bearer token for a user (sign-in, development login and tests). */
    signToken(userId: string): string;
    /** Checks the bearer token and loads its user into request.principal; 401 otherwise. */
    authenticate(request: FastifyRequest): Promise<void>;
    /**
     * Signs a codec session (api/routes/codec.ts): a token for the Web UI's cookie, with its own key and audience,
     * so that it is no bearer token anywhere and a bearer token is no codec session. `exp` in seconds.
     */
    signCodecSession(userId: string, exp: number): string;
    /** Checks a codec session token and loads its user into request.principal (the same checks as a bearer token); 401 otherwise. */
    authenticateCodecSession(request: FastifyRequest, token: string): Promise<void>;
  }
}

declare module '@fastify/jwt' {
  interface FastifyJWT {
    payload: { sub: string };
    /** The verified bearer token's claims (iat and exp in seconds). */
    user: { sub: string; iat?: number; exp?: number };
  }
}

/** Bearer tokens (HS256 with the configured secret) on every /api route; users and jurisdiction from the database. */
export default fp<{ deps: ApiDeps }>(
  async (app, { deps }) => {
    const { db } = deps.database;
    // Every token carries exp (at most 8 h); a token without exp or iat, or older than 8 h by its iat, is refused.
    await app.register(jwt, {
      secret: deps.config.JWT_SECRET,
      sign: { expiresIn: `${deps.config.TOKEN_TTL_MINUTES}m`, algorithm: 'HS256' },
      verify: { requiredClaims: ['sub', 'exp', 'iat'], maxAge: `${MAX_TOKEN_TTL_MINUTES}m`, algorithms: ['HS256'] },
    });

    const parents = new Map<string, string | null>();
    const loadDivisions = async () => {
      for (const d of await db.select().from(divisions)) parents.set(d.code, d.parentCode);
    };
    await loadDivisions();
    const parentOf: ParentOf = (code) => parents.get(code);
    app.decorate('parentOf', parentOf);
    app.decorate('divisionsUnder', (root: string) => [root, ...[...parents.keys()].filter((c) => c !== root && withinDivision(c, root, parentOf))]);

    app.decorate('allDivisions', () => [...parents.keys()]);

    app.decorate('signToken', (userId: string) => app.jwt.sign({ sub: userId }));
    app.decorateRequest('principal', null as unknown as Principal);

    app.decorate('requirePermission', (request: FastifyRequest, what: Permission) => {
      if (!may(request.principal, what)) throw new ServiceError(403, 'Forbidden', `the role ${request.principal.role} may not ${what}`);
    });
    app.decorate('requireJurisdiction', (request: FastifyRequest, matter: { divisionCode: string; unitId?: string | null }) => {
      if (!inJurisdiction(request.principal, matter, parentOf)) throw new ServiceError(403, 'Forbidden', 'this matter is outside your jurisdiction');
    });

    /** The user a verified token names, as request.principal: 401 for an unknown or deactivated user or a token older than the password. */
    const loadPrincipal = async (request: FastifyRequest, sub: string, iat: number) => {
      const [user] = await db.select().from(users).where(eq(users.id, sub));
      if (!user) throw new ServiceError(401, 'Unauthorized', 'the token names an unknown user');
      if (!user.active) throw new ServiceError(401, 'Unauthorized', 'this account is deactivated');
      // A password reset signs the user out everywhere: tokens issued before it (iat has whole seconds) are refused.
      if (user.passwordChangedAt && iat * 1000 < Math.floor(user.passwordChangedAt.getTime() / 1000) * 1000) {
        throw new ServiceError(401, 'Unauthorized', 'the token was issued before the password was changed; sign in again');
      }
      request.principal = { id: user.id, name: user.name, role: user.role, divisionCode: user.divisionCode, unitId: user.unitId };
    };

    app.decorate('authenticate', async (request: FastifyRequest) => {
      let sub: string;
      let iat: number;
      try {
        ({ sub, iat } = await request.jwtVerify<{ sub: string; iat: number }>());
      } catch {
        throw new ServiceError(401, 'Unauthorized', 'a valid bearer token is required (Authorization: Bearer <token>)');
      }
      await loadPrincipal(request, sub, iat);
    });

    // The codec session's own key (derived from the secret, as the OIDC flow cookie's is) and audience: a bearer
    // token's verification fails on it and its verification fails on a bearer token.
    const codecKey = createHmac('sha256', deps.config.JWT_SECRET).update('codec-session').digest();
    const CODEC_AUDIENCE = 'lishui-petition/codec';
    app.decorate('signCodecSession', (userId: string, exp: number) =>
      app.jwt.sign({ sub: userId }, { key: codecKey, aud: CODEC_AUDIENCE, expiresIn: Math.max(1, exp - Math.floor(Date.now() / 1000)) }),
    );
    app.decorate('authenticateCodecSession', async (request: FastifyRequest, token: string) => {
      let sub: string;
      let iat: number;
      try {
        ({ sub, iat } = app.jwt.verify<{ sub: string; iat: number }>(token, { key: codecKey, allowedAud: CODEC_AUDIENCE }));
      } catch {
        throw new ServiceError(401, 'Unauthorized', 'the codec session has expired or is not valid: open it again from the console (POST /codec/session)');
      }
      await loadPrincipal(request, sub, iat);
    });

    app.addHook('onRequest', async (request: FastifyRequest, _reply: FastifyReply) => {
      // By the matched route as well as the raw URL: the router decodes the path, so /%61pi/petitions reaches
      // /api/petitions while its raw URL does not start with /api/ (that skipped the token check).
      if (!request.url.startsWith('/api/') && !request.routeOptions.url?.startsWith('/api/')) return;
      await app.authenticate(request);
    });
  },
  { name: 'auth' },
);
