import { z } from 'zod';
import { escalationKinds, escalationStatuses, type EscalationState } from '../domain/escalation';
import type { PetitionState } from '../domain/matter';
import type { MeasureReadState, MeasureReport } from '../read-model/measures';

/**
 * The answers of the API's reads, as zod schemas: fastify-type-provider-zod serializes each answer with its schema
 * (fields not named here are left out) and publishes it in the OpenAPI document, from which the console's client is
 * generated (web/src/api/schema.d.ts). Timestamps the handlers return as Date are z.date() (serialized and published
 * as ISO 8601 strings); those they format themselves are strings.
 */

const instant = z.string().describe('an instant, ISO 8601 (UTC)');
const day = z.string().describe('a date, YYYY-MM-DD (Asia/Shanghai)');
const json = z.record(z.string(), z.unknown());

/**
 * A loose schema (fields it does not name pass through unchanged) typed as the interface it describes: for the live
 * states of workflows and the measures, whose every field is the answer, and which the interfaces define.
 */
const describing = <T>(schema: z.ZodType): z.ZodType<T, T> => schema as unknown as z.ZodType<T, T>;

/** A limit's rule (domain/rules.ts DeadlinePolicy). */
export const deadlinePolicy = z.object({
  key: z.string(),
  label: z.string().describe('Chinese and English, e.g. 受理告知 acceptance decision'),
  days: z.number(),
  counting: z.enum(['natural', 'working']),
  rollForward: z.boolean(),
  ruleSet: z.string(),
  basis: z.string().describe('the legal basis, e.g. 《信访工作条例》第二十三条'),
});

/** A limit inside a workflow's live state (domain/record.ts DeadlineEntry). */
const deadlineEntry = z.looseObject({
  id: z.string(),
  key: z.string(),
  startDate: day,
  dueDate: day,
  dueAt: instant,
  status: z.string(),
  policy: deadlinePolicy.optional(),
});

/** One event of a timeline (domain/record.ts TimelineEntry). */
const recentEvent = z.looseObject({ seq: z.number().int(), type: z.string(), at: instant, actor: z.string().nullable(), data: json });

/** An obligation on someone's work list (domain/record.ts Task). */
const task = z.object({ kind: z.string(), assigneeRole: z.string(), unitId: z.string().nullable(), dueAt: instant.nullable(), overdue: z.boolean(), detail: z.string() });

/**
 * The live state of a matter's workflow (domain/matter.ts PetitionState): what GET /state and every command answer
 * (petitionStateRead). The fields the console reads are named; the rest (the full state) passes as it is.
 */
const petitionStateFields = z.looseObject({
  caseNo: z.string(),
  status: z.string(),
  unitId: z.string().nullable().optional(),
  divisionCode: z.string().optional(),
  deadlines: z.array(deadlineEntry).optional(),
  tasks: z.array(task).optional(),
});

/** Whether a read gave personal data in clear (audited) or masked (domain/masking.ts). */
export const personalDataRead = z.enum(['full', 'masked']);

/** GET /state and every command's answer: the live state, masked unless asked for in full (domain/masking.ts maskPetitionState). */
export const petitionStateRead = describing<PetitionState & { personalData: 'full' | 'masked' }>(
  petitionStateFields
    .extend({ personalData: personalDataRead })
    .describe("the matter's live state from its workflow (domain/matter.ts PetitionState); masked: names in meetings masked, notes, reasons, reply texts and other free text null"),
);

/** What names an escalation, in its live state and in the list alike. */
const escalationIdentity = {
  id: z.string(),
  kind: z.enum(escalationKinds),
  caseNo: z.string(),
  status: z.enum(escalationStatuses),
  trigger: z.string(),
  divisionCode: z.string(),
  unitId: z.string().nullable(),
};

