import { execFileSync } from 'node:child_process';
import { accessSync, constants, existsSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { registerSearchAttributes } from '../../services/search-attributes';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { executableFor, temporalTestServerPath } from '../../lib/temporal-binaries';
import { testClientDataConverter } from './codec';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const wrapperScript = join(repoRoot, 'scripts', 'faketime-test-server.sh');

/**
 * A time-skipping Temporal test environment. With `startAt` (an ISO instant such as '2026-09-20T00:00:00+08:00')
 * the server's clock starts at that instant, so a workflow's `new Date()` and its timers use real 2026 dates;
 * the clock runs on from there, and the server skips ahead whenever a test awaits a workflow's result.
 * Its client encrypts payloads with the test process's codec key (test/support/codec.ts); workers of the suites
 * use the same key. Call `teardown()` when done.
 */
export async function createTimeSkippingEnv(startAt?: string): Promise<TestWorkflowEnvironment> {
  const env = await createBareTimeSkippingEnv(startAt);
  // The workflows upsert the service's search attributes: the test server must know them, as the dev server does.
  await registerSearchAttributes(env.connection, env.namespace ?? 'default');
  return env;
}

async function createBareTimeSkippingEnv(startAt?: string): Promise<TestWorkflowEnvironment> {
  const serverPath = temporalTestServerPath();
  if (startAt === undefined) {
    return TestWorkflowEnvironment.createTimeSkipping({ server: { executable: executableFor(serverPath) }, client: { dataConverter: testClientDataConverter() } });
  }

  const start = new Date(startAt);
  if (Number.isNaN(start.getTime())) throw new Error(`createTimeSkippingEnv: "${startAt}" is not an ISO instant`);
  if (!serverPath) {
    throw new Error(
      'createTimeSkippingEnv: starting the clock at a date needs the project-local temporal-test-server ' +
        '(run `node scripts/install-temporal.mjs`) or TEMPORAL_TEST_SERVER_PATH.',
    );
  }
  const lib = faketimeLibrary();

  // The SDK spawns the server from its native core, which inherits this process's environment: hand the wrapper
  // its settings there, one start at a time so concurrent starts with different dates cannot mix them up.
  return serialized(async () => {
    const settings: Record<string, string> = {
      TEMPORAL_FAKETIME_SERVER: serverPath,
      TEMPORAL_FAKETIME_START: start.toISOString().slice(0, 19).replace('T', ' '),
      TEMPORAL_FAKETIME_LIB: lib,
    };
    const saved = Object.fromEntries(Object.keys(settings).map((k) => [k, process.env[k]]));
    Object.assign(process.env, settings);
    try {
      return await TestWorkflowEnvironment.createTimeSkipping({
        server: { executable: { type: 'existing-path', path: wrapperScript } },
        client: { dataConverter: testClientDataConverter() },
      });
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });
}

let queue: Promise<unknown> = Promise.resolve();
function serialized<T>(fn: () => Promise<T>): Promise<T> {
  const result = queue.then(fn, fn);
  queue = result.catch(() => undefined);
  return result;
}

/** libfaketime.so.1 from Debian's `faketime` package (or wherever `faketime` itself is installed). */
function faketimeLibrary(): string {
  const missing = new Error(
    'createTimeSkippingEnv: faketime is not installed; it sets the test server clock to a date. ' +
      'Install it with: apt-get install faketime',
  );
  const candidates: string[] = [];
  if (process.env.TEMPORAL_FAKETIME_LIB) candidates.push(process.env.TEMPORAL_FAKETIME_LIB);
  for (const libDir of ['/usr/lib', '/usr/local/lib']) {
    candidates.push(join(libDir, 'faketime', 'libfaketime.so.1'));
    for (const entry of safeReaddir(libDir)) candidates.push(join(libDir, entry, 'faketime', 'libfaketime.so.1'));
  }
  try {
    // Also look beside the `faketime` command, for installs outside /usr.
    const bin = execFileSync('sh', ['-c', 'command -v faketime'], { encoding: 'utf8' }).trim();
    if (bin) candidates.push(resolve(dirname(bin), '..', 'lib', 'faketime', 'libfaketime.so.1'));
  } catch {
    // not on PATH
  }
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw missing;
  try {
    accessSync(wrapperScript, constants.X_OK);
  } catch {
    throw new Error(`createTimeSkippingEnv: ${wrapperScript} is missing or not executable (chmod +x it)`);
  }
  return found;
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
