// The console's 用户与角色 page in a real browser against the real stack: the seeded admin creates a unit handler
// (the role picker asks for a unit), deactivates the account and sees it stopped; the API agrees. Checked with axe-core.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from '../support/stack';
import type { TestBrowser } from '../support/browser';
import { apiAs, choose, expectAccessible, poll, shot, shotOnFailure, signIn, startConsole } from '../support/console';

let stack: Stack;
let browser: TestBrowser;

beforeAll(async () => {
  [stack, browser] = await startConsole();
}, 240_000);
afterEach((ctx) => shotOnFailure(browser, ctx));
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

describe('the console: users and roles', () => {
  it('an admin creates a unit handler bound to a unit, deactivates the account and sees it stopped', async () => {
    const api = apiAs(stack);
    const login = `handler-ui-${Date.now()}`;
    const { page } = await browser.page();
    await signIn(page, stack.url, 'admin');
    await page.getByRole('link', { name: '用户与角色' }).click();
    await poll(() => page.locator('tr', { hasText: 'handler-liandu-housing' }).first().textContent()).toContain('莲都区住房和城乡建设局');
    await expectAccessible(page, 'users admin');

    // A password shorter than 12 characters is refused on the form before anything is sent.
    await page.getByLabel('登录名', { exact: true }).fill(login);
    await page.getByLabel('姓名', { exact: true }).fill('莲都住建测试承办人');
    await choose(page, '角色', '承办人');
    await choose(page, '所属单位', '莲都区住房和城乡建设局');
    await page.getByLabel(/^初始密码/).fill('short');
    await page.getByRole('button', { name: '创 建' }).click();
    await page.getByText('密码至少 12 位').waitFor();
    await page.getByLabel(/^初始密码/).fill('Lishui-test-2026!');
    await page.getByRole('button', { name: '创 建' }).click();
    await page.getByText(`已创建用户 ${login}（承办人）`).waitFor();
    const row = page.locator('tr', { hasText: login });
    await poll(() => row.textContent()).toContain('启用');
    expect(await row.textContent()).toContain('莲都区住房和城乡建设局');

    // The same login name again: the API's refusal (409) shows above the form with its reason.
    await page.getByLabel('登录名', { exact: true }).fill(login);
    await page.getByLabel('姓名', { exact: true }).fill('重复');
    await choose(page, '角色', '承办人');
    await choose(page, '所属单位', '莲都区住房和城乡建设局');
    await page.getByRole('button', { name: '创 建' }).click();
    await page.getByRole('alert').filter({ hasText: '该登录名已被使用' }).filter({ hasText: login }).waitFor();

    await row.getByRole('button', { name: '修 改' }).click();
    const dialog = page.getByRole('dialog', { name: `修改用户 ${login}` });
    await dialog.getByLabel(/^启用/).uncheck();
    await dialog.getByRole('button', { name: '保 存' }).click();
    await poll(() => row.textContent()).toContain('已停用');
    await shot(page, 'users-admin');
    await expectAccessible(page, 'users admin after deactivation');

    // The audit log lists both changes, and its hash chain verifies.
    await page.getByRole('tab', { name: '审计日志' }).click();
    await poll(() => page.locator('tr', { hasText: 'user.created' }).filter({ hasText: login }).count()).toBe(1);
    await poll(() => page.locator('tr', { hasText: 'user.updated' }).filter({ hasText: login }).count()).toBe(1);
    await page.getByRole('button', { name: '校验审计链' }).click();
    await page.getByText(/^审计链完整：共 \d+ 条/).waitFor();
    await expectAccessible(page, 'audit log');

    const { items } = await api.get<{ items: { id: string; role: string; unitId: string | null; active: boolean }[] }>('/api/admin/users', 'admin');
    expect(items.find((u) => u.id === login)).toMatchObject({ role: 'unit_handler', unitId: 'liandu-housing', active: false });
  });
});
