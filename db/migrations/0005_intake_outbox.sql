CREATE TABLE "intake_outbox" (
	"case_no" text PRIMARY KEY NOT NULL,
	"workflow_id" text NOT NULL,
	"task_queue" text NOT NULL,
	"input" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text
);
--> statement-breakpoint
ALTER TABLE "intake_outbox" ADD CONSTRAINT "intake_outbox_case_no_petitions_case_no_fk" FOREIGN KEY ("case_no") REFERENCES "public"."petitions"("case_no") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "intake_outbox_pending_idx" ON "intake_outbox" USING btree ("created_at") WHERE "intake_outbox"."started_at" is null;