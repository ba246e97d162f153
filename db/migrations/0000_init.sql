CREATE TABLE "calendar_overrides" (
	"date" date PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"source" text NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "case_number_counters" (
	"day" text PRIMARY KEY NOT NULL,
	"last" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "divisions" (
	"code" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"level" text NOT NULL,
	"parent_code" text
);
--> statement-breakpoint
CREATE TABLE "units" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"kind" text NOT NULL,
	"division_code" text NOT NULL,
	"leader_name" text
);
--> statement-breakpoint
CREATE TABLE "users" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"role" text NOT NULL,
	"division_code" text,
	"unit_id" text
);
--> statement-breakpoint
CREATE TABLE "audit_log" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "audit_log_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"user_id" text NOT NULL,
	"action" text NOT NULL,
	"case_no" text,
	"detail" jsonb
);
--> statement-breakpoint
CREATE TABLE "deadlines" (
	"case_no" text NOT NULL,
	"id" text NOT NULL,
	"key" text NOT NULL,
	"start_date" text NOT NULL,
	"due_date" text NOT NULL,
	"due_at" timestamp with time zone NOT NULL,
	"policy" jsonb NOT NULL,
	"status" text NOT NULL,
	"escalated_at" timestamp with time zone,
	CONSTRAINT "deadlines_case_no_id_pk" PRIMARY KEY("case_no","id")
);
--> statement-breakpoint
CREATE TABLE "events" (
	"id" text PRIMARY KEY NOT NULL,
	"case_no" text NOT NULL,
	"stream" text NOT NULL,
	"seq" integer NOT NULL,
	"type" text NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"actor" text,
	"data" jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "idempotency_keys" (
	"key" text PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"request_hash" text NOT NULL,
	"case_no" text NOT NULL,
	"response" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "notices" (
	"id" text PRIMARY KEY NOT NULL,
	"case_no" text NOT NULL,
	"kind" text NOT NULL,
	"title" text NOT NULL,
	"body" text NOT NULL,
	"legal_basis" text,
	"issued_at" timestamp with time zone NOT NULL,
	"issued_by" text
);
--> statement-breakpoint
CREATE TABLE "overlays" (
	"id" text PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"case_no" text NOT NULL,
	"status" text NOT NULL,
	"trigger" text NOT NULL,
	"division_code" text NOT NULL,
	"unit_id" text,
	"due_at" timestamp with time zone,
	"overdue" boolean DEFAULT false NOT NULL,
	"opened_at" timestamp with time zone NOT NULL,
	"closed_at" timestamp with time zone,
	"state" jsonb NOT NULL,
	"last_event_seq" integer DEFAULT -1 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "petitions" (
	"case_no" text PRIMARY KEY NOT NULL,
	"query_code" text NOT NULL,
	"workflow_id" text NOT NULL,
	"status" text NOT NULL,
	"channel" text NOT NULL,
	"source" text NOT NULL,
	"division_code" text NOT NULL,
	"unit_id" text,
	"category" text NOT NULL,
	"purpose" text NOT NULL,
	"summary" text NOT NULL,
	"petitioners" jsonb NOT NULL,
	"petitioner_key" text,
	"persons_count" integer NOT NULL,
	"flags" jsonb NOT NULL,
	"intake" jsonb NOT NULL,
	"received_at" timestamp with time zone NOT NULL,
	"registered_at" timestamp with time zone NOT NULL,
	"registered_by" text NOT NULL,
	"first_receiver" text NOT NULL,
	"linked_to" text,
	"current_deadline_key" text,
	"current_due_at" timestamp with time zone,
	"overdue" boolean DEFAULT false NOT NULL,
	"open" boolean DEFAULT true NOT NULL,
	"state" jsonb,
	"last_event_seq" integer DEFAULT -1 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "petitions_workflow_id_unique" UNIQUE("workflow_id")
);
--> statement-breakpoint
CREATE TABLE "submissions" (
	"id" text PRIMARY KEY NOT NULL,
	"case_no" text NOT NULL,
	"channel" text NOT NULL,
	"source" text NOT NULL,
	"received_at" timestamp with time zone NOT NULL,
	"summary" text NOT NULL,
	"initial" boolean NOT NULL,
	"registered_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "tasks" (
	"case_no" text NOT NULL,
	"kind" text NOT NULL,
	"assignee_role" text NOT NULL,
	"unit_id" text,
	"division_code" text NOT NULL,
	"due_at" timestamp with time zone,
	"overdue" boolean DEFAULT false NOT NULL,
	"detail" text,
	CONSTRAINT "tasks_case_no_kind_pk" PRIMARY KEY("case_no","kind")
);
--> statement-breakpoint
ALTER TABLE "units" ADD CONSTRAINT "units_division_code_divisions_code_fk" FOREIGN KEY ("division_code") REFERENCES "public"."divisions"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "users" ADD CONSTRAINT "users_division_code_divisions_code_fk" FOREIGN KEY ("division_code") REFERENCES "public"."divisions"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "users" ADD CONSTRAINT "users_unit_id_units_id_fk" FOREIGN KEY ("unit_id") REFERENCES "public"."units"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "petitions" ADD CONSTRAINT "petitions_division_code_divisions_code_fk" FOREIGN KEY ("division_code") REFERENCES "public"."divisions"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "petitions" ADD CONSTRAINT "petitions_unit_id_units_id_fk" FOREIGN KEY ("unit_id") REFERENCES "public"."units"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "submissions" ADD CONSTRAINT "submissions_case_no_petitions_case_no_fk" FOREIGN KEY ("case_no") REFERENCES "public"."petitions"("case_no") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "units_division_idx" ON "units" USING btree ("division_code");--> statement-breakpoint
CREATE INDEX "audit_case_idx" ON "audit_log" USING btree ("case_no");--> statement-breakpoint
CREATE INDEX "deadlines_due_idx" ON "deadlines" USING btree ("due_at");--> statement-breakpoint
CREATE UNIQUE INDEX "events_stream_seq_idx" ON "events" USING btree ("stream","seq");--> statement-breakpoint
CREATE INDEX "events_case_at_idx" ON "events" USING btree ("case_no","at");--> statement-breakpoint
CREATE INDEX "notices_case_idx" ON "notices" USING btree ("case_no");--> statement-breakpoint
CREATE INDEX "overlays_kind_due_idx" ON "overlays" USING btree ("kind","overdue","due_at");--> statement-breakpoint
CREATE INDEX "overlays_case_idx" ON "overlays" USING btree ("case_no");--> statement-breakpoint
CREATE INDEX "petitions_due_idx" ON "petitions" USING btree ("current_due_at");--> statement-breakpoint
CREATE INDEX "petitions_division_idx" ON "petitions" USING btree ("division_code");--> statement-breakpoint
CREATE INDEX "petitions_unit_idx" ON "petitions" USING btree ("unit_id");--> statement-breakpoint
CREATE INDEX "petitions_petitioner_open_idx" ON "petitions" USING btree ("petitioner_key") WHERE "petitions"."open";--> statement-breakpoint
CREATE INDEX "submissions_case_idx" ON "submissions" USING btree ("case_no");--> statement-breakpoint
CREATE INDEX "tasks_due_idx" ON "tasks" USING btree ("due_at");