import { z } from 'zod';
import { ENV } from '../config.js';

/**
 * When a failed webhook delivery is tried again: attempt n (1-based) that failed waits
 * min(baseSeconds × 2^(n-1), maxSeconds) before attempt n+1, and after `attempts` tries the event is
 * dead-lettered. In AWS the schedule is the SQS queue's (maxReceiveCount = attempts, each failure sets the
 * message's visibility to the delay); locally the event bus sleeps the same delays. The default spans
 * about 7 hours: 30 s, 1, 2, 4, 8, 16, 32 min, then hourly.
 */
export const RetrySchedule = z
  .object({
    attempts: z.number().int().min(1).max(100),
    baseSeconds: z.number().min(0).max(43_200),
    maxSeconds: z.number().min(0).max(43_200),
  })
  .strict();
export type RetrySchedule = z.infer<typeof RetrySchedule>;

export const DEFAULT_RETRY_SCHEDULE: RetrySchedule = { attempts: 14, baseSeconds: 30, maxSeconds: 3600 };

/** Seconds to wait after failed attempt `attempt` (1-based) before the next one. */
export function retryDelaySeconds(attempt: number, s: RetrySchedule = DEFAULT_RETRY_SCHEDULE): number {
  return Math.min(s.baseSeconds * 2 ** Math.max(0, attempt - 1), s.maxSeconds);
}

/** Seconds from the first attempt to the last one: how long a receiver may stay down. */
export function retrySpanSeconds(s: RetrySchedule = DEFAULT_RETRY_SCHEDULE): number {
  let total = 0;
  for (let n = 1; n < s.attempts; n++) total += retryDelaySeconds(n, s);
  return total;
}

/** The schedule from CUTLINE_WEBHOOK_RETRY (partial JSON over the default), refused loudly when invalid. */
export function retryScheduleFromEnv(env: NodeJS.ProcessEnv = process.env): RetrySchedule {
  const raw = env[ENV.WEBHOOK_RETRY];
  if (!raw) return DEFAULT_RETRY_SCHEDULE;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new Error(`${ENV.WEBHOOK_RETRY} is not JSON: ${raw}`);
  }
  const r = RetrySchedule.safeParse({ ...DEFAULT_RETRY_SCHEDULE, ...(parsed as object) });
  if (!r.success) throw new Error(`${ENV.WEBHOOK_RETRY}: ${r.error.issues.map((i) => i.message).join('; ')}`);
  return r.data;
}
