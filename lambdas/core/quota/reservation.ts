import type { JobEstimate } from '../plan/estimate.js';
import { monthOf, type Quota } from './quota.js';

/**
 * Quota reservations, pure part. A tenant's month has one counter item of what is *committed*: the usage
 * of jobs that ended plus the reservations of jobs still running. A submit reserves its estimate with one
 * conditional update (committed + estimate ≤ limit for every quota the tenant has), so parallel submits
 * cannot all pass; the job's end settles it (the reservation is taken back and the measured usage added).
 */

/** The counter's fields, in the units the usage records keep. */
export interface Amounts {
  renderSeconds: number;
  computeSeconds: number;
  bytes: number;
}

export interface Reservation extends Amounts {
  /** The month (YYYY-MM) whose counter holds it: the month the job was submitted in. */
  month: string;
  /** `estimate` from the submit estimate, `default` where (part of) the job could not be estimated. */
  basis: 'estimate' | 'default';
}

/**
 * What a job whose estimate is unknown (a source of unknown length, a kind that prepares media first)
 * reserves: 5 minutes of output and 10 minutes of compute. Conservative for a single job; settled to
 * the measured usage when the job ends.
 */
export const UNKNOWN_ESTIMATE: Readonly<Amounts> = Object.freeze({
  renderSeconds: 300,
  computeSeconds: 600,
  bytes: 300 * 1_000_000,
});

/** Output bytes reserved per second of output: 8 Mbit/s, above the HD presets' bitrates. */
export const BYTES_PER_OUTPUT_SECOND = 1_000_000;

const r3 = (x: number) => Math.round(x * 1000) / 1000;

/**
 * The reservation for a submit estimate: each rendition's output seconds, its compute as its estimated
 * seconds times its chunks (every chunk may run as long as the whole), bytes at BYTES_PER_OUTPUT_SECOND;
 * plus UNKNOWN_ESTIMATE once when anything is unknown.
 */
export function reservationFor(estimate: JobEstimate | undefined, now: Date): Reservation {
  const month = monthOf(now).from.slice(0, 7);
  const known = estimate?.renditions ?? [];
  let renderSeconds = 0;
  let computeSeconds = 0;
  for (const r of known) {
    renderSeconds += r.durationSeconds;
    computeSeconds += Math.max(r.durationSeconds, r.estimatedSeconds * Math.max(1, r.plan.chunks));
  }
  const unknown = !estimate || !known.length || !estimate.complete || estimate.unknown.length > 0;
  if (unknown) {
    renderSeconds += UNKNOWN_ESTIMATE.renderSeconds;
    computeSeconds += UNKNOWN_ESTIMATE.computeSeconds;
  }
  return {
    month,
    basis: unknown ? 'default' : 'estimate',
    renderSeconds: r3(renderSeconds),
    computeSeconds: r3(computeSeconds),
    bytes: Math.round(renderSeconds * BYTES_PER_OUTPUT_SECOND),
  };
}

export interface QuotaBound {
  field: keyof Amounts;
  limit: number;
  what: string;
  name: keyof Quota;
  scale: number;
  unit: string;
}

/** Each quota as the counter field it bounds, its unit and the scale from that unit to the field's. */
const BOUNDS: ReadonlyArray<Omit<QuotaBound, 'limit'>> = [
  { name: 'renderMinutesPerMonth', field: 'renderSeconds', what: 'render minutes', scale: 60, unit: 'min' },
  {
    name: 'computeMinutesPerMonth',
    field: 'computeSeconds',
    what: 'compute minutes',
    scale: 60,
    unit: 'min',
  },
  { name: 'storedGBPerMonth', field: 'bytes', what: 'GB of outputs', scale: 1e9, unit: 'GB' },
];

/** Each quota the tenant has, as the counter field it bounds and the limit in that field's units. */
export function quotaBounds(quota: Quota): QuotaBound[] {
  return BOUNDS.flatMap((b) => {
    const value = quota[b.name];
    return value === undefined ? [] : [{ ...b, limit: value * b.scale }];
  });
}

const fmt = (x: number) => (Math.round(x * 100) / 100).toString();

/** The first quota the reservation does not fit in (committed + amount > limit), with a message, or null. */
export function reservationRefusal(
  quota: Quota,
  committed: Amounts,
  want: Reservation,
  now: Date,
): { message: string; retryAfterSeconds: number } | null {
  const { resetsAt } = monthOf(now);
  for (const b of quotaBounds(quota)) {
    if (committed[b.field] + want[b.field] <= b.limit) continue;
    return {
      message: `the ${b.what} quota for ${want.month} is used up (${fmt(committed[b.field] / b.scale)} of ${fmt(b.limit / b.scale)} used or reserved by running jobs; this job needs ${fmt(want[b.field] / b.scale)}${want.basis === 'default' ? ', a default for a job that cannot be estimated' : ''}); it resets at ${resetsAt.toISOString()}, or sooner as running jobs finish — ask the operator to raise ${b.name} for this tenant`,
      retryAfterSeconds: Math.max(1, Math.ceil((resetsAt.getTime() - now.getTime()) / 1000)),
    };
  }
  return null;
}
