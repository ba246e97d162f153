import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { eq } from 'drizzle-orm';
import * as oidc from 'openid-client';
import { users } from '../../db/schema';
import { recordAudit } from '../../services/audit';
import { ServiceError } from '../../services/errors';
import type { ApiDeps } from '../context';

/**
 * Optional OIDC sign-in (issue 10, item 6: a government SSO), on only when OIDC_ISSUER is configured. Authorization
 * code flow with PKCE, state and nonce (openid-client); the flow's secrets ride in a short-lived HttpOnly cookie
 * signed with the JWT secret, so any API replica can finish a flow another began. The ID token's OIDC_USER_CLAIM
 * names the local user, who must exist and be active: the SSO proves who someone is, this service's users table
 * says what they may do. Then the usual bearer token is issued.
 */
const COOKIE = 'oidc_flow';
const FLOW_SECONDS = 600;

interface Flow {
  state: string;
  nonce: string;
  verifier: string;
  exp: number;
}

const routes: FastifyPluginAsyncZod<{ deps: ApiDeps }> = async (app, { deps }) => {
  const c = deps.config;
  if (!c.OIDC_ISSUER) return;
  const issuer = new URL(c.OIDC_ISSUER);
  const redirectUri = new URL(c.OIDC_REDIRECT_URI!);
  // Plain http only for an issuer on loopback (development, tests); anything else must be https.
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(issuer.hostname);
  let discovered: Promise<oidc.Configuration> | undefined;
  const configuration = () => {
    discovered ??= oidc
      .discovery(issuer, c.OIDC_CLIENT_ID!, c.OIDC_CLIENT_SECRET!, undefined, loopback && issuer.protocol === 'http:' ? { execute: [oidc.allowInsecureRequests] } : undefined)
      .catch((err: unknown) => {
        discovered = undefined; // the issuer may be back on the next attempt
        throw new ServiceError(503, 'ServiceUnavailable', `the sign-in provider cannot be reached: ${(err as Error).message}`);
      });
    return discovered;
  };

  const key = createHmac('sha256', c.JWT_SECRET).update('oidc-flow-cookie').digest();
  const seal = (f: Flow) => {
    const body = Buffer.from(JSON.stringify(f)).toString('base64url');
    return `${body}.${createHmac('sha256', key).update(body).digest('base64url')}`;
  };
  const open = (value: string | undefined): Flow | undefined => {
    const [body, mac] = (value ?? '').split('.');
    if (!body || !mac) return undefined;
    const want = createHmac('sha256', key).update(body).digest();
    const got = Buffer.from(mac, 'base64url');
    if (got.length !== want.length || !timingSafeEqual(got, want)) return undefined;
    const f = JSON.parse(Buffer.from(body, 'base64url').toString()) as Flow;
    return f.exp > Date.now() / 1000 ? f : undefined;
  };
  const cookieOf = (header: string | undefined) =>
    (header ?? '')
      .split(';')
      .map((p) => p.trim())
      .find((p) => p.startsWith(`${COOKIE}=`))
      ?.slice(COOKIE.length + 1);
  const cookieAttrs = `Path=/auth/oidc; HttpOnly; SameSite=Lax${redirectUri.protocol === 'https:' ? '; Secure' : ''}`;

  app.get(
    '/auth/oidc/login',
    { schema: { tags: ['auth'], security: [], summary: 'Starts OIDC sign-in: redirects to the configured provider', response: { 302: z.null() } } },
    async (_req, reply) => {
      const config = await configuration();
      const verifier = oidc.randomPKCECodeVerifier();
      const flow: Flow = { state: oidc.randomState(), nonce: oidc.randomNonce(), verifier, exp: Math.floor(Date.now() / 1000) + FLOW_SECONDS };
      const url = oidc.buildAuthorizationUrl(config, {
        redirect_uri: redirectUri.href,
        scope: c.OIDC_SCOPE,
        code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state: flow.state,
        nonce: flow.nonce,
      });
      void reply.header('set-cookie', `${COOKIE}=${seal(flow)}; Max-Age=${FLOW_SECONDS}; ${cookieAttrs}`);
      return reply.redirect(url.href, 302);
    },
  );

  app.get(
    '/auth/oidc/callback',
    {
      schema: {
        tags: ['auth'],
        security: [],
        summary: "The provider's redirect back: checks the code, maps the claim to a local user and signs them in",
        description:
          'With Accept: application/json answers { token, expiresAt, user }; otherwise redirects the browser to the console (/login#token=…&user=…). 401 when the provider refused or the flow is unknown or expired; 403 when no active local user matches the claim.',
        querystring: z.object({ code: z.string().max(2000).optional(), state: z.string().max(500).optional(), error: z.string().max(200).optional(), iss: z.string().max(500).optional() }).passthrough(),
      },
    },
    async (req, reply) => {
      const flow = open(cookieOf(req.headers.cookie));
      void reply.header('set-cookie', `${COOKIE}=; Max-Age=0; ${cookieAttrs}`);
      const refuse = async (status: 401 | 403, reason: string, userId = 'anonymous') => {
        await recordAudit(deps.database.db, { userId, action: 'auth.oidc_refused', detail: { reason, ip: req.ip, issuer: issuer.href } });
        throw new ServiceError(status, status === 401 ? 'Unauthorized' : 'Forbidden', `统一身份认证登录失败。 OIDC sign-in failed: ${reason}`);
      };
      if (!flow) return refuse(401, 'no sign-in in progress (or it expired after 10 minutes)');
      if (req.query.error) return refuse(401, `the provider answered ${req.query.error}`);
      const current = new URL(redirectUri.href);
      current.search = new URL(req.url, 'http://callback').search;
      let claims: Record<string, unknown> & { sub: string };
      try {
        const config = await configuration();
        const tokens = await oidc.authorizationCodeGrant(config, current, { pkceCodeVerifier: flow.verifier, expectedState: flow.state, expectedNonce: flow.nonce, idTokenExpected: true });
        claims = tokens.claims()!;
        // Providers that keep profile claims out of the ID token give them at the userinfo endpoint.
        if (claims[c.OIDC_USER_CLAIM] === undefined && tokens.access_token) claims = { ...(await oidc.fetchUserInfo(config, tokens.access_token, claims.sub)), sub: claims.sub };
      } catch (err) {
        if (err instanceof ServiceError) throw err;
        return refuse(401, (err as Error).message);
      }
      const login = claims[c.OIDC_USER_CLAIM];
      if (typeof login !== 'string' || !login) return refuse(403, `the ID token has no ${c.OIDC_USER_CLAIM} claim`);
      const [user] = await deps.database.db.select().from(users).where(eq(users.id, login));
      if (!user || !user.active) return refuse(403, `no active user ${login} in this service`, user ? user.id : 'anonymous');
      await recordAudit(deps.database.db, { userId: user.id, action: 'auth.login', detail: { method: 'oidc', issuer: issuer.href, subject: claims.sub, ip: req.ip } });
      const token = app.signToken(user.id);
      const { exp } = app.jwt.decode<{ exp: number }>(token)!;
      const signedIn = { id: user.id, name: user.name, role: user.role, divisionCode: user.divisionCode, unitId: user.unitId };
      if (req.headers.accept?.includes('application/json')) return { token, expiresAt: new Date(exp * 1000).toISOString(), user: signedIn };
      const fragment = new URLSearchParams({ token, user: Buffer.from(JSON.stringify(signedIn)).toString('base64url') });
      return reply.redirect(`/login#${fragment}`, 302);
    },
  );
};
export default routes;
