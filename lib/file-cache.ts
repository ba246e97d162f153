// A file built once and shared by every process that asks for it by the same name (a content hash): built under a
// lock file (the others wait for it; a lock whose process died is taken over), written under a temporary name and
// renamed, so a reader never sees half a file. Used for the workflow bundle (worker/bundle.ts) and the tests'
// read-model template (test/support/harness.ts).
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, statSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface CachedFile {
  path: string;
  /** Whether this call built it (false: it was there, or another process built it). */
  built: boolean;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Whether files can be created in dir (made if missing). */
export function writableDir(dir: string): boolean {
  try {
    mkdirSync(dir, { recursive: true });
    const probe = join(dir, `.probe-${process.pid}`);
    writeFileSync(probe, '');
    unlinkSync(probe);
    return true;
  } catch {
    return false;
  }
}

/** Takes the build lock, or returns false once the file appeared (another process built it). */
async function lockOrWait(lock: string, target: string): Promise<boolean> {
  const started = Date.now();
  for (;;) {
    if (existsSync(target)) return false;
    try {
      const fd = openSync(lock, 'wx');
      writeFileSync(fd, String(process.pid));
      closeSync(fd);
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    // A lock whose process died, or older than 10 minutes, is abandoned.
    let stale = false;
    try {
      const pid = Number(readFileSync(lock, 'utf8'));
      stale = (pid > 0 && !alive(pid)) || Date.now() - statSync(lock).mtimeMs > 600_000;
    } catch {
      continue; // the lock went away in between
    }
    if (stale || Date.now() - started > 900_000) {
      try {
        unlinkSync(lock);
      } catch {
        /* another waiter removed it */
      }
      continue;
    }
    await sleep(200);
  }
}

/** Keeps the newest `keep` files of this extension (a file in use was touched when it was taken). */
function prune(dir: string, ext: string, keep: number): void {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(ext) && !f.includes('.tmp'))
    .map((f) => ({ f, t: statSync(join(dir, f)).mtimeMs }))
    .sort((a, b) => b.t - a.t);
  for (const { f } of files.slice(keep)) {
    try {
      unlinkSync(join(dir, f));
    } catch {
      /* already gone */
    }
  }
}

/**
 * dir/name, built by `build` when it is not there yet. `name` must change whenever what `build` makes would: it is
 * the only check. Keeps the `keep` most recently used files with the same extension in dir.
 */
export async function cachedFile(dir: string, name: string, build: () => Promise<string | Uint8Array>, keep = 20): Promise<CachedFile> {
  mkdirSync(dir, { recursive: true });
  const target = join(dir, name);
  const lock = `${target}.lock`;
  const found = (): CachedFile => {
    try {
      const now = new Date();
      utimesSync(target, now, now);
    } catch {
      /* read-only: fine */
    }
    return { path: target, built: false };
  };
  if (existsSync(target)) return found();
  if (!(await lockOrWait(lock, target))) return found();
  try {
    if (existsSync(target)) return found();
    const content = await build();
    const tmp = `${target}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    writeFileSync(tmp, content);
    renameSync(tmp, target);
    const ext = name.slice(name.lastIndexOf('.'));
    prune(dir, ext, keep);
    return { path: target, built: true };
  } finally {
    try {
      unlinkSync(lock);
    } catch {
      /* gone */
    }
  }
}
