// The workflow bundle, built once and reused by every worker: `Worker.create` with `workflowsPath` runs webpack at
// every start (4–5 s on a quiet 2-core machine, over a minute on a loaded one), and a test run starts dozens of workers.
//
// The bundle is a file named by a content hash of everything that goes into it, so a stale bundle is never used:
//   - the project files the bundle reads: every file reached by relative imports from the entries (workflowsPath,
//     the preloaded modules given as paths, the failure and payload converters), type-only imports included;
//   - package-lock.json and the installed @temporalio/* versions (the libraries webpack pulls from node_modules);
//   - the bundle options themselves.
// A build also checks that webpack read no project file outside that set, and fails if it did: a change to such a
// file would otherwise not change the hash.
//
// Where: WORKFLOW_BUNDLE_DIR, else .tmp/workflow-bundles/ under the repository (ignored by git); if that cannot be
// written (a read-only image), the system's temporary folder. `npm run build:workflows` builds it ahead (npm install
// and the Dockerfile run it). Several processes may ask at once (test files, chaos's worker): one builds, under a
// lock file, the others wait for it; the file is written under a temporary name and renamed, so a reader never sees
// half a bundle.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { WorkflowBundleOption } from '@temporalio/worker';
import { cachedFile, writableDir } from '../lib/file-cache';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** What goes into a bundle: the options Worker.create would hand its bundler. */
export interface WorkflowBundleSpec {
  workflowsPath: string;
  /** Modules loaded once per worker thread (bundlerOptions.preloadModules): package names or absolute paths. */
  preloadModules?: string[];
  /** The data converter's failureConverterPath / payloadConverterPath, which the bundle loads. */
  failureConverterPath?: string;
  payloadConverterPath?: string;
}

/** Builds a bundle; returns its code and the files webpack read. Injected by tests. */
export type BundleBuilder = (spec: WorkflowBundleSpec) => Promise<{ code: string; files: string[] }>;

export interface BundleCacheOptions {
  /** Where bundles are kept (default: WORKFLOW_BUNDLE_DIR, else <repo>/.tmp/workflow-bundles). */
  dir?: string;
  /** The folder whose files count as the project's (hashed, and checked against what webpack read). */
  root?: string;
  /** The lock file to hash (default <root>/package-lock.json). */
  lockFile?: string;
  build?: BundleBuilder;
  log?: (msg: string) => void;
}

export interface CachedBundle {
  codePath: string;
  hash: string;
  /** Whether this call built it (false: it was there, or another process built it). */
  built: boolean;
  /** The project files the hash covers. */
  inputs: string[];
}

const IMPORT_RE = /(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)['"](\.{1,2}\/[^'"]*)['"]/g;

function resolveRelative(from: string, spec: string): string | undefined {
  const base = resolve(dirname(from), spec);
  const candidates = [base, `${base}.ts`, `${base}.tsx`, base.replace(/\.[cm]?js$/, '.ts'), join(base, 'index.ts'), `${base}.js`, `${base}.mjs`, `${base}.cjs`];
  return candidates.find((c) => existsSync(c) && statSync(c).isFile());
}

/**
 * The project files reached from the entries by relative imports (a superset of what webpack reads from the project:
 * type-only imports and imports in comments count too, which costs a rebuild at worst, never a stale bundle).
 */
export function bundleInputs(entries: string[]): string[] {
  const seen = new Set<string>();
  const stack = entries.filter((e) => isAbsolute(e) && existsSync(e));
  while (stack.length) {
    const file = stack.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const src = readFileSync(file, 'utf8');
    for (const m of src.matchAll(IMPORT_RE)) {
      const next = resolveRelative(file, m[1]!);
      if (next && !seen.has(next)) stack.push(next);
    }
  }
  return [...seen].sort();
}

function sdkVersions(): string {
  const require = createRequire(import.meta.url);
  return ['@temporalio/worker', '@temporalio/workflow', '@temporalio/common']
    .map((p) => `${p}@${(JSON.parse(readFileSync(require.resolve(`${p}/package.json`), 'utf8')) as { version: string }).version}`)
    .join(',');
}

function entriesOf(spec: WorkflowBundleSpec): string[] {
  return [spec.workflowsPath, ...(spec.preloadModules ?? []), spec.failureConverterPath, spec.payloadConverterPath].filter((e): e is string => !!e && isAbsolute(e));
}

