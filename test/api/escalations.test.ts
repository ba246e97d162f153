import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { Readable } from 'node:stream';
import { createApiBench, eventually, type ApiBench } from '../support/api';
import { shanghaiDateOf } from '../../domain/dates';

interface OverlayRow {
  id: string;
  kind: string;
  caseNo: string;
  status: string;
  trigger: string;
  overdue: boolean;
  dueAt: string | null;
}

describe('visits and escalations through the API', () => {
  let b: ApiBench;
  const dataDir = mkdtempSync(join(tmpdir(), 'petition-recordings-'));
  beforeAll(async () => {
    // A small recording limit so "too large" is cheap to show.
    b = await createApiBench({ RECORDING_MAX_BYTES: '4096', DATA_DIR: dataDir });
  });
  afterAll(async () => {
    await b?.teardown();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const now = () => new Date().toISOString();
  const visitBody = (patch: Record<string, unknown> = {}) => ({ at: now(), level: 'county', place: '莲都区信访局', persons: 1, receivedBy: '接待员李', ...patch });

  it('a visit dated before registration or in the future is refused with the reason; nothing is recorded', async () => {
    const { caseNo } = await b.register({}, 'registrar-city');
    const before = await b.post(`/api/petitions/${caseNo}/visits`, 'registrar-city', visitBody({ at: '2026-01-05T09:00:00+08:00' }));
    expect(before.statusCode).toBe(400);
    expect(before.json()).toMatchObject({ fields: { at: 'before registration' } });
    const future = await b.post(`/api/petitions/${caseNo}/visits`, 'registrar-city', visitBody({ at: new Date(Date.now() + 86_400_000).toISOString() }));
    expect(future.statusCode).toBe(400);
    expect(future.json().message).toContain('future');
    const bad = await b.post(`/api/petitions/${caseNo}/visits`, 'registrar-city', visitBody({ level: 'planet', persons: 0 }));
    expect(bad.statusCode).toBe(400);
    expect(Object.keys(bad.json().fields).sort()).toEqual(['level', 'persons']);
    const state = (await b.get(`/api/petitions/${caseNo}/state`, 'registrar-city')).json();
    expect(state.visits).toEqual([]);
  });

  it('two county-level visits issue a warning slip that the list shows; the same visit retried with its Idempotency-Key counts once', async () => {
    const { caseNo } = await b.register({}, 'registrar-city');
    // A retry sends the very same request (the same key with another body is refused with 422).
    const visit = visitBody();
    const first = await b.post(`/api/petitions/${caseNo}/visits`, 'registrar-city', visit, { 'idempotency-key': `visit-${caseNo}-1` });
    expect(first.statusCode).toBe(202);
    const retried = await b.post(`/api/petitions/${caseNo}/visits`, 'registrar-city', visit, { 'idempotency-key': `visit-${caseNo}-1` });
    expect(retried.json().visitId).toBe(first.json().visitId);
    const counted = await eventually(async () => {
      const s = (await b.get(`/api/petitions/${caseNo}/state`, 'registrar-city')).json();
      return s.visits.length === 1 ? s : undefined;
    }, 'the first visit');
    expect(counted.overlays).toEqual({});

    await b.post(`/api/petitions/${caseNo}/visits`, 'registrar-city', visitBody({ place: '莲都区信访局（第二次）' }));
    const slip = await eventually(async () => {
      const list = (await b.get(`/api/warning-slips?caseNo=${caseNo}`, 'supervisor-city')).json();
      return list.items[0] as OverlayRow | undefined;
    }, 'the warning slip in the list');
    expect(slip).toMatchObject({ kind: 'warning_slip', trigger: 'two_visits', status: 'open' });
    const live = (await b.get(`/api/warning-slips/${slip.id}`, 'supervisor-city')).json();
    expect(live.details.reason).toBe('two_visits');
    // A bureau user cannot issue a second slip for the same matter.
    const again = await b.post(`/api/petitions/${caseNo}/warning-slip`, 'supervisor-city', { reason: '信访人情绪激动，扬言到省上访' });
    expect(again.statusCode).toBe(409);
    // A unit handler may not record visits.
    expect((await b.post(`/api/petitions/${caseNo}/visits`, 'handler-liandu-housing', visitBody())).statusCode).toBe(403);
  });

  it('a visit on a matter that has ended is refused with its status', async () => {
    const { caseNo } = await b.register({}, 'registrar-city');
    const refused = await b.post(`/api/petitions/${caseNo}/not-accept`, 'registrar-city', { reason: '不属于信访事项受理范围' });
    expect(refused.statusCode).toBe(200);
    const r = await b.post(`/api/petitions/${caseNo}/visits`, 'registrar-city', visitBody());
    expect(r.statusCode).toBe(409);
    expect(r.json().message).toContain('NOT_ACCEPTED');
  });

  it('a three-party review takes a recording only as audio/video within the size limit, stores it under its sha-256, and leaves nothing behind when refused', async () => {
    const { caseNo } = await b.register({}, 'registrar-city');
    const v = await b.post(`/api/petitions/${caseNo}/visits`, 'registrar-city', visitBody({ level: 'national', place: '国家信访局', persons: 6 }));
    expect(v.statusCode).toBe(202);
    const review = await eventually(async () => (await b.get(`/api/three-party-reviews?caseNo=${caseNo}`, 'supervisor-city')).json().items[0] as OverlayRow | undefined, 'the review');
    expect(review.trigger).toBe('collective_to_beijing');
    const base = `/api/three-party-reviews/${review.id}`;

    // Order matters: no session before participants, no recording before the session.
    expect((await b.post(`${base}/session`, 'supervisor-city', { date: new Date().toISOString().slice(0, 10), place: '县信访局', petitionersPresent: ['王小五'], notes: '面对面会审' })).statusCode).toBe(409);
    expect((await b.post(`${base}/participants`, 'supervisor-city', { countyLeader: '县长', unitRepresentative: '住建局局长', judicialExpert: '律师甲' })).statusCode).toBe(200);
    // The session's date is an Asia/Shanghai date (from 16:00 UTC on, a day after the UTC date).
    const today = shanghaiDateOf((await b.get(`${base}`, 'supervisor-city')).json().openedAt);
    expect((await b.post(`${base}/session`, 'supervisor-city', { date: today, place: '县信访局', petitionersPresent: ['王小五'], notes: '面对面会审，全程录音录像' })).statusCode).toBe(200);

    const upload = (body: Buffer | Readable, type: string) =>
      b.app.inject({ method: 'POST', url: `${base}/recording?fileName=session.mp4`, headers: { ...b.auth('supervisor-city'), 'content-type': type }, payload: body });
    const text = await upload(Buffer.from('not a video'), 'text/plain');
    expect(text.statusCode).toBe(415);
    // Too large: declared by its length (refused before reading), or sent as a stream of unknown length (refused
    // when the count passes the limit); either way the connection is closed rather than the rest read.
    const big = await upload(Buffer.alloc(5000, 1), 'video/mp4');
    expect(big.statusCode).toBe(413);
    expect(big.headers.connection).toBe('close');
    const streamed = await upload(Readable.from([Buffer.alloc(3000, 1), Buffer.alloc(3000, 2)]), 'video/mp4');
    expect(streamed.statusCode).toBe(413);
    expect(streamed.json().message).toContain('4096 bytes');
    const dir = join(dataDir, 'recordings');
    expect((await readdir(dir)).filter((f) => !f.startsWith('.'))).toEqual([]);
    expect((await readdir(dir)).filter((f) => f.startsWith('.upload'))).toEqual([]);

    const video = Buffer.alloc(3000, 7);
    const ok = await upload(video, 'video/mp4');
    expect(ok.statusCode).toBe(200);
    const sha = createHash('sha256').update(video).digest('hex');
    expect(ok.json().details.record.recording).toMatchObject({ sha256: sha, size: 3000, contentType: 'video/mp4' });
    expect(await readdir(dir)).toContain(sha);

    const done = await b.post(`${base}/archive`, 'supervisor-city', { receiptNo: 'LSLX-2026-001', receivedOn: today });
    expect(done.statusCode).toBe(200);
    expect(done.json().status).toBe('completed');
    const listed = await eventually(async () => {
      const items = (await b.get(`/api/three-party-reviews?status=completed&caseNo=${caseNo}`, 'supervisor-city')).json().items as OverlayRow[];
      return items.length ? items : undefined;
    }, 'the completed review');
    expect(listed[0]!.overdue).toBe(false);
    // The Beijing visit is skip-level for a county matter: an investigation is listed too.
    const inv = await eventually(async () => (await b.get(`/api/investigations?caseNo=${caseNo}`, 'supervisor-city')).json().items[0] as OverlayRow | undefined, 'the investigation');
    expect(inv.trigger).toBe('skip_level');
    const half = await b.post(`/api/investigations/${inv.id}/conclusion`, 'supervisor-city', { handlingFinding: '已按程序办理', recommendation: 'none' });
    expect(half.statusCode).toBe(400);
    expect(Object.keys(half.json().fields)).toEqual(['accountabilityFinding']);
  });
});
