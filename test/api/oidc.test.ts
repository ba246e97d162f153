import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { eq } from 'drizzle-orm';
import Provider from 'oidc-provider';
import { buildApp } from '../../api/app';
import type { Database } from '../../db/client';
import { auditLog } from '../../db/schema';
import { temporalClient } from '../../services/bootstrap';
import { memoryDatabase, testConfig } from '../support/api';
import { freePort } from '../support/ports';

// OIDC sign-in against a real OpenID provider (the oidc-provider package, with its development login pages) started
// on loopback: the browser's part is played by fetch with a cookie jar, the API through inject().

const REDIRECT = 'http://127.0.0.1:3999/auth/oidc/callback';

describe('OIDC sign-in (a government SSO) mapped to local users', () => {
  let database: Database;
  let app: FastifyInstance;
  let server: Server;
  let issuer: string;

  beforeAll(async () => {
    const port = await freePort();
    issuer = `http://127.0.0.1:${port}`;
    const provider = new Provider(issuer, {
      clients: [{ client_id: 'petitions', client_secret: 'petitions-client-secret-0123456789', redirect_uris: [REDIRECT], grant_types: ['authorization_code'], response_types: ['code'] }],
      // The SSO's account is its own; preferred_username carries the login name this service knows.
      findAccount: async (_ctx: unknown, id: string) => ({ accountId: id, claims: async () => ({ sub: id, preferred_username: id }) }),
      claims: { openid: ['sub'], profile: ['preferred_username'] },
      cookies: { keys: ['oidc-test-cookie-key-0123456789'] },
    });
    server = provider.listen(port);
    database = await memoryDatabase();
    const config = testConfig({ OIDC_ISSUER: issuer, OIDC_CLIENT_ID: 'petitions', OIDC_CLIENT_SECRET: 'petitions-client-secret-0123456789', OIDC_REDIRECT_URI: REDIRECT });
    app = await buildApp({ config, database, temporal: temporalClient(config, '127.0.0.1:1') });
  });
  afterAll(async () => {
    await app?.close();
    await database?.close();
    await new Promise((r) => server?.close(r));
  });

  /** Starts at /auth/oidc/login, signs in at the provider as `login`, consents, and returns the callback's URL. */
  async function throughProvider(login: string): Promise<{ callback: string; flowCookie: string }> {
    const start = await app.inject({ method: 'GET', url: '/auth/oidc/login' });
    expect(start.statusCode).toBe(302);
    const flowCookie = String(start.headers['set-cookie']).split(';')[0]!;
    expect(flowCookie).toMatch(/^oidc_flow=/);
    const location = String(start.headers.location);
    expect(location.startsWith(`${issuer}/auth?`)).toBe(true);
    expect(new URL(location).searchParams.get('code_challenge_method')).toBe('S256');

    const jar = new Map<string, string>();
    const send = async (url: string, init: RequestInit = {}) => {
      const res = await fetch(url, { ...init, redirect: 'manual', headers: { ...(init.headers as Record<string, string>), cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') } });
      for (const c of res.headers.getSetCookie()) {
        const [pair] = c.split(';');
        const i = pair!.indexOf('=');
        jar.set(pair!.slice(0, i), pair!.slice(i + 1));
      }
      return res;
    };
    let url = location;
    for (let step = 0; step < 12; step++) {
      if (url.startsWith(REDIRECT)) return { callback: url, flowCookie };
      const res = await send(url);
      if (res.status >= 300 && res.status < 400) {
        url = new URL(res.headers.get('location')!, url).href;
        continue;
      }
      const html = await res.text();
      expect(res.status, html.slice(0, 300)).toBe(200);
      const action = new URL(/<form[^>]*action="([^"]+)"/.exec(html)![1]!, url).href;
      const prompt = /name="prompt" value="(\w+)"/.exec(html)![1]!;
      const body = new URLSearchParams(prompt === 'login' ? { prompt, login, password: 'any' } : { prompt });
      const posted = await send(action, { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      expect(posted.status).toBeGreaterThanOrEqual(300);
      url = new URL(posted.headers.get('location')!, action).href;
    }
    throw new Error('the provider never redirected back');
  }

  it('an SSO account whose preferred_username is a local active user gets the usual bearer token; audited', async () => {
    const { callback, flowCookie } = await throughProvider('supervisor-city');
    const res = await app.inject({ method: 'GET', url: new URL(callback).pathname + new URL(callback).search, headers: { cookie: flowCookie, accept: 'application/json' } });
    expect(res.statusCode, res.body).toBe(200);
    const { token, user } = res.json<{ token: string; user: { id: string; role: string } }>();
    expect(user).toMatchObject({ id: 'supervisor-city', role: 'supervisor' });
    expect((await app.inject({ method: 'GET', url: '/api/petitions', headers: { authorization: `Bearer ${token}` } })).statusCode).toBe(200);
    const [entry] = await database.db.select().from(auditLog).where(eq(auditLog.action, 'auth.login'));
    expect(entry).toMatchObject({ userId: 'supervisor-city', detail: { method: 'oidc', subject: 'supervisor-city', issuer: `${issuer}/` } });
  });

  it('a browser is sent to the console with the token in the fragment', async () => {
    const { callback, flowCookie } = await throughProvider('registrar-city');
    const res = await app.inject({ method: 'GET', url: new URL(callback).pathname + new URL(callback).search, headers: { cookie: flowCookie } });
    expect(res.statusCode).toBe(302);
    expect(String(res.headers.location)).toMatch(/^\/login#token=[\w-]+\.[\w-]+\.[\w-]+&user=/);
  });

  it('an SSO account with no local user → 403; a callback without the flow cookie, or replayed, → 401; each audited', async () => {
    const stranger = await throughProvider('zhang.nobody');
    const refused = await app.inject({ method: 'GET', url: new URL(stranger.callback).pathname + new URL(stranger.callback).search, headers: { cookie: stranger.flowCookie, accept: 'application/json' } });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().message).toMatch(/no active user zhang\.nobody/);

    const known = await throughProvider('registrar-city');
    const path = new URL(known.callback).pathname + new URL(known.callback).search;
    expect((await app.inject({ method: 'GET', url: path, headers: { accept: 'application/json' } })).statusCode).toBe(401);
    expect((await app.inject({ method: 'GET', url: path, headers: { cookie: known.flowCookie, accept: 'application/json' } })).statusCode).toBe(200);
    // The code is spent: the same callback again is refused by the provider.
    expect((await app.inject({ method: 'GET', url: path, headers: { cookie: known.flowCookie, accept: 'application/json' } })).statusCode).toBe(401);
    const rows = await database.db.select().from(auditLog).where(eq(auditLog.action, 'auth.oidc_refused'));
    expect(rows.map((r) => (r.detail as { reason: string }).reason)).toEqual([
      expect.stringMatching(/no active user zhang\.nobody/),
      expect.stringMatching(/no sign-in in progress/),
      expect.any(String),
    ]);
  });
});
