// The console in a real browser (Debian's chromium through playwright-core) against the real stack: a Temporal dev
// server, PostgreSQL, the worker and the API serving the built console at `/`. Each page is checked with axe-core
// and saved as a screenshot under .tmp/screenshots (UPDATE_SCREENSHOTS=1 copies the main three to docs/screenshots).
import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { and, eq } from 'drizzle-orm';
import { auditLog } from '../../db/schema';
import { startStack, type Stack } from '../support/stack';
import { launchBrowser, screenshot, type TestBrowser } from '../support/browser';
import { choose, expectAccessible, poll, shot, signIn as signInAt } from '../support/console';
import { eventually, sampleBody, uniqueIdNumber } from '../support/api';
// @ts-expect-error -- a plain ES module script without type declarations
import { firstLoad } from '../../scripts/web-size.mjs';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const DAY = 86_400_000;

let stack: Stack;
let browser: TestBrowser;
const tokens = new Map<string, string>();

async function token(userId: string): Promise<string> {
  if (!tokens.has(userId)) tokens.set(userId, await stack.token(userId));
  return tokens.get(userId)!;
}
async function apiGet<T>(path: string, userId: string): Promise<T> {
  const res = await stack.call<T>('GET', path, await token(userId));
  if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}
const signIn = (page: Page, userId: string) => signInAt(page, stack.url, userId);

/** Registers through the API (as a second registrar desk would) and waits until the matter is in triage. */
async function registerViaApi(userId: string, patch: Record<string, unknown>): Promise<string> {
  const res = await stack.call<{ caseNo: string }>('POST', '/api/petitions', await token(userId), sampleBody(patch));
  if (res.status !== 201) throw new Error(`register: ${res.status} ${JSON.stringify(res.body)}`);
  await eventually(async () => ((await apiGet<{ status: string }>(`/api/petitions/${res.body.caseNo}?personalData=masked`, 'admin')).status === 'TRIAGE' ? true : undefined), 'triage');
  return res.body.caseNo;
}

beforeAll(async () => {
  // `npm install` built the console; build again only if its sources changed since.
  const build = spawnSync(process.execPath, [join(repoRoot, 'scripts', 'build-web.mjs')], { stdio: 'inherit' });
  if (build.status !== 0) throw new Error('the console did not build');
  [stack, browser] = await Promise.all([startStack(), launchBrowser()]);
});

