CREATE TABLE "reconciliation_runs" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "reconciliation_runs_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"trigger" text NOT NULL,
	"repair" boolean NOT NULL,
	"rows_without_workflow" jsonb NOT NULL,
	"workflows_without_row" jsonb NOT NULL,
	"repaired" jsonb NOT NULL,
	"failed" jsonb NOT NULL
);
