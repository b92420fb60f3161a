/** Typed errors shared by every entry point; the API maps `code` to a status in one table (api/http.ts). */
export interface IssueDetail {
  path: string;
  message: string;
}

export type ErrorCode =
  | 'VALIDATION_FAILED'
  | 'LIMIT_EXCEEDED'
  | 'SOURCE_REFUSED'
  | 'SOURCE_NOT_FOUND'
  | 'SOURCE_UNREADABLE'
  | 'FFMPEG_UNAVAILABLE'
  | 'RENDER_FAILED'
  | 'NOT_SUPPORTED'
  | 'PIPELINE_UNAVAILABLE'
  /** An AI provider a request waits on (scene planning) failed after its retries: 502, try again. */
  | 'PROVIDER_UNAVAILABLE'
  | 'QUOTA_EXCEEDED'
  | 'IN_PROGRESS'
  | 'STORAGE_FULL'
  /** The request (after merge) or the item it would store is larger than the platform keeps: 413. */
  | 'PAYLOAD_TOO_LARGE'
  /** An Idempotency-Key sent again with a different body (or route): 422, as payment APIs answer. */
  | 'IDEMPOTENCY_KEY_REUSED'
  /** No such resource for this tenant (another tenant's reads as missing). */
  | 'NOT_FOUND'
  /** The resource's state refuses the request (a render that already ended, a project being composed). */
  | 'CONFLICT';

/** Marks every CutlineError, whichever copy of this module made it (see isCutlineError). */
const BRAND = Symbol.for('cutline.error');

export class CutlineError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: IssueDetail[] = [],
    /** Whether running the same work again may succeed (a transient failure). */
    readonly retryable = false,
  ) {
    super(message);
    // Not enumerable: the brand is for isCutlineError, not for comparisons or serialisation.
    Object.defineProperty(this, BRAND, { value: true });
    // The name is the code: Step Functions reports it as the error name (Catch, Retry, MarkFailed).
    this.name = code;
  }

  toJSON(): { code: ErrorCode; message: string; details?: IssueDetail[] } {
    return this.details.length
      ? { code: this.code, message: this.message, details: this.details }
      : { code: this.code, message: this.message };
  }
}

/**
 * `instanceof CutlineError` that also holds across copies of this module: `cutline render` runs as one
 * bundle with its own copy (bin/build.mjs), and the CLI's top level, compiled file by file, reports it.
 */
export const isCutlineError = (err: unknown): err is CutlineError =>
  err instanceof CutlineError ||
  (typeof err === 'object' && err !== null && (err as Record<symbol, unknown>)[BRAND] === true);

/** A tenant's quota is used up: the API answers 429 with Retry-After. */
export class QuotaExceededError extends CutlineError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super('QUOTA_EXCEEDED', message);
  }
}

export const validationError = (details: IssueDetail[]): CutlineError =>
  new CutlineError(
    'VALIDATION_FAILED',
    details.length === 1
      ? `${details[0]!.path || '(root)'}: ${details[0]!.message}`
      : `the edit has ${details.length} problems; the first is ${details[0]?.path || '(root)'}: ${details[0]?.message}`,
    details,
  );

/** `['timeline', 'tracks', 1, 'clips', 0]` → `timeline.tracks[1].clips[0]`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out;
}

/**
 * A write that found its disk full, as each store reports it: Node's ENOSPC / EDQUOT (scratch), or the
 * `InsufficientStorage` answer of the local S3 server and the local table (local/store-full.ts). AWS's own
 * stores never fill; Lambda's and Fargate's scratch can.
 */
export function isStorageFull(err: unknown): boolean {
  const e = err as { code?: unknown; name?: unknown; message?: unknown } | null;
  if (!e || typeof e !== 'object') return false;
  if (e instanceof CutlineError) return e.code === 'STORAGE_FULL';
  return (
    e.code === 'ENOSPC' ||
    e.code === 'EDQUOT' ||
    e.name === 'InsufficientStorage' ||
    (typeof e.message === 'string' && /\bENOSPC\b|no space left on device/i.test(e.message))
  );
}

/**
 * STORAGE_FULL naming the store (`scratch disk`, `object store`, `job table`) and what was being written;
 * the store's own message is kept when it is ours (it says how much was needed), never a path.
 */
export function storageFullError(err: unknown, store: string, writing?: string): CutlineError {
  if (err instanceof CutlineError && err.code === 'STORAGE_FULL') return err;
  const e = err as { name?: string; message?: string };
  // The local stores' own answer already says which store and how much (local/store-full.ts).
  const said =
    e?.name === 'InsufficientStorage' && e.message
      ? e.message
      : `the ${store} is full${writing ? ` (writing ${writing})` : ''}`;
  return new CutlineError('STORAGE_FULL', `${said}; free space there and submit again`);
}
