import { sql } from 'drizzle-orm';
import {
  pgTable,
  text,
  integer,
  boolean,
  timestamp,
  jsonb,
  bigint,
  index,
  uniqueIndex,
  primaryKey,
} from 'drizzle-orm/pg-core';
import { divisions, units } from './reference';
import { deadlineStatuses, type DeadlineEntry, type PetitionSnapshot, type TimelineEntry } from '../../domain/matter';
import { escalationKinds, escalationStatuses, type EscalationState } from '../../domain/escalation';
import type { DeadlinePolicy, LimitKey } from '../../domain/rules';
import type { Intake, IntakeResult } from '../../domain/petition';

/** A petitioner as stored with the matter (the protected record). */
export type StoredPetitioner = Intake['petitioners'][number];

/**
 * One row per petition matter (信访事项): the intake record plus a projection of the workflow's state.
 * Personal data (ID number, phone, address) lives here only, never in workflow history.
 */
export const petitions = pgTable(
  'petitions',
  {
    caseNo: text('case_no').primaryKey(),
    queryCode: text('query_code').notNull(),
    workflowId: text('workflow_id').notNull().unique(),
    status: text('status').notNull(),
    channel: text('channel').notNull(),
    source: text('source').notNull(),
    divisionCode: text('division_code')
      .notNull()
      .references(() => divisions.code),
    unitId: text('unit_id').references(() => units.id),
    category: text('category').notNull(),
    purpose: text('purpose').notNull(),
    summary: text('summary').notNull(),
    petitioners: jsonb('petitioners').$type<StoredPetitioner[]>().notNull(),
    /** sha-256 of "idType:idNumber" of the main petitioner: finds possible repeats without reading PII. */
    petitionerKey: text('petitioner_key'),
    personsCount: integer('persons_count').notNull(),
    flags: jsonb('flags').$type<Record<string, boolean>>().notNull(),
    intake: jsonb('intake').$type<Record<string, unknown>>().notNull(),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull(),
    registeredAt: timestamp('registered_at', { withTimezone: true }).notNull(),
    registeredBy: text('registered_by').notNull(),
    /** 首接责任: whoever received first owns the record until a hand-off. */
    firstReceiver: text('first_receiver').notNull(),
    linkedTo: text('linked_to'),
    /** The limit the matter is now running against, for sorting lists by deadline. */
    currentDeadlineKey: text('current_deadline_key'),
    currentDueAt: timestamp('current_due_at', { withTimezone: true }),
    overdue: boolean('overdue').notNull().default(false),
    open: boolean('open').notNull().default(true),
    /** The workflow's last snapshot (domain/matter.ts PetitionSnapshot). */
    state: jsonb('state').$type<PetitionSnapshot>(),
    /**
     * When the matter ended (its snapshot's endedAt), as a column: the measures and sweeps test it for many matters,
     * and reading it from `state` unpacked every matter's snapshot (utc_instant(), migration 0012).
     */
    endedAt: timestamp('ended_at', { withTimezone: true }).generatedAlwaysAs(sql`utc_instant(state->>'endedAt')`),
    lastEventSeq: integer('last_event_seq').notNull().default(-1),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    /**
     * The character bigrams of the case number and summary (text_bigrams(), migration 0001), for `q` search: a
     * two-character Chinese term is one bigram, which a GIN index finds without reading the table.
     */
    searchBigrams: text('search_bigrams')
      .array()
      .generatedAlwaysAs(sql`text_bigrams(case_no || ' ' || summary)`),
  },
  // GET /api/petitions (api/routes/petitions.ts, api/paging.ts): every list is a filter and an order one index serves
  // together, so a page reads its 20 rows and stops. The orders are `deadline` (open first, by the limit they run
  // against, then the latest registration) and `registered`; case_no ends each so that a cursor is exact.
  (t) => [
    // Default order, city-wide or admin (the jurisdiction is a filter that rarely rejects a row); open=true/false,
    // overdue and channel filters scan it in order.
    index('petitions_deadline_idx').on(t.open.desc(), t.currentDueAt.asc().nullsLast(), t.registeredAt.desc(), t.caseNo.desc()),
    // sort=registered, city-wide or admin; from/to are a range of it.
    index('petitions_registered_idx').on(t.registeredAt.desc(), t.caseNo.desc()),
    // Default order within one division: a county's users, divisionCode=, and each piece of a split jurisdiction.
    index('petitions_division_deadline_idx').on(t.divisionCode, t.open.desc(), t.currentDueAt.asc().nullsLast(), t.registeredAt.desc(), t.caseNo.desc()),
    // sort=registered within one division.
    index('petitions_division_registered_idx').on(t.divisionCode, t.registeredAt.desc(), t.caseNo.desc()),
    // A unit's users see their unit's matters (and unitId=): default order.
    index('petitions_unit_deadline_idx').on(t.unitId, t.open.desc(), t.currentDueAt.asc().nullsLast(), t.registeredAt.desc(), t.caseNo.desc()),
    // A unit's matters, sort=registered.
    index('petitions_unit_registered_idx').on(t.unitId, t.registeredAt.desc(), t.caseNo.desc()),
    // status= (one piece per status, each in default order): a rare status such as REVIEW would otherwise be looked for
    // through the whole deadline index. open is constant within a status, but the order names it, so the index does.
    index('petitions_status_deadline_idx').on(t.status, t.open.desc(), t.currentDueAt.asc().nullsLast(), t.registeredAt.desc(), t.caseNo.desc()),
    // overdue=true: the few overdue matters in default order (and their count), without passing the rest.
    index('petitions_overdue_deadline_idx').on(t.open.desc(), t.currentDueAt.asc().nullsLast(), t.registeredAt.desc(), t.caseNo.desc()).where(sql`${t.overdue}`),
    // q=: matters whose case number or summary has every bigram of the term (then checked with ILIKE).
    index('petitions_search_idx').using('gin', t.searchBigrams),
    // The petitioner's public channel finds a matter by its query code.
    index('petitions_query_code_idx').on(t.queryCode),
    // Possible-repeat lookup at intake: open matters of the same petitioner.
    index('petitions_petitioner_open_idx').on(t.petitionerKey).where(sql`${t.open}`),
  ],
);

