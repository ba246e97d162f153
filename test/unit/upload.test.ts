import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { receiveToFile } from '../../api/upload';
import { errorHandler } from '../../api/errors';

// receiveToFile over real HTTP (the recording route's way of reading a body): what a client sees when its upload is
// too large or when it goes away, on whichever Node runs the suite (the upload hung on Node 24 before).
describe('streaming an upload to a file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'upload-test-'));
  const limit = 64 * 1024;
  let app: FastifyInstance;
  let url: string;
  const settled: string[] = [];

  beforeAll(async () => {
    app = Fastify();
    app.setErrorHandler(errorHandler);
    app.addContentTypeParser('video/mp4', (_req, payload, done) => done(null, payload));
    app.post('/up', async (req, reply) => {
      try {
        const r = await receiveToFile(req.body as Readable, join(dir, String(req.id)), limit, 'the recording');
        settled.push('stored');
        return r;
      } catch (err) {
        settled.push((err as { statusCode?: number }).statusCode === 413 ? 'refused' : 'failed');
        if ((err as { statusCode?: number }).statusCode === 413) void reply.header('connection', 'close');
        throw err;
      }
    });
    url = `${await app.listen({ host: '127.0.0.1', port: 0 })}/up`;
  });
  afterAll(async () => {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A body of unknown length (chunked), as a browser or curl streams a file. */
  const chunked = (chunks: number, size: number) =>
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'video/mp4' },
      body: Readable.toWeb(Readable.from(Array.from({ length: chunks }, (_, i) => Buffer.alloc(size, i)))) as ReadableStream,
      duplex: 'half',
    } as RequestInit);

  it('stores a body within the limit with its size and sha-256', async () => {
    const res = await chunked(4, 10_000);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { size: number; sha256: string };
    expect(body.size).toBe(40_000);
    const file = readdirSync(dir).map((f) => readFileSync(join(dir, f))).find((b) => b.length === 40_000);
    expect(file).toBeDefined();
    expect(body.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('answers a streamed body that passes the limit with 413 and closes the connection, instead of resetting it', async () => {
    const res = await chunked(100, 16 * 1024);
    expect(res.status).toBe(413);
    expect(res.headers.get('connection')).toBe('close');
    expect(((await res.json()) as { message: string }).message).toBe(`the recording exceeds ${limit} bytes`);
  });

  it('gives up on a client that goes away mid-upload, so the route does not wait forever', async () => {
    const before = settled.length;
    // The client sends part of a body of unknown length, then its connection drops.
    const req = request(url, { method: 'POST', headers: { 'content-type': 'video/mp4', 'transfer-encoding': 'chunked' } });
    req.on('error', () => undefined);
    req.write(Buffer.alloc(1024, 1));
    req.write(Buffer.alloc(1024, 2));
    await new Promise((r) => setTimeout(r, 100));
    req.destroy();
    await expect.poll(() => settled.length, { timeout: 5000 }).toBe(before + 1);
    expect(settled.at(-1)).toBe('failed');
  });
});
