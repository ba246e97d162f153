-- The work list's backlog_recommendations tasks carried the on-site supervision recommendations' texts (free text that
-- may name the petitioner) in clear to everyone who lists tasks. They now name the open recommendations by number
-- only (read-model/backlog.ts backlogRecommendationsDetail); the tasks written before are rewritten the same way from
-- the register's snapshot, and any left over (no snapshot to read) lose their text.
UPDATE "tasks" AS t
SET "detail" = left('实地督查建议待落实 ' || r.n || ' 条：' || r.nos || '（建议全文见积案记录）', 2000)
FROM (
  SELECT 'backlog:' || b."id" AS case_no,
         count(*) AS n,
         string_agg((v->>'no') || '.' || (rec->>'no'), '、' ORDER BY (v->>'no')::int, (rec->>'no')::int) AS nos
  FROM "backlog_cases" b,
       jsonb_array_elements(CASE WHEN jsonb_typeof(b."state"->'supervisions') = 'array' THEN b."state"->'supervisions' ELSE '[]'::jsonb END) v,
       jsonb_array_elements(CASE WHEN jsonb_typeof(v->'recommendations') = 'array' THEN v->'recommendations' ELSE '[]'::jsonb END) rec
  WHERE rec->>'status' = 'open'
  GROUP BY b."id"
) r
WHERE t."kind" = 'backlog_recommendations' AND t."case_no" = r.case_no;--> statement-breakpoint
UPDATE "tasks" SET "detail" = '实地督查建议待落实（建议全文见积案记录）'
WHERE "kind" = 'backlog_recommendations' AND "detail" NOT LIKE '%（建议全文见积案记录）';