/** The live state of an escalation's workflow (domain/escalation.ts EscalationState). */
const escalationStateFields = z.looseObject({
  ...escalationIdentity,
  openedAt: instant,
  closedAt: instant.optional(),
  deadlines: z.array(deadlineEntry),
  uncomputed: z.array(z.looseObject({ id: z.string(), reason: z.string() })),
  overdue: z.boolean(),
  current: z.object({ key: z.string(), dueAt: instant }).optional(),
  details: json.describe('kind-specific record: participants, explanations, findings …'),
  recent: z.array(recentEvent),
});
export const escalationState = describing<EscalationState>(escalationStateFields.describe("the escalation's live state from its workflow"));

/** A command's answer: the new state, masked unless asked for in full (domain/masking.ts maskEscalationState, as the lists). */
export const escalationStateRead = describing<EscalationState & { personalData: 'full' | 'masked' }>(
  escalationStateFields
    .extend({ personalData: personalDataRead })
    .describe("the escalation's live state from its workflow; masked: petitioners present masked, notes, explanations and findings null"),
);

// --- matters -------------------------------------------------------------------------------------------------

/** A petitioner as lists show them: name, ID number and phone masked, no address. */
export const maskedPetitioner = z.object({ name: z.string(), main: z.boolean(), idNumber: z.string().nullable(), phone: z.string().nullable() });

/** A petitioner in the full record (domain/petition.ts petitionerSchema as stored), or masked. */
export const recordPetitioner = z.object({
  name: z.string(),
  main: z.boolean().optional(),
  idType: z.enum(['resident_id', 'passport', 'other']).optional(),
  idNumber: z.string().nullable().optional(),
  phone: z.string().nullable().optional(),
  addressCode: z.string().optional(),
  address: z.string().optional(),
});

export const matterListItem = z.object({
  caseNo: z.string(),
  status: z.string(),
  channel: z.string(),
  source: z.string(),
  divisionCode: z.string(),
  unitId: z.string().nullable(),
  category: z.string(),
  summary: z.string().describe('the first 120 characters'),
  petitioners: z.array(maskedPetitioner),
  personsCount: z.number().int(),
  receivedAt: instant,
  registeredAt: instant,
  currentDeadline: z.object({ key: z.string(), dueAt: instant.nullable() }).nullable().describe('the limit the matter runs against now'),
  overdue: z.boolean(),
  open: z.boolean(),
});

export const matterList = z.object({
  page: z.number().int().nullable().describe('null when the page was asked for by cursor'),
  pageSize: z.number().int(),
  total: z.number().int(),
  totalExact: z.boolean().describe('false: total is the database’s estimate (beyond the exact-count bound)'),
  nextCursor: z.string().nullable().describe('pass as ?cursor= for the next page; null on the last page'),
  items: z.array(matterListItem),
});

/** A deadline row of the read model, with how it was counted. */
export const deadlineRow = z.object({
  caseNo: z.string(),
  id: z.string(),
  key: z.string(),
  startDate: day,
  dueDate: day,
  dueAt: z.date(),
  policy: deadlinePolicy,
  status: z.string(),
  escalatedAt: z.date().nullable(),
  description: z.string().describe('how the limit was counted, in Chinese (holidays skipped, make-up working days)'),
});

/** One event of the matter's timeline (the read model's events table). */
export const timelineEvent = z.object({
  id: z.string(),
  caseNo: z.string(),
  stream: z.string().describe('the workflow that wrote it: the matter, or one of its escalations'),
  seq: z.number().int(),
  type: z.string(),
  at: z.date(),
  actor: z.string().nullable(),
  data: json,
});

export const noticeSummary = z.object({ id: z.string(), kind: z.string(), title: z.string(), issuedAt: z.date(), legalBasis: z.string().nullable() });

export const notice = z.object({
  id: z.string(),
  caseNo: z.string(),
  kind: z.string(),
  title: z.string(),
  body: z.string(),
  legalBasis: z.string().nullable(),
  issuedAt: z.date(),
  issuedBy: z.string().nullable(),
});

