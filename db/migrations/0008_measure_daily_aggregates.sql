CREATE TABLE "measure_contributions" (
	"case_no" text PRIMARY KEY NOT NULL,
	"facts" jsonb NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "measure_daily" (
	"measure" text NOT NULL,
	"day" date NOT NULL,
	"division_code" text NOT NULL,
	"cat" text DEFAULT '' NOT NULL,
	"num" bigint DEFAULT 0 NOT NULL,
	"den" bigint DEFAULT 0 NOT NULL,
	"rows" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "measure_daily_measure_day_division_code_cat_pk" PRIMARY KEY("measure","day","division_code","cat")
);
--> statement-breakpoint
CREATE TABLE "measure_dirty" (
	"case_no" text PRIMARY KEY NOT NULL,
	"marked_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "measure_dirty_marked_idx" ON "measure_dirty" USING btree ("marked_at");--> statement-breakpoint
CREATE INDEX "events_type_at_idx" ON "events" USING btree ("type","at");--> statement-breakpoint
CREATE INDEX "submissions_repeat_received_idx" ON "submissions" USING btree ("received_at") WHERE not "submissions"."initial";--> statement-breakpoint
-- Every change to a table a measure reads marks its matters dirty, in the same transaction (statement triggers with
-- transition tables: one insert per statement, not per row). read-model/measure-rollup.ts drains the marks.
CREATE FUNCTION "measure_mark_dirty"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    INSERT INTO "measure_dirty" ("case_no") SELECT DISTINCT "case_no" FROM "old_rows" WHERE "case_no" IS NOT NULL ON CONFLICT DO NOTHING;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO "measure_dirty" ("case_no") SELECT DISTINCT "case_no" FROM "new_rows" WHERE "case_no" IS NOT NULL ON CONFLICT DO NOTHING;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['petitions', 'submissions', 'events', 'deadlines', 'escalations', 'leader_review_matters'] LOOP
    EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON %I REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION measure_mark_dirty()', t || '_measure_ins', t);
    EXECUTE format('CREATE TRIGGER %I AFTER UPDATE ON %I REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION measure_mark_dirty()', t || '_measure_upd', t);
    EXECUTE format('CREATE TRIGGER %I AFTER DELETE ON %I REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION measure_mark_dirty()', t || '_measure_del', t);
  END LOOP;
END $$;
--> statement-breakpoint
-- Matters registered before the aggregates existed: their contributions are taken on the first drain.
INSERT INTO "measure_dirty" ("case_no") SELECT "case_no" FROM "petitions" ON CONFLICT DO NOTHING;
