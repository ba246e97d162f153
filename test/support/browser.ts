import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Where the browser tests save a screenshot of each page. */
export const screenshotDir = join(repoRoot, '.tmp', 'screenshots');

/** Debian's chromium (apt-get install chromium); never Playwright's own download. */
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export interface TestBrowser {
  browser: Browser;
  /** A new context (its own storage: one signed-in user each) and a page in it, at 1440×900, zh-CN. */
  page(): Promise<{ context: BrowserContext; page: Page }>;
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<TestBrowser> {
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    // launch() gives the browser a fresh temporary profile (--user-data-dir) of its own, removed on close.
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  mkdirSync(screenshotDir, { recursive: true });
  return {
    browser,
    async page() {
      const context = await browser.newContext({ locale: 'zh-CN', timezoneId: 'Asia/Shanghai', viewport: { width: 1440, height: 900 } });
      const page = await context.newPage();
      page.setDefaultTimeout(20_000);
      return { context, page };
    },
    async close() {
      await browser.close();
    },
  };
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/** Runs axe-core (WCAG 2.x A/AA rules) in the page; returns the serious and critical violations. */
/**
 * Waits until no finite animation or transition runs (a drawer sliding in, a row fading): axe measures colour contrast
 * as painted, and a half-faded link fails it (it did once in CI). antd's motions start a frame or two after their
 * element appears, so frames are awaited before and between the checks.
 */
async function settleAnimations(page: Page): Promise<void> {
  await page.evaluate(`(async () => {
    const frame = () => new Promise((resolve) => requestAnimationFrame(() => resolve()));
    const until = Date.now() + 5000;
    for (;;) {
      await frame();
      await frame();
      const running = document.getAnimations().filter((a) => a.playState === 'running' && a.effect && a.effect.getComputedTiming().endTime !== Infinity);
      if (!running.length || Date.now() > until) return;
      await Promise.all(running.map((a) => a.finished.catch(() => undefined)));
    }
  })()`);
}

export async function seriousA11yViolations(page: Page): Promise<AxeViolation[]> {
  // Evaluated through the debugging protocol, not an inline <script>: the API's Content-Security-Policy (helmet)
  // forbids inline scripts, and the console is tested under it.
  await settleAnimations(page);
  await page.evaluate(axeSource);
  // A string, not a function: this file is compiled without the DOM's types.
  const violations = (await page.evaluate(`(async () => {
    const result = await window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map((n) => ({ target: n.target })) }));
  })()`)) as AxeViolation[];
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** Saves a screenshot (the full page, or what a dialog leaves in view) as .tmp/screenshots/<name>.png; returns its path. */
export async function screenshot(page: Page, name: string, fullPage = true): Promise<string> {
  const path = join(screenshotDir, `${name}.png`);
  await page.screenshot({ path, fullPage });
  return path;
}
