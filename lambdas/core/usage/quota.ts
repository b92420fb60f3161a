import { z } from 'zod';
import type { UsageTotals } from './record.js';

/**
 * Per-tenant quotas beyond the usage plan's request quota, counted per UTC calendar month from the
 * usage records. Stored as PK=TENANT#<tenant>, SK=QUOTA; tenants without one get CUTLINE_DEFAULT_QUOTA
 * (JSON of the same shape), or no limit.
 */
export const Quota = z.strictObject({
  /** Minutes of finished video/audio per month. */
  renderMinutesPerMonth: z.number().positive().optional(),
  /** Compute minutes (chunk-seconds / 60) per month. */
  computeMinutesPerMonth: z.number().positive().optional(),
  /** GB (10^9 bytes) of outputs written per month. */
  storedGBPerMonth: z.number().positive().optional(),
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

export interface QuotaRefusal {
  quota: keyof Quota;
  limit: number;
  used: number;
  message: string;
  retryAfterSeconds: number;
}

const fmt = (x: number) => (Math.round(x * 100) / 100).toString();

/** The first exhausted quota (used ≥ limit), or null when the tenant may start another job. */
export function quotaVerdict(quota: Quota, month: UsageTotals, now: Date): QuotaRefusal | null {
  const { from, resetsAt } = monthOf(now);
  const checks: Array<[keyof Quota, number, string]> = [
    ['renderMinutesPerMonth', month.renderedSeconds / 60, 'render minutes'],
    ['computeMinutesPerMonth', month.chunkSeconds / 60, 'compute minutes'],
    ['storedGBPerMonth', month.bytesStored / 1e9, 'GB of outputs'],
  ];
  for (const [name, used, what] of checks) {
    const limit = quota[name];
    if (limit === undefined || used < limit) continue;
    return {
      quota: name,
      limit,
      used,
      message: `the ${what} quota for ${from.slice(0, 7)} is used up (${fmt(used)} of ${fmt(limit)}); it resets at ${resetsAt.toISOString()} — ask the operator to raise ${name} for this tenant`,
      retryAfterSeconds: Math.max(1, Math.ceil((resetsAt.getTime() - now.getTime()) / 1000)),
    };
  }
  return null;
}
