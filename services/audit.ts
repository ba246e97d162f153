import { createHash } from 'node:crypto';
import { and, desc, eq, gte, lt, lte, sql, type SQL } from 'drizzle-orm';
import { auditLog } from '../db/schema';
import type { Db } from '../db/client';

/**
 * The audit log as evidence (issue 10, item 8). The database chains and guards it (migration 0011_audit_chain): every
 * INSERT is numbered (`seq`) and hashed by a trigger under the chain-head row lock; UPDATE, DELETE and TRUNCATE are
 * refused but for the retention purge below. This module writes entries, verifies the chain, purges and lists.
 */

export type AuditEntry = Pick<typeof auditLog.$inferInsert, 'userId' | 'action' | 'caseNo' | 'detail'>;

/** Appends one entry (in the caller's transaction when given one). The trigger sets seq, prev_hash and hash. */
export async function recordAudit(db: Pick<Db, 'insert'>, entry: AuditEntry): Promise<void> {
  await db.insert(auditLog).values(entry);
}

export const GENESIS_HASH = '0'.repeat(64);

export interface ChainBreak {
  id: number;
  seq: number;
  reason: string;
}

export interface VerifyReport {
  ok: boolean;
  /** Rows checked. */
  rows: number;
  firstSeq: number | null;
  lastSeq: number | null;
  /** The hash of the last row: write it down elsewhere to anchor the chain (a full rewrite would change it). */
  headHash: string | null;
  /** The first row where the chain does not hold; absent when ok. */
  broken?: ChainBreak;
}

interface ChainRow {
  id: number;
  seq: number;
  prev_hash: string;
  hash: string;
  canonical: string;
}

/**
 * Walks the chain in seq order and recomputes each hash here, in Node, from the row's canonical serialization (the
 * jsonb array of migration 0010: [seq, id, at in UTC with microseconds, user_id, action, case_no, detail,
 * prev_hash] as text): no trust in the database's own hash function. Reports the first row that fails: a changed row
 * (hash mismatch), a row removed from the middle (seq gap or prev_hash not the previous hash), rows removed from the
 * start without a purge record, or from the end (the chain head says more rows were written).
 */
export async function verifyAuditChain(db: Db, batch = 2000): Promise<VerifyReport> {
  let rows = 0;
  let firstSeq: number | null = null;
  let prev: { seq: number; hash: string } | null = null;
  const brokenAt = (r: ChainRow, reason: string): VerifyReport => ({ ok: false, rows, firstSeq, lastSeq: prev?.seq ?? null, headHash: prev?.hash ?? null, broken: { id: Number(r.id), seq: Number(r.seq), reason } });
  for (;;) {
    const after = prev?.seq ?? 0;
    const page = (await db.execute(sql`
      select id, seq, prev_hash, hash,
        jsonb_build_array(seq, id, to_char(at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), user_id, action, case_no, detail, prev_hash)::text as canonical
      from audit_log where seq > ${after} order by seq limit ${batch}`)) as unknown as ChainRow[] | { rows: ChainRow[] };
    const list = Array.isArray(page) ? page : page.rows;
    if (!list.length) break;
    for (const raw of list) {
      const r = { ...raw, id: Number(raw.id), seq: Number(raw.seq) };
      if (prev === null) {
        firstSeq = r.seq;
        const anchor = r.seq === 1 ? GENESIS_HASH : await purgeAnchor(db, r.seq - 1);
        if (anchor === undefined) return brokenAt(r, `the chain starts at seq ${r.seq}, but no audit.purged entry accounts for rows 1–${r.seq - 1}: rows were removed`);
        if (r.prev_hash !== anchor) return brokenAt(r, r.seq === 1 ? 'the first row does not start from the genesis hash' : `prev_hash does not match the hash recorded when rows up to ${r.seq - 1} were purged`);
      } else {
        if (r.seq !== prev.seq + 1) return brokenAt(r, `rows ${prev.seq + 1}–${r.seq - 1} are missing before this row`);
        if (r.prev_hash !== prev.hash) return brokenAt(r, `prev_hash is not the hash of row seq ${prev.seq}`);
      }
      const computed = createHash('sha256').update(r.canonical, 'utf8').digest('hex');
      if (computed !== r.hash) return brokenAt(r, 'the row was changed after it was written (its hash does not match its content)');
      rows++;
      prev = { seq: r.seq, hash: r.hash };
    }
  }
  const head = await chainHead(db);
  if (head && prev && head.seq > prev.seq) {
    return { ok: false, rows, firstSeq, lastSeq: prev.seq, headHash: prev.hash, broken: { id: 0, seq: prev.seq + 1, reason: `rows ${prev.seq + 1}–${head.seq} were removed from the end of the chain` } };
  }
  if (head && !prev && head.seq > 0) {
    return { ok: false, rows, firstSeq, lastSeq: null, headHash: null, broken: { id: 0, seq: 1, reason: `the chain head says ${head.seq} rows were written, and none is left` } };
  }
  return { ok: true, rows, firstSeq, lastSeq: prev?.seq ?? null, headHash: prev?.hash ?? null };
}

