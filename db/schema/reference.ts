import { pgTable, text, integer, date, timestamp, index } from 'drizzle-orm/pg-core';

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

/** Users of the service; each bound to a division (bureau roles) or a unit (unit roles). */
export const users = pgTable('users', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  role: text('role', { enum: ['registrar', 'unit_handler', 'unit_head', 'supervisor', 'admin'] }).notNull(),
  divisionCode: text('division_code').references(() => divisions.code),
  unitId: text('unit_id').references(() => units.id),
});

/** Working-day overrides entered by an admin; they beat the chinese-days package data (domain.md §7). */
export const calendarOverrides = pgTable('calendar_overrides', {
  date: date('date', { mode: 'string' }).primaryKey(),
  kind: text('kind', { enum: ['workday', 'holiday'] }).notNull(),
  source: text('source').notNull(),
  createdBy: text('created_by').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

/** Per-day counters for case numbers (信访件编号): LS + yyyymmdd + 5 digits. */
export const caseNumberCounters = pgTable('case_number_counters', {
  day: text('day').primaryKey(),
  last: integer('last').notNull(),
});
