import fp from 'fastify-plugin';
import type { RouteOptions } from 'fastify';
import { z } from 'zod';
import { rateClassOf } from './plugins/hardening';

/**
 * The one error body every refusal has (api/errors.ts toHttp, the load shedder, the rate limiter): the status, a
 * code, an English message, and where they apply the fields at fault, a workflow refusal's code and its reason in
 * Chinese. Loose: a refusal may carry more (an import's bad lines), and the serializer must never turn an error
 * into a 500 by rejecting its body.
 */
export const errorBody = z
  .looseObject({
    statusCode: z.number().int().min(400).max(599),
    error: z.string().describe('a code: InvalidInput, Forbidden, NotFound, IllegalState, IdempotencyKeyReused, TemporalTimeout, …'),
    message: z.string(),
    fields: z.record(z.string(), z.string()).optional().describe('each input at fault (a.b.0.c) with what is wrong with it'),
    code: z.string().optional().describe("a workflow refusal's code (domain/machine.ts)"),
    reason: z.string().optional().describe("a workflow refusal's reason, in Chinese"),
  })
  // One component (#/components/schemas/Error) that every error response refers to.
  .meta({ id: 'Error' });

export type ErrorCode = 400 | 401 | 403 | 404 | 409 | 413 | 414 | 415 | 422 | 423 | 429 | 503;

/** The longest path parameter the router takes (Fastify's maxParamLength); longer ones get 414, shorter ones the schema's 400. */
export const MAX_PARAM_LENGTH = 512;

const meaning: Record<ErrorCode, string> = {
  400: 'Bad input: the body, query, path or a header does not match the schema (fields names each), or a rule on it refused it',
  401: 'No valid bearer token (or, on the public channel, wrong query code or digits)',
  403: 'Your role may not do this, or the matter lies outside your jurisdiction',
  404: 'No such thing (or none you may see)',
  409: 'Refused in the current state (reason in Chinese), or conflicts with what exists',
  413: 'The body is larger than this route accepts',
  414: `A path parameter longer than ${MAX_PARAM_LENGTH} characters`,
  415: 'The body is not of a media type this route accepts',
  422: 'Well-formed but cannot be processed: an Idempotency-Key reused for another request, a calendar year not entered, …',
  423: 'Locked after repeated failures',
  429: 'Too many requests: retry later (Retry-After)',
  503: 'Temporal or the database is unavailable, did not answer in time, or the service is overloaded; retry later (Retry-After). A command may still take effect: retry it with the same Idempotency-Key',
};

type ErrorResponse = { description: string; content: { 'application/json': { schema: typeof errorBody } } };

/** The error responses of a route, each with the shared error body: `response: { 200: …, ...errorResponses(409, 422) }`. */
export function errorResponses<C extends ErrorCode>(...codes: C[]): Record<C, ErrorResponse> {
  return Object.fromEntries(codes.map((c) => [c, { description: meaning[c], content: { 'application/json': { schema: errorBody } } }])) as Record<C, ErrorResponse>;
}

/** A success answer whose shape is not described field by field (a Temporal workflow's live state, say). */
export const anyJson = (description: string) => z.looseObject({}).describe(description) as unknown as z.ZodType<object, object>;

/** A printable HTML page. */
export const htmlPage = (description: string) => ({ description, content: { 'text/html': { schema: z.string() } } });

const BODY_METHODS = ['POST', 'PUT', 'PATCH', 'DELETE'];

/**
 * The error codes that follow from a route's shape, so no route can forget them: bad input (400) and an unavailable
 * backing service or overload (503) anywhere; no token (401) and refusal (403) under /api; an unknown path
 * parameter (404) or one past the router's length limit (414); a body too large (413) or of another media type (415) wherever a body is parsed; 409 and 422
 * wherever an Idempotency-Key is taken (an unfinished first attempt; the key reused for another request); 429 where
 * a rate limit applies (the same table the limiter uses, plugins/hardening.ts). What a route refuses beyond these it
 * declares itself with errorResponses().
 */
export function impliedErrors(route: Pick<RouteOptions, 'url' | 'method' | 'schema'>): ErrorCode[] {
  const url = route.url ?? '';
  const methods = ([] as string[]).concat(route.method as string | string[]);
  const codes: ErrorCode[] = [400, 503];
  if (url.startsWith('/api/')) codes.push(401, 403);
  if (url.includes(':')) codes.push(404, 414);
  if (methods.some((m) => BODY_METHODS.includes(m))) codes.push(413, 415);
  if (takesIdempotencyKey(route.schema)) codes.push(409, 422);
  if (rateClassOf(route)) codes.push(429);
  return codes;
}

/** Does the route's headers schema name Idempotency-Key? */
export function takesIdempotencyKey(schema: unknown): boolean {
  const headers = (schema as { headers?: unknown } | undefined)?.headers;
  return !!headers && headers instanceof z.ZodObject && 'idempotency-key' in headers.shape;
}

/**
 * Adds the implied error responses to every documented route as it is declared (an onRoute hook: register it
 * before the routes). Codes a route declares itself are kept.
 */
export default fp(
  async (app) => {
    app.addHook('onRoute', (route) => {
      const schema = route.schema as ({ hide?: boolean; response?: Record<string | number, unknown> } & Record<string, unknown>) | undefined;
      if (!schema || schema.hide) return;
      const response = { ...(schema.response ?? {}) };
      for (const [code, body] of Object.entries(errorResponses(...impliedErrors(route)))) if (!(code in response)) response[code] = body;
      route.schema = { ...schema, response };
    });
  },
  { name: 'declared-errors' },
);
