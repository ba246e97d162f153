import { createServer, connect, type Server, type Socket } from 'node:net';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseUrl, type TestDatabase } from '../support/postgres';

/**
 * scripts/patch-postgres.mjs, proved on a real PostgreSQL: a connection that breaks while postgres.js asks for the
 * server's array types (the first query of every new connection) fails its own queries, which a caller retries, and
 * leaves no unhandled rejection behind (which would end the API or the worker: `npm run chaos` saw it on a PostgreSQL
 * restart). A proxy on loopback in front of the server resets the first connection when the types query passes.
 */
describe('postgres.js guarded against a connection lost at startup', () => {
  let db: TestDatabase;
  let proxy: Server;
  let proxyUrl: string;
  let resets = 0;
  const sockets = new Set<Socket>();

  beforeAll(async () => {
    db = await testDatabaseUrl();
    const upstream = new URL(db.url);
    proxy = createServer((client) => {
      const server = connect(Number(upstream.port), upstream.hostname);
      sockets.add(client).add(server);
      client.on('error', () => undefined);
      server.on('error', () => undefined);
      client.on('close', () => server.destroy());
      server.on('close', () => client.destroy());
      server.on('data', (chunk: Buffer) => client.write(chunk));
      client.on('data', (chunk: Buffer) => {
        // Once: the types query of the first connection never reaches the server; the client sees ECONNRESET.
        if (resets === 0 && chunk.includes('pg_catalog.pg_type')) {
          resets += 1;
          server.destroy();
          client.resetAndDestroy();
          return;
        }
        server.write(chunk);
      });
    });
    await new Promise<void>((res) => proxy.listen(0, '127.0.0.1', res));
    const port = (proxy.address() as { port: number }).port;
    proxyUrl = Object.assign(new URL(db.url), { host: `127.0.0.1:${port}` }).toString();
  }, 120_000);

  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((res) => proxy?.close(res));
    await db?.stop();
  });

  it('the types query reset: the waiting query fails as a connection error, nothing is left unhandled, and the next query reconnects with array types', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    const sql = postgres(proxyUrl, { max: 1, onnotice: () => undefined, connect_timeout: 5 });
    try {
      const first = await sql`select 1 as one`.then(
        (rows) => ({ rows }),
        (err: Error & { code?: string }) => ({ err }),
      );
      expect(resets).toBe(1);
      // The query that waited for the connection is told it broke (the caller's retry is the next query).
      expect('err' in first ? first.err.code ?? first.err.message : 'answered').toMatch(/ECONNRESET|CONNECTION_CLOSED|CONNECTION_DESTROYED/);
      // Unhandled rejections are reported after the microtasks of the turn: give them a few turns.
      await new Promise((res) => setTimeout(res, 300));
      expect(unhandled.map(String)).toEqual([]);

      // The next query gets a new connection, which asks for the array types again: a text[] comes back as an array.
      const [again] = await sql<{ xs: string[] }[]>`select array['信访', '复查']::text[] as xs`;
      expect(again!.xs).toEqual(['信访', '复查']);
    } finally {
      process.off('unhandledRejection', onUnhandled);
      await sql.end({ timeout: 5 });
    }
  });
});
