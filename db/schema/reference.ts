import { pgTable, text, integer, date, timestamp, index, boolean } from 'drizzle-orm/pg-core';

/** Administrative divisions of Lishui (seeded from data/lishui-divisions.csv). */
export const divisions = pgTable('divisions', {
  code: text('code').primaryKey(),
  name: text('name').notNull(),
  level: text('level', { enum: ['province', 'city', 'county', 'development_zone', 'township', 'village'] }).notNull(),
  parentCode: text('parent_code'),
});

/** Responsible units (事权单位): county governments, city departments, bureaus. */
export const units = pgTable(
  'units',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    kind: text('kind', { enum: ['petition_bureau', 'county_government', 'city_department', 'township', 'review_body'] }).notNull(),
    divisionCode: text('division_code')
      .notNull()
      .references(() => divisions.code),
    leaderName: text('leader_name'),
  },
  (t) => [index('units_division_idx').on(t.divisionCode)],
);

/**
 * Users of the service; each bound to a division (bureau roles) or a unit (unit roles). The id is the login name.
 * A user signs in with POST /auth/login when they have a password (argon2id hash, services/users.ts); the seeded
 * development users have none and get tokens from POST /auth/dev-token in development only.
 */
export const users = pgTable('users', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  role: text('role', { enum: ['registrar', 'unit_handler', 'unit_head', 'supervisor', 'admin'] }).notNull(),
  divisionCode: text('division_code').references(() => divisions.code),
  unitId: text('unit_id').references(() => units.id),
  /** PHC string of an argon2id hash; null: no password login. */
  passwordHash: text('password_hash'),
  /** Tokens issued before this instant are refused (a password reset signs the user out everywhere). */
  passwordChangedAt: timestamp('password_changed_at', { withTimezone: true }),
  /** A deactivated user can neither sign in nor use a token issued before. */
  active: boolean('active').notNull().default(true),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

/**
 * Failed sign-ins per login name (existing or not, so a lock reveals nothing): LOGIN_MAX_FAILURES failures in a row
 * lock the name for LOGIN_LOCK_MINUTES (423 with Retry-After); a successful sign-in clears the row.
 */
export const loginFailures = pgTable('login_failures', {
  login: text('login').primaryKey(),
  failures: integer('failures').notNull().default(0),
  lastFailedAt: timestamp('last_failed_at', { withTimezone: true }).notNull(),
  lockedUntil: timestamp('locked_until', { withTimezone: true }),
});

/** Working-day overrides entered by an admin; they beat the chinese-days package data (domain.md §7). */
export const calendarOverrides = pgTable('calendar_overrides', {
  date: date('date', { mode: 'string' }).primaryKey(),
  kind: text('kind', { enum: ['workday', 'holiday'] }).notNull(),
  source: text('source').notNull(),
  /** The holiday the day belongs to (国庆节), or that a make-up working day is for; shown in deadline explanations. */
  name: text('name'),
  createdBy: text('created_by').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

/**
 * Years whose schedule an admin has imported. A year the package does not carry counts as known only once its row
 * says complete (domain/calendar.ts WorkCalendar.knowsYear): not after its first override.
 */
export const calendarYears = pgTable('calendar_years', {
  year: integer('year').primaryKey(),
  complete: boolean('complete').notNull().default(false),
  /** The State Council's notice, e.g. 国办发明电〔2026〕N号. */
  sourceDocument: text('source_document').notNull(),
  declaredBy: text('declared_by').notNull(),
  declaredAt: timestamp('declared_at', { withTimezone: true }).notNull().defaultNow(),
});

/** Per-day counters for case numbers (信访件编号): LS + yyyymmdd + 5 digits. */
export const caseNumberCounters = pgTable('case_number_counters', {
  day: text('day').primaryKey(),
  last: integer('last').notNull(),
});
