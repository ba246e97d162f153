import { createServer } from 'node:net';

/** A TCP port on 127.0.0.1 that was free a moment ago (the OS picked it; the listener is closed again). */
export async function freePort(): Promise<number> {
  const { port, release } = await reservePort();
  await release();
  return port;
}

/**
 * A port on 127.0.0.1 held by a listener until release(): for a server whose port must be known before it starts
 * (the API's, named in the dev server's codec endpoint) while other servers start, which would otherwise take it.
 */
export function reservePort(): Promise<{ port: number; release(): Promise<void> }> {
  return new Promise((res, rej) => {
    const server = createServer();
    server.once('error', rej);
    server.listen(0, '127.0.0.1', () => {
      const a = server.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      res({ port, release: () => new Promise<void>((done) => server.close(() => done())) });
    });
  });
}
