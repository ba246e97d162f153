import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { temporalCliPath } from '../../lib/temporal-binaries';
import { ENCRYPTED_ENCODING, KEY_ID_METADATA } from '../../lib/codec';
import { temporalClient } from '../../services/bootstrap';
import { stateQuery } from '../../workflows/messages';
import { and, eq } from 'drizzle-orm';
import type { BrowserContext, Page } from 'playwright-core';
import { auditLog } from '../../db/schema';
import { eventually } from '../support/api';
import { launchBrowser, screenshot, type TestBrowser } from '../support/browser';
import { signIn } from '../support/console';
import { startStack, type Stack } from '../support/stack';

const CJK = /[\u3400-\u9fff\uff00-\uffef]/;
const name = '欧阳明辉';

/**
 * Every value of a history object as text (bytes as UTF-8, so that a readable name would show), except the
 * ciphertext of encrypted payloads: random bytes read as UTF-8 may well look like a CJK character.
 */
function flatten(value: unknown, path: string, out: { path: string; text: string }[]): void {
  if (value instanceof Uint8Array) out.push({ path, text: Buffer.from(value).toString('utf8') });
  else if (Array.isArray(value)) value.forEach((v, i) => flatten(v, `${path}[${i}]`, out));
  else if (value && typeof value === 'object') {
    const o = value as { metadata?: Record<string, Uint8Array> };
    const encrypted = o.metadata?.encoding && Buffer.from(o.metadata.encoding).toString() === ENCRYPTED_ENCODING;
    for (const [k, v] of Object.entries(value)) if (!(encrypted && k === 'data')) flatten(v, `${path}.${k}`, out);
  } else if (typeof value === 'string') out.push({ path, text: value });
}

/** Every payload in a history (an object with metadata and data), with where it is. */
function payloads(value: unknown, path: string, out: { path: string; metadata: Record<string, Uint8Array> }[]): void {
  if (!value || typeof value !== 'object' || value instanceof Uint8Array) return;
  if (Array.isArray(value)) return value.forEach((v, i) => payloads(v, `${path}[${i}]`, out));
  const o = value as Record<string, unknown>;
  if (o.metadata && typeof o.metadata === 'object' && 'data' in o) out.push({ path, metadata: o.metadata as Record<string, Uint8Array> });
  else for (const [k, v] of Object.entries(o)) payloads(v, `${path}.${k}`, out);
}

/**
 * Issue 10, item 4, on the real stack (Temporal dev server, PostgreSQL, worker and API): a matter's personal data and
 * free text never reach Temporal in clear. A client without the codec — and `temporal workflow show` — see only
 * ciphertext; the service's own clients, the CLI through the API's codec endpoint with a token, and the Temporal Web UI
 * of the dev server (started as `npm start` starts it, its codec endpoint the API's /codec) with a codec session,
 * see the matter.
 */