// A failed flow leaves a picture of where it stopped (.tmp/screenshots/failed-*.png).
afterEach(async (ctx) => {
  if (ctx.task.result?.state !== 'fail') return;
  const pages = browser?.browser.contexts().flatMap((c) => c.pages()) ?? [];
  const last = pages[pages.length - 1];
  if (last) await screenshot(last, `failed-${ctx.task.name.slice(0, 40).replace(/[^a-z0-9]+/gi, '-')}`).catch(() => undefined);
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

describe('the console', () => {
  let caseNo = '';

  it('is served at / beside the API, whose unknown paths still answer JSON 404s; its first load is under 1 MB gzipped', async () => {
    const index = await fetch(`${stack.url}/matters/LS2026000000001`);
    expect(index.status).toBe(200);
    expect(await index.text()).toContain('<div id="root">');
    const missing = await fetch(`${stack.url}/health/no-such-check`);
    expect(missing.status).toBe(404);
    expect((await fetch(`${stack.url}/api/no-such-route`)).status).toBe(401);
    expect(((await missing.json()) as { error: string }).error).toBe('Not Found');
    const size = firstLoad() as { gzipBytes: number };
    expect(size.gzipBytes).toBeGreaterThan(50_000);
    expect(size.gzipBytes).toBeLessThan(1024 * 1024);
  });

  it('a registrar signs in by keyboard, sees possible repeats while typing, registers a letter once on a double submit, and forwards it', async () => {
    const known = uniqueIdNumber();
    const earlier = await registerViaApi('registrar-city', { petitioners: [{ name: '李大明', main: true, idNumber: known }] });
    const { page } = await browser.page();
    await page.goto(`${stack.url}/login`);
    await shot(page, 'sign-in');
    await expectAccessible(page, 'sign-in');
    await page.locator('[data-user="registrar-city"]').focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(`${stack.url}/`);

    await page.getByRole('link', { name: '登记' }).click();
    await page.getByLabel('姓名（主访人）').fill('李大明');
    await page.getByLabel('证件号码').first().fill(known);
    const repeat = page.getByRole('alert').filter({ hasText: '可能重复' });
    await poll(() => repeat.getByRole('link', { name: earlier }).count()).toBe(1);
    await page.getByLabel('证件号码').first().fill(uniqueIdNumber());
    await poll(() => repeat.count()).toBe(0);

    // Validation as the API does it, shown on the field: a summary under five characters.
    await choose(page, '问题属地', '莲都区');
    await choose(page, '内容分类', '城乡建设');
    await choose(page, '信访目的', '投诉');
    await page.getByLabel('主要内容').fill('太短');
    await page.getByRole('button', { name: '登 记' }).click();
    await poll(() => page.locator('#summary_help').textContent()).toMatch(/5/);
    await shot(page, 'register');
    await expectAccessible(page, 'registration');

    const summary = `浏览器登记测试 ${Date.now()}：楼下餐馆油烟直排，影响居民生活，请求依法处理`;
    await page.getByLabel('主要内容').fill(summary);
    await page.getByRole('button', { name: '登 记' }).dblclick();
    await page.getByText(/已登记：LS\d+/).waitFor();
    caseNo = (await page.getByText(/已登记：LS\d+/).textContent())!.match(/LS\d+/)![0];
    const found = await apiGet<{ total: number }>(`/api/petitions?q=${encodeURIComponent(summary.slice(0, 20))}`, 'registrar-city');
    expect(found.total).toBe(1);

    await page.getByRole('button', { name: '打开信访事项' }).click();
    await poll(() => page.getByTestId('matter-status').textContent()).toBe('待交转办');
    await page.getByRole('button', { name: '转送/交办' }).click();
    await choose(page, '责任单位', '莲都区住房和城乡建设局');
    await page.getByLabel('交办意见', { exact: true }).fill('请依法调查处理并按期答复');
    await page.getByRole('button', { name: '提 交' }).click();
    await poll(() => page.getByTestId('command-result').textContent()).toContain('待受理');
    await poll(() => page.getByTestId('matter-status').textContent()).toBe('待受理');
    await shot(page, 'matter-forwarded');
    await expectAccessible(page, 'matter page');
  });

  it('the handler accepts, is refused a reply before meeting ① with the reason, records meeting ① and replies', async () => {
    const { page } = await browser.page();
    await signIn(page, 'handler-liandu-housing');
    const row = page.locator('tr', { hasText: caseNo });
    await poll(() => row.textContent()).toContain('受理');
    await row.getByRole('link', { name: caseNo }).click();

    await page.getByRole('button', { name: '受 理', exact: true }).click();
    await page.getByRole('button', { name: '提 交' }).click();
    await poll(() => page.getByTestId('command-result').textContent()).toContain('办理中');

    const replyForm = async () => {
      await page.getByRole('button', { name: '出具处理意见书' }).click();
      await page.getByLabel('信访请求', { exact: true }).fill('请求处理餐馆油烟直排');
      await page.getByLabel('查明事实', { exact: true }).fill('经现场核查，该餐馆未安装油烟净化设施');
      await page.getByLabel('处理意见', { exact: true }).fill('责令限期安装油烟净化设施，逾期依法处罚');
      await page.getByLabel('法律依据', { exact: true }).fill('《中华人民共和国大气污染防治法》第八十一条');
      await page.getByRole('button', { name: '提 交' }).click();
    };
    await replyForm();
    const refusal = page.getByTestId('refusal');
    await poll(() => refusal.textContent()).toContain('当前状态不允许此操作');
    expect(await refusal.textContent()).toContain('答复前须记录三见面①');
    await refusal.scrollIntoViewIfNeeded();
    await shot(page, 'refusal', false, false);
    await page.getByRole('button', { name: '取 消' }).click();

    await page.getByRole('button', { name: '记录三见面①' }).click();
    await page.getByLabel('见面日期', { exact: true }).fill(new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10));
    await page.keyboard.press('Enter');
    await page.getByLabel('地点', { exact: true }).fill('莲都区住建局接待室');
    await page.getByLabel('参加人员', { exact: true }).fill('张科长、李大明');
    await page.getByLabel('见面情况', { exact: true }).fill('听取诉求，说明调查安排');
    await page.getByRole('button', { name: '提 交' }).click();
    await poll(() => page.getByTestId('command-result').textContent()).toContain('记录三见面①');

    await replyForm();
    await poll(() => page.getByTestId('command-result').textContent()).toContain('已答复');
    await poll(() => page.getByTestId('matter-status').textContent()).toBe('已答复');

    // The petitioners, masked until the audited click.
    expect(await page.getByText('李大明（主访人）').count()).toBe(0);
    await page.getByRole('button', { name: '查看完整信息' }).click();
    await page.getByRole('button', { name: '确定查看' }).click();
    await page.getByText('李大明（主访人）').waitFor();
    const audits = await stack.database.db.select().from(auditLog).where(and(eq(auditLog.caseNo, caseNo), eq(auditLog.userId, 'handler-liandu-housing')));
    expect(audits.length).toBe(1);
    await shot(page, 'matter', true);

    // The reply as a printable notice.
    const printHref = await page.getByRole('link', { name: '打印' }).last().getAttribute('href');
    await page.goto(`${stack.url}${printHref}`);
    await page.getByRole('heading', { level: 1 }).waitFor();
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toMatch(/意见书|告知书/);
    await shot(page, 'notice-print');
    await expectAccessible(page, 'notice print view');
  });

  it('the work list puts overdue first in red and reorders as limits approach', async () => {
    const received = (daysAgo: number) => new Date(Date.now() - daysAgo * DAY).toISOString();
    const a = await registerViaApi('registrar-qingtian', { divisionCode: '331121', receivedAt: received(5) });
    const b = await registerViaApi('registrar-qingtian', { divisionCode: '331121', receivedAt: received(9) });
    const { page } = await browser.page();
    await signIn(page, 'registrar-qingtian');
    const order = async () => (await page.locator('tbody tr td a').allTextContents()).filter((t) => t.startsWith('LS'));
    await poll(order).toEqual([b, a]);

    // Two more letters, received earlier: one with two days left, one already past its 15 days.
    const c = await registerViaApi('registrar-qingtian', { divisionCode: '331121', receivedAt: received(13) });
    const d = await registerViaApi('registrar-qingtian', { divisionCode: '331121', receivedAt: received(20) });
    await page.getByRole('button', { name: '刷 新' }).click();
    await poll(order).toEqual([d, c, b, a]);
    const overdueRow = page.locator('tr', { hasText: d });
    expect(await overdueRow.getAttribute('class')).toContain('row-overdue');
    expect(await overdueRow.getByTestId('time-left').textContent()).toMatch(/已超期/);
    expect(await page.locator('tr', { hasText: c }).getByTestId('time-left').textContent()).toMatch(/剩余 [12] 个自然日/);
    expect(await page.locator('tr', { hasText: c }).textContent()).toContain('《信访工作条例》');

    // Filters live in the URL: reloading keeps "overdue only".
    await page.getByLabel('只看超期').click();
    await poll(order).toEqual([d]);
    await page.reload();
    await poll(order).toEqual([d]);
    await page.getByLabel('只看超期').click();
    await poll(order).toEqual([d, c, b, a]);
    await shot(page, 'work-list', true);
    await expectAccessible(page, 'work list');
  });

  it('the supervisor dashboard shows the figures of the matters just created, each drilling down to its list', async () => {
    const { page } = await browser.page();
    await signIn(page, 'supervisor-city');
    await page.getByRole('link', { name: '督办' }).click();
    const triage = await apiGet<{ total: number }>('/api/petitions?status=TRIAGE&pageSize=1', 'supervisor-city');
    const replied = await apiGet<{ total: number }>('/api/petitions?status=REPLIED&pageSize=1', 'supervisor-city');
    expect(triage.total).toBeGreaterThanOrEqual(5);
    expect(replied.total).toBeGreaterThanOrEqual(1);
    await poll(() => page.getByTestId('status-TRIAGE').textContent()).toBe(String(triage.total));
    expect(await page.getByTestId('status-REPLIED').textContent()).toBe(String(replied.total));
    // (The README's dashboard picture, with the campaign's measures, is taken by test/browser/campaign.test.ts.)
    await shot(page, 'dashboard-figures');
    await expectAccessible(page, 'dashboard');

    await page.getByTestId('status-REPLIED').click();
    await page.waitForURL(/\/matters\?status=REPLIED/);
    await poll(() => page.locator('tbody tr td a').allTextContents()).toContain(caseNo);
    await shot(page, 'matters');
    await expectAccessible(page, 'matters list');

    await page.goto(`${stack.url}/escalations/warning-slips`);
    await page.getByRole('tab', { name: '信访预警单' }).waitFor();
    await page.getByText(/暂无信访预警单|共 \d+ 件/).first().waitFor();
    await shot(page, 'escalations');
    await expectAccessible(page, 'escalations');
  });

  it("an admin sees each year of the working-day calendar and imports next year's schedule", async () => {
    const { page } = await browser.page();
    await signIn(page, 'admin');
    await page.getByRole('link', { name: '工作日历' }).click();
    const next = new Date().getFullYear() + 1;
    const row = page.locator('tr', { hasText: String(next) }).first();
    await poll(() => row.textContent()).toContain('未完整');
    await page.getByLabel('文件文号').fill('国办发明电〔2026〕99号（测试）');
    await page.getByLabel(/放假安排/).fill(`元旦 ${next}-01-01~${next}-01-03`);
    await page.getByLabel(/调休上班/).fill(`春节 ${next}-02-20`);
    await page.getByRole('button', { name: '导 入' }).click();
    await page.getByText(`已导入 ${next} 年：放假 3 天，调休上班 1 天，已声明完整`).waitFor();
    await poll(() => row.textContent()).toContain('完整，可计算期限');
    await poll(() => page.locator('tr', { hasText: `${next}-02-20` }).textContent()).toContain('工作日');
    await shot(page, 'calendar');
    await expectAccessible(page, 'calendar admin');
  });
});
