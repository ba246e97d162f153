// The workers' workflow bundle cache (worker/bundle.ts), on a small project of its own in a temporary folder and with
// a builder that records its calls, so no webpack runs: a bundle is built once per content, reused while its sources
// are unchanged, rebuilt when one changes, and never half written.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bundleInputs, cachedWorkflowBundle, type BundleBuilder, type WorkflowBundleSpec } from '../../worker/bundle';

let root: string;
let dir: string;
let builds: number;
let spec: WorkflowBundleSpec;

/** A builder standing in for webpack: the code names its build, and it reports the files the project walk finds. */
const builder: BundleBuilder = async (s) => {
  builds++;
  return { code: `// build ${builds}\n`, files: [...bundleInputs([s.workflowsPath, s.failureConverterPath!]), join(root, 'node_modules', 'lib', 'index.js')] };
};

function write(rel: string, text: string) {
  mkdirSync(join(root, rel, '..'), { recursive: true });
  writeFileSync(join(root, rel), text);
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'bundle-project-'));
  dir = join(root, '.tmp', 'workflow-bundles');
  builds = 0;
  write('package-lock.json', '{"lockfileVersion":3}');
  write('workflows/index.ts', "export * from './petition';\n");
  write('workflows/petition.ts', "import type { Matter } from '../domain/matter';\nimport { limit } from '../domain/limits';\nexport async function petition(m: Matter) { return limit(m); }\n");
  write('domain/matter.ts', 'export interface Matter { id: string }\n');
  write('domain/limits.ts', "import {\n  days,\n} from './dates';\nexport const limit = (m: unknown) => days(15, m);\n");
  write('domain/dates.ts', 'export const days = (n: number, _m: unknown) => n;\n');
  write('domain/unrelated.ts', 'export const x = 1;\n');
  write('lib/failure-converter.ts', 'export const failureConverter = {};\n');
  spec = { workflowsPath: join(root, 'workflows/index.ts'), preloadModules: ['zod', join(root, 'domain/limits.ts')], failureConverterPath: join(root, 'lib/failure-converter.ts') };
});

afterEach(() => rmSync(root, { recursive: true, force: true }));

const get = () => cachedWorkflowBundle(spec, { root, dir, build: builder });

describe('the workflow bundle cache', () => {
  it('hashes every project file the workflows reach by import, type-only and multi-line imports too, and nothing else', () => {
    expect(bundleInputs([spec.workflowsPath]).map((f) => f.slice(root.length + 1))).toEqual(['domain/dates.ts', 'domain/limits.ts', 'domain/matter.ts', 'workflows/index.ts', 'workflows/petition.ts']);
  });

  it('builds once, then hands out the same file without building while the sources are unchanged', async () => {
    const first = await get();
    expect(first.built).toBe(true);
    expect(readFileSync(first.codePath, 'utf8')).toBe('// build 1\n');
    const again = await get();
    expect(again).toMatchObject({ built: false, codePath: first.codePath, hash: first.hash });
    expect(builds).toBe(1);
    // Written under a temporary name and renamed: nothing else is left in the folder.
    expect(readdirSync(dir)).toEqual([`${first.hash}.js`]);
  });

  it('builds anew when a source the workflows import changes, even two imports away', async () => {
    const first = await get();
    write('domain/dates.ts', 'export const days = (n: number, _m: unknown) => n + 1;\n');
    const second = await get();
    expect(second.built).toBe(true);
    expect(second.hash).not.toBe(first.hash);
    expect(readFileSync(second.codePath, 'utf8')).toBe('// build 2\n');
    // A change back finds the first bundle again.
    write('domain/dates.ts', 'export const days = (n: number, _m: unknown) => n;\n');
    expect(await get()).toMatchObject({ built: false, hash: first.hash });
    expect(builds).toBe(2);
  });

  it('builds anew when the type-only import, the failure converter, the lock file or the options change', async () => {
    const hashes = new Set([(await get()).hash]);
    write('domain/matter.ts', 'export interface Matter { id: string; caseNo: string }\n');
    hashes.add((await get()).hash);
    write('lib/failure-converter.ts', 'export const failureConverter = { encodeCommonAttributes: true };\n');
    hashes.add((await get()).hash);
    write('package-lock.json', '{"lockfileVersion":3,"packages":{"node_modules/zod":{"version":"4.0.1"}}}');
    hashes.add((await get()).hash);
    spec = { ...spec, preloadModules: ['zod'] };
    hashes.add((await get()).hash);
    expect(hashes.size).toBe(5);
    expect(builds).toBe(5);
  });

  it('does not rebuild for a change to a file the workflows do not import', async () => {
    const first = await get();
    write('domain/unrelated.ts', 'export const x = 2;\n');
    expect(await get()).toMatchObject({ built: false, hash: first.hash });
    expect(builds).toBe(1);
  });

  it('refuses a bundle for which the builder read a project file the hash does not cover, and caches nothing', async () => {
    const leaky: BundleBuilder = async (s) => ({ code: 'x', files: [...(await builder(s)).files, join(root, 'domain/unrelated.ts')] });
    await expect(cachedWorkflowBundle(spec, { root, dir, build: leaky })).rejects.toThrow(/domain\/unrelated\.ts, which the cache's hash does not cover/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('processes asking at once: the second waits for the build the first holds the lock for, and does not build', async () => {
    const first = await get();
    rmSync(first.codePath);
    // Another live process holds the lock (this one's parent stands in for it) and writes the bundle a moment later.
    writeFileSync(`${first.codePath}.lock`, String(process.ppid));
    setTimeout(() => writeFileSync(first.codePath, '// built by the other process\n'), 600);
    const waited = await get();
    expect(waited.built).toBe(false);
    expect(readFileSync(waited.codePath, 'utf8')).toBe('// built by the other process\n');
    expect(builds).toBe(1);
  });

  it('takes over the lock of a process that died while building', async () => {
    const first = await get();
    rmSync(first.codePath);
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    writeFileSync(`${first.codePath}.lock`, dead.stdout);
    const rebuilt = await get();
    expect(rebuilt.built).toBe(true);
    expect(builds).toBe(2);
    expect(existsSync(`${first.codePath}.lock`)).toBe(false);
  });

  it('several workers starting at once in one process share one build', async () => {
    const all = await Promise.all([get(), get(), get()]);
    expect(new Set(all.map((b) => b.codePath)).size).toBe(1);
    expect(builds).toBe(1);
  });
});
