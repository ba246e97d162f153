import { bigint, boolean, date, index, jsonb, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * Daily aggregates of the measures (domain/measures.ts), so that a year's figure reads a few thousand rows however
 * long the history. read-model/measure-rollup.ts keeps them; the triggers of migration 0008 say which matters changed.
 */

/** One measure's rows summed per Asia/Shanghai day, division of the matter and breakdown label ('' for none). */
export const measureDaily = pgTable(
  'measure_daily',
  {
    measure: text('measure').notNull(),
    day: date('day').notNull(),
    divisionCode: text('division_code').notNull(),
    cat: text('cat').notNull().default(''),
    num: bigint('num', { mode: 'number' }).notNull().default(0),
    den: bigint('den', { mode: 'number' }).notNull().default(0),
    /** How many rows are summed here (0 once every contribution has moved away). */
    rows: bigint('rows', { mode: 'number' }).notNull().default(0),
  },
  // The primary key serves every read: one measure, a range of days, then the divisions of the jurisdiction.
  (t) => [primaryKey({ columns: [t.measure, t.day, t.divisionCode, t.cat] })],
);

/**
 * The day facts of a distinct measure (key petitioners), which no sum of days gives: per matter, day and label, the
 * ref counted (the petitioner key) with what decides at the period's end whether it counts (the matter's division,
 * whether it is open, when it ended). Replaced per matter by the same drain as measure_daily; a period reads its
 * days' facts, not every matter (domain/measures.ts, `dayFacts`).
 */
export const measureDayFacts = pgTable(
  'measure_day_facts',
  {
    measure: text('measure').notNull(),
    caseNo: text('case_no').notNull(),
    day: date('day').notNull(),
    cat: text('cat').notNull(),
    ref: text('ref').notNull(),
    divisionCode: text('division_code').notNull(),
    open: boolean('open').notNull(),
    endedAt: timestamp('ended_at', { withTimezone: true }),
  },
  (t) => [
    primaryKey({ columns: [t.measure, t.caseNo, t.day, t.cat] }),
    // A period's facts, read index-only: one measure, a range of days, and every column the figure needs.
    index('measure_day_facts_day_idx').on(t.measure, t.day, t.divisionCode, t.ref, t.caseNo, t.cat, t.open, t.endedAt),
  ],
);

/**
 * What each matter last contributed to measure_daily, so that a change is applied as a difference (old out, new in)
 * without recomputing anyone else's: [measure, day, division, cat, num, den, rows] per bucket.
 */
export const measureContributions = pgTable('measure_contributions', {
  caseNo: text('case_no').primaryKey(),
  facts: jsonb('facts').$type<[string, string, string, string, number, number, number][]>().notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

/**
 * Matters whose rows may have changed since their contribution was taken. Filled by statement triggers on every
 * table a measure reads (petitions, submissions, events, deadlines, escalations, leader_review_matters), in the
 * same transaction as the change; drained before any figure is read, so the aggregates are never stale.
 */
export const measureDirty = pgTable(
  'measure_dirty',
  {
    caseNo: text('case_no').primaryKey(),
    markedAt: timestamp('marked_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('measure_dirty_marked_idx').on(t.markedAt)],
);
