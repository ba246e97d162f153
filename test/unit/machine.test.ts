// The petition's state machine without a server: every row of the transition table in every status, on a matter
// taken through its course by `decide` with the real working-day calendar.
import { describe, expect, it } from 'vitest';
import { WorkCalendar } from '../../domain/calendar';
import { computeRequested } from '../../domain/deadline';
import { endOfShanghaiDay } from '../../domain/dates';
import { statuses, type Status } from '../../domain/petition';
import type { Actor, PetitionInput, PetitionState } from '../../domain/matter';
import { permissions, type Role } from '../../domain/access';
import {
  availableTransitions,
  decide,
  drive,
  initialState,
  onAlarm,
  register,
  transitionNames,
  transitions,
  type Command,
  type Decision,
  type MachineContext,
  type Refusal,
  type TransitionName,
} from '../../domain/machine';

const calendar = new WorkCalendar();
const calculate = (req: Parameters<typeof computeRequested>[0]) => computeRequested(req, calendar);

const UNIT = 'liandu-housing';
const actors: Record<Role, Actor> = {
  registrar: { id: 'registrar-city', role: 'registrar' },
  unit_handler: { id: 'handler', role: 'unit_handler', unitId: UNIT },
  unit_head: { id: 'head', role: 'unit_head', unitId: UNIT },
  supervisor: { id: 'supervisor-city', role: 'supervisor' },
  admin: { id: 'admin', role: 'admin' },
};

const input: PetitionInput = {
  caseNo: 'LS2026092100001',
  channel: 'letter',
  source: 'direct',
  divisionCode: '331102',
  personsCount: 1,
  receivedAt: '2026-09-21T02:00:00.000Z',
  registeredAt: '2026-09-21T02:00:00.000Z',
  registeredBy: { id: 'registrar-city', role: 'registrar' },
  accusedUnitIds: ['liandu-gov'],
  settings: { reminderLeadDays: [10, 3], evaluationDays: 7, investigationDays: 30, lingerDays: 60, historyLimit: 10_000 },
};

/** The context on a given Asia/Shanghai day, at 10:00. */
const on = (date: string): Omit<MachineContext, 'record' | 'touch' | 'patched'> => ({
  now: () => new Date(Date.parse(`${date}T02:00:00.000Z`)).toISOString(),
  input,
  workflowId: `petition-${input.caseNo}`,
});

function applied(d: Decision | { refused: Refusal }): Decision {
  if ('refused' in d) throw new Error(`refused: ${d.refused.en}`);
  return d;
}
const run = (s: PetitionState, c: Command, date: string) => applied(decide(s, c, on(date), calculate));