/** Each letter/visit/call/online message (件次) on a matter. */
export const submissions = pgTable(
  'submissions',
  {
    id: text('id').primaryKey(),
    caseNo: text('case_no')
      .notNull()
      .references(() => petitions.caseNo),
    channel: text('channel').notNull(),
    source: text('source').notNull(),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull(),
    summary: text('summary').notNull(),
    /** Who brought this submission (a linked one may come from other persons than the matter's first petitioners). */
    petitioners: jsonb('petitioners').notNull().default([]),
    initial: boolean('initial').notNull(),
    registeredBy: text('registered_by').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('submissions_case_idx').on(t.caseNo),
    // Key petitioners (domain/measures.ts) start from the period's repeat submissions, not from every matter.
    index('submissions_repeat_received_idx').on(t.receivedAt).where(sql`not ${t.initial}`),
  ],
);

/**
 * Timeline and audit trail of a matter. The id is the workflow's own event id
 * (`<workflowId>:<seq>`), so a retried projection activity never writes an event twice.
 */
export const events = pgTable(
  'events',
  {
    id: text('id').primaryKey(),
    caseNo: text('case_no').notNull(),
    /** The workflow that wrote it: the matter's own, or one of its child workflows. */
    stream: text('stream').notNull(),
    seq: integer('seq').notNull(),
    type: text('type').notNull(),
    at: timestamp('at', { withTimezone: true }).notNull(),
    actor: text('actor'),
    data: jsonb('data').$type<TimelineEntry['data']>().notNull(),
  },
  (t) => [
    uniqueIndex('events_stream_seq_idx').on(t.stream, t.seq),
    index('events_case_at_idx').on(t.caseNo, t.at),
    // Measures read events of one type in a period (evaluations, triage outcomes, meetings): domain/measures.ts.
    index('events_type_at_idx').on(t.type, t.at),
  ],
);

/** Every deadline of a matter, stored as an absolute instant with the policy that explains it. */
export const deadlines = pgTable(
  'deadlines',
  {
    caseNo: text('case_no').notNull(),
    id: text('id').notNull(),
    key: text('key').$type<LimitKey>().notNull(),
    startDate: text('start_date').notNull(),
    dueDate: text('due_date').notNull(),
    dueAt: timestamp('due_at', { withTimezone: true }).notNull(),
    policy: jsonb('policy').$type<DeadlinePolicy>().notNull(),
    status: text('status', { enum: deadlineStatuses }).$type<DeadlineEntry['status']>().notNull(),
    escalatedAt: timestamp('escalated_at', { withTimezone: true }),
  },
  (t) => [primaryKey({ columns: [t.caseNo, t.id] }), index('deadlines_due_idx').on(t.dueAt)],
);

/**
 * What someone must do next on a matter; rewritten from each workflow's snapshot: the matter's own (source '') and
 * each escalation's (source: its workflow id). Serves GET /api/tasks.
 */
export const tasks = pgTable(
  'tasks',
  {
    caseNo: text('case_no').notNull(),
    source: text('source').notNull().default(''),
    kind: text('kind').notNull(),
    assigneeRole: text('assignee_role').notNull(),
    unitId: text('unit_id'),
    divisionCode: text('division_code').notNull(),
    dueAt: timestamp('due_at', { withTimezone: true }),
    overdue: boolean('overdue').notNull().default(false),
    detail: text('detail'),
  },
  // GET /api/tasks (api/routes/tasks.ts): overdue first, then by deadline; each index serves one kind of user's filter
  // in that order, so a work list reads its rows and stops.
  (t) => [
    primaryKey({ columns: [t.caseNo, t.source, t.kind] }),
    // Bureau users city-wide (their role's tasks not bound to a unit), and admins.
    index('tasks_role_due_idx').on(t.assigneeRole, t.overdue.desc(), t.dueAt.asc().nullsLast(), t.caseNo, t.source, t.kind),
    // Bureau users of a county: one piece per division of the jurisdiction.
    index('tasks_division_role_due_idx').on(t.divisionCode, t.assigneeRole, t.overdue.desc(), t.dueAt.asc().nullsLast(), t.caseNo, t.source, t.kind),
    // A unit's handlers and head.
    index('tasks_unit_role_due_idx').on(t.unitId, t.assigneeRole, t.overdue.desc(), t.dueAt.asc().nullsLast(), t.caseNo, t.source, t.kind),
  ],
);

