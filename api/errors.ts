import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { ApplicationFailure } from '@temporalio/common';
import { WorkflowNotFoundError, WorkflowUpdateFailedError, ServiceError as TemporalServiceError, WorkflowFailedError } from '@temporalio/client';
import { ServiceError } from '../services/errors';

/** Workflow refusal types → HTTP statuses (see workflows/petition.ts). */
const FAILURE_STATUS: Record<string, number> = {
  IllegalState: 409,
  Forbidden: 403,
  InvalidInput: 400,
  CalendarUnknownYear: 422,
};

interface Body {
  statusCode: number;
  error: string;
  message: string;
  fields?: Record<string, string>;
  /** A workflow refusal's code and its reason in Chinese (domain/machine.ts), for the console. */
  code?: string;
  reason?: string;
}

/** Is this the database or Temporal being unreachable (→ 503), rather than a bug (→ 500)? */
export function isUnavailable(err: unknown): boolean {
  const seen = new Set<unknown>();
  let e: unknown = err;
  while (e && typeof e === 'object' && !seen.has(e)) {
    seen.add(e);
    const code = (e as { code?: unknown }).code;
    const name = (e as { name?: unknown }).name;
    const message = String((e as { message?: unknown }).message ?? '');
    if (typeof code === 'string' && /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|ENOTFOUND|CONNECT_TIMEOUT|CONNECTION_CLOSED|CONNECTION_ENDED|CONNECTION_DESTROYED|57P01|57P03|08\w\w\w)$/.test(code)) return true;
    if (name === 'ConnectionError' || name === 'TransportError') return true;
    if (e instanceof TemporalServiceError && /UNAVAILABLE|DEADLINE_EXCEEDED|connect|transport/i.test(message)) return true;
    if (/PGlite is closed|Connection terminated|connect ECONNREFUSED|failed to connect|Service unavailable/i.test(message)) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

export function toHttp(err: unknown): Body {
  if (hasZodFastifySchemaValidationErrors(err)) {
    const fields: Record<string, string> = {};
    for (const v of err.validation) {
      const path = (v.instancePath || '').replace(/^\//, '').replaceAll('/', '.') || (v.params as { issue?: { path?: unknown[] } })?.issue?.path?.join('.') || '(body)';
      fields[path] = v.message ?? 'invalid';
    }
    const where = (err as { validationContext?: string }).validationContext ?? 'body';
    return { statusCode: 400, error: 'Bad Request', message: `invalid ${where}: ${Object.keys(fields).join(', ')}`, fields };
  }
  if (err instanceof ServiceError) return { statusCode: err.statusCode, error: err.code, message: err.message, fields: err.fields };
  if (err instanceof WorkflowUpdateFailedError || err instanceof WorkflowFailedError) {
    const cause = err.cause;
    if (cause instanceof ApplicationFailure) {
      const statusCode = FAILURE_STATUS[cause.type ?? ''] ?? 409;
      const detail = cause.details?.[0] as { code?: unknown; zh?: unknown } | undefined;
      return {
        statusCode,
        error: cause.type ?? 'Refused',
        message: cause.message,
        ...(typeof detail?.code === 'string' ? { code: detail.code } : {}),
        ...(typeof detail?.zh === 'string' ? { reason: detail.zh } : {}),
      };
    }
  }
  if (err instanceof WorkflowNotFoundError) return { statusCode: 404, error: 'NotFound', message: 'no running workflow for this matter' };
  if (isUnavailable(err)) return { statusCode: 503, error: 'ServiceUnavailable', message: 'a backing service (Temporal or the database) is unavailable; nothing was changed, retry later' };
  const fe = err as FastifyError;
  if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) return { statusCode: fe.statusCode, error: fe.code ?? 'Bad Request', message: fe.message };
  return { statusCode: 500, error: 'Internal Server Error', message: 'internal error' };
}

export function errorHandler(err: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const body = toHttp(err);
  if (body.statusCode >= 500) request.log.error({ err }, 'request failed');
  else request.log.info({ err: { message: err.message, code: body.error } }, 'request refused');
  if (body.statusCode === 503) reply.header('retry-after', '5');
  void reply.status(body.statusCode).send(body);
}
