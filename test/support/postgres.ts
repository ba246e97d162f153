import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { afterAll, beforeAll } from 'vitest';
import { migrate, openDatabase, type Database } from '../../db/client';
import { freePort } from './ports';

/**
 * A fresh, empty PostgreSQL database on a real server on loopback, for end-to-end tests:
 * - TEST_DATABASE_URL set (an account that may CREATE DATABASE, as .ci/run provides): a new uniquely-named database
 *   on that server, dropped by stop();
 * - else, where the PostgreSQL server binaries are installed: a throwaway cluster under .tmp/, stopped and removed
 *   by stop().
 */
export interface TestDatabase {
  url: string;
  stop(): Promise<void>;
}

/** A cluster of our own: it can also be crashed and restarted (`pg_ctl restart -m immediate`). */
export interface OwnCluster extends TestDatabase {
  /** Stops the server at once (no checkpoint: recovery from WAL at the next start) and starts it again. */
  restartImmediate(): void;
}

/**
 * A throwaway cluster from the server binaries, always (never TEST_DATABASE_URL's shared server), for fault tests.
 * `durable`: commits are written to the WAL before they are acknowledged (synchronous_commit on), so a crash of the
 * server loses nothing that was acknowledged; fsync stays off (the machine itself does not crash in a test).
 */
export async function ownCluster(opts: { durable?: boolean } = {}): Promise<OwnCluster> {
  const bin = findServerBinaries();
  if (!bin) throw new Error('No PostgreSQL server binaries (initdb, pg_ctl): apt-get install postgresql');
  return throwawayCluster(bin, opts);
}

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export async function testDatabaseUrl(): Promise<TestDatabase> {
  const adminUrl = process.env.TEST_DATABASE_URL;
  if (adminUrl) return freshDatabase(adminUrl);
  const bin = findServerBinaries();
  if (bin) return throwawayCluster(bin);
  throw new Error(
    'No PostgreSQL server for end-to-end tests. Either set TEST_DATABASE_URL to a server URL whose role may ' +
      'CREATE DATABASE (e.g. postgres://petitions:petitions@127.0.0.1:5432/postgres; .ci/run sets it up), or ' +
      'install the server binaries (apt-get install postgresql) so that a throwaway cluster can be started.',
  );
}

