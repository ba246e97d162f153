import { createHash, randomUUID } from 'node:crypto';
import { WorkflowUpdateRPCTimeoutOrCancelledError, type Client, type WorkflowHandle } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import { ServiceError } from './errors';
import { claimIdempotencyKey } from './idempotency';
import type { Db } from '../db/client';
import { z } from 'zod';

/**
 * Every call the API (and intake) makes to Temporal goes through here, with a deadline: the gRPC deadline
 * (client.withDeadline) and an AbortSignal (client.withAbortSignal) that also ends the SDK's own waiting (an Update
 * waiting for a worker, retries of an unreachable server). Past it the API answers 503 with Retry-After within
 * TEMPORAL_CALL_TIMEOUT_MS, instead of holding the request for minutes (issue 10, defect 3).
 */
export interface TemporalCallDeps {
  temporal: Client;
  config: { TEMPORAL_CALL_TIMEOUT_MS: number };
}

export class TemporalTimeout extends ServiceError {
  constructor(what: string, ms: number) {
    super(
      503,
      'TemporalTimeout',
      `${what}: Temporal did not answer within ${(ms / 1000).toFixed(1)} s (the worker or the server may be down). ` +
        'It may still take effect: retry with the same Idempotency-Key, which applies it once.',
    );
  }
}

const GRPC_DEADLINE_EXCEEDED = 4;
const GRPC_CANCELLED = 1;

function isDeadlineOrAbort(err: unknown): boolean {
  for (let e: unknown = err, i = 0; e && typeof e === 'object' && i < 5; e = (e as { cause?: unknown }).cause, i++) {
    const code = (e as { code?: unknown }).code;
    if (e instanceof WorkflowUpdateRPCTimeoutOrCancelledError) return true;
    if (code === GRPC_DEADLINE_EXCEEDED || code === GRPC_CANCELLED) return true;
    const name = (e as { name?: unknown }).name;
    if (name === 'AbortError' || name === 'TimeoutError') return true;
  }
  return false;
}

/** Runs `fn` (one or more Temporal client calls) with the configured deadline; 503 TemporalTimeout past it. */
export async function temporalCall<T>(deps: TemporalCallDeps, what: string, fn: () => Promise<T>, ms = deps.config.TEMPORAL_CALL_TIMEOUT_MS): Promise<T> {
  const abort = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      abort.abort();
      reject(new TemporalTimeout(what, ms));
    }, ms);
  });
  const call = deps.temporal.withAbortSignal(abort.signal, () => deps.temporal.withDeadline(Date.now() + ms, fn));
  try {
    // The race guarantees the answer even if some SDK path did not observe the signal.
    return await Promise.race([call, expired]);
  } catch (err) {
    if (err instanceof TemporalTimeout) throw err;
    if (abort.signal.aborted || isDeadlineOrAbort(err)) throw new TemporalTimeout(what, ms);
    throw err;
  } finally {
    clearTimeout(timer);
    call.catch(() => undefined);
  }
}

/** The optional Idempotency-Key header of a command, as routes declare it. */
export const idempotencyHeader = z.object({ 'idempotency-key': z.string().min(8).max(200).optional() }).passthrough();

/**
 * The Update id of a command: derived from the Idempotency-Key (with the matter and the user), so a command that
 * timed out and is sent again is the same Update, which Temporal applies once and answers with the first outcome.
 * Without a key, a fresh id (a retry is then a new command).
 */
export function updateIdFor(caseNo: string, userId: string, idempotencyKey?: string): string {
  if (!idempotencyKey) return `cmd-${randomUUID()}`;
  return `cmd-${createHash('sha256').update(`${caseNo}\n${userId}\n${idempotencyKey}`).digest('hex').slice(0, 32)}`;
}

/**
 * Runs a command (a Temporal Update) once per Idempotency-Key: the key is claimed first (422 if it named another
 * request), the Update carries the id derived from it, and the call has the deadline.
 */
export async function executeCommand<Ret, Args extends [unknown, ...unknown[]]>(
  deps: TemporalCallDeps & { db: Db },
  handle: WorkflowHandle,
  update: UpdateDefinition<Ret, Args> | string,
  args: Args,
  who: { caseNo: string; userId: string; idempotencyKey?: string; scope: string; body: unknown },
): Promise<Ret> {
  if (who.idempotencyKey) {
    await claimIdempotencyKey(deps.db, { key: who.idempotencyKey, userId: who.userId, scope: who.scope, body: who.body, caseNo: who.caseNo });
  }
  const updateId = updateIdFor(who.caseNo, who.userId, who.idempotencyKey);
  const name = typeof update === 'string' ? update : update.name;
  return temporalCall(deps, `${name} on ${who.caseNo}`, () => handle.executeUpdate<Ret, Args>(update as UpdateDefinition<Ret, Args>, { args, updateId }));
}
