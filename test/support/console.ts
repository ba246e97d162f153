// Helpers of the console's browser tests (test/browser/*): signing in, antd selects by keyboard, polling the page,
// the accessibility check and screenshots.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import type { Page } from 'playwright-core';
import { launchBrowser, screenshot, seriousA11yViolations, type TestBrowser } from './browser';
import { eventually, sampleBody } from './api';
import { startStack, type Stack } from './stack';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export async function signIn(page: Page, url: string, userId: string): Promise<void> {
  await page.goto(`${url}/login`);
  await page.locator(`[data-user="${userId}"]`).click();
  await page.waitForURL(`${url}/`);
}

/** Picks an option of an antd Select by its label, with the keyboard: focus, type, Enter. */
export async function choose(page: Page, label: string, option: string): Promise<void> {
  const box = page.getByLabel(label, { exact: true });
  // Focused for certain: a dialog still closing keeps the focus inside it, and the keys would go elsewhere.
  await expect
    .poll(async () => {
      await box.focus();
      return box.evaluate((el) => el === el.ownerDocument.activeElement);
    }, { timeout: 10_000 })
    .toBe(true);
  await page.keyboard.press('ArrowDown');
  await page.keyboard.type(option);
  await page.locator('.ant-select-dropdown:visible .ant-select-item-option').filter({ hasText: option }).first().waitFor();
  await page.keyboard.press('Enter');
}

/** Retries a check until it holds (the page and the workflows catch up; a loaded CI machine is slow), for up to 40 s. */
export const poll = <T>(fn: () => Promise<T> | T) => expect.poll(fn, { timeout: 40_000, interval: 250 });

export async function expectAccessible(page: Page, what: string): Promise<void> {
  // Checked at rest: a button under the pointer after a click shows its lighter hover colour.
  await page.mouse.move(0, 0);
  const violations = await seriousA11yViolations(page);
  expect(violations, `${what}: ${JSON.stringify(violations, null, 1)}`).toEqual([]);
}

/** A screenshot under .tmp/screenshots; `docs`: with UPDATE_SCREENSHOTS=1 also copied to docs/screenshots (the README's). */
export async function shot(page: Page, name: string, docs = false, fullPage = true): Promise<void> {
  const path = await screenshot(page, name, fullPage);
  if (docs && process.env.UPDATE_SCREENSHOTS === '1') {
    mkdirSync(join(repoRoot, 'docs', 'screenshots'), { recursive: true });
    copyFileSync(path, join(repoRoot, 'docs', 'screenshots', `${name}.png`));
  }
}

/** The API as the tests' second desk uses it: tokens per seeded user, GET and POST that throw on an unexpected status. */
export function apiAs(stack: Stack) {
  const tokens = new Map<string, string>();
  async function token(userId: string): Promise<string> {
    if (!tokens.has(userId)) tokens.set(userId, await stack.token(userId));
    return tokens.get(userId)!;
  }
  async function get<T>(path: string, userId: string): Promise<T> {
    const res = await stack.call<T>('GET', path, await token(userId));
    if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }
  async function post<T>(path: string, userId: string, body: unknown, status = [200, 201, 202], headers: Record<string, string> = {}): Promise<T> {
    const res = await stack.call<T>('POST', path, await token(userId), body, headers);
    if (!status.includes(res.status)) throw new Error(`POST ${path}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }
  /** Registers a letter (the registrar of the city bureau) and waits until the matter is in triage. */
  async function register(patch: Record<string, unknown> = {}): Promise<string> {
    const { caseNo } = await post<{ caseNo: string }>('/api/petitions', 'registrar-city', sampleBody(patch));
    await eventually(async () => ((await get<{ status: string }>(`/api/petitions/${caseNo}?personalData=masked`, 'admin')).status === 'TRIAGE' ? true : undefined), 'triage', 30_000, 200);
    return caseNo;
  }
  const visit = (caseNo: string, level: string, persons: number, place: string) =>
    post(`/api/petitions/${caseNo}/visits`, 'registrar-city', { at: new Date().toISOString(), level, place, persons, receivedBy: '接待员' });
  return { token, get, post, register, visit };
}

/** Clicks 导出 CSV/XLSX in the export group of `what`; returns the downloaded file's name and text. */
export async function download(page: Page, what: string, format: 'CSV' | 'XLSX'): Promise<{ name: string; text: string }> {
  const button = page.getByRole('group', { name: `导出${what}` }).getByRole('button', { name: `导出 ${format}` });
  const [file] = await Promise.all([page.waitForEvent('download'), button.click()]);
  const path = await file.path();
  return { name: file.suggestedFilename(), text: readFileSync(path, 'utf8') };
}

/** The console built (again only if its sources changed since `npm install`), the stack and the browser started. */
export async function startConsole(): Promise<[Stack, TestBrowser]> {
  const build = spawnSync(process.execPath, [join(repoRoot, 'scripts', 'build-web.mjs')], { stdio: 'inherit' });
  if (build.status !== 0) throw new Error('the console did not build');
  return Promise.all([startStack(), launchBrowser()]);
}

/** After a failed test: a picture of where it stopped (.tmp/screenshots/failed-*.png). */
export async function shotOnFailure(browser: TestBrowser | undefined, ctx: { task: { name: string; result?: { state?: string } } }): Promise<void> {
  if (ctx.task.result?.state !== 'fail') return;
  const pages = browser?.browser.contexts().flatMap((c) => c.pages()) ?? [];
  const last = pages[pages.length - 1];
  if (last) await screenshot(last, `failed-${ctx.task.name.slice(0, 40).replace(/[^a-z0-9]+/gi, '-')}`).catch(() => undefined);
}