export const submission = z.object({
  id: z.string(),
  caseNo: z.string(),
  channel: z.string(),
  source: z.string(),
  receivedAt: z.date(),
  summary: z.string(),
  petitioners: z.array(recordPetitioner).describe('who brought this submission'),
  initial: z.boolean(),
  registeredBy: z.string(),
  createdAt: z.date(),
});

/** GET /api/petitions/:caseNo: the record (personal data in full and audited, or masked), deadlines, timeline, notices. */
export const matterDetail = z.object({
  caseNo: z.string(),
  queryCode: z.string().describe('查询码 printed on the receipt'),
  workflowId: z.string(),
  status: z.string(),
  channel: z.string(),
  source: z.string(),
  divisionCode: z.string(),
  unitId: z.string().nullable(),
  category: z.string(),
  purpose: z.string(),
  summary: z.string(),
  petitioners: z.array(recordPetitioner),
  personsCount: z.number().int(),
  flags: z.record(z.string(), z.boolean()),
  intake: json.describe('the rest of the intake record (attachments, accused units, leader reception …)'),
  receivedAt: z.date(),
  registeredAt: z.date(),
  registeredBy: z.string(),
  firstReceiver: z.string().describe('首接责任: who received it first'),
  linkedTo: z.string().nullable(),
  currentDeadlineKey: z.string().nullable(),
  currentDueAt: z.date().nullable(),
  overdue: z.boolean(),
  open: z.boolean(),
  updatedAt: z.date(),
  personalData: z.enum(['full', 'masked']),
  tasks: z.array(task),
  deadlines: z.array(deadlineRow),
  timeline: z.array(timelineEvent),
  notices: z.array(noticeSummary),
  submissions: z.array(submission),
});

export const intakeResult = z.object({
  outcome: z.enum(['registered', 'linked']),
  caseNo: z.string(),
  queryCode: z.string().optional().describe('查询码, on a new registration'),
  workflowId: z.string(),
  possibleRepeats: z.array(z.object({ caseNo: z.string(), status: z.string(), registeredAt: z.string() })).describe('open matters of the same petitioner'),
  submissionId: z.string().optional(),
});

// --- escalations ----------------------------------------------------------------------------------------------

export const escalationListItem = z.object({
  ...escalationIdentity,
  dueAt: z.date().nullable(),
  overdue: z.boolean(),
  openedAt: z.date(),
  closedAt: z.date().nullable(),
  state: z.looseObject({}).describe('the workflow’s snapshot, masked (domain/masking.ts): petitioners present masked; notes, explanations and findings null'),
  personalData: z.literal('masked'),
});
export const escalationList = z.object({ page: z.number().int(), pageSize: z.number().int(), total: z.number().int(), items: z.array(escalationListItem) });

// --- measures -------------------------------------------------------------------------------------------------

const target = z.looseObject({ kind: z.enum(['atLeast', 'reduction']), value: z.number().optional(), percent: z.number().optional() });
/** One measure over a period and jurisdiction (read-model/measures.ts MeasureReport). */
const measureReportFields = {
  key: z.string(),
  name: z.string(),
  kind: z.enum(['count', 'rate']),
  numerator: z.number(),
  denominator: z.number().nullable(),
  value: z.number().nullable(),
  breakdown: z.record(z.string(), z.object({ numerator: z.number(), denominator: z.number().nullable() })),
  formula: z.looseObject({ numerator: z.string(), denominator: z.string().nullable(), period: z.string(), jurisdiction: z.string() }),
  target: target.nullable(),
  targetValue: z.number().nullable(),
  baseline: z.object({ year: z.number().int(), from: day, to: day, value: z.number().nullable() }).nullable(),
  status: z.string(),
  series: z.array(z.object({ month: z.string(), numerator: z.number(), denominator: z.number().nullable(), value: z.number().nullable() })),
};
export const measureReport = describing<MeasureReport>(z.looseObject(measureReportFields));
/** Whether the daily aggregates were exact for the request (read-model/measure-rollup.ts measureReadState). */
export const measureAggregates = z
  .object({
    pending: z.number().int().describe('matters changed and not yet rolled up into the daily aggregates (the background drain is catching up)'),
    direct: z.boolean().describe('some of them lie in the jurisdiction asked for, so the daily measures were computed directly from their rows: the figures are exact, only slower'),
  })
  .describe('the state of the measures’ daily aggregates for this request');