// A matter through its course, one state per status (the fixtures every row is tried in).
function course(): Record<Status, PetitionState> {
  const registered = initialState(input);
  const triage: PetitionState = JSON.parse(JSON.stringify(registered));
  drive(register(triage, { ...on('2026-09-21'), record: () => undefined, touch: () => undefined, patched: () => true }, input.registeredBy), calculate);
  const awaiting = run(triage, { type: 'forward', actor: actors.registrar, mode: 'assign', unitId: UNIT }, '2026-09-21').state;
  const handling = run(awaiting, { type: 'accept', actor: actors.unit_handler }, '2026-09-23').state;
  const met = run(handling, { type: 'meeting', actor: actors.unit_handler, meeting: 1, date: '2026-09-28', place: '莲都区住建局', participants: ['王五'] }, '2026-09-28').state;
  const extended = run(met, { type: 'extend', actor: actors.unit_head, days: 20, reason: '需要补充调查取证' }, '2026-09-25').state;
  const replyBody = { request: '拆除违建', facts: '经查属实', opinion: '责令拆除', legalBasis: '《城乡规划法》', deliveryMethod: 'in_person' as const };
  const replied = run(met, { type: 'reply', actor: actors.unit_handler, ...replyBody }, '2026-10-20').state;
  const unsatisfied = run(replied, { type: 'evaluate', actor: actors.registrar, unit: 'unsatisfied', bureau: 'satisfied', reason: '未拆除', method: 'phone' }, '2026-10-22').state;
  const closed: PetitionState = JSON.parse(JSON.stringify(replied));
  onAlarm(closed, { now: () => endOfShanghaiDay('2026-11-19'), record: () => undefined, touch: () => undefined });
  const review = run(unsatisfied, { type: 'requestReview', actor: actors.registrar, level: 'review', grounds: '不服处理意见' }, '2026-11-02').state;
  const reviewed = run(review, { type: 'decideReview', actor: actors.supervisor, level: 'review', outcome: 'upheld', decision: '维持原处理意见' }, '2026-11-16').state;
  const reReview = run(reviewed, { type: 'requestReview', actor: actors.registrar, level: 'reReview', grounds: '不服复查意见' }, '2026-11-18').state;
  const terminated = run(reReview, { type: 'decideReview', actor: actors.supervisor, level: 'reReview', outcome: 'upheld', decision: '维持复查意见' }, '2026-12-10').state;
  const routed = run(triage, { type: 'route', actor: actors.registrar, channel: 'litigation', organ: '莲都区人民法院', notice: '请依法向人民法院起诉' }, '2026-09-22').state;
  const notAccepted = run(triage, { type: 'notAccept', actor: actors.registrar, reason: '不属于信访事项' }, '2026-09-22').state;
  const linked = run(triage, { type: 'link', actor: actors.registrar, caseNo: 'LS2026091000007' }, '2026-09-22').state;
  return {
    REGISTERED: registered,
    TRIAGE: triage,
    ROUTED_TO_CHANNEL: routed,
    NOT_ACCEPTED: notAccepted,
    LINKED: linked,
    AWAITING_ACCEPTANCE: awaiting,
    IN_HANDLING: met,
    EXTENDED: extended,
    REPLIED: replied,
    UNSATISFIED: unsatisfied,
    CLOSED: closed,
    REVIEW: review,
    REVIEWED: reviewed,
    RE_REVIEW: reReview,
    TERMINATED: terminated,
  };
}
const states = course();
/** The day each fixture is tried on: its last event's day, so dates given with commands default sensibly. */
const dayOf = (s: PetitionState) => (s.recent.at(-1)?.at ?? input.registeredAt).slice(0, 10);

/** A valid body for each row, as a caseworker with the right role would give it. */
function commandFor(name: TransitionName, s: PetitionState): Command {
  const who = (role: Role) => actors[role];
  switch (name) {
    case 'forward':
      return { type: 'forward', actor: who('registrar'), mode: 'forward', unitId: UNIT };
    case 'route':
      return { type: 'route', actor: who('registrar'), channel: 'arbitration', organ: '劳动人事争议仲裁委员会', notice: '请依法申请仲裁' };
    case 'notAccept':
      return { type: 'notAccept', actor: who('registrar'), reason: '不属于信访事项' };
    case 'link':
      return { type: 'link', actor: who('registrar'), caseNo: 'LS2026091000007' };
    case 'accept':
      return { type: 'accept', actor: who('unit_handler') };
    case 'object':
      return { type: 'object', actor: who('unit_handler'), reason: '不属于本单位职责范围' };
    case 'extend':
      return { type: 'extend', actor: who('unit_head'), days: 30, reason: '情况复杂需要延期' };
    case 'meet1':
    case 'meet2':
    case 'meet3':
      return { type: 'meeting', actor: who(name === 'meet3' ? 'unit_head' : 'unit_handler'), meeting: Number(name.slice(4)) as 1 | 2 | 3, exemption: '信访人拒绝见面' };
    case 'reply':
      return { type: 'reply', actor: who('unit_handler'), request: '请求', facts: '事实', opinion: '意见', legalBasis: '依据', deliveryMethod: 'post' };
    case 'evaluate':
      return { type: 'evaluate', actor: who('registrar'), unit: 'satisfied', bureau: 'basically_satisfied', method: 'letter' };
    case 'returnVisit':
      return { type: 'returnVisit', actor: who('registrar'), notes: '电话回访' };
    case 'sendBack':
      return { type: 'sendBack', actor: who('supervisor'), reason: '处理不到位，退回重办' };
    case 'requestReview':
    case 'requestReReview':
      return { type: 'requestReview', actor: who('registrar'), level: name === 'requestReview' ? 'review' : 'reReview', grounds: '不服' };
    case 'decideReview':
    case 'decideReReview':
      return { type: 'decideReview', actor: who('supervisor'), level: name === 'decideReview' ? 'review' : 'reReview', outcome: 'changed', decision: '变更处理意见' };
    case 'hearing':
      return { type: 'hearing', actor: who('supervisor'), action: s.reReview?.hearings.some((h) => !h.end) ? 'end' : 'start' };
    case 'warn':
      return { type: 'warn', actor: who('supervisor'), reason: '存在越级上访风险' };
  }
}

