/** Typed errors shared by every entry point; the API maps `code` to a status in one place. */
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
  | 'QUOTA_EXCEEDED'
  | 'IN_PROGRESS'
  /** The request (after merge) or the item it would store is larger than the platform keeps: 413. */
  | 'PAYLOAD_TOO_LARGE'
  /** An Idempotency-Key sent again with a different body (or route): 422, as payment APIs answer. */
  | 'IDEMPOTENCY_KEY_REUSED';

export class CutlineError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: IssueDetail[] = [],
    /** Whether running the same work again may succeed (a transient failure). */
    readonly retryable = false,
  ) {
    super(message);
    // The name is the code: Step Functions reports it as the error name (Catch, Retry, MarkFailed).
    this.name = code;
  }

  toJSON(): { code: ErrorCode; message: string; details?: IssueDetail[] } {
    return this.details.length
      ? { code: this.code, message: this.message, details: this.details }
      : { code: this.code, message: this.message };
  }
}

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