export const measureList = z.object({ from: day, to: day, divisionCode: z.string(), baselineYear: z.number().int(), aggregates: measureAggregates, items: z.array(measureReport) });
/** One measure, with the aggregates' state when it is read from them (daily, or day facts; null for one always computed from its rows). */
export const measureAnswer = describing<MeasureReport & { aggregates: Pick<MeasureReadState, 'pending' | 'direct'> | null }>(z.looseObject({ ...measureReportFields, aggregates: measureAggregates.nullable() }));
export const drillRow = z.object({
  ref: z.string(),
  caseNo: z.string().nullable(),
  cat: z.string().nullable(),
  num: z.number(),
  den: z.number().nullable(),
  status: z.string().nullable(),
  divisionCode: z.string().nullable(),
  unitId: z.string().nullable(),
  registeredAt: z.string().nullable(),
});
export const drillDown = z.object({
  key: z.string(),
  name: z.string(),
  side: z.enum(['numerator', 'denominator']),
  formula: z.string(),
  from: day,
  to: day,
  divisionCode: z.string(),
  total: z.number().int(),
  items: z.array(drillRow),
});
export const measureCatalogue = z.object({
  items: z.array(z.looseObject({ key: z.string(), name: z.string(), kind: z.enum(['count', 'rate']), numerator: z.string(), denominator: z.string().optional(), period: z.string(), jurisdiction: z.string(), target: target.optional() })),
});

// --- backlog --------------------------------------------------------------------------------------------------

export const backlogCase = z.object({
  id: z.string(),
  workflowId: z.string(),
  source: z.enum(['new_backlog', 'central_assignment', 'import']),
  assigningLevel: z.enum(['national', 'province', 'city', 'county']),
  assigningBody: z.string().nullable(),
  assignedOn: day,
  reason: z.string().nullable(),
  divisionCode: z.string(),
  unitId: z.string().nullable(),
  areaName: z.string().nullable(),
  leaderId: z.string().nullable(),
  leaderName: z.string().nullable().describe('包案 leader'),
  leaderMissing: z.boolean(),
  targetDate: day.nullable(),
  status: z.enum(['open', 'closed']),
  closureCategory: z.string().nullable(),
  closedOn: day.nullable(),
  reopenCount: z.number().int(),
  flags: z.unknown().describe('三跨三分离 flags'),
  lastSeq: z.number().int(),
  updatedAt: z.date(),
});
export const backlogList = z.object({ total: z.number().int(), items: z.array(backlogCase) });
export const backlogDetail = backlogCase.extend({
  state: z.unknown().describe("the backlog case's workflow snapshot; masked: the dossier's participants masked, its notes, check-in notes, supervision findings, recommendations and the closure summary null"),
  timeline: z.array(timelineEvent),
  personalData: personalDataRead,
});
export const backlogProgress = z.object({
  to: day,
  divisionCode: z.string(),
  levels: z.array(z.object({ level: z.enum(['national', 'province', 'city']), assigned: z.number().nullable(), closed: z.number(), rate: z.number().nullable(), target: z.number().nullable(), status: z.enum(['met', 'not_met', 'no_data']) })),
  byLeader: z.array(z.object({ leader: z.string().nullable(), assigned: z.number().int(), closed: z.number().int(), reopened: z.number().int() })),
});
/** A backlog command's answer: the new state, masked unless asked for in full (domain/masking.ts maskBacklogState, as GET /backlog/:id). */
export const backlogStateRead = describing<object & { personalData: 'full' | 'masked' }>(
  z.looseObject({ personalData: personalDataRead }),
).describe("the backlog case's live state from its workflow (workflows/backlog.ts BacklogState); masked as GET /backlog/:id masks it");
