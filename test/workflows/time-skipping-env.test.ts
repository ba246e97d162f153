import { fileURLToPath } from 'node:url';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTimeSkippingEnv } from '../support/time-skipping';
import type { clockWorkflow } from '../support/workflows/clock';
import { testWorkerDataConverter } from '../support/codec';
import { workflowBundleOption } from '../../worker/bundle';

const DAY_MS = 24 * 60 * 60 * 1000;

describe('time-skipping test environment started on 2026-09-20 (Beijing time)', () => {
  let env: TestWorkflowEnvironment;

  beforeAll(async () => {
    env = await createTimeSkippingEnv('2026-09-20T00:00:00+08:00');
  });

  afterAll(async () => {
    await env?.teardown();
  });

  it('a workflow reads 2026-09-20 from its clock, and a 15-day timer fires in seconds of real time', async () => {
    const dataConverter = testWorkerDataConverter();
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: 'clock',
      dataConverter,
      workflowBundle: await workflowBundleOption({ workflowsPath: fileURLToPath(new URL('../support/workflows/clock.ts', import.meta.url)), failureConverterPath: dataConverter.failureConverterPath }),
    });
    const realStart = Date.now();
    const result = await worker.runUntil(
      env.client.workflow.execute<typeof clockWorkflow>('clockWorkflow', {
        args: [15],
        taskQueue: 'clock',
        workflowId: 'clock-15-days',
      }),
    );
    const realSeconds = (Date.now() - realStart) / 1000;

    // 2026-09-20 00:00 in Beijing is 2026-09-19 16:00 UTC; the clock has run on a little since the server started.
    const before = new Date(result.before);
    expect(result.before.slice(0, 10)).toMatch(/^2026-09-(19|20)$/);
    expect(before.getTime()).toBeGreaterThanOrEqual(Date.parse('2026-09-19T16:00:00Z'));
    expect(before.getTime()).toBeLessThan(Date.parse('2026-09-19T16:00:00Z') + 10 * 60 * 1000);

    const slept = Date.parse(result.after) - before.getTime();
    expect(slept).toBeGreaterThanOrEqual(15 * DAY_MS);
    expect(slept).toBeLessThan(15 * DAY_MS + 60 * 1000);
    expect(result.after.slice(0, 10)).toMatch(/^2026-10-0[45]$/);

    expect(realSeconds).toBeLessThan(30);
  });
});
