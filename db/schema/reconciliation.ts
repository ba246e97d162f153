import { bigint, boolean, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * One row per reconciliation run (services/recovery.ts runReconciliation): the Schedule's runs and `npm run
 * reconcile`. What it found (matters without their workflow, running petition workflows without their matter), what
 * it repaired and what it could not; supervisors read them with GET /api/workflows/reconciliations.
 */
export const reconciliationRuns = pgTable('reconciliation_runs', {
  id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
  at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  /** 'schedule' (the worker's reconciliation Schedule) or 'command' (npm run reconcile). */
  trigger: text('trigger').notNull(),
  repair: boolean('repair').notNull(),
  rowsWithoutWorkflow: jsonb('rows_without_workflow').$type<string[]>().notNull(),
  workflowsWithoutRow: jsonb('workflows_without_row').$type<string[]>().notNull(),
  repaired: jsonb('repaired').$type<string[]>().notNull(),
  failed: jsonb('failed').$type<{ id: string; error: string }[]>().notNull(),
});
