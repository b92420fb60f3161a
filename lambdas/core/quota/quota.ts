import { z } from 'zod';

/**
 * Per-tenant quotas beyond the usage plan's request quota, per UTC calendar month, enforced at submit by
 * reserving each job's estimate on the month's counter (reservation.ts). Stored as PK=TENANT#<tenant>, SK=QUOTA; tenants without one get CUTLINE_DEFAULT_QUOTA
 * (JSON of the same shape), or no limit.
 */
export const Quota = z.strictObject({
  /** Minutes of finished video/audio per month. */
  renderMinutesPerMonth: z.number().positive().optional(),
  /** Compute minutes (chunk-seconds / 60) per month. */
  computeMinutesPerMonth: z.number().positive().optional(),
  /** GB (10^9 bytes) of outputs written per month. */
  storedGBPerMonth: z.number().positive().optional(),
  /**
   * Estimated USD of AI provider calls per month (transcription, voice, ranking, planning: cost.ts);
   * each call reserves its estimate first and is refused when it would pass this.
   */
  providerUsdPerMonth: z.number().positive().optional(),
});
export type Quota = z.infer<typeof Quota>;

/** The UTC month around `now`: first and last day (YYYY-MM-DD) and when the next starts. */
export function monthOf(now: Date): { from: string; to: string; resetsAt: Date } {
  const y = now.getUTCFullYear();
  const m = now.getUTCMonth();
  const first = new Date(Date.UTC(y, m, 1));
  const next = new Date(Date.UTC(y, m + 1, 1));
  const last = new Date(next.getTime() - 86_400_000);
  return { from: first.toISOString().slice(0, 10), to: last.toISOString().slice(0, 10), resetsAt: next };
}
