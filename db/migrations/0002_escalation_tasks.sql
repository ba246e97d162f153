-- The escalations' obligations (a warned unit's explanations, a three-party review, an investigation's findings)
-- go on the work lists too: each workflow rewrites its own tasks, told apart by source.
ALTER TABLE "tasks" ADD COLUMN "source" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "tasks" DROP CONSTRAINT "tasks_case_no_kind_pk";--> statement-breakpoint
ALTER TABLE "tasks" ADD CONSTRAINT "tasks_case_no_source_kind_pk" PRIMARY KEY("case_no","source","kind");