describe('payloads encrypted at rest on the real stack', () => {
  let stack: Stack;
  let raw: Client;
  let connection: Connection;
  let caseNo: string;
  let browser: TestBrowser | undefined;
  const workflowIds: string[] = [];
  beforeAll(async () => {
    stack = await startStack({ webUiCodec: true });
    connection = await Connection.connect({ address: stack.config.TEMPORAL_ADDRESS! });
    raw = new Client({ connection }); // no codec: what anyone with access to Temporal sees
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await connection?.close();
    await stack?.stop();
  });

  it('a matter through registration, assignment, a further letter, a Beijing visit and a three-party session', async () => {
    const registrar = await stack.token('registrar-city');
    const supervisor = await stack.token('supervisor-city');
    const reg = await stack.call<{ caseNo: string; workflowId: string }>('POST', '/api/petitions', registrar, {
      channel: 'letter', divisionCode: '331102', category: 'urban_construction', purpose: 'complaint',
      summary: '安置小区房屋漏水，多次报修无人处理', petitioners: [{ name, main: true, idNumber: '331102198003031239', phone: '13600003333' }],
    }, { 'idempotency-key': `codec-${randomUUID()}` });
    expect(reg.status).toBe(201);
    caseNo = reg.body.caseNo;
    workflowIds.push(reg.body.workflowId);
    await eventually(async () => ((await stack.call<{ status: string }>('GET', `/api/petitions/${caseNo}/state`, registrar)).body.status === 'TRIAGE' ? true : undefined), 'triage', 30_000, 200);
    expect((await stack.call('POST', `/api/petitions/${caseNo}/forward`, registrar, { mode: 'assign', unitId: 'liandu-housing', note: `请核查${name}反映的漏水问题` })).status).toBe(200);
    const linked = await stack.call('POST', '/api/petitions', registrar, {
      channel: 'phone', divisionCode: '331102', category: 'urban_construction', purpose: 'complaint', linkToCaseNo: caseNo,
      summary: `${name}再次来电反映漏水未修`, petitioners: [{ name, main: true, idNumber: '331102198003031239', phone: '13600003333' }],
    }, { 'idempotency-key': `codec-${randomUUID()}` });
    expect(linked.status).toBe(200);
    const visit = await stack.call('POST', `/api/petitions/${caseNo}/visits`, registrar, { at: new Date().toISOString(), level: 'national', place: '国家信访局', persons: 6, receivedBy: '接待员李' });
    expect(visit.status).toBe(202);
    const review = await eventually(async () => (await stack.call<{ items: { id: string; openedAt: string }[] }>('GET', `/api/three-party-reviews?caseNo=${caseNo}`, supervisor)).body.items[0], 'the three-party review', 30_000, 200);
    workflowIds.push(review.id);
    const base = `/api/three-party-reviews/${review.id}`;
    expect((await stack.call('POST', `${base}/participants`, supervisor, { countyLeader: '县长', unitRepresentative: '住建局局长', judicialExpert: '律师甲' })).status).toBe(200);
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date(review.openedAt));
    expect((await stack.call('POST', `${base}/session`, supervisor, { date: today, place: '县信访局', petitionersPresent: [name], notes: `${name}陈述：房屋漏水三年未修` })).status).toBe(200);
    const inv = await eventually(async () => (await stack.call<{ items: { id: string }[] }>('GET', `/api/investigations?caseNo=${caseNo}`, supervisor)).body.items[0], 'the investigation', 30_000, 200);
    workflowIds.push(inv.id);
  }, 120_000);

  it('read without the codec, no history holds Chinese text or the name; every payload but the search attributes and the markers\' own bookkeeping is encrypted with the active key, local activities\' results included', async () => {
    expect(workflowIds.length).toBe(3);
    let localResults = 0;
    for (const id of workflowIds) {
      const history = await raw.workflow.getHandle(id).fetchHistory();
      expect(history.events!.length).toBeGreaterThan(3);
      const texts: { path: string; text: string }[] = [];
      flatten(history, id, texts);
      expect(texts.filter((t) => CJK.test(t.text) || t.text.includes(name)).map((t) => t.path)).toEqual([]);
      const found: { path: string; metadata: Record<string, Uint8Array> }[] = [];
      payloads(history, id, found);
      const enc = (p: (typeof found)[number]) => Buffer.from(p.metadata.encoding ?? new Uint8Array()).toString();
      // Not payload-codec'd by the SDK, and checked above to hold no text: search attributes (codes, dates, flags for
      // visibility queries), the workflow's patch markers (the name of a code change) and a local activity marker's
      // own bookkeeping (its type, sequence number, attempt and times). A local activity's result is encrypted.
      const outside = found.filter((p) => !/\.searchAttributes\.|\.markerRecordedEventAttributes\.details\.(patch-data|data)\./.test(p.path));
      expect(outside.length).toBeGreaterThan(3);
      localResults += outside.filter((p) => p.path.includes('.markerRecordedEventAttributes.details.result.')).length;
      expect(outside.filter((p) => enc(p) !== ENCRYPTED_ENCODING).map((p) => `${p.path} ${enc(p)}`)).toEqual([]);
      expect(new Set(outside.map((p) => Buffer.from(p.metadata[KEY_ID_METADATA]!).toString()))).toEqual(new Set(['e2e-new']));
    }
    // The limits' computations and the projections (local activities) recorded their results, encrypted.
    expect(localResults).toBeGreaterThan(0);
  });

  it('`temporal workflow show` shows ciphertext; with the API as its codec endpoint and a token it shows the matter', async () => {
    const cli = temporalCliPath();
    if (!cli) throw new Error('the temporal CLI is not installed (node scripts/install-temporal.mjs)');
    // Asynchronously: the CLI calls back into the API, which runs in this process.
    const show = async (...extra: string[]) =>
      (await promisify(execFile)(cli, ['workflow', 'show', '--workflow-id', workflowIds[0]!, '--address', stack.config.TEMPORAL_ADDRESS!, '--output', 'json', ...extra], { encoding: 'utf8', timeout: 60_000, maxBuffer: 64 * 1024 * 1024 })).stdout;
    const encryptedEncoding = `"encoding": "${Buffer.from(ENCRYPTED_ENCODING).toString('base64')}"`;
    const plain = await show();
    expect(plain).toContain(encryptedEncoding);
    expect(plain).not.toMatch(CJK);
    expect(plain).not.toContain(Buffer.from(name).toString('base64'));
    const token = await stack.token('supervisor-city');
    const decoded = await show('--codec-endpoint', `${stack.url}/codec`, '--codec-auth', `Bearer ${token}`);
    type Shown = { events: { workflowExecutionStartedEventAttributes?: { input: { payloads: { metadata: Record<string, string>; data: string }[] } } }[] };
    const input = (JSON.parse(decoded) as Shown).events[0]!.workflowExecutionStartedEventAttributes!.input.payloads[0]!;
    expect(Buffer.from(input.metadata.encoding!, 'base64').toString()).toBe('json/plain');
    expect(JSON.parse(Buffer.from(input.data, 'base64').toString())).toMatchObject({ caseNo });
    expect(decoded).not.toContain(encryptedEncoding);
  });

  it('the service’s own clients read the matter as before: live state through the API and a query with the codec', async () => {
    const registrar = await stack.token('registrar-city');
    const live = await stack.call<{ status: string; unitId: string }>('GET', `/api/petitions/${caseNo}/state`, registrar);
    expect(live).toMatchObject({ status: 200, body: { status: 'AWAITING_ACCEPTANCE', unitId: 'liandu-housing' } });
    const client = temporalClient(stack.config, stack.config.TEMPORAL_ADDRESS!);
    try {
      expect((await client.workflow.getHandle(workflowIds[0]!).query(stateQuery)).status).toBe('AWAITING_ACCEPTANCE');
      await expect(raw.workflow.getHandle(workflowIds[0]!).query(stateQuery)).rejects.toThrow();
    } finally {
      await client.connection.close();
    }
  });

  /**
   * What a user does in the Web UI: opens the Codec Server settings, chooses the browser's own setting with the API's
   * /codec as endpoint and "Include cross-origin credentials" (the UI then fetches with credentials: 'include'; the
   * dev server's UI has no flag for it, a production UI server sets codec.includeCredentials), applies, and opens the
   * matter's workflow at `path`. Every answer of the codec endpoint is collected.
   */
  async function openInWebUi(context: BrowserContext, page: Page, path: string): Promise<{ status: number; cookie: boolean }[]> {
    const decodes: { status: number; cookie: boolean }[] = [];
    context.on('response', (res) => {
      const req = res.request();
      if (req.method() === 'POST' && req.url().startsWith(`${stack.url}/codec/decode`)) {
        void req.allHeaders().then((h) => decodes.push({ status: res.status(), cookie: /codec_session=/.test(h.cookie ?? '') }));
      }
    });
    await page.goto(`${stack.uiUrl}/namespaces/default/workflows`);
    await page.getByTestId('data-encoder-status-configured').click();
    await page.getByTestId('use-local-endpoint-input').check({ force: true });
    await page.getByPlaceholder('Paste your endpoint here').fill(`${stack.url}/codec`);
    // A switch: set once, it stays set in this browser (localStorage) for the next visit.
    if (!(await page.locator('#pass-access-credentials').isChecked())) await page.getByTestId('data-encoder-include-credentials').click();
    await page.getByRole('button', { name: 'Apply' }).click();
    expect(JSON.parse((await page.evaluate('localStorage.getItem("includeCredentials")')) as string)).toBe(true);
    await page.goto(`${stack.uiUrl}/namespaces/default/workflows/${encodeURIComponent(workflowIds[0]!)}${path}`);
    await page.getByText(workflowIds[0]!).first().waitFor();
    return decodes;
  }

  it('the Temporal Web UI shows the matter in Chinese to a city supervisor with a codec session (audited), and only ciphertext without one or to a county supervisor', async () => {
    browser = await launchBrowser();
    // The further letter: a signal whose input holds the petitioner's name and the letter's summary.
    const history = await raw.workflow.getHandle(workflowIds[0]!).fetchHistory();
    const run = history.events![0]!.workflowExecutionStartedEventAttributes!.originalExecutionRunId!;
    const letter = history.events!.find((e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'submission')!;
    const letterPage = `/${run}/history/events/${String(letter.eventId)}`;
    const letterSummary = `${name}再次来电反映漏水未修`;
    // The decodes audited under the city supervisor's id that came with the codec session's cookie.
    const cookieDecodes = async () =>
      (await stack.database.db.select().from(auditLog).where(and(eq(auditLog.userId, 'supervisor-city'), eq(auditLog.action, 'codec.decode'))))
        .filter((row) => (row.detail as { via?: string }).via === 'cookie');
    expect(await cookieDecodes()).toEqual([]);

    // A city supervisor, signed in to the console, opens a codec session: an HttpOnly cookie for /codec.
    const city = await browser.page();
    await signIn(city.page, stack.url, 'supervisor-city');
    await city.page.getByRole('button', { name: 'Temporal Web UI 解密' }).click();
    await city.page.getByText('解密会话已开启').waitFor();
    const sessionCookies = async (context: BrowserContext) => (await context.cookies(`${stack.url}/codec/decode`)).filter((c) => c.name === 'codec_session');
    const [cookie] = await sessionCookies(city.context);
    expect(cookie).toMatchObject({ name: 'codec_session', path: '/codec', httpOnly: true, sameSite: 'Strict' });
    expect(await city.page.evaluate('document.cookie')).not.toContain('codec_session'); // HttpOnly: no script reads it

    const decodes = await openInWebUi(city.context, city.page, letterPage);
    await expect.poll(async () => city.page.locator('body').innerText(), { timeout: 30_000 }).toContain(letterSummary);
    expect(await city.page.locator('body').innerText()).toContain(`"id": "${caseNo}-S-`);
    await screenshot(city.page, 'temporal-ui-decoded');
    expect(decodes.length).toBeGreaterThan(0);
    expect(decodes.every((d) => d.status === 200 && d.cookie)).toBe(true);
    const audited = await cookieDecodes();
    expect(audited.length).toBeGreaterThan(0); // (the UI refreshes a running workflow: more may follow)
    expect(audited[0]!.detail).toMatchObject({ via: 'cookie', namespace: 'default' });

    // A county supervisor may not open a session (the codec cannot tell whose payload it is): the same UI, the same
    // settings, and the history stays ciphertext; the codec endpoint answered 401 to every request.
    const county = await browser.page();
    await signIn(county.page, stack.url, 'supervisor-liandu');
    await county.page.getByRole('button', { name: 'Temporal Web UI 解密' }).click();
    await county.page.getByText('无权执行此操作').waitFor();
    expect(await sessionCookies(county.context)).toEqual([]);
    const refused = await openInWebUi(county.context, county.page, letterPage);
    await expect.poll(() => refused.length, { timeout: 30_000 }).toBeGreaterThan(0);
    // The signal's input as the UI shows a payload it could not decode: the ciphertext, base64.
    const ciphertext = /Input\s+"[A-Za-z0-9+/]{100,}={0,2}"/;
    await expect.poll(async () => county.page.locator('body').innerText(), { timeout: 30_000 }).toMatch(ciphertext);
    const shown = await county.page.locator('body').innerText();
    await screenshot(county.page, 'temporal-ui-encrypted');
    expect(shown).not.toContain(name);
    expect(shown).not.toContain('漏水');
    expect(refused.every((d) => d.status === 401 && !d.cookie)).toBe(true);

    // Signing out of the console ends the session (DELETE /codec/session): the city supervisor's UI is back to ciphertext.
    await city.page.goto(`${stack.url}/`);
    const [ended] = await Promise.all([
      city.page.waitForResponse((res) => res.url() === `${stack.url}/codec/session` && res.request().method() === 'DELETE'),
      city.page.getByRole('button', { name: /^退\s*出$/ }).click(), // antd spaces a two-character label: "退 出"
    ]);
    expect(ended.status()).toBe(204);
    expect(await sessionCookies(city.context)).toEqual([]);
    const after = await openInWebUi(city.context, city.page, letterPage);
    await expect.poll(() => after.length, { timeout: 30_000 }).toBeGreaterThan(0);
    await expect.poll(async () => city.page.locator('body').innerText(), { timeout: 30_000 }).toMatch(ciphertext);
    expect(await city.page.locator('body').innerText()).not.toContain(name);
    expect(after.every((d) => d.status === 401 && !d.cookie)).toBe(true);
  }, 120_000);
});
