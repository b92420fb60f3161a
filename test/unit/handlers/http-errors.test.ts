import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  conflict,
  contentTooLarge,
  errorResponse,
  HttpError,
  invalid,
  notFound,
  statusOf,
} from '../../../lambdas/api/http.js';
import { CutlineError, QuotaExceededError, type ErrorCode } from '../../../lambdas/core/errors.js';

const answer = (err: unknown) => {
  const r = errorResponse(err);
  return { status: r.statusCode, body: JSON.parse(r.body), retryAfter: r.headers?.['retry-after'] };
};

describe('HTTP errors carry their status from one table', () => {
  it('core errors answer with their code’s status and Retry-After', () => {
    const cases: Array<[ErrorCode, number, string | undefined]> = [
      ['VALIDATION_FAILED', 400, undefined],
      ['NOT_SUPPORTED', 400, undefined],
      ['NOT_FOUND', 404, undefined],
      ['CONFLICT', 409, undefined],
      ['IN_PROGRESS', 409, '1'],
      ['PAYLOAD_TOO_LARGE', 413, undefined],
      ['IDEMPOTENCY_KEY_REUSED', 422, undefined],
      ['PIPELINE_UNAVAILABLE', 503, '5'],
      ['STORAGE_FULL', 507, '30'],
    ];
    for (const [code, status, retryAfter] of cases) {
      const got = answer(new CutlineError(code, `it was ${code}`));
      expect([code, got.status, got.body.error.code, got.retryAfter]).toEqual([
        code,
        status,
        code,
        retryAfter,
      ]);
    }
    const quota = answer(new QuotaExceededError('the month is used up', 120));
    expect([quota.status, quota.retryAfter]).toEqual([429, '120']);
  });

  it('server-side codes answer 500 INTERNAL without their message', () => {
    for (const err of [
      new CutlineError('RENDER_FAILED', 'ffmpeg at /tmp/x failed'),
      new CutlineError('FFMPEG_UNAVAILABLE', 'no ffmpeg'),
      new CutlineError('SOMETHING_ELSE' as ErrorCode, 'unknown'),
      new Error('boom at /var/task'),
    ]) {
      const got = answer(err);
      expect([got.status, got.body.error.code]).toEqual([500, 'INTERNAL']);
      expect(JSON.stringify(got.body)).not.toContain('/tmp/x');
    }
  });

  it('the HTTP factories take their status from the table; an announced size over a limit is 413', () => {
    expect([notFound('no such render').status, conflict('ended').status]).toEqual([404, 409]);
    expect(new HttpError('FORBIDDEN', 'no key').status).toBe(403);
    const bad = invalid([{ path: 'query.limit', message: 'too big' }]);
    expect([bad.status, bad.code, bad.message]).toEqual([400, 'VALIDATION_FAILED', 'query.limit: too big']);
    expect(invalid([{ path: 'scenes', message: 'too many' }], 'LIMIT_EXCEEDED').status).toBe(400);
    const big = answer(
      contentTooLarge('LIMIT_EXCEEDED', 'bytes: too big', [{ path: 'bytes', message: 'x' }]),
    );
    expect([big.status, big.body.error.code, big.body.error.details[0].path]).toEqual([
      413,
      'LIMIT_EXCEEDED',
      'bytes',
    ]);
    expect([statusOf('THROTTLED'), statusOf('METHOD_NOT_ALLOWED'), statusOf('nope')]).toEqual([
      429, 405, 500,
    ]);
  });

  it('no handler or server spells a status beside an error code', () => {
    const root = join(import.meta.dirname, '../../..');
    const files = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
      );
    const spelled = [...files(join(root, 'lambdas')), ...files(join(root, 'local'))].filter((f) =>
      /new HttpError\(\s*\d|error\(\s*\d{3}\s*,\s*'[A-Z_]+'/.test(readFileSync(f, 'utf8')),
    );
    expect(spelled).toEqual([]);
  });
});