/** The content hash naming a bundle. */
export function bundleHash(spec: WorkflowBundleSpec, inputs: string[], opts: { root: string; lockFile: string; sdk?: string }): string {
  const h = createHash('sha256');
  const rel = (p: string | undefined) => (p && isAbsolute(p) ? relative(opts.root, p) : p);
  h.update('workflow-bundle v1\0');
  h.update(`${opts.sdk ?? sdkVersions()}\0`);
  h.update(existsSync(opts.lockFile) ? readFileSync(opts.lockFile) : 'no lock file');
  h.update('\0');
  h.update(
    JSON.stringify({
      workflowsPath: rel(spec.workflowsPath),
      preloadModules: (spec.preloadModules ?? []).map(rel),
      failureConverterPath: rel(spec.failureConverterPath),
      payloadConverterPath: rel(spec.payloadConverterPath),
    }),
  );
  for (const file of inputs) {
    h.update(`\0${relative(opts.root, file)}\0`);
    h.update(readFileSync(file));
  }
  return h.digest('hex').slice(0, 24);
}

/** The SDK's bundler (webpack), with the list of files it read. */
export const webpackBuilder: BundleBuilder = async (spec) => {
  const { bundleWorkflowCode, DefaultLogger } = await import('@temporalio/worker');
  const files: string[] = [];
  const { code } = await bundleWorkflowCode({
    workflowsPath: spec.workflowsPath,
    preloadModules: spec.preloadModules,
    failureConverterPath: spec.failureConverterPath,
    payloadConverterPath: spec.payloadConverterPath,
    logger: new DefaultLogger('WARN'),
    webpackConfigHook: (config) => ({
      ...config,
      plugins: [
        ...(config.plugins ?? []),
        {
          apply(compiler: { hooks: { done: { tap(name: string, fn: (stats: { compilation: { fileDependencies: Iterable<string> } }) => void): void } } }) {
            compiler.hooks.done.tap('workflow-bundle-inputs', (stats) => files.push(...stats.compilation.fileDependencies));
          },
        },
      ],
    }),
  });
  return { code, files };
};

export function defaultBundleDir(): string {
  return process.env.WORKFLOW_BUNDLE_DIR || join(repoRoot, '.tmp', 'workflow-bundles');
}

const inProcess = new Map<string, Promise<CachedBundle>>();

/**
 * The bundle for a spec: the cached file when its hash matches, else built (once, across processes) and cached.
 * Pass the result's codePath as Worker.create's `workflowBundle: { codePath }`.
 */
export function cachedWorkflowBundle(spec: WorkflowBundleSpec, opts: BundleCacheOptions = {}): Promise<CachedBundle> {
  const root = opts.root ?? repoRoot;
  const lockFile = opts.lockFile ?? join(root, 'package-lock.json');
  const inputs = bundleInputs(entriesOf(spec));
  const hash = bundleHash(spec, inputs, { root, lockFile });
  let dir = opts.dir ?? defaultBundleDir();
  const key = `${dir}\0${hash}`;
  const pending = inProcess.get(key);
  if (pending) return pending;
  const log = opts.log ?? (() => undefined);
  const job = (async (): Promise<CachedBundle> => {
    if (!writableDir(dir) && !existsSync(join(dir, `${hash}.js`))) {
      const fallback = join(tmpdir(), 'workflow-bundles');
      log(`workflow bundle: ${dir} is not writable; using ${fallback}`);
      dir = fallback;
    }
    const { path, built } = await cachedFile(dir, `${hash}.js`, async () => {
      const started = performance.now();
      const { code, files } = await (opts.build ?? webpackBuilder)(spec);
      // The check below is only as good as the list webpack gave: it must at least name the workflows' entry.
      if (!files.includes(spec.workflowsPath)) throw new Error(`workflow bundle: the builder did not report reading ${spec.workflowsPath}`);
      const covered = new Set(inputs);
      const missed = files.filter((f) => f.startsWith(`${root}/`) && !f.includes('/node_modules/') && /\.[cm]?[jt]sx?$/.test(f) && existsSync(f) && !covered.has(f));
      if (missed.length) {
        throw new Error(`workflow bundle: webpack read ${missed.map((f) => relative(root, f)).join(', ')}, which the cache's hash does not cover (worker/bundle.ts bundleInputs)`);
      }
      log(`workflow bundle ${hash} built in ${((performance.now() - started) / 1000).toFixed(1)} s (${(code.length / 2 ** 20).toFixed(1)} MiB)`);
      return code;
    });
    return { codePath: path, hash, built, inputs };
  })();
  // Shared while it runs (a process starting several workers at once builds once); later calls look again.
  inProcess.set(key, job);
  job.then(
    () => inProcess.delete(key),
    () => inProcess.delete(key),
  );
  return job;
}

/** Worker.create's `workflowBundle` option for a spec. */
export async function workflowBundleOption(spec: WorkflowBundleSpec, opts?: BundleCacheOptions): Promise<WorkflowBundleOption> {
  return { codePath: (await cachedWorkflowBundle(spec, opts)).codePath };
}
