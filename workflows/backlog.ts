/**
 * backlogCaseWorkflow — one 积案 backlog case (丽委办发〔2018〕51号 三 化积案), id `backlog-<id>`.
 *
 * Sources: a matter that became new backlog (started by the projection hook, activities/campaign.ts), a central
 * assignment by level, or the import of historic backlog. It links the matters it covers and keeps the case data
 * (包案 leader, 专班, 一案一档 dossier, target date, 三跨三分离 flags). The leader checks in every `checkInDays`; a
 * reminder goes out before and a missed check-in is escalated to the bureau. On-site supervision records the 三见
 * and recommendations, each tracked to closure. The case closes only under 三到位一处理 (category, evidence, bureau
 * confirmation — domain/backlog.ts closureProblem) and reopens, counted, when petitioned again. It lingers after
 * closure so that a later petition finds it, and continues as new when its history grows long.
 */
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  defineUpdate,
  proxyActivities,
  setHandler,
  workflowInfo,
  ApplicationFailure,
} from '@temporalio/workflow';
import type { CampaignActivities } from '../activities/campaign-types';
import { addNaturalDays, endOfShanghaiDay, shanghaiDateOf } from '../domain/dates';
import { closureProblem, closureLabels, CHECK_IN_REMINDER_DAYS, type BacklogInput, type BacklogState, type CrossFlags } from '../domain/backlog';

export type { BacklogInput, BacklogState, Recommendation } from '../domain/backlog';
import type { Actor } from './messages';
import { upsertBacklogSearchAttributes } from './search-attributes';
import type { TimelineEntry } from '../domain/matter';

type Cmd<T> = T & { actor: Actor };
export const backlogStateQuery = defineQuery<BacklogState>('backlogState');
export const planUpdate = defineUpdate<BacklogState, [Cmd<{ leaderName?: string; team?: { name: string; role: string }[]; targetDate?: string; flags?: CrossFlags; checkInDays?: number }>]>('plan');
export const dossierUpdate = defineUpdate<BacklogState, [Cmd<{ kind: 'document' | 'meeting'; title: string; date: string; participants: string[]; notes: string; reference?: string }>]>('dossier');
export const checkInUpdate = defineUpdate<BacklogState, [Cmd<{ date: string; notes: string; metPetitioner: boolean }>]>('checkIn');
export const supervisionUpdate = defineUpdate<BacklogState, [Cmd<{ date: string; sawHandler: boolean; sawPetitioner: boolean; sawFile: boolean; findings: string; recommendations: string[] }>]>('supervise');
export const resolveRecommendationUpdate = defineUpdate<BacklogState, [Cmd<{ supervisionNo: number; recommendationNo: number; outcome: string }>]>('resolveRecommendation');
export const closeBacklogUpdate = defineUpdate<BacklogState, [Cmd<{ category: keyof typeof closureLabels; evidence: string[]; summary: string; closedOn: string }>]>('closeBacklog');
/** Petitioned again (a further submission, or a new matter a supervisor links): reopens a closed case, counted. */
export const reopenSignal = defineSignal<[{ ref: string; caseNo: string | null; on: string; note: string }]>('reopen');
/** Another matter this case covers. */
export const linkMatterSignal = defineSignal<[{ caseNo: string }]>('linkMatter');

/** Bureau roles confirm closure and record supervision; the 包案 leader's office (or the unit head) checks in. */
const BUREAU = ['supervisor', 'admin'];
const CHECKERS = ['supervisor', 'admin', 'unit_head'];

const acts = proxyActivities<CampaignActivities>({ startToCloseTimeout: '30 seconds', retry: { initialInterval: '1 second', maximumInterval: '1 minute' } });

function refuse(type: 'Forbidden' | 'IllegalState' | 'InvalidInput', message: string): never {
  throw ApplicationFailure.create({ type, message, nonRetryable: true });
}

