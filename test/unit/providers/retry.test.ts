import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CutlineError } from '../../../lambdas/core/errors.js';
import { backoffDelay, isTransient, withBackoff } from '../../../lambdas/core/providers/retry.js';

const throttled = () => Object.assign(new Error('slow down'), { name: 'ThrottlingException' });

describe('provider retries with exponential backoff and jitter', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('waits a jittered, doubling, capped time between attempts, then succeeds', async () => {
    const fn = vi
      .fn<(attempt: number) => Promise<string>>()
      .mockRejectedValueOnce(throttled())
      .mockRejectedValueOnce(Object.assign(new Error('boom'), { $metadata: { httpStatusCode: 503 } }))
      .mockResolvedValueOnce('ok');
    const waits: number[] = [];
    const p = withBackoff(fn, {
      baseMs: 100,
      maxMs: 1000,
      random: () => 0.5,
      onRetry: (_e, _a, w) => waits.push(w),
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(fn).toHaveBeenCalledTimes(1);
    // The first retry waits 0.5 × 100 ms: not a millisecond before.
    await vi.advanceTimersByTimeAsync(49);
    expect(fn).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(fn).toHaveBeenCalledTimes(2);
    // The second waits 0.5 × 200 ms.
    await vi.advanceTimersByTimeAsync(99);
    expect(fn).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(1);
    await expect(p).resolves.toBe('ok');
    expect(waits).toEqual([50, 100]);
    expect(fn.mock.calls.map((c) => c[0])).toEqual([1, 2, 3]);
  });

  it('gives up after the attempts with the last error; a refusal is not retried at all', async () => {
    const always = vi.fn(async () => {
      throw throttled();
    });
    const p = withBackoff(always, { attempts: 3, baseMs: 100, random: () => 1 });
    const settled = expect(p).rejects.toThrow('slow down');
    await vi.advanceTimersByTimeAsync(100 + 200);
    await settled;
    expect(always).toHaveBeenCalledTimes(3);

    const denied = vi.fn(async () => {
      throw Object.assign(new Error('no access'), { name: 'AccessDeniedException' });
    });
    await expect(withBackoff(denied)).rejects.toThrow('no access');
    expect(denied).toHaveBeenCalledTimes(1);
  });

  it('the bound doubles per attempt and is capped; the draw is below it', () => {
    expect([1, 2, 3, 4, 5, 6].map((a) => backoffDelay(a, 500, 8000, () => 0.999999))).toEqual([
      499, 999, 1999, 3999, 7999, 7999,
    ]);
    expect(backoffDelay(3, 500, 8000, () => 0)).toBe(0);
  });

  it('transient: throttling, 429/5xx, timeouts and retryable CutlineErrors; not refusals or bad input', () => {
    expect(isTransient(throttled())).toBe(true);
    expect(isTransient({ name: 'X', $metadata: { httpStatusCode: 429 } })).toBe(true);
    expect(isTransient({ name: 'TimeoutError' })).toBe(true);
    expect(isTransient(new CutlineError('RENDER_FAILED', 'model server down', [], true))).toBe(true);
    expect(isTransient(new CutlineError('VALIDATION_FAILED', 'bad'))).toBe(false);
    expect(isTransient({ name: 'ValidationException', $metadata: { httpStatusCode: 400 } })).toBe(false);
    expect(isTransient({ name: 'AccessDeniedException', $metadata: { httpStatusCode: 403 } })).toBe(false);
  });
});