/**
 * Legal by status but refused by a guard in these fixtures, and why that is right: a re-review follows a review
 * decision (the CLOSED fixture never had a review), once (the TERMINATED one had it).
 */
const guarded: Partial<Record<`${TransitionName}@${Status}`, string>> = {
  'requestReReview@CLOSED': 're_review_order',
  'requestReReview@TERMINATED': 're_review_order',
};

const pairs = statuses.flatMap((status) => transitionNames.map((name) => [status, name] as const));

describe('the transition table, every status × command', () => {
  it('has a row for every command and every status is a fixture', () => {
    expect(Object.keys(transitions).sort()).toEqual([...transitionNames].sort());
    expect(Object.keys(states).sort()).toEqual([...statuses].sort());
    expect(pairs).toHaveLength(statuses.length * transitionNames.length);
  });

  it.each(pairs)('%s × %s', (status, name) => {
    const t = transitions[name];
    const s = states[status];
    const c = commandFor(name, s);
    const result = decide(s, c, on(dayOf(s)), calculate);
    if (!t.from.includes(status)) {
      expect(result, `${name} must be refused in ${status}`).toHaveProperty('refused');
      const r = (result as { refused: Refusal }).refused;
      expect(r.type).toBe('IllegalState');
      expect(r.code).toBe(name === 'warn' ? 'ended' : name === 'returnVisit' ? 'no_reply' : 'wrong_status');
      expect(r.zh).toMatch(/[\u4e00-\u9fff]/);
      return;
    }
    const expectedGuard = guarded[`${name}@${status}`];
    if (expectedGuard) {
      const code = 'refused' in result ? result.refused.code : result.refusal?.code;
      expect(code).toBe(expectedGuard);
      return;
    }
    const d = applied(result);
    // The status the table names (or unchanged).
    const to = typeof t.to === 'function' ? (t.to as (s: PetitionState, c: Command) => Status | undefined)(s, c) : t.to;
    expect(d.state.status).toBe(to ?? status);
    // The limits it meets or cancels are no longer running; those it starts are the table's.
    for (const key of [...(t.meets ?? []), ...(t.cancels ?? [])]) {
      expect(d.state.deadlines.filter((x) => x.key === key && (x.status === 'pending' || x.status === 'paused'))).toEqual([]);
    }
    const started = d.state.deadlines.slice(s.deadlines.length).map((x) => x.key);
    for (const key of started) expect(t.starts ?? []).toContain(key);
    const filed = d.effects.flatMap((e) => (e.type === 'fileNotice' ? [e.notice.kind] : []));
    for (const kind of filed) expect(t.notices ?? []).toContain(kind);
    // Every event it records is numbered on from the state's counter.
    expect(d.events.map((e) => e.seq)).toEqual(d.events.map((_, i) => s.seq + i));
  });
});

describe('roles: every row refuses a role the table does not name', () => {
  const rows = transitionNames.flatMap((name) => {
    const allowed = permissions[transitions[name].permission] as readonly string[];
    const role = (Object.keys(actors) as Role[]).find((r) => !allowed.includes(r));
    return role ? [[name, role] as const] : [];
  });
  it.each(rows)('%s by a %s', (name, role) => {
    const status = transitions[name].from[0]!;
    const s = states[status];
    const c = { ...commandFor(name, s), actor: actors[role] };
    const result = decide(s, c, on(dayOf(s)), calculate);
    expect(result).toMatchObject({ refused: { type: 'Forbidden', code: 'role' } });
  });
});

