import { assertJsonDepth } from '../core/json-depth.js';
import { assertSafeNumbers } from '../core/json-numbers.js';
import type middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import {
  CutlineError,
  isStorageFull,
  QuotaExceededError,
  storageFullError,
  type ErrorCode,
} from '../core/errors.js';
import { sanitizeError } from '../core/sanitize.js';

import { logger } from '../core/observability.js';
export { logger };

/** A client-facing HTTP error; anything else becomes a 500 without internals. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Array<{ path: string; message: string }> = [],
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

const STATUS: Record<ErrorCode, number> = {
  VALIDATION_FAILED: 400,
  LIMIT_EXCEEDED: 400,
  SOURCE_REFUSED: 400,
  SOURCE_NOT_FOUND: 400,
  SOURCE_UNREADABLE: 400,
  NOT_SUPPORTED: 400,
  FFMPEG_UNAVAILABLE: 500,
  RENDER_FAILED: 500,
  PIPELINE_UNAVAILABLE: 503,
  QUOTA_EXCEEDED: 429,
  IN_PROGRESS: 409,
  STORAGE_FULL: 507,
  PAYLOAD_TOO_LARGE: 413,
  IDEMPOTENCY_KEY_REUSED: 422,
};

export const json = (
  statusCode: number,
  body: unknown,
  headers: Record<string, string> = {},
): APIGatewayProxyResult => ({
  statusCode,
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
});

export function errorResponse(err: unknown): APIGatewayProxyResult {
  if (err instanceof HttpError) {
    return json(
      err.status,
      {
        error: sanitizeError({
          code: err.code,
          message: err.message,
          ...(err.details.length ? { details: err.details } : {}),
        }),
      },
      err.headers,
    );
  }
  // A full local store (the table or the object store behind this request) is the server's problem, said plainly.
  if (isStorageFull(err)) {
    const full = storageFullError(err, 'platform storage');
    logger.error('storage full', err as Error);
    return json(507, { error: full.toJSON() }, { 'retry-after': '30' });
  }
  if (err instanceof CutlineError) {
    const status = STATUS[err.code];
    // No scratch path, data dir or internal endpoint leaves in an answer (core/sanitize).
    const error = sanitizeError(err.toJSON());
    if (err instanceof QuotaExceededError)
      return json(429, { error }, { 'retry-after': String(err.retryAfterSeconds) });
    if (err.code === 'IN_PROGRESS') return json(409, { error }, { 'retry-after': '1' });
    if (status < 500) return json(status, { error });
    if (status === 503) return json(503, { error }, { 'retry-after': '5' });
  }
  logger.error('unhandled error', err as Error);
  return json(500, { error: { code: 'INTERNAL', message: 'internal error; the request id is in the logs' } });
}

/**
 * Every response may be read cross-origin: the deployed web console is served from CloudFront, not from
 * the API's origin. Callers authenticate with the x-api-key header (never cookies), so `*` leaks nothing.
 */
export const CORS_HEADERS: Record<string, string> = {
  'access-control-allow-origin': '*',
  'access-control-expose-headers': 'idempotent-replay,retry-after,location',
};

const withCors = (r: APIGatewayProxyResult): APIGatewayProxyResult => ({
  ...r,
  headers: { ...CORS_HEADERS, ...r.headers },
});

/** One place maps errors to status codes (and stamps the CORS headers), for every handler. */
export const httpErrors = (): middy.MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult> => ({
  after: async (request) => {
    if (request.response) request.response = withCors(request.response);
  },
  onError: async (request) => {
    request.response = withCors(errorResponse(request.error));
  },
});

/** The tenant is the API key's id, set by API Gateway (or the local server) in the request context. */
export function tenantOf(event: APIGatewayProxyEvent): string {
  const id = event.requestContext?.identity?.apiKeyId;
  if (!id) throw new HttpError(403, 'FORBIDDEN', 'an API key is required (x-api-key header)');
  return id;
}

export const MAX_BODY_BYTES = 1024 * 1024;

export function jsonBody(event: APIGatewayProxyEvent): unknown {
  const raw = event.body
    ? event.isBase64Encoded
      ? Buffer.from(event.body, 'base64').toString('utf8')
      : event.body
    : '';
  if (Buffer.byteLength(raw) > MAX_BODY_BYTES) {
    throw new HttpError(413, 'PAYLOAD_TOO_LARGE', `the body is larger than ${MAX_BODY_BYTES} bytes`);
  }
  if (!raw.trim())
    throw new HttpError(400, 'VALIDATION_FAILED', 'the body must be a JSON object', [
      { path: '', message: 'empty body' },
    ]);
  // Before parsing: every walk after it (number checks, zod, merge, the marshaller) recurses.
  assertJsonDepth(raw);
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch (err) {
    throw new HttpError(400, 'VALIDATION_FAILED', `the body is not valid JSON: ${(err as Error).message}`, [
      { path: '', message: 'not valid JSON' },
    ]);
  }
  assertSafeNumbers(body);
  return body;
}

/** The Idempotency-Key header (any case), when given: 1–128 letters, digits or . _ : - (else a 400). */
export function idempotencyKeyOf(event: APIGatewayProxyEvent): string | undefined {
  const key = Object.entries(event.headers ?? {}).find(([k]) => k.toLowerCase() === 'idempotency-key')?.[1];
  if (key === undefined || key === null) return undefined;
  if (!/^[\w.:-]{1,128}$/.test(key))
    throw new HttpError(
      400,
      'VALIDATION_FAILED',
      'Idempotency-Key must be 1–128 letters, digits or . _ : -',
      [{ path: 'headers.Idempotency-Key', message: 'invalid' }],
    );
  return key;
}
