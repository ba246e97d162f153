/**
 * Records representative petition histories for the replay test (test/workflows/replay.test.ts).
 *
 *   npx tsx scripts/record-histories.ts                    # scenarios that have no stored history yet
 *   npx tsx scripts/record-histories.ts lifecycle          # only scenarios whose name contains "lifecycle"
 *   npx tsx scripts/record-histories.ts --force [filter]   # also replace stored ones (before a first release only)
 *
 * Runs each scenario on the time-skipping test server with real 2026 dates (the same bench as the workflow tests:
 * real activities on an in-memory read model), then writes every run's event history as proto-JSON, the format
 * `temporal workflow show --output json` writes and Worker.runReplayHistories accepts, to test/histories/<name>.json
 * (a matter that continued as new: <name>.run-<n>.json per run). Stored histories are what running matters look like:
 * once released they are kept, and a change that breaks their replay goes behind patched() (docs/ARCHITECTURE.md).
 * New behaviour gets a new scenario name.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHarness, type Harness } from '../test/support/harness';
import { recordPlainHistories } from '../test/support/codec';
import { historyToJson } from '../test/workflows/history-json';
import { workflowIdFor } from '../workflows/ids';
import * as M from '../workflows/messages';
import type { PetitionState } from '../domain/matter';
import type { Visit } from '../domain/triggers';
import { explainUpdate } from '../workflows/messages';
import { settled, sh } from '../test/workflows/helpers';

const outDir = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'test', 'histories');

const REGISTRAR = 'registrar-city';
const HANDLER = 'handler-liandu-housing';
const HEAD = 'head-liandu-housing';
const SUPERVISOR = 'supervisor-city';

const reply = {
  request: '请求依法拆除小区旁违章建筑',
  facts: '经现场核查，该建筑未取得建设工程规划许可证',
  opinion: '已责令当事人限期自行拆除，逾期将依法强制拆除',
  legalBasis: '《中华人民共和国城乡规划法》第六十四条',
  deliveryMethod: 'in_person' as const,
};
const meeting = (n: 1 | 2 | 3, date: string) => ({ meeting: n, date, place: '莲都区住建局接待室', participants: ['王五', '经办人'] });

/** A step of a scenario, at an Asia/Shanghai wall-clock time ('2026-09-21 09:00'). */
interface Step {
  at: string;
  run: () => Promise<unknown>;
}
interface Scenario {
  name: string;
  /** The matter's case number, known once the first step has run. */
  caseNo: () => string;
  steps: Step[];
}

/** Builds a scenario: `on(at, fn)` adds a step; `matter.caseNo` is set by the step that registers it. */
function scenario(name: string, h: Harness, build: (on: (at: string, run: () => Promise<unknown>) => void, matter: { caseNo: string }) => void): Scenario {
  const steps: Step[] = [];
  const matter = { caseNo: '' };
  build((at, run) => steps.push({ at, run }), matter);
  void h;
  return { name, caseNo: () => matter.caseNo, steps };
}

