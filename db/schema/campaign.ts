import { pgTable, text, integer, boolean, timestamp, jsonb, date, index, primaryKey, uniqueIndex } from 'drizzle-orm/pg-core';
import { divisions, units } from './reference';

/**
 * The campaign's half of the read model (丽委办发〔2018〕51号 清初访 / 化积案): leaders and their duties, backlog cases.
 * Measures (domain/measures.ts) read these tables next to petitions, events, deadlines and overlays.
 */

/** Leaders who review letters (阅批), hold reception days and take backlog cases (包案). */
export const leaders = pgTable(
  'leaders',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    /** A title when the source gives no personal name (e.g. 市委专职副书记). */
    title: text('title'),
    /** city: city leaders (包片督案); county: county-level leaders, who owe one reception day a month. */
    level: text('level', { enum: ['city', 'county'] }).notNull(),
    divisionCode: text('division_code')
      .notNull()
      .references(() => divisions.code),
    active: boolean('active').notNull().default(true),
  },
  (t) => [index('leaders_division_idx').on(t.divisionCode)],
);

/** 阅批: a leader's review and instruction on initial letters or online submissions. */
export const leaderReviews = pgTable(
  'leader_reviews',
  {
    id: text('id').primaryKey(),
    leaderId: text('leader_id')
      .notNull()
      .references(() => leaders.id),
    reviewedOn: date('reviewed_on', { mode: 'string' }).notNull(),
    instruction: text('instruction').notNull(),
    recordedBy: text('recorded_by').notNull(),
    recordedAt: timestamp('recorded_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('leader_reviews_on_idx').on(t.reviewedOn)],
);

/** The matters one 阅批 reaches. */
export const leaderReviewMatters = pgTable(
  'leader_review_matters',
  {
    reviewId: text('review_id')
      .notNull()
      .references(() => leaderReviews.id),
    caseNo: text('case_no').notNull(),
  },
  (t) => [primaryKey({ columns: [t.reviewId, t.caseNo] }), index('leader_review_matters_case_idx').on(t.caseNo)],
);

/** 领导接访日: a leader's reception day. */
export const receptionDays = pgTable(
  'reception_days',
  {
    id: text('id').primaryKey(),
    leaderId: text('leader_id')
      .notNull()
      .references(() => leaders.id),
    heldOn: date('held_on', { mode: 'string' }).notNull(),
    place: text('place').notNull(),
    recordedBy: text('recorded_by').notNull(),
    recordedAt: timestamp('recorded_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('reception_days_on_idx').on(t.heldOn), uniqueIndex('reception_days_leader_day_idx').on(t.leaderId, t.heldOn)],
);

/** Matters received on a reception day: linked (an existing matter) or registered on the spot. */
export const receptionMatters = pgTable(
  'reception_matters',
  {
    receptionId: text('reception_id')
      .notNull()
      .references(() => receptionDays.id),
    caseNo: text('case_no').notNull(),
    how: text('how', { enum: ['linked', 'registered'] }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.receptionId, t.caseNo] })],
);

/** 联席会议 group issues (涉军, 民办教师, 房地产, …): one issue links many matters, closed in batches. */
export const groupIssues = pgTable('group_issues', {
  id: text('id').primaryKey(),
  topic: text('topic').notNull(),
  title: text('title').notNull(),
  divisionCode: text('division_code')
    .notNull()
    .references(() => divisions.code),
  status: text('status', { enum: ['open', 'closed'] }).notNull().default('open'),
  openedBy: text('opened_by').notNull(),
  openedAt: timestamp('opened_at', { withTimezone: true }).notNull().defaultNow(),
  closedAt: timestamp('closed_at', { withTimezone: true }),
});

/** A matter of a group issue; `batchId` and `decision` are set when a batch closes it. */
export const groupIssueMatters = pgTable(
  'group_issue_matters',
  {
    issueId: text('issue_id')
      .notNull()
      .references(() => groupIssues.id),
    caseNo: text('case_no').notNull(),
    batchId: text('batch_id'),
    decision: text('decision'),
    decidedOn: date('decided_on', { mode: 'string' }),
    decidedBy: text('decided_by'),
  },
  (t) => [primaryKey({ columns: [t.issueId, t.caseNo] }), index('group_issue_matters_case_idx').on(t.caseNo)],
);

/**
 * 积案 backlog cases: each a long-running workflow (workflows/backlog.ts), projected here.
 * `id` is the workflow's business id (e.g. `new-LS2026…`, `import-2018-…`, `central-…`).
 */
export const backlogCases = pgTable(
  'backlog_cases',
  {
    id: text('id').primaryKey(),
    workflowId: text('workflow_id').notNull().unique(),
    source: text('source', { enum: ['new_backlog', 'central_assignment', 'import'] }).notNull(),
    /** The assigning level (national, province, city, county); targets: national 100%, province/city ≥80%. */
    assigningLevel: text('assigning_level', { enum: ['national', 'province', 'city', 'county'] }).notNull(),
    assigningBody: text('assigning_body'),
    assignedOn: date('assigned_on', { mode: 'string' }).notNull(),
    reason: text('reason'),
    divisionCode: text('division_code')
      .notNull()
      .references(() => divisions.code),
    unitId: text('unit_id'),
    /** The area or unit as the source names it (e.g. 市国土局). */
    areaName: text('area_name'),
    leaderId: text('leader_id'),
    leaderName: text('leader_name'),
    /** True when the source had no leader (a flagged import line). */
    leaderMissing: boolean('leader_missing').notNull().default(false),
    targetDate: date('target_date', { mode: 'string' }),
    status: text('status', { enum: ['open', 'closed'] }).notNull(),
    closureCategory: text('closure_category'),
    closedOn: date('closed_on', { mode: 'string' }),
    reopenCount: integer('reopen_count').notNull().default(0),
    /** 三跨三分离 flags. */
    flags: jsonb('flags').notNull(),
    state: jsonb('state').notNull(),
    lastSeq: integer('last_seq').notNull().default(-1),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('backlog_cases_division_idx').on(t.divisionCode), index('backlog_cases_leader_idx').on(t.leaderName)],
);

/** The matters a backlog case covers. */
export const backlogCaseMatters = pgTable(
  'backlog_case_matters',
  {
    backlogId: text('backlog_id').notNull(),
    caseNo: text('case_no').notNull(),
  },
  (t) => [primaryKey({ columns: [t.backlogId, t.caseNo] }), index('backlog_case_matters_case_idx').on(t.caseNo)],
);

/** One file of backlog imported: the hash makes a second import of the same file change nothing. */
export const backlogImports = pgTable('backlog_imports', {
  id: text('id').primaryKey(),
  sha256: text('sha256').notNull().unique(),
  fileName: text('file_name'),
  year: integer('year').notNull(),
  cases: integer('cases').notNull(),
  importedBy: text('imported_by').notNull(),
  /** Lines accepted with a flag, and area lines without cases. */
  detail: jsonb('detail').notNull().default({}),
  importedAt: timestamp('imported_at', { withTimezone: true }).notNull().defaultNow(),
});

/** Digests written by the scheduled sweeps (天天清, 周周结, 月月检, 挂牌督办). */
export const digests = pgTable(
  'digests',
  {
    id: text('id').primaryKey(),
    kind: text('kind', { enum: ['daily', 'weekly', 'monthly', 'quarterly'] }).notNull(),
    periodStart: date('period_start', { mode: 'string' }).notNull(),
    periodEnd: date('period_end', { mode: 'string' }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    body: jsonb('body').notNull(),
  },
  (t) => [index('digests_kind_idx').on(t.kind, t.periodStart)],
);

/** 周周结: the unit's written explanation for an item due in the week and not closed. */
export const weeklyExplanations = pgTable(
  'weekly_explanations',
  {
    weekStart: date('week_start', { mode: 'string' }).notNull(),
    caseNo: text('case_no').notNull(),
    deadlineId: text('deadline_id').notNull(),
    explanation: text('explanation').notNull(),
    by: text('by').notNull(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.weekStart, t.caseNo, t.deadlineId] })],
);

/**
 * 挂牌督办: a county or a responsible unit listed by a quarterly ranking; each a workflow `listing-<id>` with its
 * remediation limit. A unit's listing carries the unit and the unit's division.
 */
export const listings = pgTable('listings', {
  id: text('id').primaryKey(),
  quarter: text('quarter').notNull(),
  divisionCode: text('division_code')
    .notNull()
    .references(() => divisions.code),
  unitId: text('unit_id').references(() => units.id),
  rank: integer('rank').notNull(),
  score: jsonb('score').notNull(),
  status: text('status', { enum: ['listed', 'remediated', 'overdue'] }).notNull(),
  dueDate: date('due_date', { mode: 'string' }).notNull(),
  state: jsonb('state').notNull(),
  lastSeq: integer('last_seq').notNull().default(-1),
});
