-- The character bigrams of a text, lower-cased, in order: the search terms of GET /api/petitions?q=. Plain SQL (no
-- pg_trgm, which PGlite lacks and which does not serve two-character Chinese terms). IMMUTABLE: a generated column
-- and an index may use it. Not de-duplicated (a GIN index keeps each key once; @> ignores repeats), which makes it
-- a third cheaper on every write.
CREATE OR REPLACE FUNCTION text_bigrams(t text) RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT ARRAY(SELECT substr(l, i, 2) FROM (SELECT lower(t) AS l) AS s, generate_series(1, char_length(t) - 1) AS i)
$$;--> statement-breakpoint
DROP INDEX "petitions_due_idx";--> statement-breakpoint
DROP INDEX "petitions_division_idx";--> statement-breakpoint
DROP INDEX "petitions_unit_idx";--> statement-breakpoint
DROP INDEX "tasks_due_idx";--> statement-breakpoint
ALTER TABLE "petitions" ADD COLUMN "search_bigrams" text[] GENERATED ALWAYS AS (text_bigrams(case_no || ' ' || summary)) STORED;--> statement-breakpoint
CREATE INDEX "petitions_deadline_idx" ON "petitions" USING btree ("open" DESC NULLS LAST,"current_due_at","registered_at" DESC NULLS LAST,"case_no" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "petitions_registered_idx" ON "petitions" USING btree ("registered_at" DESC NULLS LAST,"case_no" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "petitions_division_deadline_idx" ON "petitions" USING btree ("division_code","open" DESC NULLS LAST,"current_due_at","registered_at" DESC NULLS LAST,"case_no" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "petitions_division_registered_idx" ON "petitions" USING btree ("division_code","registered_at" DESC NULLS LAST,"case_no" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "petitions_unit_deadline_idx" ON "petitions" USING btree ("unit_id","open" DESC NULLS LAST,"current_due_at","registered_at" DESC NULLS LAST,"case_no" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "petitions_unit_registered_idx" ON "petitions" USING btree ("unit_id","registered_at" DESC NULLS LAST,"case_no" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "petitions_status_deadline_idx" ON "petitions" USING btree ("status","open" DESC NULLS LAST,"current_due_at","registered_at" DESC NULLS LAST,"case_no" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "petitions_overdue_deadline_idx" ON "petitions" USING btree ("open" DESC NULLS LAST,"current_due_at","registered_at" DESC NULLS LAST,"case_no" DESC NULLS LAST) WHERE "petitions"."overdue";--> statement-breakpoint
CREATE INDEX "petitions_search_idx" ON "petitions" USING gin ("search_bigrams");--> statement-breakpoint
CREATE INDEX "tasks_role_due_idx" ON "tasks" USING btree ("assignee_role","overdue" DESC NULLS LAST,"due_at","case_no","source","kind");--> statement-breakpoint
CREATE INDEX "tasks_division_role_due_idx" ON "tasks" USING btree ("division_code","assignee_role","overdue" DESC NULLS LAST,"due_at","case_no","source","kind");--> statement-breakpoint
CREATE INDEX "tasks_unit_role_due_idx" ON "tasks" USING btree ("unit_id","assignee_role","overdue" DESC NULLS LAST,"due_at","case_no","source","kind");