/** Commands as a caseworker gives them, failing the recording if one is refused unexpectedly. */
function commands(h: Harness, m: { caseNo: string }) {
  const cmd = <A>(update: { name: string }, body: A, user: string) => h.command(m.caseNo, update, body, user);
  return {
    register: async () => {
      m.caseNo = await h.register({});
    },
    assign: () => cmd(M.forwardUpdate, { mode: 'assign', unitId: 'liandu-housing' }, REGISTRAR),
    accept: () => cmd(M.acceptUpdate, {}, HANDLER),
    meet: (n: 1 | 2 | 3, date: string) => cmd(M.meetingUpdate, meeting(n, date), n === 3 ? HEAD : HANDLER),
    reply: () => cmd(M.replyUpdate, reply, HANDLER),
    evaluate: (unit: 'satisfied' | 'unsatisfied') => cmd(M.evaluationUpdate, { unit, bureau: 'satisfied', reason: unit === 'unsatisfied' ? '处理结果不满意' : undefined, method: 'phone' as const }, REGISTRAR),
    returnVisit: () => cmd(M.returnVisitUpdate, { notes: '电话回访' }, REGISTRAR),
    requestReview: (level: 'review' | 'reReview', requestedOn?: string) => cmd(M.reviewRequestUpdate, { level, requestedOn, grounds: '不服，请求复查（复核）' }, REGISTRAR),
    decide: (level: 'review' | 'reReview') => cmd(M.reviewDecisionUpdate, { level, outcome: 'upheld', decision: '维持原意见，理由如下' }, SUPERVISOR),
    hearing: (action: 'start' | 'end') => cmd(M.hearingUpdate, { action }, SUPERVISOR),
    extend: (days: number) => cmd(M.extendUpdate, { days, reason: '需会同规划部门现场测绘' }, HEAD),
    object: () => cmd(M.objectUpdate, { reason: '该事项属于自然资源部门职责' }, HANDLER),
    route: () => cmd(M.routeUpdate, { channel: 'litigation', organ: '莲都区人民法院', notice: '该事项属于民事纠纷，请依法向人民法院提起诉讼' }, REGISTRAR),
    notAccept: () => cmd(M.notAcceptUpdate, { reason: '信访人未提供具体事项和诉求' }, REGISTRAR),
    sendBack: () => cmd(M.sendBackUpdate, { reason: '回访发现处理不到位，退回重办' }, SUPERVISOR),
    letter: (id: string) =>
      h.env.client.workflow
        .getHandle(workflowIdFor(m.caseNo))
        .signal(M.submissionSignal, { id: `${m.caseNo}-${id}`, channel: 'letter', receivedAt: new Date().toISOString(), summary: '再次来信反映同一问题', registeredBy: REGISTRAR }),
    /** A visit of the petitioner in person, at `at` (Asia/Shanghai), at a given level. */
    visit: (id: string, at: string, level: Visit['level'], extra: Partial<Visit> = {}) =>
      h.env.client.workflow.getHandle(workflowIdFor(m.caseNo)).signal(M.visitSignal, {
        id: `${m.caseNo}-${id}`, at: sh(at), level, place: '信访局', persons: 1, collective: false, abnormalInBeijing: false, receivedBy: '接待员', recordedBy: REGISTRAR, ...extra,
      }),
    /** A command that must be refused (the recording keeps the refusal in the history). */
    /** Registered, assigned, accepted and met (三见面 ①) the same day: ready for the reply. */
    readyToReply: async (date: string) => {
      m.caseNo = await h.register({});
      await cmd(M.forwardUpdate, { mode: 'assign', unitId: 'liandu-housing' }, REGISTRAR);
      await cmd(M.acceptUpdate, {}, HANDLER);
      await cmd(M.meetingUpdate, meeting(1, date), HANDLER);
    },
    refused: async (p: () => Promise<unknown>) => {
      try {
        await p();
      } catch {
        return;
      }
      throw new Error(`${m.caseNo}: expected a refusal`);
    },
  };
}

