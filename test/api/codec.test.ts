import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { defaultPayloadConverter } from '@temporalio/common';
import { auditLog } from '../../db/schema';
import { ENCRYPTED_ENCODING, KEY_ID_METADATA } from '../../lib/codec';
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