export async function backlogCaseWorkflow(input: BacklogInput): Promise<BacklogState> {
  const nowIso = () => new Date(Date.now()).toISOString();
  const today = () => shanghaiDateOf(new Date(Date.now()));
  // The case's own fields are the input's (one type, BacklogCaseFields); the rest is how the case runs.
  const { caseNos, checkInDays: _checkInDays, searchAttributes: _searchAttributes, lingerDays: _lingerDays, carried: _carried, ...fields } = input;
  const s: BacklogState = input.carried ?? {
    ...fields,
    team: [],
    caseNos: [...caseNos],
    status: 'open',
    dossier: [],
    checkInDays: input.checkInDays,
    checkIns: [],
    // Historic backlog is imported long after its assignment: the first check-in counts from the start here.
    checkInDue: addNaturalDays(input.assignedOn > shanghaiDateOf(new Date(Date.now())) ? input.assignedOn : shanghaiDateOf(new Date(Date.now())), input.checkInDays),
    checkInReminded: false,
    missedCheckIns: 0,
    overdue: false,
    supervisions: [],
    closures: 0,
    reopenCount: 0,
    reopenings: [],
    recent: [],
    seq: 0,
    lastFlushedSeq: -1,
    runs: 1,
  };
  if (input.carried) s.runs += 1;
  const { workflowId } = workflowInfo();
  let version = 0;
  let pending: TimelineEntry[] = [];
  const seenReopen = new Set(s.reopenings.map((r) => r.ref));

  function emit(type: string, data: Record<string, unknown>, actor: string | null = null): void {
    const e: TimelineEntry = { seq: s.seq++, type, at: nowIso(), actor, data };
    pending.push(e);
    s.recent = [...s.recent, e].slice(-30);
    version++;
  }
  async function flush(): Promise<void> {
    const events = pending;
    pending = [];
    await acts.projectBacklog({ workflowId, events, snapshot: s });
    if (input.searchAttributes !== false) upsertBacklogSearchAttributes(s, s.status === 'open' ? new Date(endOfShanghaiDay(s.checkInDue)) : null);
  }
  const recommendationsOpen = () => s.supervisions.reduce((n, v) => n + v.recommendations.filter((r) => r.status === 'open').length, 0);
  const need = (actor: Actor, roles: string[], what: string) => {
    if (!roles.includes(actor.role)) refuse('Forbidden', `the role ${actor.role} may not ${what}`);
  };
  const needOpen = () => {
    if (s.status !== 'open') refuse('IllegalState', 'the backlog case is closed');
  };
  const notFuture = (date: string) => {
    if (date > today()) refuse('InvalidInput', `${date} is in the future`);
  };

  setHandler(backlogStateQuery, () => s);

  setHandler(
    planUpdate,
    async ({ actor, ...p }) => {
      if (p.leaderName !== undefined) {
        s.leaderName = p.leaderName;
        s.leaderMissing = false;
      }
      if (p.team) s.team = p.team;
      if (p.targetDate !== undefined) s.targetDate = p.targetDate;
      if (p.flags) s.flags = p.flags;
      if (p.checkInDays) s.checkInDays = p.checkInDays;
      emit('backlog.planned', { leaderName: s.leaderName, team: s.team.length, targetDate: s.targetDate, flags: s.flags, checkInDays: s.checkInDays }, actor.id);
      await flush();
      return s;
    },
    { validator: ({ actor }) => need(actor, BUREAU, 'set the plan of a backlog case') },
  );

  setHandler(
    dossierUpdate,
    async ({ actor, ...d }) => {
      const entry = { no: s.dossier.length + 1, ...d, by: actor.id };
      s.dossier.push(entry);
      emit('backlog.dossier', { no: entry.no, kind: d.kind, title: d.title, date: d.date }, actor.id);
      await flush();
      return s;
    },
    {
      validator: ({ actor, date }) => {
        need(actor, CHECKERS, 'add to the dossier');
        notFuture(date);
      },
    },
  );

  setHandler(
    checkInUpdate,
    async ({ actor, ...c }) => {
      s.checkIns.push({ ...c, by: actor.id });
      s.checkInDue = addNaturalDays(c.date, s.checkInDays);
      s.checkInReminded = false;
      s.overdue = false;
      emit('backlog.check_in', { date: c.date, metPetitioner: c.metPetitioner, nextDue: s.checkInDue }, actor.id);
      await flush();
      return s;
    },
    {
      validator: ({ actor, date }) => {
        need(actor, CHECKERS, 'record a check-in');
        needOpen();
        notFuture(date);
      },
    },
  );

  setHandler(
    supervisionUpdate,
    async ({ actor, recommendations, ...v }) => {
      const no = s.supervisions.length + 1;
      s.supervisions.push({ no, ...v, by: actor.id, recommendations: recommendations.map((text, i) => ({ no: i + 1, text, status: 'open' })) });
      emit('backlog.supervised', { no, date: v.date, sawHandler: v.sawHandler, sawPetitioner: v.sawPetitioner, sawFile: v.sawFile, recommendations: recommendations.length }, actor.id);
      await flush();
      return s;
    },
    {
      validator: ({ actor, date }) => {
        need(actor, BUREAU, 'record on-site supervision');
        needOpen();
        notFuture(date);
      },
    },
  );

  setHandler(
    resolveRecommendationUpdate,
    async ({ actor, supervisionNo, recommendationNo, outcome }) => {
      const r = s.supervisions[supervisionNo - 1]!.recommendations[recommendationNo - 1]!;
      Object.assign(r, { status: 'closed', outcome, closedOn: today(), closedBy: actor.id });
      emit('backlog.recommendation_closed', { supervisionNo, recommendationNo }, actor.id);
      await flush();
      return s;
    },
    {
      validator: ({ actor, supervisionNo, recommendationNo }) => {
        need(actor, CHECKERS, 'close a recommendation');
        const r = s.supervisions[supervisionNo - 1]?.recommendations[recommendationNo - 1];
        if (!r) refuse('InvalidInput', `no recommendation ${supervisionNo}.${recommendationNo}`);
        if (r.status === 'closed') refuse('IllegalState', `recommendation ${supervisionNo}.${recommendationNo} is closed already`);
      },
    },
  );

  setHandler(
    closeBacklogUpdate,
    async ({ actor, category, evidence, summary, closedOn }) => {
      s.status = 'closed';
      s.closure = { category, label: closureLabels[category], evidence, summary, closedOn, confirmedBy: actor.id };
      s.closures += 1;
      s.closedAt = nowIso();
      s.overdue = false;
      emit('backlog.closed', { category, label: closureLabels[category], evidence: evidence.length, closedOn }, actor.id);
      await flush();
      return s;
    },
    {
      validator: ({ actor, evidence, closedOn }) => {
        // The bureau's confirmation: only the bureau closes.
        need(actor, BUREAU, 'confirm the closure of a backlog case');
        notFuture(closedOn);
        const problem = closureProblem({ status: s.status, recommendationsOpen: recommendationsOpen() }, { evidence });
        if (problem) refuse('IllegalState', problem);
      },
    },
  );

  setHandler(reopenSignal, async (r) => {
    if (seenReopen.has(r.ref)) return;
    seenReopen.add(r.ref);
    if (r.caseNo && !s.caseNos.includes(r.caseNo)) s.caseNos.push(r.caseNo);
    if (s.status !== 'closed') {
      emit('backlog.petitioned_again', { ref: r.ref, caseNo: r.caseNo, on: r.on });
    } else {
      s.status = 'open';
      s.reopenCount += 1;
      s.reopenings.push(r);
      s.closedAt = undefined;
      s.checkInDue = addNaturalDays(today(), s.checkInDays);
      s.checkInReminded = false;
      emit('backlog.reopened', { ref: r.ref, caseNo: r.caseNo, on: r.on, note: r.note, count: s.reopenCount });
    }
    await flush();
  });

  setHandler(linkMatterSignal, async ({ caseNo }) => {
    if (s.caseNos.includes(caseNo)) return;
    s.caseNos.push(caseNo);
    emit('backlog.matter_linked', { caseNo });
    await flush();
  });

  if (!input.carried) {
    emit('backlog.opened', { source: s.source, assigningLevel: s.assigningLevel, assigningBody: s.assigningBody, assignedOn: s.assignedOn, reason: s.reason, caseNos: s.caseNos, leaderName: s.leaderName, leaderMissing: s.leaderMissing });
  }
  await flush();

  // One loop: the next check-in (reminder, then the escalation when it is missed) while open; lingering when closed.
  for (;;) {
    if (workflowInfo().continueAsNewSuggested || workflowInfo().historyLength > 2000) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof backlogCaseWorkflow>({ ...input, carried: { ...s, recent: s.recent.slice(-10) } });
    }
    const seen = version;
    let next: number;
    if (s.status === 'open') {
      const due = Date.parse(endOfShanghaiDay(s.checkInDue));
      const remindAt = Date.parse(endOfShanghaiDay(addNaturalDays(s.checkInDue, -CHECK_IN_REMINDER_DAYS)));
      next = !s.checkInReminded && remindAt > Date.now() ? remindAt : due;
    } else {
      next = Date.parse(s.closedAt ?? nowIso()) + input.lingerDays * 86_400_000;
    }
    const woken = await condition(() => version !== seen, Math.max(next - Date.now(), 1));
    if (woken) continue;
    if (s.status === 'closed') {
      if (Date.now() >= next) break;
      continue;
    }
    const due = Date.parse(endOfShanghaiDay(s.checkInDue));
    if (Date.now() >= due) {
      s.missedCheckIns += 1;
      s.overdue = true;
      emit('backlog.check_in_missed', { dueDate: s.checkInDue, to: ['bureau_leader'], leaderName: s.leaderName, missed: s.missedCheckIns });
      s.checkInDue = addNaturalDays(s.checkInDue, s.checkInDays);
      s.checkInReminded = false;
    } else if (!s.checkInReminded) {
      s.checkInReminded = true;
      emit('backlog.check_in_reminder', { dueDate: s.checkInDue, leaderName: s.leaderName });
    }
    await flush();
  }
  await condition(allHandlersFinished);
  emit('backlog.completed', {});
  await flush();
  return s;
}