/** Every statutory path, on one time-skipping server, started 2026-08-24 09:00 (Asia/Shanghai). */
function statutoryScenarios(h: Harness): Scenario[] {
  return [
    scenario('lifecycle-terminated', h, (on, m) => {
      const c = commands(h, m);
      on('2026-09-21 09:00', async () => {
        await c.register();
        await c.assign();
      });
      on('2026-09-23 10:00', async () => {
        await c.accept();
        await c.refused(c.reply); // meeting ① first
      });
      on('2026-09-28 10:00', () => c.meet(1, '2026-09-28'));
      on('2026-10-20 10:00', async () => {
        await c.reply();
        await c.meet(2, '2026-10-20');
      });
      on('2026-10-22 10:00', () => c.evaluate('unsatisfied'));
      on('2026-10-26 15:00', () => c.meet(3, '2026-10-26'));
      on('2026-10-28 09:30', () => c.returnVisit());
      on('2026-11-02 10:00', () => c.requestReview('review'));
      on('2026-11-16 10:00', () => c.decide('review'));
      on('2026-11-18 10:00', () => c.requestReview('reReview'));
      on('2026-11-30 09:00', () => c.hearing('start'));
      on('2026-12-02 17:00', () => c.hearing('end'));
      on('2026-12-10 10:00', () => c.decide('reReview'));
      on('2026-12-15 09:00', () => c.letter('S2'));
    }),
    scenario('escalations', h, (on, m) => {
      const c = commands(h, m);
      const { visit } = c;
      on('2026-09-21 09:00', async () => {
        await c.register();
        await c.assign();
      });
      // Two county-level-or-higher visits: a warning slip (and the city visit is skip-level: 一事双查).
      on('2026-09-22 10:00', () => visit('V1', '2026-09-22 09:30', 'county'));
      on('2026-09-22 11:00', () => visit('V2', '2026-09-22 10:30', 'city'));
      // A later county visit on the last working day before National Day: an explanation due 2026-10-10, given late.
      on('2026-09-30 10:00', () => visit('V3', '2026-09-30 09:30', 'county'));
      on('2026-10-12 10:00', async () => {
        const slipId = `${workflowIdFor(m.caseNo)}.warning-slip`;
        await h.env.client.workflow.getHandle(slipId).executeUpdate(explainUpdate, { args: [{ no: 1, content: '书面说明：责任落实、化解稳控情况及再次上访原因', actor: await h.actor('admin') }] });
      });
      // A collective visit to Beijing: a three-party review due 15 working days later.
      on('2026-10-13 11:00', () => visit('V4', '2026-10-13 10:00', 'national', { place: '国家信访局', persons: 6, collective: true }));
    }),
    // Since patched('local-steps'): limits and projections as local activities (markers), in the matter and in its
    // escalations (a warning slip and a skip-level investigation), through to a satisfied reply.
    scenario('local-steps', h, (on, m) => {
      const c = commands(h, m);
      on('2026-09-21 09:00', async () => {
        await c.register();
        await c.assign();
      });
      on('2026-09-22 10:00', () => c.visit('V1', '2026-09-22 09:30', 'county'));
      on('2026-09-22 11:00', () => c.visit('V2', '2026-09-22 10:30', 'city'));
      on('2026-09-23 10:00', () => c.accept());
      on('2026-09-28 10:00', () => c.meet(1, '2026-09-28'));
      on('2026-10-20 10:00', async () => {
        await c.reply();
        await c.meet(2, '2026-10-20');
      });
      on('2026-10-22 10:00', () => c.evaluate('satisfied'));
    }),
    scenario('extension-escalated', h, (on, m) => {
      const c = commands(h, m);
      on('2026-09-25 09:00', async () => {
        await c.register();
        await c.assign();
        await c.accept();
        await c.extend(20);
        await c.refused(() => c.extend(10));
      });
      on('2026-12-15 00:05', async () => undefined); // past the extended limit (2026-12-14): escalated
    }),
    scenario('handling-escalated-then-replied', h, (on, m) => {
      const c = commands(h, m);
      on('2026-09-25 09:00', async () => {
        await c.register();
        await c.assign();
        await c.accept();
      });
      on('2026-11-26 10:00', async () => {
        await c.meet(1, '2026-11-26');
        await c.reply(); // late: the escalation stays on file
        await c.evaluate('satisfied');
      });
      on('2026-12-29 00:05', async () => undefined); // review window (2026-12-26, a Saturday → Mon 12-28) has closed
    }),
    scenario('objection-then-routed', h, (on, m) => {
      const c = commands(h, m);
      on('2026-09-29 10:00', async () => {
        await c.register();
        await c.assign();
      });
      on('2026-10-12 18:00', () => c.object()); // the 5th working day (Sat 10-10 is a make-up day)
      on('2026-10-14 10:00', () => c.route());
    }),
    scenario('objection-window-expired', h, (on, m) => {
      const c = commands(h, m);
      on('2026-09-29 10:00', async () => {
        await c.register();
        await c.assign();
      });
      on('2026-10-13 00:05', () => c.refused(c.object));
      on('2026-10-15 00:05', async () => undefined); // acceptance limit (2026-10-14) escalated
    }),
    scenario('not-accepted', h, (on, m) => {
      const c = commands(h, m);
      on('2026-08-24 09:00', async () => {
        await c.register();
        await c.notAccept();
      });
    }),
    scenario('evaluation-expired-closed-late-review', h, (on, m) => {
      const c = commands(h, m);
      on('2026-08-24 09:00', () => c.readyToReply('2026-08-24'));
      on('2026-09-01 10:00', () => c.reply());
      on('2026-09-10 10:00', () => c.returnVisit()); // evaluation window expired 2026-09-08
      on('2026-10-09 00:05', () => c.refused(() => c.requestReview('review'))); // window rolled to 2026-10-08, closed
    }),
    scenario('review-postmarked-reopened', h, (on, m) => {
      const c = commands(h, m);
      on('2026-08-24 09:00', () => c.readyToReply('2026-08-24'));
      on('2026-09-01 10:00', () => c.reply());
      on('2026-10-09 00:05', () => c.requestReview('review', '2026-10-08'));
      on('2026-10-20 10:00', () => c.decide('review'));
      on('2026-11-20 00:05', async () => undefined); // re-review window (2026-11-19) closes
    }),
    scenario('sent-back-and-replied-again', h, (on, m) => {
      const c = commands(h, m);
      on('2026-08-24 09:00', async () => {
        await c.register();
        await c.assign();
        await c.accept();
        await c.meet(1, '2026-08-24');
        await c.reply();
      });
      on('2026-08-26 10:00', async () => {
        await c.evaluate('unsatisfied');
        await c.meet(3, '2026-08-26');
        await c.sendBack();
      });
      on('2026-09-10 10:00', async () => {
        await c.reply();
        await c.evaluate('satisfied');
      });
    }),
    scenario('re-review-hearing-escalated', h, (on, m) => {
      const c = commands(h, m);
      on('2026-11-02 09:00', async () => {
        await c.register();
        await c.assign();
        await c.accept();
        await c.meet(1, '2026-11-02');
        await c.reply();
        await c.requestReview('review');
        await c.decide('review');
        await c.requestReview('reReview');
      });
      on('2026-11-30 09:00', () => c.hearing('start'));
      on('2026-12-03 09:00', () => c.letter('S2'));
      on('2026-12-04 16:00', () => c.hearing('end'));
      on('2026-12-09 09:00', async () => {
        await c.hearing('start'); // after the miss on 2026-12-07
        await c.hearing('end');
        await c.decide('reReview');
      });
    }),
  ];
}

