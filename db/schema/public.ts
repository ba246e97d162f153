import { pgTable, text, integer, timestamp } from 'drizzle-orm/pg-core';

/**
 * Failed verifications per query code (查询码) on the petitioner's public channel. Kept for any code submitted,
 * existing or not, so a wrong code and a wrong factor cost the same work; a code locks at the tenth failure.
 */
export const queryCodeAttempts = pgTable('query_code_attempts', {
  code: text('code').primaryKey(),
  failures: integer('failures').notNull().default(0),
  lockedAt: timestamp('locked_at', { withTimezone: true }),
  lastAttemptAt: timestamp('last_attempt_at', { withTimezone: true }).notNull().defaultNow(),
});

/** Fixed-window request counters of the public channel (per address, per code), shared by every API process. */
export const rateCounters = pgTable('rate_counters', {
  key: text('key').primaryKey(),
  windowStart: timestamp('window_start', { withTimezone: true }).notNull(),
  count: integer('count').notNull(),
});
