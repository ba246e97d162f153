// The console's escalation pages in a real browser (Debian's chromium through playwright-core) against the real
// stack: each limit of a matter counted day by day, a warning slip's explanation (refused while too short), the
// bureau's own warning slip and its refusal in Chinese, the three-party review's steps with the recording upload and
// its progress bar, and an investigation's findings. The matters and their escalations are created through the API
// first; the forms offered are those the API answers (GET /api/petitions/{caseNo}/commands, /api/escalations/{id}/commands).
// Each page is checked with axe-core and saved under .tmp/screenshots (UPDATE_SCREENSHOTS=1: the README's too).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { shanghaiDateOf } from '../../domain/dates';
import type { Stack } from '../support/stack';
import type { TestBrowser } from '../support/browser';
import { apiAs, choose, expectAccessible, poll, shot, shotOnFailure, signIn as signInAt, startConsole } from '../support/console';
import { eventually } from '../support/api';

let stack: Stack;
let browser: TestBrowser;
let api: ReturnType<typeof apiAs>;
const today = () => shanghaiDateOf(new Date());
const signIn = (page: Page, userId: string) => signInAt(page, stack.url, userId);
type Listed = { items: { id: string; caseNo: string; status: string }[] };
const escalationOf = (path: string, caseNo: string) =>
  eventually(async () => (await api.get<Listed>(`/api/${path}?caseNo=${caseNo}`, 'supervisor-city')).items[0], `the ${path} of ${caseNo}`, 40_000, 250);

// The matter with escalations (warned, then a collective visit to Beijing), and a matter in triage.
let escalated = '';
let triage = '';
let review = '';
let investigation = '';

beforeAll(async () => {
  [stack, browser] = await startConsole();
  api = apiAs(stack);
  escalated = await api.register({ summary: '村集体土地征收补偿分配不公，多次到县信访局反映' });
  await api.post(`/api/petitions/${escalated}/forward`, 'registrar-city', { mode: 'assign', unitId: 'liandu-housing', note: '请依法调查处理' });
  // Two county-level visits issue the warning slip; the third asks the warned unit for its explanation.
  await api.visit(escalated, 'county', 2, '莲都区信访局（第1次）');
  await api.visit(escalated, 'county', 2, '莲都区信访局（第2次）');
  const slip = (await escalationOf('warning-slips', escalated)).id;
  await api.visit(escalated, 'county', 2, '莲都区信访局（第3次）');
  await eventually(async () => ((await api.get<{ deadlines: unknown[] }>(`/api/warning-slips/${slip}`, 'supervisor-city')).deadlines.length ? true : undefined), 'the explanation limit', 40_000, 250);
  // Six people to Beijing: a three-party review (collective visit) and, skip-level for a county matter, an investigation.
  await api.visit(escalated, 'national', 6, '国家信访局');
  review = (await escalationOf('three-party-reviews', escalated)).id;
  investigation = (await escalationOf('investigations', escalated)).id;
  triage = await api.register({ summary: '小区物业擅自占用公共绿地停车，多次协调未果' });
}, 240_000);

afterEach((ctx) => shotOnFailure(browser, ctx));
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