async function runScenarios(h: Harness, scenarios: Scenario[]): Promise<void> {
  const steps = scenarios.flatMap((s) => s.steps.map((step, i) => ({ ...step, scenario: s.name, i })));
  // Stable by time, then by the order scenarios and their steps were written.
  steps.sort((a, b) => (a.at === b.at ? 0 : a.at < b.at ? -1 : 1));
  for (const step of steps) {
    const [date, time] = step.at.split(' ');
    await h.skipTo(`${date}T${time}:00+08:00`);
    try {
      await step.run();
    } catch (err) {
      throw new Error(`${step.scenario} step ${step.i + 1} (${step.at}): ${(err as Error).message}`, { cause: err });
    }
  }
  // Let the last activities and timers land.
  for (const s of scenarios) await settled(h, workflowIdFor(s.caseNo()));
}

/** A matter that continues as new: many letters in bursts, with a low history limit given at its start. */
async function continueAsNewScenario(): Promise<{ name: string; workflowId: string }> {
  const h = await createHarness('2026-09-21T09:00:00+08:00', undefined, { historyLimit: 150 });
  try {
    const at = await h.now();
    const r = { caseNo: await h.register({}) };
    const workflowId = workflowIdFor(r.caseNo);
    const handle = h.env.client.workflow.getHandle(workflowId);
    await settled(h, workflowId);
    const firstRunId = (await handle.describe()).runId;
    for (let burst = 0; burst < 4; burst++) {
      await Promise.all(
        Array.from({ length: 20 }, (_, j) =>
          handle.signal(M.submissionSignal, { id: `${r.caseNo}-S${burst * 20 + j + 2}`, channel: 'phone', receivedAt: at.toISOString(), summary: '来电催办', registeredBy: REGISTRAR }),
        ),
      );
      await settled(h, workflowId);
    }
    await h.skipTo('2026-10-07T00:05:00+08:00'); // the triage limit (2026-10-06) escalates in a later run
    await settled(h, workflowId);
    const runs = await writeRuns(h, 'continue-as-new', workflowId, firstRunId);
    if (runs < 2) throw new Error(`continue-as-new: expected the matter to continue as new, it ran ${runs} run(s)`);
    return { name: 'continue-as-new', workflowId };
  } finally {
    await h.teardown();
  }
}

