-- The audit log as evidence (issue 10, item 8): hash-chained and append-only, enforced by the database itself so
-- that every writer (the API, the worker, a script, psql) gets the same guarantees. Hand-written: drizzle-kit does
-- not model functions and triggers. services/audit.ts reads and verifies the chain.

-- sha256 over the canonical serialization of a row: the jsonb array [seq, id, at (UTC, microseconds), user_id,
-- action, case_no, detail, prev_hash] as text. jsonb's text form is canonical (keys sorted, one spelling of
-- whitespace), so the same row always gives the same bytes.
CREATE FUNCTION audit_row_hash(p_seq bigint, p_id bigint, p_at timestamptz, p_user text, p_action text, p_case text, p_detail jsonb, p_prev text)
RETURNS text LANGUAGE sql STABLE AS $$
  SELECT encode(sha256(convert_to(jsonb_build_array(
    p_seq, p_id, to_char(p_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), p_user, p_action, p_case, p_detail, p_prev
  )::text, 'UTF8')), 'hex')
$$;
--> statement-breakpoint
-- The head of the chain: one row, locked FOR UPDATE by every append, so concurrent appends (any connection, any
-- process) form one chain in commit order. It also lets verify notice rows cut off the end of the chain.
CREATE TABLE audit_chain_head (
  id integer PRIMARY KEY CHECK (id = 1),
  seq bigint NOT NULL,
  hash text NOT NULL
);
--> statement-breakpoint
-- Rows written before this migration are chained in id order.
DO $$
DECLARE
  r record;
  prev text := repeat('0', 64);
  n bigint := 0;
BEGIN
  FOR r IN SELECT * FROM audit_log ORDER BY id LOOP
    n := n + 1;
    UPDATE audit_log SET seq = n, prev_hash = prev,
      hash = audit_row_hash(n, r.id, r.at, r.user_id, r.action, r.case_no, r.detail, prev)
    WHERE id = r.id RETURNING hash INTO prev;
  END LOOP;
  INSERT INTO audit_chain_head (id, seq, hash) VALUES (1, n, prev);
END $$;
--> statement-breakpoint
CREATE UNIQUE INDEX audit_seq_idx ON audit_log USING btree (seq);
--> statement-breakpoint
CREATE FUNCTION audit_log_chain() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  head audit_chain_head%ROWTYPE;
BEGIN
  SELECT * INTO STRICT head FROM audit_chain_head WHERE id = 1 FOR UPDATE;
  NEW.seq := head.seq + 1;
  NEW.prev_hash := head.hash;
  NEW.hash := audit_row_hash(NEW.seq, NEW.id, NEW.at, NEW.user_id, NEW.action, NEW.case_no, NEW.detail, NEW.prev_hash);
  UPDATE audit_chain_head SET seq = NEW.seq, hash = NEW.hash WHERE id = 1;
  RETURN NEW;
END $$;
--> statement-breakpoint
CREATE TRIGGER audit_log_chain BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_chain();
--> statement-breakpoint
-- Append-only: no UPDATE, no DELETE, no TRUNCATE. The one exception is the retention purge (services/audit.ts
-- purgeAudit), which says so with the transaction-local setting audit.purge = on, and may only remove rows older than
-- 183 days (six months, the Cybersecurity Law's minimum for network logs) whatever AUDIT_RETENTION_DAYS says.
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' AND current_setting('audit.purge', true) = 'on' AND OLD.at < now() - interval '183 days' THEN
    RETURN OLD;
  END IF;
  IF TG_OP = 'TRUNCATE' THEN
    RAISE EXCEPTION 'audit_log is append-only: TRUNCATE refused' USING ERRCODE = '42501';
  END IF;
  RAISE EXCEPTION 'audit_log is append-only: % of row % refused', TG_OP, OLD.id USING ERRCODE = '42501';
END $$;
--> statement-breakpoint
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
--> statement-breakpoint
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
