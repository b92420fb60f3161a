import { CutlineError } from '../errors.js';

/** AWS error names that mean "try again later". */
export const TRANSIENT_ERRORS: ReadonlySet<string> = new Set([
  'ThrottlingException',
  'TooManyRequestsException',
  'LimitExceededException',
  'ServiceUnavailableException',
  'ServiceFailureException',
  'InternalServerException',
  'InternalFailureException',
  'ModelNotReadyException',
  'ModelStreamErrorException',
  'RequestTimeout',
  'TimeoutError',
]);

/**
 * Whether a provider's error may pass on its own: throttling, a 5xx or 429, a timeout, or a CutlineError
 * a provider marked retryable (a model server that did not answer). Pure.
 */
export function isTransient(err: unknown): boolean {
  if (err instanceof CutlineError) return err.retryable;
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number }; $retryable?: unknown };
  const status = e?.$metadata?.httpStatusCode;
  return TRANSIENT_ERRORS.has(e?.name ?? '') || !!e?.$retryable || status === 429 || (status ?? 0) >= 500;
}

export interface BackoffOptions {
  /** Calls in all, the first included (default 4). */
  attempts?: number;
  /** The first retry waits up to this (default 500 ms); each later one up to twice the one before. */
  baseMs?: number;
  /** No wait is longer than this (default 8 s). */
  maxMs?: number;
  /** Which errors are worth another call (default isTransient). */
  transient?: (err: unknown) => boolean;
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
  onRetry?: (err: unknown, attempt: number, waitMs: number) => void;
}

/**
 * The wait before retry `attempt` (1 = the first retry): "full jitter", a uniform draw below the
 * exponential bound, so callers throttled together do not retry together. Pure.
 */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random: () => number): number {
  return Math.floor(random() * Math.min(maxMs, baseMs * 2 ** (attempt - 1)));
}

const sleepFor = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Runs a provider call, calling again after a transient error with exponential backoff and jitter. The
 * last error is thrown as it was (a refusal, or transient after every attempt); the one retry policy of
 * every provider call (the SDK clients make one attempt each: providers/clients.ts).
 */
export async function withBackoff<T>(
  fn: (attempt: number) => Promise<T>,
  o: BackoffOptions = {},
): Promise<T> {
  const attempts = Math.max(1, o.attempts ?? 4);
  const transient = o.transient ?? isTransient;
  const sleep = o.sleep ?? sleepFor;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (err) {
      if (attempt >= attempts || !transient(err)) throw err;
      const wait = backoffDelay(attempt, o.baseMs ?? 500, o.maxMs ?? 8000, o.random ?? Math.random);
      o.onRetry?.(err, attempt, wait);
      await sleep(wait);
    }
  }
}