/** Writes every run of a workflow, from firstRunId (default: the latest run) on; returns how many. */
async function writeRuns(h: Harness, name: string, workflowId: string, firstRunId?: string): Promise<number> {
  let runId: string | undefined = firstRunId ?? (await h.env.client.workflow.getHandle(workflowId).describe()).runId;
  const histories = [];
  while (runId) {
    const history = await h.env.client.workflow.getHandle(workflowId, runId).fetchHistory();
    histories.push(history);
    runId = history.events?.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
  }
  const index = readIndex();
  histories.forEach((history, i) => {
    const file = histories.length === 1 ? `${name}.json` : `${name}.run-${i + 1}.json`;
    writeFileSync(join(outDir, file), historyToJson(history) + '\n');
    index[file] = workflowId;
    console.log(`  ${file}: ${history.events?.length ?? 0} events`);
  });
  writeIndex(index);
  return histories.length;
}

/** test/histories/index.json: history file → the workflow id to replay it under (histories do not carry it). */
const indexFile = join(outDir, 'index.json');
function readIndex(): Record<string, string> {
  return existsSync(indexFile) ? (JSON.parse(readFileSync(indexFile, 'utf8')) as Record<string, string>) : {};
}
function writeIndex(index: Record<string, string>): void {
  const present = Object.fromEntries(Object.entries(index).filter(([f]) => existsSync(join(outDir, f))).sort(([a], [b]) => a.localeCompare(b)));
  writeFileSync(indexFile, JSON.stringify(present, null, 2) + '\n');
}

async function main(): Promise<void> {
  // Stored histories are written unencrypted, so that any checkout can replay them (test/support/codec.ts).
  recordPlainHistories();
  const force = process.argv.includes('--force');
  const filter = process.argv.slice(2).find((a) => a !== '--force');
  mkdirSync(outDir, { recursive: true });
  const stored = (name: string) => readdirSync(outDir).some((f) => f === `${name}.json` || f.startsWith(`${name}.run-`));
  const wanted = (name: string) => (!filter || name.includes(filter)) && (force || !stored(name));

  const h = await createHarness('2026-08-24T09:00:00+08:00');
  try {
    const scenarios = statutoryScenarios(h).filter((s) => wanted(s.name));
    if (!scenarios.length) console.log('no scenario to record (stored ones are kept; --force replaces them)');
    if (scenarios.length) {
      // Only the files of the scenarios being recorded are replaced.
      for (const s of scenarios) for (const f of readdirSync(outDir)) if (f === `${s.name}.json` || f.startsWith(`${s.name}.run-`)) rmSync(join(outDir, f));
      console.log(`recording ${scenarios.map((s) => s.name).join(', ')}`);
      await runScenarios(h, scenarios);
      for (const s of scenarios) {
        const state: PetitionState = await h.state(s.caseNo());
        console.log(`${s.name}: ${s.caseNo()} ${state.status}`);
        await writeRuns(h, s.name, workflowIdFor(s.caseNo()));
        // The matter's escalation child workflows, each under its own file.
        for (const [id, o] of Object.entries(state.overlays ?? {})) {
          await settled(h, id);
          await writeRuns(h, `${s.name}.${o.kind}.${id.split('.').slice(2).join('.') || 'main'}`, id);
        }
      }
    }
  } finally {
    await h.teardown();
  }
  if (wanted('continue-as-new')) {
    for (const f of readdirSync(outDir)) if (f.startsWith('continue-as-new.')) rmSync(join(outDir, f));
    console.log('recording continue-as-new');
    await continueAsNewScenario();
  }
}

await main();
