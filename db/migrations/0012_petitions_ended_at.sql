-- An instant written as ISO 8601 with its offset ('2026-11-24T02:00:00.000Z', as the workflows write it) is the same
-- instant whatever the session's TimeZone, which is what makes this cast safe to declare IMMUTABLE (a generated column
-- needs it; text::timestamptz in general depends on TimeZone for strings without an offset).
CREATE OR REPLACE FUNCTION utc_instant(t text) RETURNS timestamptz LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT t::timestamptz
$$;--> statement-breakpoint
ALTER TABLE "petitions" ADD COLUMN "ended_at" timestamp with time zone GENERATED ALWAYS AS (utc_instant(state->>'endedAt')) STORED;
