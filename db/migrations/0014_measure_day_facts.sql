CREATE TABLE "measure_day_facts" (
	"measure" text NOT NULL,
	"case_no" text NOT NULL,
	"day" date NOT NULL,
	"cat" text NOT NULL,
	"ref" text NOT NULL,
	"division_code" text NOT NULL,
	"open" boolean NOT NULL,
	"ended_at" timestamp with time zone,
	CONSTRAINT "measure_day_facts_measure_case_no_day_cat_pk" PRIMARY KEY("measure","case_no","day","cat")
);
--> statement-breakpoint
CREATE INDEX "measure_day_facts_day_idx" ON "measure_day_facts" USING btree ("measure","day","division_code","ref","case_no","cat","open","ended_at");--> statement-breakpoint
-- The day facts of the matters already there: key_petitioners' `dayFacts` (domain/measures.ts) over every matter, as
-- rebuildMeasureAggregates writes them; from here on the drain keeps them per changed matter.
INSERT INTO "measure_day_facts" ("measure", "case_no", "day", "cat", "ref", "division_code", "open", "ended_at")
SELECT 'key_petitioners', c.case_no, c.day, c.cat, p.ref, p.division, p.open, p.ended_at
  FROM (SELECT s.case_no, ((s.received_at) AT TIME ZONE 'Asia/Shanghai')::date AS day, 'repeat' AS cat
          FROM submissions s WHERE NOT s.initial AND s.received_at IS NOT NULL
        UNION
        SELECT o.case_no, ((o.opened_at) AT TIME ZONE 'Asia/Shanghai')::date, 'skip_level'
          FROM escalations o WHERE o.kind = 'investigation' AND o.trigger = 'skip_level' AND o.opened_at IS NOT NULL) c
  CROSS JOIN LATERAL (
    SELECT p.petitioner_key AS ref, p.division_code AS division, p.open, p.ended_at FROM petitions p
     WHERE p.case_no = c.case_no AND p.petitioner_key IS NOT NULL
     LIMIT 1) p;--> statement-breakpoint
ANALYZE "measure_day_facts";