async function freshDatabase(adminUrl: string): Promise<TestDatabase> {
  const name = `petitions_test_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => undefined });
  try {
    await admin.unsafe(`CREATE DATABASE "${name}"`);
  } catch (err) {
    await admin.end();
    throw new Error(`Could not create a test database on TEST_DATABASE_URL: ${(err as Error).message}`);
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  let stopped = false;
  return {
    url: url.toString(),
    async stop() {
      if (stopped) return;
      stopped = true;
      try {
        // FORCE (PostgreSQL 13+) ends connections a test left open.
        await admin.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await admin.end();
      }
    },
  };
}

interface ServerBinaries {
  initdb: string;
  pgCtl: string;
}

function findServerBinaries(): ServerBinaries | undefined {
  const dirs: string[] = [];
  for (const dir of (process.env.PATH ?? '').split(':')) if (dir) dirs.push(dir);
  // Debian keeps the server binaries off PATH, one folder per major version: prefer the newest.
  const versions = safeReaddir('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a));
  for (const v of versions) dirs.push(join('/usr/lib/postgresql', v, 'bin'));
  for (const dir of dirs) {
    const initdb = join(dir, 'initdb');
    const pgCtl = join(dir, 'pg_ctl');
    if (existsSync(initdb) && existsSync(pgCtl)) return { initdb, pgCtl };
  }
  return undefined;
}

async function throwawayCluster(bin: ServerBinaries, opts: { durable?: boolean } = {}): Promise<OwnCluster> {
  // PostgreSQL refuses to run as root: run it as the `postgres` OS user, which then must own the data folder.
  const asRoot = process.getuid?.() === 0;
  const owner = asRoot ? osUser('postgres') : undefined;
  if (asRoot && !owner) {
    throw new Error('Running as root, but there is no `postgres` OS user to run a throwaway PostgreSQL cluster as.');
  }
  const as = (cmd: string, args: string[]) => (owner ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args]) as [string, string[]];
  const run = (cmd: string, args: string[]) => {
    const [c, a] = as(cmd, args);
    return execFileSync(c, a, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  };

  const dir = makeClusterDir(owner, run);
  const port = await freePort();
  const fail = (what: string, err: unknown): never => {
    const e = err as { stderr?: string; message: string };
    const log = existsSync(join(dir, 'server.log')) ? readFileSync(join(dir, 'server.log'), 'utf8').slice(-2000) : '';
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`Throwaway PostgreSQL cluster: ${what} failed: ${e.stderr || e.message}${log ? `\n${log}` : ''}`);
  };

  try {
    run(bin.initdb, ['-D', join(dir, 'data'), '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--locale=C', '--no-sync']);
  } catch (err) {
    fail('initdb', err);
  }
  const serverOptions = [
    `-p ${port}`,
    '-c listen_addresses=127.0.0.1',
    `-c unix_socket_directories=${dir}`,
    // A throwaway database: durability is not wanted, speed is.
    '-c fsync=off',
    ...(opts.durable ? [] : ['-c synchronous_commit=off', '-c full_page_writes=off']),
  ].join(' ');
  try {
    run(bin.pgCtl, ['-D', join(dir, 'data'), '-o', serverOptions, '-l', join(dir, 'server.log'), '-w', '-t', '60', 'start']);
  } catch (err) {
    fail('pg_ctl start', err);
  }

  const stopSync = () => {
    try {
      run(bin.pgCtl, ['-D', join(dir, 'data'), '-m', 'immediate', '-w', 'stop']);
    } catch {
      // already stopped
    }
    rmSync(dir, { recursive: true, force: true });
  };
  // Don't leave a server behind if the test process ends without calling stop().
  process.once('exit', stopSync);

  let stopped = false;
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    restartImmediate() {
      run(bin.pgCtl, ['-D', join(dir, 'data'), '-m', 'immediate', '-w', '-t', '60', '-l', join(dir, 'server.log'), 'restart']);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      process.removeListener('exit', stopSync);
      stopSync();
    },
  };
}

/** .tmp/pg-<random> in the repository, or the system temp folder when the postgres user cannot reach the repository. */
function makeClusterDir(owner: { uid: number; gid: number } | undefined, run: (cmd: string, args: string[]) => string): string {
  const local = join(repoRoot, '.tmp');
  mkdirSync(local, { recursive: true });
  let dir = join(local, `pg-${randomBytes(4).toString('hex')}`);
  mkdirSync(dir, { mode: 0o700 });
  if (owner) {
    chownSync(dir, owner.uid, owner.gid);
    try {
      run('test', ['-w', dir]);
    } catch {
      rmSync(dir, { recursive: true, force: true });
      dir = mkdtempSync(join(tmpdir(), 'pg-'));
      chownSync(dir, owner.uid, owner.gid);
    }
  }
  return dir;
}

function osUser(name: string): { uid: number; gid: number } | undefined {
  try {
    const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8' }).trim());
    return { uid, gid };
  } catch {
    return undefined;
  }
}


function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/**
 * Two connections to one fresh database on a real server (as the API and the worker hold), opened before the file's
 * tests and closed after them; `migrated`: the schema applied first. Read `a`, `b` and `url` inside the tests.
 */
export function twoConnections(opts: { migrated?: boolean } = {}): { readonly a: Database; readonly b: Database; readonly url: string } {
  let pg: TestDatabase | undefined;
  let a: Database | undefined;
  let b: Database | undefined;
  beforeAll(async () => {
    pg = await testDatabaseUrl();
    a = await openDatabase({ url: pg.url });
    b = await openDatabase({ url: pg.url });
    if (opts.migrated) await migrate(a);
  }, 120_000);
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await pg?.stop();
  });
  return {
    get a() {
      return a!;
    },
    get b() {
      return b!;
    },
    get url() {
      return pg!.url;
    },
  };
}
