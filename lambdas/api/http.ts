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

/** Codes only the HTTP edge answers with (the API server's and API Gateway's own refusals). */
export type HttpCode =
  | ErrorCode
  | 'FORBIDDEN'
  | 'METHOD_NOT_ALLOWED'
  | 'THROTTLED'
  | 'INTERNAL'
  /** POST /v1/preview's frame took longer than its cap. */
  | 'PREVIEW_TIMEOUT';

/**
 * The one table of statuses: every error code's HTTP status, and the Retry-After (seconds) its answer
 * carries. A code at 500 is the server's problem: its answer says INTERNAL, never the message.
 */
const STATUS: Record<HttpCode, { status: number; retryAfter?: number }> = {
  VALIDATION_FAILED: { status: 400 },
  LIMIT_EXCEEDED: { status: 400 },
  SOURCE_REFUSED: { status: 400 },
  SOURCE_NOT_FOUND: { status: 400 },
  SOURCE_UNREADABLE: { status: 400 },
  NOT_SUPPORTED: { status: 400 },
  FORBIDDEN: { status: 403 },
  NOT_FOUND: { status: 404 },
  METHOD_NOT_ALLOWED: { status: 405 },
  CONFLICT: { status: 409 },
  IN_PROGRESS: { status: 409, retryAfter: 1 },
  PAYLOAD_TOO_LARGE: { status: 413 },
  IDEMPOTENCY_KEY_REUSED: { status: 422 },
  // QuotaExceededError carries its own Retry-After; a throttled key waits as long as its bucket says.
  QUOTA_EXCEEDED: { status: 429 },
  THROTTLED: { status: 429 },
  FFMPEG_UNAVAILABLE: { status: 500 },
  RENDER_FAILED: { status: 500 },
  INTERNAL: { status: 500 },
  PIPELINE_UNAVAILABLE: { status: 503, retryAfter: 5 },
  PROVIDER_UNAVAILABLE: { status: 502, retryAfter: 5 },
  PREVIEW_TIMEOUT: { status: 504 },
  STORAGE_FULL: { status: 507, retryAfter: 30 },
};

/** The status of a code (500 for a code the table does not know). */
export const statusOf = (code: string): number => STATUS[code as HttpCode]?.status ?? 500;

const retryAfter = (code: string): Record<string, string> => {
  const seconds = STATUS[code as HttpCode]?.retryAfter;
  return seconds === undefined ? {} : { 'retry-after': String(seconds) };
};

/** A client-facing HTTP error, its status from the table; anything else becomes a 500 without internals. */
export class HttpError extends Error {
  readonly status: number;
  constructor(
    readonly code: HttpCode,
    message: string,
    readonly details: Array<{ path: string; message: string }> = [],
    opts: { headers?: Record<string, string>; status?: number } = {},
  ) {
    super(message);
    this.status = opts.status ?? statusOf(code);
    this.headers = opts.headers ?? {};
  }
  readonly headers: Record<string, string>;
}

export const notFound = (message: string): HttpError => new HttpError('NOT_FOUND', message);
export const conflict = (message: string): HttpError => new HttpError('CONFLICT', message);

/** A refusal at JSON paths, its message the first problem's (VALIDATION_FAILED unless said). */
export const invalid = (
  details: Array<{ path: string; message: string }>,
  code: HttpCode = 'VALIDATION_FAILED',
) => new HttpError(code, `${details[0]!.path || '(root)'}: ${details[0]!.message}`, details);

/**
 * Content the request announces (an upload's size) over a limit: 413 whatever limit refused it, where
 * the same code about a source at submit is a 400 (the request itself was small).
 */
export const contentTooLarge = (
  code: ErrorCode,
  message: string,
  details: Array<{ path: string; message: string }>,
): HttpError => new HttpError(code, message, details, { status: 413 });

export const json = (
  statusCode: number,
  body: unknown,
  headers: Record<string, string> = {},
): APIGatewayProxyResult => ({
  statusCode,
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
});

/** An answer in the platform's error shape (the local API server's own refusals use it too). */
export const errorJson = (code: HttpCode, message: string, headers: Record<string, string> = {}) =>
  json(statusOf(code), { error: { code, message } }, { ...retryAfter(code), ...headers });

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
      { ...retryAfter(err.code), ...err.headers },
    );
  }
  // A full local store (the table or the object store behind this request) is the server's problem, said plainly.
  if (isStorageFull(err)) {
    const full = storageFullError(err, 'platform storage');
    logger.error('storage full', err as Error);
    return json(statusOf(full.code), { error: full.toJSON() }, retryAfter(full.code));
  }
  if (err instanceof CutlineError) {
    const status = statusOf(err.code);
    // No scratch path, data dir or internal endpoint leaves in an answer (core/sanitize).
    const error = sanitizeError(err.toJSON());
    if (err instanceof QuotaExceededError)
      return json(status, { error }, { 'retry-after': String(err.retryAfterSeconds) });
    if (status !== 500) return json(status, { error }, retryAfter(err.code));
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
  if (!id) throw new HttpError('FORBIDDEN', 'an API key is required (x-api-key header)');
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
    throw new HttpError('PAYLOAD_TOO_LARGE', `the body is larger than ${MAX_BODY_BYTES} bytes`);
  }
  if (!raw.trim())
    throw new HttpError('VALIDATION_FAILED', 'the body must be a JSON object', [
      { path: '', message: 'empty body' },
    ]);
  // Before parsing: every walk after it (number checks, zod, merge, the marshaller) recurses.
  assertJsonDepth(raw);
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch (err) {
    throw new HttpError('VALIDATION_FAILED', `the body is not valid JSON: ${(err as Error).message}`, [
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
    throw new HttpError('VALIDATION_FAILED', 'Idempotency-Key must be 1–128 letters, digits or . _ : -', [
      { path: 'headers.Idempotency-Key', message: 'invalid' },
    ]);
  return key;
}
