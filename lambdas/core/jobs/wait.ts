import { isTerminal, type Job } from './model.js';

/** The quick path's longest wait: API Gateway ends a request at 29 s; 4 s are left for submit and answer. */
export const MAX_WAIT_SECONDS = 25;

export interface WaitOptions {
  /** Epoch ms after which the job is returned as it is. */
  deadline: number;
  /** First pause between reads; each next one is 1.5× longer, up to maxIntervalMs. */
  intervalMs?: number;
  maxIntervalMs?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

/**
 * Reads the job (one consistent GetItem each time) with backoff until it is terminal or the deadline
 * passes, and returns the last read. It never changes the job: the quick path and the async path are the
 * same job, so a timeout loses or duplicates nothing.
 */
export async function waitForTerminal(
  read: () => Promise<Job | null>,
  opts: WaitOptions,
): Promise<Job | null> {
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const now = opts.now ?? Date.now;
  let interval = opts.intervalMs ?? 100;
  for (;;) {
    const job = await read();
    if (!job || isTerminal(job.status)) return job;
    const left = opts.deadline - now();
    if (left <= 0) return job;
    await sleep(Math.min(interval, left));
    interval = Math.min(opts.maxIntervalMs ?? 1000, interval * 1.5);
  }
}
