import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// `npm run chaos` at a small size: the split stack (own PostgreSQL, dev server, worker and API as production-mode
// processes) takes 20 matters from retrying clients through one SIGKILL each of the worker, the API and Temporal and
// an immediate PostgreSQL restart; nothing may be lost, duplicated, stuck, unanswered or refused. README has a full run.
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

describe('npm run chaos, short', () => {
  it('20 matters through a kill of the worker, the API and Temporal and a PostgreSQL restart: every one acknowledged once, running, in the read model', { timeout: 420_000 }, () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(repoRoot, 'scripts', 'chaos.ts'), '--matters', '20', '--downtime', '1', '--json'], {
      cwd: repoRoot,
      encoding: 'utf8',
      timeout: 400_000,
    });
    expect(r.status, `chaos failed:\n${r.stderr.slice(-4000)}`).toBe(0);
    const out = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
    expect((out.faultLog as { fault: string }[]).map((f) => f.fault)).toEqual(['worker', 'api', 'temporal', 'postgres']);
    expect(out).toMatchObject({ submitted: 20, acknowledged: 20, inTemporal: 20, inReadModel: 20, duplicated: 0, lost: 0, stuck: 0, unanswered: 0, refused: 0, crashed: 0, defects: 0 });
  });
});
