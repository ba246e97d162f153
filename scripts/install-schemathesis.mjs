#!/usr/bin/env node
// Installs the pinned schemathesis (the OpenAPI fuzzer test/e2e/schemathesis.test.ts runs against the API) from PyPI
// into a project-local virtual environment, .tmp/schemathesis-venv; a later run with the same version does nothing.
// .ci/run calls it before `npm test`; the test calls it too when the binary is missing. Needs python3 with venv.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const SCHEMATHESIS_VERSION = '4.32.5';
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const venvDir = join(root, '.tmp', 'schemathesis-venv');
export const schemathesisPath = join(venvDir, 'bin', 'schemathesis');
const marker = join(venvDir, 'version.txt');

function run(command, args) {
  const r = spawnSync(command, args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PIP_DISABLE_PIP_VERSION_CHECK: '1', PIP_NO_INPUT: '1' } });
  if (r.error || r.status !== 0) throw new Error(`${[command, ...args].join(' ')} failed: ${r.error?.message ?? (r.stderr || r.stdout).trim().split('\n').slice(-10).join('\n')}`);
}

export function installSchemathesis() {
  if (existsSync(schemathesisPath) && existsSync(marker) && readFileSync(marker, 'utf8').trim() === SCHEMATHESIS_VERSION) return schemathesisPath;
  rmSync(venvDir, { recursive: true, force: true });
  run(process.env.PYTHON ?? 'python3', ['-m', 'venv', venvDir]);
  run(join(venvDir, 'bin', 'pip'), ['install', '--quiet', `schemathesis==${SCHEMATHESIS_VERSION}`]);
  writeFileSync(marker, `${SCHEMATHESIS_VERSION}\n`);
  return schemathesisPath;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  installSchemathesis();
  console.log(`schemathesis ${SCHEMATHESIS_VERSION} in ${venvDir}`);
}
