// Replays every stored history (test/histories/*.json, recorded by `npx tsx scripts/record-histories.ts`) against
// the current workflow code. A change that makes the code issue different commands for the same events — a
// nondeterminism that would break running matters on deploy — fails here.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker, type ReplayResult } from '@temporalio/worker';
import { beforeAll, describe, expect, it } from 'vitest';
import { workerWorkflowBundle } from '../../worker/run';
import { historyFromJson, petitionWorkflowIdOf } from './history-json';
import { testWorkerDataConverter } from '../support/codec';

const dir = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'histories');
const indexFile = join(dir, 'index.json');
const index: Record<string, string> = existsSync(indexFile) ? JSON.parse(readFileSync(indexFile, 'utf8')) : {};
const files = existsSync(dir)
  ? readdirSync(dir)
      .filter((f) => f.endsWith('.json') && f !== 'index.json')
      .sort()
  : [];

describe('stored histories replay on the current workflow code', () => {
  const results = new Map<string, ReplayResult>();

  beforeAll(async () => {
    const histories = files.map((file) => {
      const json = JSON.parse(readFileSync(join(dir, file), 'utf8'));
      return { file, workflowId: index[file] ?? petitionWorkflowIdOf(json), history: historyFromJson(json) };
    });
    // One replay worker for all histories; results come back in order. It has the payload codec, as every worker
    // does: the stored histories were recorded before encryption, and the codec passes unencrypted payloads through.
    // The production workers' bundle (worker/bundle.ts), with its shared modules: what a deploy replays them on.
    const dataConverter = testWorkerDataConverter();
    const replay = Worker.runReplayHistories({ workflowBundle: await workerWorkflowBundle(dataConverter), replayName: 'stored-histories', dataConverter }, histories);
    let i = 0;
    for await (const result of replay) results.set(histories[i++]!.file, result);
  });

  it('there are stored histories to replay', () => {
    expect(files.length).toBeGreaterThan(0);
    expect(results.size).toBe(files.length);
  });

  it.each(files)('%s replays without nondeterminism', (file) => {
    const result = results.get(file);
    expect(result, `${file} was not replayed`).toBeDefined();
    if (result?.error) throw result.error;
  });
});
