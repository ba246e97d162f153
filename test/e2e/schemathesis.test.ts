import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../support/stack';
// @ts-expect-error -- a plain ES module script without types
import { installSchemathesis } from '../../scripts/install-schemathesis.mjs';

// schemathesis (PyPI, pinned; scripts/install-schemathesis.mjs) generates requests from the API's own OpenAPI
// document and sends them to the real stack on loopback with a valid token: no request may get a 5xx.
// SCHEMATHESIS_CHECKS overrides the checks (e.g. not_a_server_error,status_code_conformance);
// SCHEMATHESIS_MAX_EXAMPLES the examples per operation.
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const checks = process.env.SCHEMATHESIS_CHECKS ?? 'not_a_server_error';
const maxExamples = process.env.SCHEMATHESIS_MAX_EXAMPLES ?? '8';

describe('schemathesis against the running API', () => {
  let stack: Stack;
  let bin: string;
  beforeAll(async () => {
    bin = (installSchemathesis as () => string)();
    stack = await startStack();
  }, 400_000);
  afterAll(async () => {
    await stack?.stop();
  });

  it(`every operation of /docs/json, fuzzed with a valid token: ${checks}`, { timeout: 400_000 }, async () => {
    const token = await stack.token('admin');
    const args = [
      'run', `${stack.url}/docs/json`,
      '--checks', checks,
      '--max-examples', maxExamples,
      '--phases', 'examples,coverage,fuzzing',
      '--workers', '2',
      '--seed', '20261127',
      '--request-timeout', '30',
      '--generation-allow-x00', 'true',
      '--no-color',
      '-H', `Authorization: Bearer ${token}`,
    ];
    const out = await new Promise<{ code: number | null; text: string }>((res) => {
      const child = spawn(bin, args, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
      let text = '';
      child.stdout.on('data', (d) => (text += d));
      child.stderr.on('data', (d) => (text += d));
      child.on('close', (code) => res({ code, text }));
    });
    writeFileSync(join(repoRoot, '.tmp', 'schemathesis.log'), out.text);
    const summary = out.text.slice(out.text.lastIndexOf('SUMMARY'));
    // It ran: every operation of the document was tested.
    const tested = /Tested:\s+(\d+)/.exec(summary);
    expect(tested, `schemathesis did not run (whole output in .tmp/schemathesis.log):\n${out.text.slice(-4000)}`).not.toBeNull();
    expect(Number(tested![1])).toBeGreaterThan(50);
    // Failures are what the checks found in the API's answers; "Errors" are the tool's own (a Hypothesis internal
    // error on one schema was seen with 4.32.5): those are in the log, not failures of the API.
    const failures = /Failures:\n([\s\S]*?)\n\n/.exec(summary)?.[1] ?? '';
    expect(failures, `schemathesis found failures (whole output in .tmp/schemathesis.log):\n${out.text.slice(-8000)}`).toBe('');
  });
});
