import { execFile } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { auditLog, users } from '../../db/schema';
import { verifyAuditChain } from '../../services/audit';
import { twoConnections } from '../support/postgres';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const run = promisify(execFile);

/** `npm run <script>` as a separate process on the test database; resolves with the exit code and output. */
async function npmRun(url: string, args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { ...process.env, DATABASE_URL: url, NODE_ENV: 'test', JWT_SECRET: 'cli-test-secret-0123456789', LOG_LEVEL: 'silent' };
  const child = run('npx', ['tsx', ...args], { cwd: root, env, timeout: 120_000 });
  if (input !== undefined) {
    child.child.stdin!.end(input);
  }
  try {
    const { stdout, stderr } = await child;
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('the audit chain on a real PostgreSQL server', () => {
  const pair = twoConnections({ migrated: true });

  it('appends from two connection pools at once, in transactions of one to three rows, form one gap-free chain', async () => {
    const writes: Promise<unknown>[] = [];
    for (let i = 0; i < 60; i++) {
      const db = i % 2 ? pair.a.db : pair.b.db;
      const rows = 1 + (i % 3);
      writes.push(
        db.transaction(async (tx) => {
          for (let r = 0; r < rows; r++) await tx.insert(auditLog).values({ userId: `user-${i}`, action: 'read_petition', caseNo: `LS20261127${String(i).padStart(5, '0')}`, detail: { r } });
        }),
      );
    }
    await Promise.all(writes);
    const total = 20 * (1 + 2 + 3);
    const seqs = (await pair.a.db.select({ seq: auditLog.seq }).from(auditLog).orderBy(auditLog.seq)).map((r) => r.seq);
    expect(seqs).toEqual(Array.from({ length: total }, (_, k) => k + 1));
    expect(await verifyAuditChain(pair.a.db)).toMatchObject({ ok: true, rows: total, firstSeq: 1, lastSeq: total });
  });

  it('npm run user:add creates a user with an argon2id hash, audited as the CLI', async () => {
    const res = await npmRun(pair.url, ['scripts/user-add.ts', '--id', 'first.admin', '--name', '首任管理员', '--role', 'admin', '--division', '331100'], 'Lishui-first-admin-2026\n');
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toMatch(/created first\.admin/);
    const [user] = await pair.a.db.select().from(users).where(eq(users.id, 'first.admin'));
    expect(user!.passwordHash).toMatch(/^\$argon2id\$/);
    const [entry] = await pair.a.db.select().from(auditLog).where(eq(auditLog.action, 'user.created'));
    expect(entry!.userId).toMatch(/^cli:/);
    expect(entry!.detail).toMatchObject({ user: 'first.admin', role: 'admin' });
  }, 120_000);

  it('npm run audit:verify exits 0 on an intact chain and 1 with the row id after a superuser edits a row', async () => {
    const ok = await npmRun(pair.url, ['scripts/audit.ts', 'verify']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ ok: true });
    const [row] = await pair.a.db.select().from(auditLog).where(eq(auditLog.seq, 17));
    await pair.a.db.execute(sql`alter table audit_log disable trigger audit_log_append_only`);
    await pair.a.db.execute(sql`update audit_log set user_id = 'someone-else' where id = ${row!.id}`);
    await pair.a.db.execute(sql`alter table audit_log enable trigger audit_log_append_only`);
    const bad = await npmRun(pair.url, ['scripts/audit.ts', 'verify']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain(`row id ${row!.id} (seq 17)`);
  }, 120_000);
});
