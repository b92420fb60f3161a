/** A render error that another attempt may fix; the state machine retries it with backoff. */
export class RenderRetryableError extends Error {
  override name = 'RenderRetryableError';
}
