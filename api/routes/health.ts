import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ApiDeps } from '../context';

async function check(fn: () => Promise<unknown>, ms = 2000): Promise<{ ok: boolean; error?: string }> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([fn(), new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms)))]);
    return { ok: true };
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  } finally {
    clearTimeout(timer);
  }
}

const status = z.object({ ok: z.boolean(), error: z.string().optional() });
const workerStatus = status.extend({ pollers: z.number().int().nullable().describe('workers seen polling the task queue lately; null: the server cannot say') });

/** A worker polls in long polls of about a minute; one seen longer ago than this has gone. */
export const POLLER_FRESH_MS = 90_000;
const UNIMPLEMENTED = 12;
// temporal.api.enums.v1 values (the proto package's named exports do not load as ESM on Node 24).
const TASK_QUEUE_KIND_NORMAL = 1;
const TASK_QUEUE_TYPE_WORKFLOW = 1;
const toMs = (t: { seconds?: unknown; nanos?: number | null }) => Number(t.seconds ?? 0) * 1000 + Math.floor((t.nanos ?? 0) / 1e6);

/**
 * The workers polling the matters' task queue (DescribeTaskQueue), as Temporal saw them lately. The time-skipping test
 * server does not implement DescribeTaskQueue: there the answer is pollers: null, taken as present.
 */
async function workerPresence(deps: ApiDeps, ms = 2000): Promise<z.infer<typeof workerStatus>> {
  try {
    const res = await deps.temporal.connection.withDeadline(Date.now() + ms, () =>
      deps.temporal.workflowService.describeTaskQueue({
        namespace: deps.config.TEMPORAL_NAMESPACE,
        taskQueue: { name: deps.config.TEMPORAL_TASK_QUEUE, kind: TASK_QUEUE_KIND_NORMAL },
        taskQueueType: TASK_QUEUE_TYPE_WORKFLOW,
      }),
    );
    const now = Date.now();
    const fresh = (res.pollers ?? []).filter((p) => p.lastAccessTime && now - toMs(p.lastAccessTime) < POLLER_FRESH_MS).length;
    return fresh > 0 ? { ok: true, pollers: fresh } : { ok: false, pollers: 0, error: `no worker polls task queue "${deps.config.TEMPORAL_TASK_QUEUE}"` };
  } catch (err) {
    if ((err as { code?: unknown }).code === UNIMPLEMENTED) return { ok: true, pollers: null };
    return { ok: false, pollers: null, error: (err as Error).message };
  }
}

const readiness = z.object({ status: z.enum(['ready', 'unavailable']), temporal: status, database: status, worker: workerStatus });

const routes: FastifyPluginAsyncZod<{ deps: ApiDeps }> = async (app, { deps }) => {
  app.get('/health/live', { schema: { tags: ['health'], security: [], response: { 200: z.object({ status: z.literal('ok') }) } } }, async () => ({ status: 'ok' as const }));

  app.get(
    '/health/ready',
    { schema: { tags: ['health'], security: [], response: { 200: readiness, 503: readiness } } },
    async (_req, reply) => {
      const [temporalStatus, database, worker] = await Promise.all([
        // With a gRPC deadline: the client's retries of an unreachable server stop with the check instead of running
        // on for ~20 s in the background (and throwing "Channel has been shut down" if the API closes meanwhile).
        check(() => deps.temporal.connection.withDeadline(Date.now() + 2000, () => deps.temporal.workflowService.getSystemInfo({}))),
        check(() => deps.database.ping()),
        // Without a worker nothing moves: commands would time out, limits would not run.
        workerPresence(deps),
      ]);
      const ok = temporalStatus.ok && database.ok && worker.ok;
      return reply.status(ok ? 200 : 503).send({ status: ok ? 'ready' : 'unavailable', temporal: temporalStatus, database, worker });
    },
  );
};
export default routes;
