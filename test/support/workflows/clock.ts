import { sleep } from '@temporalio/workflow';

/** Reads the workflow clock, sleeps, reads it again: shows where a time-skipping server's clock stands. */
export async function clockWorkflow(sleepDays: number): Promise<{ before: string; after: string }> {
  const before = new Date().toISOString();
  await sleep(`${sleepDays} days`);
  const after = new Date().toISOString();
  return { before, after };
}
