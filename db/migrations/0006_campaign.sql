CREATE TABLE "backlog_case_matters" (
	"backlog_id" text NOT NULL,
	"case_no" text NOT NULL,
	CONSTRAINT "backlog_case_matters_backlog_id_case_no_pk" PRIMARY KEY("backlog_id","case_no")
);
--> statement-breakpoint
CREATE TABLE "backlog_cases" (
	"id" text PRIMARY KEY NOT NULL,
	"workflow_id" text NOT NULL,
	"source" text NOT NULL,
	"assigning_level" text NOT NULL,
	"assigning_body" text,
	"assigned_on" date NOT NULL,
	"reason" text,
	"division_code" text NOT NULL,
	"unit_id" text,
	"area_name" text,
	"leader_id" text,
	"leader_name" text,
	"leader_missing" boolean DEFAULT false NOT NULL,
	"target_date" date,
	"status" text NOT NULL,
	"closure_category" text,
	"closed_on" date,
	"reopen_count" integer DEFAULT 0 NOT NULL,
	"flags" jsonb NOT NULL,
	"state" jsonb NOT NULL,
	"last_seq" integer DEFAULT -1 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "backlog_cases_workflow_id_unique" UNIQUE("workflow_id")
);
--> statement-breakpoint
CREATE TABLE "backlog_imports" (
	"id" text PRIMARY KEY NOT NULL,
	"sha256" text NOT NULL,
	"file_name" text,
	"year" integer NOT NULL,
	"cases" integer NOT NULL,
	"imported_by" text NOT NULL,
	"detail" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"imported_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "backlog_imports_sha256_unique" UNIQUE("sha256")
);
--> statement-breakpoint
CREATE TABLE "digests" (
	"id" text PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"period_start" date NOT NULL,
	"period_end" date NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"body" jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "group_issue_matters" (
	"issue_id" text NOT NULL,
	"case_no" text NOT NULL,
	"batch_id" text,
	"decision" text,
	"decided_on" date,
	"decided_by" text,
	CONSTRAINT "group_issue_matters_issue_id_case_no_pk" PRIMARY KEY("issue_id","case_no")
);
--> statement-breakpoint
CREATE TABLE "group_issues" (
	"id" text PRIMARY KEY NOT NULL,
	"topic" text NOT NULL,
	"title" text NOT NULL,
	"division_code" text NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"opened_by" text NOT NULL,
	"opened_at" timestamp with time zone DEFAULT now() NOT NULL,
	"closed_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "leader_review_matters" (
	"review_id" text NOT NULL,
	"case_no" text NOT NULL,
	CONSTRAINT "leader_review_matters_review_id_case_no_pk" PRIMARY KEY("review_id","case_no")
);
--> statement-breakpoint
CREATE TABLE "leader_reviews" (
	"id" text PRIMARY KEY NOT NULL,
	"leader_id" text NOT NULL,
	"reviewed_on" date NOT NULL,
	"instruction" text NOT NULL,
	"recorded_by" text NOT NULL,
	"recorded_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "leaders" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"title" text,
	"level" text NOT NULL,
	"division_code" text NOT NULL,
	"active" boolean DEFAULT true NOT NULL
);
--> statement-breakpoint
CREATE TABLE "listings" (
	"id" text PRIMARY KEY NOT NULL,
	"quarter" text NOT NULL,
	"division_code" text NOT NULL,
	"rank" integer NOT NULL,
	"score" jsonb NOT NULL,
	"status" text NOT NULL,
	"due_date" date NOT NULL,
	"state" jsonb NOT NULL,
	"last_seq" integer DEFAULT -1 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "reception_days" (
	"id" text PRIMARY KEY NOT NULL,
	"leader_id" text NOT NULL,
	"held_on" date NOT NULL,
	"place" text NOT NULL,
	"recorded_by" text NOT NULL,
	"recorded_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "reception_matters" (
	"reception_id" text NOT NULL,
	"case_no" text NOT NULL,
	"how" text NOT NULL,
	CONSTRAINT "reception_matters_reception_id_case_no_pk" PRIMARY KEY("reception_id","case_no")
);
--> statement-breakpoint
CREATE TABLE "weekly_explanations" (
	"week_start" date NOT NULL,
	"case_no" text NOT NULL,
	"deadline_id" text NOT NULL,
	"explanation" text NOT NULL,
	"by" text NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "weekly_explanations_week_start_case_no_deadline_id_pk" PRIMARY KEY("week_start","case_no","deadline_id")
);
--> statement-breakpoint
ALTER TABLE "backlog_cases" ADD CONSTRAINT "backlog_cases_division_code_divisions_code_fk" FOREIGN KEY ("division_code") REFERENCES "public"."divisions"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "group_issue_matters" ADD CONSTRAINT "group_issue_matters_issue_id_group_issues_id_fk" FOREIGN KEY ("issue_id") REFERENCES "public"."group_issues"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "group_issues" ADD CONSTRAINT "group_issues_division_code_divisions_code_fk" FOREIGN KEY ("division_code") REFERENCES "public"."divisions"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "leader_review_matters" ADD CONSTRAINT "leader_review_matters_review_id_leader_reviews_id_fk" FOREIGN KEY ("review_id") REFERENCES "public"."leader_reviews"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "leader_reviews" ADD CONSTRAINT "leader_reviews_leader_id_leaders_id_fk" FOREIGN KEY ("leader_id") REFERENCES "public"."leaders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "leaders" ADD CONSTRAINT "leaders_division_code_divisions_code_fk" FOREIGN KEY ("division_code") REFERENCES "public"."divisions"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "listings" ADD CONSTRAINT "listings_division_code_divisions_code_fk" FOREIGN KEY ("division_code") REFERENCES "public"."divisions"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reception_days" ADD CONSTRAINT "reception_days_leader_id_leaders_id_fk" FOREIGN KEY ("leader_id") REFERENCES "public"."leaders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reception_matters" ADD CONSTRAINT "reception_matters_reception_id_reception_days_id_fk" FOREIGN KEY ("reception_id") REFERENCES "public"."reception_days"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "backlog_case_matters_case_idx" ON "backlog_case_matters" USING btree ("case_no");--> statement-breakpoint
CREATE INDEX "backlog_cases_division_idx" ON "backlog_cases" USING btree ("division_code");--> statement-breakpoint
CREATE INDEX "backlog_cases_leader_idx" ON "backlog_cases" USING btree ("leader_name");--> statement-breakpoint
CREATE INDEX "digests_kind_idx" ON "digests" USING btree ("kind","period_start");--> statement-breakpoint
CREATE INDEX "group_issue_matters_case_idx" ON "group_issue_matters" USING btree ("case_no");--> statement-breakpoint
CREATE INDEX "leader_review_matters_case_idx" ON "leader_review_matters" USING btree ("case_no");--> statement-breakpoint
CREATE INDEX "leader_reviews_on_idx" ON "leader_reviews" USING btree ("reviewed_on");--> statement-breakpoint
CREATE INDEX "leaders_division_idx" ON "leaders" USING btree ("division_code");--> statement-breakpoint
CREATE INDEX "reception_days_on_idx" ON "reception_days" USING btree ("held_on");--> statement-breakpoint
CREATE UNIQUE INDEX "reception_days_leader_day_idx" ON "reception_days" USING btree ("leader_id","held_on");