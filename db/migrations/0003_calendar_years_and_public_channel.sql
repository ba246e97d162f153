CREATE TABLE "calendar_years" (
	"year" integer PRIMARY KEY NOT NULL,
	"complete" boolean DEFAULT false NOT NULL,
	"source_document" text NOT NULL,
	"declared_by" text NOT NULL,
	"declared_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "query_code_attempts" (
	"code" text PRIMARY KEY NOT NULL,
	"failures" integer DEFAULT 0 NOT NULL,
	"locked_at" timestamp with time zone,
	"last_attempt_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "rate_counters" (
	"key" text PRIMARY KEY NOT NULL,
	"window_start" timestamp with time zone NOT NULL,
	"count" integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE "calendar_overrides" ADD COLUMN "name" text;--> statement-breakpoint
CREATE INDEX "petitions_query_code_idx" ON "petitions" USING btree ("query_code");