import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { defaultPayloadConverter } from '@temporalio/common';
import { auditLog } from '../../db/schema';
import { ENCRYPTED_ENCODING, KEY_ID_METADATA } from '../../lib/codec';
import { CODEC_SESSION_COOKIE } from '../../api/routes/codec';
import { workflowIdFor } from '../../workflows/ids';
import { createApiBench, eventually, type ApiBench } from '../support/api';
import { testCodec } from '../support/codec';
import { shanghaiDateOf } from '../../domain/dates';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const unb64 = (s: string) => Buffer.from(s, 'base64').toString('utf8');
type JsonPayload = { metadata: Record<string, string>; data?: string };

describe('the codec endpoint for the Temporal Web UI, and personal data in the escalation lists', () => {
  let b: ApiBench;
  const uiOrigin = 'http://127.0.0.1:18233';
  beforeAll(async () => {
    b = await createApiBench({ CODEC_CORS_ORIGINS: uiOrigin });
  });
  afterAll(async () => {
    await b?.teardown();
  });

  /** The input of a matter's workflow as Temporal stores it: the first event's payload, in the remote codec's JSON. */
  async function storedInput(caseNo: string): Promise<JsonPayload> {
    const history = await b.env.client.workflow.getHandle(workflowIdFor(caseNo)).fetchHistory();
    const p = history.events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads![0]!;
    return {
      metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
      data: Buffer.from(p.data!).toString('base64'),
    };
  }
  const codecPost = (path: string, userId: string | undefined, payloads: JsonPayload[], headers: Record<string, string> = {}) =>
    b.app.inject({ method: 'POST', url: path, headers: { ...(userId ? b.auth(userId) : {}), 'x-namespace': 'default', ...headers }, payload: { payloads } });

  it('a matter is stored encrypted; a city supervisor decodes it (audited), others are refused', async () => {
    const { caseNo } = await b.register();
    const stored = await storedInput(caseNo);
    expect(unb64(stored.metadata.encoding!)).toBe(ENCRYPTED_ENCODING);
    expect(unb64(stored.metadata[KEY_ID_METADATA]!)).toBe(testCodec().activeKeyId);
    expect(unb64(stored.data!)).not.toContain(caseNo);

    expect((await codecPost('/codec/decode', undefined, [stored])).statusCode).toBe(401);
    const handler = await codecPost('/codec/decode', 'handler-liandu-housing', [stored]);
    expect(handler.statusCode).toBe(403);
    // A county supervisor may read personal data, but only of the county: the codec cannot tell whose payload it is.
    const county = await codecPost('/codec/decode', 'supervisor-liandu', [stored]);
    expect(county.statusCode).toBe(403);
    expect(county.json().message).toMatch(/every matter in your jurisdiction/);

    const before = await b.database.db.select().from(auditLog).where(and(eq(auditLog.userId, 'supervisor-city'), eq(auditLog.action, 'codec.decode')));
    const ok = await codecPost('/codec/decode', 'supervisor-city', [stored]);
    expect(ok.statusCode).toBe(200);
    const [decoded] = ok.json().payloads as JsonPayload[];
    expect(unb64(decoded!.metadata.encoding!)).toBe('json/plain');
    expect(JSON.parse(unb64(decoded!.data!))).toMatchObject({ caseNo });
    const after = await b.database.db.select().from(auditLog).where(and(eq(auditLog.userId, 'supervisor-city'), eq(auditLog.action, 'codec.decode')));
    expect(after.length).toBe(before.length + 1);
    expect(after.at(-1)!.detail).toMatchObject({ namespace: 'default', payloads: 1, encrypted: 1, keyIds: [testCodec().activeKeyId] });
  });

  it('encode answers with the active key, and decode gives the payload back; a tampered one is a 422', async () => {
    const p = defaultPayloadConverter.toPayload({ note: '补充材料：王五的身份证复印件' })!;
    const plain: JsonPayload = { metadata: { encoding: b64('json/plain') }, data: Buffer.from(p.data!).toString('base64') };
    const enc = await codecPost('/codec/encode', 'admin', [plain]);
    expect(enc.statusCode).toBe(200);
    const [encrypted] = enc.json().payloads as JsonPayload[];
    expect(unb64(encrypted!.metadata[KEY_ID_METADATA]!)).toBe(testCodec().activeKeyId);
    const dec = await codecPost('/codec/decode', 'admin', [encrypted!]);
    expect(JSON.parse(unb64((dec.json().payloads as JsonPayload[])[0]!.data!))).toEqual({ note: '补充材料：王五的身份证复印件' });
    const bytes = Buffer.from(encrypted!.data!, 'base64');
    bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 0xff;
    const tampered = await codecPost('/codec/decode', 'admin', [{ ...encrypted!, data: bytes.toString('base64') }]);
    expect(tampered.statusCode).toBe(422);
    expect(tampered.json().message).toMatch(/failed authentication/);
    expect((await codecPost('/codec/decode', 'admin', [{ metadata: { encoding: 'not base64!' } }])).statusCode).toBe(400);
  });

  it('CORS: the Web UI origin gets its preflight and can read a refusal; another origin gets no CORS headers', async () => {
    const pre = await b.app.inject({ method: 'OPTIONS', url: '/codec/decode', headers: { origin: uiOrigin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type,x-namespace' } });
    expect(pre.statusCode).toBe(204);
    expect(pre.headers['access-control-allow-origin']).toBe(uiOrigin);
    expect(pre.headers['access-control-allow-headers']).toMatch(/authorization/);
    expect(pre.headers['access-control-allow-credentials']).toBe('true');
    const refused = await codecPost('/codec/decode', undefined, [], { origin: uiOrigin });
    expect(refused.statusCode).toBe(401);
    expect(refused.headers['access-control-allow-origin']).toBe(uiOrigin);
    const other = await b.app.inject({ method: 'OPTIONS', url: '/codec/decode', headers: { origin: 'http://evil.example', 'access-control-request-method': 'POST' } });
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });

  /** The codec session cookie of a Set-Cookie header: its value and attributes. */
  function sessionCookie(setCookie: string | string[] | undefined): { value: string; attrs: string[] } {
    const header = ([] as string[]).concat(setCookie ?? []).find((c) => c.startsWith(`${CODEC_SESSION_COOKIE}=`));
    if (!header) throw new Error(`no ${CODEC_SESSION_COOKIE} cookie in ${JSON.stringify(setCookie)}`);
    const [pair, ...attrs] = header.split(';').map((p) => p.trim());
    return { value: pair!.slice(CODEC_SESSION_COOKIE.length + 1), attrs };
  }
  const withCookie = (value: string) => ({ cookie: `theme=dark; ${CODEC_SESSION_COOKIE}=${value}` });
  const audits = (userId: string, action: string) => b.database.db.select().from(auditLog).where(and(eq(auditLog.userId, userId), eq(auditLog.action, action)));

  it('a codec session for the Web UI: a city supervisor opens it with the token (audited); its cookie decodes on /codec and is refused everywhere else', async () => {
    const { caseNo } = await b.register();
    const stored = await storedInput(caseNo);
    const open = (headers: Record<string, string>) => b.app.inject({ method: 'POST', url: '/codec/session', headers });
    expect((await open({})).statusCode).toBe(401);
    expect((await open(b.auth('handler-liandu-housing'))).statusCode).toBe(403);
    const county = await open(b.auth('supervisor-liandu'));
    expect(county.statusCode).toBe(403);
    expect(county.headers['set-cookie']).toBeUndefined();

    const sessionsBefore = (await audits('supervisor-city', 'codec.session')).length;
    const opened = await open(b.auth('supervisor-city'));
    expect(opened.statusCode).toBe(200);
    const cookie = sessionCookie(opened.headers['set-cookie']);
    expect(cookie.attrs).toEqual(expect.arrayContaining(['Path=/codec', 'HttpOnly', 'SameSite=Strict']));
    expect(cookie.attrs).not.toContain('Secure'); // plain http here; see the https case below
    const maxAge = Number(cookie.attrs.find((a) => a.startsWith('Max-Age='))!.slice(8));
    expect(maxAge).toBeGreaterThan(7 * 3600); // the development token lives 8 h: so does the session, no longer
    expect(maxAge).toBeLessThanOrEqual(8 * 3600);
    const expiresAt = Date.parse(opened.json().expiresAt);
    expect(Math.abs(expiresAt - (Date.now() + maxAge * 1000))).toBeLessThan(2_000);
    const sessions = await audits('supervisor-city', 'codec.session');
    expect(sessions.length).toBe(sessionsBefore + 1);
    expect(sessions.at(-1)!.detail).toMatchObject({ expiresAt: opened.json().expiresAt });

    // The cookie alone decodes, as the Web UI sends it; the decode is audited under the user, as by cookie.
    const decodesBefore = (await audits('supervisor-city', 'codec.decode')).length;
    const decoded = await codecPost('/codec/decode', undefined, [stored], { ...withCookie(cookie.value), origin: uiOrigin });
    expect(decoded.statusCode).toBe(200);
    expect(decoded.headers['access-control-allow-credentials']).toBe('true');
    expect(JSON.parse(unb64((decoded.json().payloads as JsonPayload[])[0]!.data!))).toMatchObject({ caseNo });
    const decodes = await audits('supervisor-city', 'codec.decode');
    expect(decodes.length).toBe(decodesBefore + 1);
    expect(decodes.at(-1)!.detail).toMatchObject({ via: 'cookie', payloads: 1, encrypted: 1 });
    const plain: JsonPayload = { metadata: { encoding: b64('json/plain') }, data: b64('"王五"') };
    expect((await codecPost('/codec/encode', undefined, [plain], withCookie(cookie.value))).statusCode).toBe(200);

    // Nowhere else: not on /api (as a cookie or as a bearer token), not to open another session, and a bearer token
    // is no codec session either.
    for (const url of ['/api/petitions', `/api/petitions/${caseNo}`, '/api/admin/users']) {
      expect((await b.app.inject({ method: 'GET', url, headers: withCookie(cookie.value) })).statusCode, url).toBe(401);
      expect((await b.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${cookie.value}` } })).statusCode, url).toBe(401);
    }
    expect((await open(withCookie(cookie.value))).statusCode).toBe(401);
    expect((await codecPost('/codec/decode', undefined, [stored], { authorization: `Bearer ${cookie.value}` })).statusCode).toBe(401);
    const bearerAsCookie = await codecPost('/codec/decode', undefined, [stored], withCookie(b.auth('supervisor-city').authorization!.slice(7)));
    expect(bearerAsCookie.statusCode).toBe(401);
    expect(bearerAsCookie.json().message).toMatch(/codec session/);
    // A forged one (the payload changed, the signature kept) is refused.
    const [h, , sig] = cookie.value.split('.');
    const forged = `${h}.${Buffer.from(JSON.stringify({ sub: 'admin', aud: 'lishui-petition/codec', iat: 1, exp: 4102444800 })).toString('base64url')}.${sig}`;
    expect((await codecPost('/codec/decode', undefined, [stored], withCookie(forged))).statusCode).toBe(401);
  });

  it('the session ends with the bearer token that opened it, when the user is deactivated, and at DELETE /codec/session', async () => {
    const stored = await storedInput((await b.register()).caseNo);
    // A token that expires in 2 s: the session may not outlive it.
    const shortToken = b.app.jwt.sign({ sub: 'supervisor-city' }, { expiresIn: 2 });
    const opened = await b.app.inject({ method: 'POST', url: '/codec/session', headers: { authorization: `Bearer ${shortToken}` } });
    expect(opened.statusCode).toBe(200);
    const short = sessionCookie(opened.headers['set-cookie']);
    expect(Number(short.attrs.find((a) => a.startsWith('Max-Age='))!.slice(8))).toBeLessThanOrEqual(2);
    expect((await codecPost('/codec/decode', undefined, [stored], withCookie(short.value))).statusCode).toBe(200);
    const exp = (JSON.parse(Buffer.from(short.value.split('.')[1]!, 'base64url').toString()) as { exp: number }).exp;
    await new Promise((res) => setTimeout(res, exp * 1000 - Date.now() + 200));
    const expired = await codecPost('/codec/decode', undefined, [stored], withCookie(short.value));
    expect(expired.statusCode).toBe(401);
    expect(expired.json().message).toMatch(/expired or is not valid/);

    // DELETE clears the cookie (audited), with or without a token; the browser then has nothing to send.
    const cookie = sessionCookie((await b.app.inject({ method: 'POST', url: '/codec/session', headers: b.auth('admin') })).headers['set-cookie']);
    const endsBefore = (await audits('admin', 'codec.session_end')).length;
    const ended = await b.app.inject({ method: 'DELETE', url: '/codec/session', headers: withCookie(cookie.value) });
    expect(ended.statusCode).toBe(204);
    const cleared = sessionCookie(ended.headers['set-cookie']);
    expect(cleared.value).toBe('');
    expect(cleared.attrs).toEqual(expect.arrayContaining(['Max-Age=0', 'Path=/codec', 'HttpOnly']));
    expect((await audits('admin', 'codec.session_end')).length).toBe(endsBefore + 1);
    expect((await b.app.inject({ method: 'DELETE', url: '/codec/session' })).statusCode).toBe(204);

    // Behind a TLS proxy the cookie is Secure.
    const overHttps = await b.app.inject({ method: 'POST', url: '/codec/session', headers: { ...b.auth('admin'), 'x-forwarded-proto': 'https' } });
    expect(sessionCookie(overHttps.headers['set-cookie']).attrs).toContain('Secure');

    // A deactivated user's session is refused at once, as the user's bearer token is.
    const created = await b.post('/api/admin/users', 'admin', { id: 'supervisor-city-2', name: '市督查员二', role: 'supervisor', divisionCode: '331100' });
    expect(created.statusCode).toBe(201);
    const theirs = sessionCookie((await b.app.inject({ method: 'POST', url: '/codec/session', headers: b.auth('supervisor-city-2') })).headers['set-cookie']);
    expect((await codecPost('/codec/decode', undefined, [stored], withCookie(theirs.value))).statusCode).toBe(200);
    expect((await b.app.inject({ method: 'PATCH', url: '/api/admin/users/supervisor-city-2', headers: b.auth('admin'), payload: { active: false } })).statusCode).toBe(200);
    expect((await codecPost('/codec/decode', undefined, [stored], withCookie(theirs.value))).statusCode).toBe(401);
  });

  it('the three-party review list masks the petitioners present and withholds the notes; the full read is audited', async () => {
    const { caseNo } = await b.register();
    const v = await b.post(`/api/petitions/${caseNo}/visits`, 'registrar-city', { at: new Date().toISOString(), level: 'national', place: '国家信访局', persons: 6, receivedBy: '接待员李' });
    expect(v.statusCode).toBe(202);
    const review = await eventually(async () => (await b.get(`/api/three-party-reviews?caseNo=${caseNo}`, 'supervisor-city')).json().items[0] as { id: string; openedAt: string } | undefined, 'the review');
    const base = `/api/three-party-reviews/${review.id}`;
    expect((await b.post(`${base}/participants`, 'supervisor-city', { countyLeader: '县长', unitRepresentative: '住建局局长', judicialExpert: '律师甲' })).statusCode).toBe(200);
    const today = shanghaiDateOf(review.openedAt);
    const session = { date: today, place: '县信访局', petitionersPresent: ['王小五', '欧阳娜娜'], notes: '王小五陈述：违建至今未拆除' };
    expect((await b.post(`${base}/session`, 'supervisor-city', session)).statusCode).toBe(200);

    const listed = await eventually(async () => {
      const item = (await b.get(`/api/three-party-reviews?caseNo=${caseNo}`, 'supervisor-city')).json().items[0] as { state: { details: { record: { session?: Record<string, unknown> } } }; personalData: string };
      return item.state.details.record.session ? item : undefined;
    }, 'the session in the list');
    expect(listed.personalData).toBe('masked');
    expect(listed.state.details.record.session).toMatchObject({ petitionersPresent: ['王**', '欧***'], notes: null, place: '县信访局' });
    const listBody = (await b.get(`/api/three-party-reviews?caseNo=${caseNo}`, 'supervisor-city')).body;
    expect(listBody).not.toContain('王小五');
    expect(listBody).not.toContain('违建至今未拆除');

    const reads = () => b.database.db.select().from(auditLog).where(and(eq(auditLog.action, 'read_escalation'), eq(auditLog.caseNo, caseNo)));
    const before = (await reads()).length;
    const full = await b.get(base, 'supervisor-city');
    expect(full.statusCode).toBe(200);
    expect(full.json().details.record.session).toMatchObject(session);
    const after = await reads();
    expect(after.length).toBe(before + 1);
    expect(after.at(-1)).toMatchObject({ userId: 'supervisor-city', detail: { id: review.id, kind: 'three_party_review' } });
  });
});
