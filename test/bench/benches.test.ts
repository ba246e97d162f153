import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The benchmarks at a small size, so that they keep working: each runs as `npm run bench:*` would, and its JSON is
// checked for shape and sense. No time is asserted (figures from a busy CI machine mean nothing); README has full runs.
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

function bench(script: string, args: string[]) {
  // CI's server (TEST_DATABASE_URL may CREATE DATABASE); else the bench starts a throwaway cluster.
  const env = { ...process.env, DATABASE_URL: process.env.TEST_DATABASE_URL ?? '' };
  if (!env.DATABASE_URL) delete (env as Record<string, string | undefined>).DATABASE_URL;
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(repoRoot, 'bench', script), ...args, '--json'], { cwd: repoRoot, env, encoding: 'utf8', timeout: 600_000 });
  expect(r.status, `${script} failed:\n${r.stderr.slice(-3000)}`).toBe(0);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as unknown;
}

describe('benchmarks at a small size', () => {
  it('bench:scale fills 10,000 and 20,000 matters and times every list, the work lists and a record at both', { timeout: 600_000 }, () => {
    const out = bench('scale.ts', ['--sizes', '10000,20000', '--requests', '5', '--seconds', '2', '--deep-page', '40']) as {
      sizes: number[];
      endpoints: { name: string; p95: Record<string, number>; growth: number }[];
    };
    expect(out.sizes).toEqual([10000, 20000]);
    const names = out.endpoints.map((e) => e.name);
    expect(names).toEqual(expect.arrayContaining(['list, default sort', 'list, status=CLOSED', 'list, sort=registered', 'list, deep page (cursor)', 'list, q=采光', 'work list, unit handler', 'full record', 'measures', 'measures, ten years', 'key petitioners, ten years']));
    for (const e of out.endpoints) {
      expect(Object.keys(e.p95).sort()).toEqual(['10000', '20000']);
      expect(e.p95['10000'], e.name).toBeGreaterThan(0);
      expect(e.p95['20000'], e.name).toBeGreaterThan(0);
      expect(e.growth, e.name).toBeCloseTo(e.p95['20000']! / e.p95['10000']!, 1);
    }
  });

  it('bench:worker opens 10 then 30 matters on its own dev server and reports the worker RSS at each', { timeout: 600_000 }, () => {
    const out = bench('worker.ts', ['--sizes', '10,30']) as { sizes: number[]; rssMiB: Record<string, number>; perMatterKiB: Record<string, number>; peakRssMiB: number };
    expect(out.sizes).toEqual([10, 30]);
    expect(out.rssMiB.atRest).toBeGreaterThan(50);
    expect(out.rssMiB['10']).toBeGreaterThan(50);
    expect(out.rssMiB['30']).toBeGreaterThan(50);
    expect(Object.keys(out.perMatterKiB)).toEqual(['0-10', '10-30']);
    // The highest RSS sampled is at least every figure reported.
    expect(out.peakRssMiB).toBeGreaterThanOrEqual(Math.max(out.rssMiB.atRest!, out.rssMiB['10']!, out.rssMiB['30']!));
  });
});
