/**
 * A background round every `intervalMs` (and one at once), never two at a time; a round that throws is logged and
 * the next one runs as usual. Returns a stop function that waits for the round in progress.
 */
export function startLoop(name: string, round: () => Promise<void>, log: (msg: string) => void, intervalMs: number): () => Promise<void> {
  let stopped = false;
  let running: Promise<void> = Promise.resolve();
  const tick = async () => {
    try {
      await round();
    } catch (err) {
      log(`${name}: ${(err as Error).message}`);
    }
  };
  const timer = setInterval(() => {
    if (!stopped) running = running.then(tick);
  }, intervalMs);
  timer.unref();
  running = running.then(tick);
  return async () => {
    stopped = true;
    clearInterval(timer);
    await running;
  };
}
