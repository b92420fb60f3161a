/**
 * Runs tasks with at most `concurrency` at once. A failing task is retried up to `retries` times when its
 * error says it may succeed again (or always, with `retryAll`), then the whole run fails with that error.
 */
export async function runPool<T, R>(
  items: readonly T[],
  concurrency: number,
  task: (item: T, attempt: number) => Promise<R>,
  opts: { retries?: number; isRetryable?: (err: unknown) => boolean; signal?: AbortSignal } = {},
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  let failed: unknown;
  const retries = opts.retries ?? 1;
  const worker = async () => {
    while (next < items.length && failed === undefined && !opts.signal?.aborted) {
      const i = next++;
      for (let attempt = 0; ; attempt++) {
        try {
          results[i] = await task(items[i]!, attempt);
          break;
        } catch (err) {
          const again =
            attempt < retries && (opts.isRetryable ? opts.isRetryable(err) : true) && !opts.signal?.aborted;
          if (!again) {
            failed ??= err;
            return;
          }
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker));
  if (failed !== undefined) throw failed;
  return results;
}
