import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { Transform, finished, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ServiceError } from '../services/errors';

export interface Received {
  size: number;
  sha256: string;
}

/**
 * Streams a request body into `path`, counting and hashing it, and refuses more than `limit` bytes with a 413.
 *
 * The request is read, never owned: it is piped into the file's pipeline, not made part of it. On a refusal the
 * pipeline would destroy every stream it was given and (Node 22 and later) settle only once each of them has ended
 * or closed. Destroying the request is wrong twice over: over HTTP it destroys the socket, so the client sees a
 * reset instead of the 413; and a request that never says 'close' after destroy() — as `inject()`'s request does
 * once its payload is delivered — leaves the pipeline, and the route, waiting forever (the recording upload hung on
 * Node 24 that way). Here a refusal only unpipes the request and stops reading it; the caller answers with
 * `connection: close`, as Fastify's own body parser does, so the rest of the body is never read.
 */
export async function receiveToFile(source: Readable, path: string, limit: number, what = 'the body'): Promise<Received> {
  const hash = createHash('sha256');
  let size = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      size += chunk.length;
      if (size > limit) {
        source.unpipe(meter);
        source.pause();
        return cb(tooLarge(limit, what));
      }
      hash.update(chunk);
      cb(null, chunk);
    },
  });
  // The request failing (the client went away mid-upload) fails the file's pipeline; its normal end ends it.
  const stopWatching = finished(source, { writable: false }, (err) => {
    if (err) meter.destroy(err);
  });
  source.pipe(meter);
  try {
    await pipeline(meter, createWriteStream(path));
  } finally {
    stopWatching();
  }
  return { size, sha256: hash.digest('hex') };
}

export function tooLarge(limit: number, what = 'the body'): ServiceError {
  return new ServiceError(413, 'PayloadTooLarge', `${what} exceeds ${limit} bytes`);
}