/** Written notices (告知书, 处理意见书, decisions) in a matter's dossier. */
export const notices = pgTable(
  'notices',
  {
    id: text('id').primaryKey(),
    caseNo: text('case_no').notNull(),
    kind: text('kind').notNull(),
    title: text('title').notNull(),
    body: text('body').notNull(),
    legalBasis: text('legal_basis'),
    issuedAt: timestamp('issued_at', { withTimezone: true }).notNull(),
    issuedBy: text('issued_by'),
  },
  (t) => [index('notices_case_idx').on(t.caseNo)],
);

/** Idempotency-Key of POST /api/petitions → the matter it created, so a retry never creates two. */
export const idempotencyKeys = pgTable('idempotency_keys', {
  key: text('key').primaryKey(),
  userId: text('user_id').notNull(),
  requestHash: text('request_hash').notNull(),
  caseNo: text('case_no').notNull(),
  response: jsonb('response').$type<IntakeResult>(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

/**
 * Intake's outbox: written in the same transaction as the matter's rows, with the workflow's start input (no
 * personal data). The workflow start (deterministic id, USE_EXISTING) is idempotent; whoever starts it — the
 * request, a retry, or the worker's recovery loop — marks the entry started. An entry never started is a matter
 * without its workflow, which the recovery loop repairs.
 */
export const intakeOutbox = pgTable(
  'intake_outbox',
  {
    caseNo: text('case_no')
      .primaryKey()
      .references(() => petitions.caseNo),
    workflowId: text('workflow_id').notNull(),
    taskQueue: text('task_queue').notNull(),
    input: jsonb('input').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    startedAt: timestamp('started_at', { withTimezone: true }),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
  },
  (t) => [index('intake_outbox_pending_idx').on(t.createdAt).where(sql`${t.startedAt} is null`)],
);

/**
 * The audit log, kept as evidence (issue 10): reads of a matter's full personal data (PIPL), refused reads and
 * failed authorisations, sign-ins, and every administrative change. Append-only and hash-chained by the database
 * itself (migration 0011_audit_chain): a BEFORE INSERT trigger takes the chain lock, numbers the row
 * (`seq`, gap-free) and sets `prev_hash` (the previous row's hash, 64 zeros for the first) and
 * `hash` = sha256 of the row's canonical serialization (audit_row_hash); whatever a writer puts in those three
 * columns is overwritten. UPDATE, DELETE and TRUNCATE are refused, except the retention purge of rows older than
 * 183 days (services/audit.ts purgeAudit). `npm run audit:verify` walks the chain.
 */
export const auditLog = pgTable(
  'audit_log',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    userId: text('user_id').notNull(),
    action: text('action').notNull(),
    caseNo: text('case_no'),
    detail: jsonb('detail').$type<Record<string, unknown>>(),
    /** Position in the chain, set by the trigger. */
    seq: bigint('seq', { mode: 'number' }).notNull().default(0),
    prevHash: text('prev_hash').notNull().default(''),
    hash: text('hash').notNull().default(''),
  },
  // The unique index on seq, the chain's functions and triggers are in the hand-written migration 0011_audit_chain.
  (t) => [index('audit_case_idx').on(t.caseNo), index('audit_at_idx').on(t.at), index('audit_user_idx').on(t.userId, t.seq)],
);

/**
 * The escalations of a matter, each a child workflow: warning slips (信访预警单), three-party reviews (三方会审) and
 * accountability investigations (一事双查). Serves /api/warning-slips, /api/three-party-reviews, /api/investigations.
 */
export const escalations = pgTable(
  'escalations',
  {
    id: text('id').primaryKey(),
    kind: text('kind', { enum: escalationKinds }).notNull(),
    caseNo: text('case_no').notNull(),
    status: text('status', { enum: escalationStatuses }).notNull(),
    trigger: text('trigger').notNull(),
    divisionCode: text('division_code').notNull(),
    unitId: text('unit_id'),
    dueAt: timestamp('due_at', { withTimezone: true }),
    overdue: boolean('overdue').notNull().default(false),
    openedAt: timestamp('opened_at', { withTimezone: true }).notNull(),
    closedAt: timestamp('closed_at', { withTimezone: true }),
    state: jsonb('state').$type<EscalationState>().notNull(),
    lastEventSeq: integer('last_event_seq').notNull().default(-1),
  },
  // Lists by kind, overdue first then by due date.
  (t) => [index('escalations_kind_due_idx').on(t.kind, t.overdue, t.dueAt), index('escalations_case_idx').on(t.caseNo)],
);
