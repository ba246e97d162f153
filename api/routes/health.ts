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

const routes: FastifyPluginAsyncZod<{ deps: ApiDeps }> = async (app, { deps }) => {
  app.get('/health/live', { schema: { tags: ['health'], security: [], response: { 200: z.object({ status: z.literal('ok') }) } } }, async () => ({ status: 'ok' as const }));

  app.get(
    '/health/ready',
    { schema: { tags: ['health'], security: [], response: { 200: z.object({ status: z.string(), temporal: status, database: status }), 503: z.object({ status: z.string(), temporal: status, database: status }) } } },
    async (_req, reply) => {
      const [temporal, database] = await Promise.all([
        // With a gRPC deadline: the client's retries of an unreachable server stop with the check instead of running
        // on for ~20 s in the background (and throwing "Channel has been shut down" if the API closes meanwhile).
        check(() => deps.temporal.connection.withDeadline(Date.now() + 2000, () => deps.temporal.workflowService.getSystemInfo({}))),
        check(() => deps.database.ping()),
      ]);
      const ok = temporal.ok && database.ok;
      return reply.status(ok ? 200 : 503).send({ status: ok ? 'ready' : 'unavailable', temporal, database });
    },
  );
};
export default routes;