describe('what the machine decides, with real dates', () => {
  it('accepted 2026-09-23 → handling due 2026-11-22; the acceptance notice is filed and objection cancelled', () => {
    const d = run(states.AWAITING_ACCEPTANCE, { type: 'accept', actor: actors.unit_handler }, '2026-09-23');
    expect(d.state.deadlines.find((x) => x.key === 'handling')).toMatchObject({ startDate: '2026-09-23', dueDate: '2026-11-22', status: 'pending' });
    expect(d.state.deadlines.find((x) => x.key === 'objection')).toMatchObject({ status: 'cancelled' });
    expect(d.effects.map((e) => e.type)).toEqual(['fileNotice', 'computeLimit']);
    expect(d.events.map((e) => e.type)).toEqual(['accepted', 'notice.filed', 'deadline.started']);
  });

  it('an extension of 20 days from 2026-11-22 runs to 2026-12-12, and a second one is refused', () => {
    const d = run(states.IN_HANDLING, { type: 'extend', actor: actors.unit_head, days: 20, reason: '需要补充调查取证' }, '2026-10-09');
    expect(d.state.deadlines.find((x) => x.key === 'extension')).toMatchObject({ startDate: '2026-11-22', dueDate: '2026-12-12', extendedBy: 20 });
    const again = decide(d.state, { type: 'extend', actor: actors.unit_head, days: 5, reason: '再次延期申请' }, on('2026-10-10'), calculate);
    expect(again).toMatchObject({ refused: { code: 'wrong_status' } });
  });

  it('a report is never forwarded to the unit it accuses (条例 第三十条)', () => {
    const r = decide(states.TRIAGE, { type: 'forward', actor: actors.registrar, mode: 'assign', unitId: 'liandu-gov' }, on('2026-09-22'), calculate);
    expect(r).toMatchObject({ refused: { type: 'Forbidden', code: 'accused_unit' } });
  });

  it('a reply delivered 2026-10-20 opens the evaluation window to 2026-10-27 and the review window to 2026-11-19, and says 30日 in the notice', () => {
    const d = applied(decide(states.IN_HANDLING, commandFor('reply', states.IN_HANDLING), on('2026-10-20'), calculate));
    expect(d.state.deadlines.find((x) => x.key === 'evaluation')).toMatchObject({ dueDate: '2026-10-27' });
    expect(d.state.deadlines.find((x) => x.key === 'reviewRequest')).toMatchObject({ dueDate: '2026-11-19' });
    const notice = d.effects.find((e) => e.type === 'fileNotice');
    expect(notice?.type === 'fileNotice' && notice.notice.fields.at(-1)).toEqual(['复查告知', '如不服本处理意见，可自收到本意见书之日起30日内请求复查']);
  });

  it('a late review request is put on record with a written refusal, then refused', () => {
    const d = decide(states.CLOSED, commandFor('requestReview', states.CLOSED), on('2026-11-25'), calculate);
    expect(d).toMatchObject({ refusal: { code: 'request_late' }, state: { status: 'CLOSED' } });
    expect((d as Decision).effects.map((e) => e.type)).toEqual(['fileNotice']);
  });

  it('re-review decided ends the matter: 三级终结, no limit running', () => {
    expect(states.TERMINATED.endedAt).toBeDefined();
    expect(states.TERMINATED.deadlines.filter((x) => x.status === 'pending')).toEqual([]);
  });

  it('what a user may do now: the unit handler of an accepted matter, the registrar in triage', () => {
    expect(availableTransitions(states.IN_HANDLING, actors.unit_handler)).toEqual(['meet1', 'meet2', 'reply']);
    expect(availableTransitions(states.IN_HANDLING, actors.unit_head)).toEqual(['extend', 'meet1', 'meet2', 'reply']);
    expect(availableTransitions(states.TRIAGE, actors.registrar)).toEqual(['forward', 'route', 'notAccept', 'link', 'warn']);
    expect(availableTransitions(states.TRIAGE, { ...actors.unit_handler })).toEqual([]);
  });
});

describe('who may record an evaluation (nobody marks their own homework)', () => {
  const body = { type: 'evaluate' as const, unit: 'satisfied' as const, bureau: 'satisfied' as const };
  it('the unit being evaluated may not, whatever its role', () => {
    for (const role of ['unit_handler', 'unit_head'] as const) {
      expect(decide(states.REPLIED, { ...body, actor: actors[role], method: 'phone' }, on('2026-10-21'), calculate)).toMatchObject({ refused: { type: 'Forbidden', code: 'role' } });
    }
  });
  it('a bureau user may, on the petitioner\'s behalf, saying how the evaluation was taken', () => {
    expect(decide(states.REPLIED, { ...body, actor: actors.registrar }, on('2026-10-21'), calculate)).toMatchObject({ refused: { code: 'evaluation_method' } });
    const d = run(states.REPLIED, { ...body, actor: actors.supervisor, method: 'visit' }, '2026-10-21');
    expect(d.state.evaluation).toMatchObject({ unit: 'satisfied', method: 'visit', evaluatedOn: '2026-10-21' });
  });
});