async function chainHead(db: Db): Promise<{ seq: number; hash: string } | undefined> {
  const res = (await db.execute(sql`select seq, hash from audit_chain_head where id = 1`)) as unknown as { seq: number; hash: string }[] | { rows: { seq: number; hash: string }[] };
  const row = (Array.isArray(res) ? res : res.rows)[0];
  return row ? { seq: Number(row.seq), hash: row.hash } : undefined;
}

/** The hash of the last purged row, as the purge's own (chained) entry recorded it. */
async function purgeAnchor(db: Db, throughSeq: number): Promise<string | undefined> {
  const [row] = await db
    .select({ detail: auditLog.detail })
    .from(auditLog)
    .where(and(eq(auditLog.action, 'audit.purged'), sql`(${auditLog.detail}->>'throughSeq')::bigint = ${throughSeq}`))
    .limit(1);
  const hash = row?.detail?.throughHash;
  return typeof hash === 'string' ? hash : undefined;
}

export interface PurgeResult {
  removed: number;
  throughSeq: number | null;
  before: string;
}

/**
 * Removes the oldest rows, older than `retentionDays` (≥ 183; the database refuses younger rows anyway), as a prefix
 * of the chain, and appends an `audit.purged` entry with the last removed row's seq and hash, which anchors the rest
 * of the chain for verify.
 */
export async function purgeAudit(db: Db, retentionDays: number, by: string, now = new Date()): Promise<PurgeResult> {
  if (!Number.isInteger(retentionDays) || retentionDays < 183) throw new Error('the audit log is kept at least 183 days (six months)');
  const before = new Date(now.getTime() - retentionDays * 86_400_000);
  return db.transaction(async (tx) => {
    // Rows in seq order up to (not including) the first one still within retention: the chain stays one piece.
    const [firstKept] = await tx.select({ seq: auditLog.seq }).from(auditLog).where(gte(auditLog.at, before)).orderBy(auditLog.seq).limit(1);
    const [last] = await tx
      .select({ seq: auditLog.seq, hash: auditLog.hash })
      .from(auditLog)
      .where(firstKept ? lt(auditLog.seq, firstKept.seq) : undefined)
      .orderBy(desc(auditLog.seq))
      .limit(1);
    if (!last) return { removed: 0, throughSeq: null, before: before.toISOString() };
    await tx.execute(sql`select set_config('audit.purge', 'on', true)`);
    const removed = await tx.delete(auditLog).where(lte(auditLog.seq, last.seq)).returning({ id: auditLog.id });
    await tx.execute(sql`select set_config('audit.purge', 'off', true)`);
    await recordAudit(tx, { userId: by, action: 'audit.purged', detail: { throughSeq: last.seq, throughHash: last.hash, before: before.toISOString(), retentionDays, removed: removed.length } });
    return { removed: removed.length, throughSeq: last.seq, before: before.toISOString() };
  });
}

export interface AuditFilter {
  from?: Date;
  to?: Date;
  userId?: string;
  action?: string;
  caseNo?: string;
  /** Rows with seq below this (the previous page's nextBefore). */
  before?: number;
}

export function auditWhere(f: AuditFilter): SQL | undefined {
  return and(
    f.from ? gte(auditLog.at, f.from) : undefined,
    f.to ? lt(auditLog.at, f.to) : undefined,
    f.userId ? eq(auditLog.userId, f.userId) : undefined,
    f.action ? (f.action.endsWith('.*') ? sql`${auditLog.action} like ${f.action.slice(0, -1) + '%'}` : eq(auditLog.action, f.action)) : undefined,
    f.caseNo ? eq(auditLog.caseNo, f.caseNo) : undefined,
    f.before ? lt(auditLog.seq, f.before) : undefined,
  );
}

/** Newest first, by seq (keyset: pass the last row's seq as `before` for the next page). */
export async function listAudit(db: Db, f: AuditFilter, limit: number): Promise<(typeof auditLog.$inferSelect)[]> {
  return db.select().from(auditLog).where(auditWhere(f)).orderBy(desc(auditLog.seq)).limit(limit);
}
