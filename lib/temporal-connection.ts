import { Connection, defaultGrpcRetryOptions, makeGrpcRetryInterceptor, type ConnectionOptions } from '@temporalio/client';

/**
 * A Temporal client connection (connected on first use) whose close() is safe with calls in flight.
 *
 * The SDK's gRPC retry interceptor schedules each retry with a bare setTimeout. A retry that fires after the channel
 * was closed throws "Channel has been shut down" from the timer, an uncaught exception that kills the process (it
 * failed CI once, from a test's teardown). Here close() first stops new retries, waits for those already scheduled to
 * run (each ends at once: it is not retried again), and only then closes the channel.
 */
export function closableConnection(options: ConnectionOptions & { maxAttempts?: number }): Connection {
  const { maxAttempts, ...connectionOptions } = options;
  const base = defaultGrpcRetryOptions({ maxAttempts });
  let closing = false;
  let scheduled = 0;
  const waiting: (() => void)[] = [];
  const interceptor = makeGrpcRetryInterceptor({
    retryableDecider: (attempt, status) => !closing && base.retryableDecider(attempt, status),
    delayFunction(attempt, status) {
      const ms = base.delayFunction(attempt, status);
      scheduled++;
      // Counted until just after the interceptor's own timer (set with the same delay) has fired.
      setTimeout(() => {
        scheduled--;
        if (scheduled === 0) waiting.splice(0).forEach((resolve) => resolve());
      }, ms + 25).unref();
      return ms;
    },
  });
  const connection = Connection.lazy({ ...connectionOptions, interceptors: [interceptor, ...(connectionOptions.interceptors ?? [])] });
  const close = connection.close.bind(connection);
  connection.close = async () => {
    closing = true;
    if (scheduled > 0) await new Promise<void>((resolve) => waiting.push(resolve));
    await close();
  };
  return connection;
}