describe('the console: escalation forms and limits explained', () => {
  it('the warned unit sees each limit counted day by day and writes the warning slip’s explanation, refused while too short', async () => {
    const { page } = await browser.page();
    await signIn(page, 'handler-liandu-housing');
    await page.goto(`${stack.url}/matters/${escalated}`);
    await page.getByRole('button', { name: '受 理', exact: true }).waitFor();
    // The acceptance limit, counted by the deadline calculator: the same due date, every day named.
    const acceptance = (await api.get<{ deadlines: { key: string; startDate: string; dueDate: string; policy: { days: number } }[] }>(`/api/petitions/${escalated}?personalData=masked`, 'supervisor-city')).deadlines.find((d) => d.key === 'acceptance')!;
    const preview = await api.get<{ summary: string }>(`/api/deadlines/preview?limit=acceptance&start=${acceptance.startDate}&days=${acceptance.policy.days}`, 'supervisor-city');
    await page.locator('tr', { hasText: acceptance.dueDate }).filter({ hasText: '计时中' }).filter({ hasText: '受理' }).getByRole('button', { name: /展开/ }).click();
    const explain = page.getByTestId('explain-acceptance');
    await poll(() => explain.textContent()).toContain(preview.summary);
    expect(await explain.getByText(/第1日/).count()).toBe(1);
    expect(await explain.getByText(new RegExp(`第${acceptance.policy.days}日，届满`)).count()).toBe(1);
    await shot(page, 'matter-deadline-explained');
    await expectAccessible(page, 'matter page with a limit explained');

    await page.getByRole('link', { name: '信访预警单' }).click();
    await page.waitForURL(/\/escalations\/warning-slips\//);
    await page.getByRole('button', { name: '提交书面说明（第1次）' }).click();
    await page.getByLabel('书面说明', { exact: true }).fill('太短了');
    await page.getByRole('button', { name: '提 交' }).click();
    await poll(() => page.locator('.ant-form-item-explain-error').first().textContent()).toContain('至少 10 个字');
    const text = '关于信访人再次到县上访的书面说明：已落实包案领导，正在协调补偿方案，本周内约见信访人。';
    await page.getByLabel('书面说明', { exact: true }).fill(text);
    await page.getByRole('button', { name: '提 交' }).click();
    await poll(() => page.getByTestId('step-result').textContent()).toContain('提交书面说明（第1次）：已完成');
    await page.getByRole('cell', { name: text }).waitFor();
    expect(await page.getByRole('button', { name: '提交书面说明（第1次）' }).count()).toBe(0);
    await shot(page, 'warning-slip');
    await expectAccessible(page, 'warning slip page');
  });

  it('the bureau issues its own warning slip from the matter page; a second is refused with the reason in Chinese', async () => {
    const { page } = await browser.page();
    await signIn(page, 'registrar-city');
    await page.goto(`${stack.url}/matters/${triage}`);
    const issue = async () => {
      await page.getByRole('button', { name: '发出信访预警单' }).click();
      await page.getByLabel('预警理由', { exact: true }).fill('信访人扬言到市政府门前聚集，存在极端行为风险');
      await page.getByRole('button', { name: '提 交' }).click();
    };
    await issue();
    await poll(() => page.getByTestId('command-result').textContent()).toContain('发出信访预警单：已完成');
    await poll(() => page.getByRole('link', { name: '信访预警单' }).count()).toBe(1);
    await issue();
    const refusal = page.getByTestId('refusal');
    await poll(() => refusal.textContent()).toContain('该事项已发出过预警单');
    expect(await refusal.textContent()).toContain('当前状态不允许此操作');
  });

  it('a supervisor records the three-party review step by step, uploading the recording with a progress bar, and concludes the investigation', async () => {
    const { page } = await browser.page();
    await signIn(page, 'supervisor-city');
    await page.getByRole('link', { name: '预警与督查' }).click();
    await page.getByRole('tab', { name: '三方会审' }).click();
    await page.getByRole('link', { name: `三方会审 ${escalated} 详情` }).click();
    await page.waitForURL(/\/escalations\/three-party-reviews\//);

    await page.getByRole('button', { name: '确定参加人员' }).click();
    await page.getByLabel('县级主要领导', { exact: true }).fill('莲都区区长');
    await page.getByLabel('责任单位代表', { exact: true }).fill('莲都区住建局局长');
    await page.getByLabel('司法专家（律师）', { exact: true }).fill('浙江丽水律师事务所王律师');
    await page.getByRole('button', { name: '提 交' }).click();
    await poll(() => page.getByTestId('step-result').textContent()).toContain('确定参加人员：已完成');

    await page.getByRole('button', { name: '记录会审' }).click();
    await page.getByLabel('会审日期', { exact: true }).fill(today());
    await page.keyboard.press('Enter');
    await page.getByLabel('会审地点', { exact: true }).fill('莲都区信访局会议室');
    await page.getByLabel('到场信访人', { exact: true }).fill('王小五、王小六');
    await page.getByLabel('会审情况', { exact: true }).fill('三方面对面听取诉求，形成化解意见，全程录音录像');
    await page.getByRole('button', { name: '提 交' }).click();
    await poll(() => page.getByTestId('step-result').textContent()).toContain('记录会审：已完成');

    // The recording: 3 MB, sent with XMLHttpRequest; the bar reaches 100% and the stored file is named with its hash.
    await page.getByRole('button', { name: '上传录音录像' }).waitFor();
    await page.locator('#recording-file').setInputFiles({ name: 'huishen.mp4', mimeType: 'video/mp4', buffer: Buffer.alloc(3 * 1024 * 1024, 7) });
    await poll(() => page.getByTestId('upload-progress').getAttribute('aria-valuenow')).toBe('100');
    await poll(() => page.getByTestId('recording').textContent()).toMatch(/huishen\.mp4（3\.0 MB，SHA-256 [0-9a-f]{12}…）/);

    await page.getByRole('button', { name: '立卷归档（回执）' }).click();
    await page.getByLabel('归档回执编号', { exact: true }).fill('LSLX-2026-088');
    await page.getByLabel('接收日期', { exact: true }).fill(today());
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: '提 交' }).click();
    await poll(() => page.getByTestId('escalation-status').textContent()).toBe('已完成');
    await poll(() => page.getByText('已办结。').count()).toBe(1);
    expect((await api.get<{ status: string }>(`/api/three-party-reviews/${review}`, 'supervisor-city')).status).toBe('completed');
    await shot(page, 'three-party-review', true);
    await expectAccessible(page, 'three-party review page');

    await page.goto(`${stack.url}/escalations/investigations/${encodeURIComponent(investigation)}`);
    await page.getByRole('button', { name: '提交调查结论和处理建议' }).click();
    await page.getByLabel('办理情况调查结论', { exact: true }).fill('责任单位受理后未在期限内约见信访人，答复迟延');
    await page.getByLabel('责任调查结论', { exact: true }).fill('承办人未落实首接责任，科室负责人督促不力');
    await choose(page, '处理建议', '批评教育');
    await page.getByRole('button', { name: '提 交' }).click();
    await poll(() => page.getByTestId('recommendation').textContent()).toBe('批评教育');
    expect((await api.get<{ status: string }>(`/api/investigations/${investigation}`, 'supervisor-city')).status).not.toBe('open');
    await expectAccessible(page, 'investigation page');
  });
});
