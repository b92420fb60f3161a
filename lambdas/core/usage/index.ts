import { randomUUID } from 'node:crypto';
import { clients } from '../aws/clients.js';
import { ENV } from '../config.js';
import { QuotaExceededError } from '../errors.js';
import type { Job, JobOutput } from '../jobs/model.js';
import { getPlatform } from '../platform.js';
import { probeHeaders } from '../media/probe-headers.js';
import { rangeProxy } from '../net/range-proxy.js';
import type { JobEstimate } from '../plan/estimate.js';
import { monthOf, Quota } from '../quota/quota.js';
import {
  quotaBounds,
  reservationFor,
  reservationRefusal,
  type Amounts,
  type Reservation,
} from '../quota/reservation.js';
import { jobSeconds, sumUsage, usageRecord, type UsageRecord } from './record.js';
import { UsageStore } from './store.js';

/** Made per call: the platform (table, clients) may be re-pointed by tests and the local runtime. */
export const usageStore = (): UsageStore => new UsageStore(clients().db, getPlatform().table);

/** Video/audio outputs without a duration (stitched ones) get it from their headers, read in place. */
async function withDurations<T extends Pick<JobOutput, 'kind' | 'key' | 'durationSeconds'>>(
  outputs: readonly T[],
): Promise<T[]> {
  const p = getPlatform();
  if (
    !outputs.some((o) => (o.kind === 'video' || o.kind === 'audio') && typeof o.durationSeconds !== 'number')
  )
    return [...outputs];
  const proxy = await rangeProxy();
  const scope = `durations/${randomUUID()}`;
  return Promise.all(
    outputs.map(async (o) => {
      if ((o.kind !== 'video' && o.kind !== 'audio') || typeof o.durationSeconds === 'number') return o;
      try {
        // Through the loopback range proxy: the layer's static ffprobe cannot resolve S3's name.
        const url = proxy.allow(
          p.objects.rangeSource(p.outputsBucket, o.key, () => new Error(`${o.key} is not stored`)),
          scope,
          o.key,
        );
        const probe = await probeHeaders(url, o.key);
        return probe.durationSeconds === null ? o : { ...o, durationSeconds: probe.durationSeconds };
      } catch {
        return o; // counted as unmeasuredOutputs in the record
      }
    }),
  ).finally(() => proxy.release(scope));
}

/**
 * Finalize's hook: writes the job's measured seconds (`actual`) and its usage record. Idempotent — the
 * record is a conditional put keyed by day and job, so a second call counts nothing twice. Call it with
 * the finished job (status SUCCEEDED, timings.endedAt set).
 */
export async function recordCompletion(
  job: Job,
  outputs: ReadonlyArray<
    Pick<JobOutput, 'kind' | 'key' | 'bytes' | 'durationSeconds' | 'width' | 'height'>
  > = job.outputs ?? [],
): Promise<UsageRecord> {
  const endedAt = job.timings.endedAt ?? new Date().toISOString();
  const s = usageStore();
  const record = usageRecord(job, await withDurations(outputs), endedAt);
  await s.setJobFacts(job.id, { actual: jobSeconds(job, endedAt) });
  await s.put(record);
  await settle(job, record);
  return record;
}

/** The render tasks' hook: adds measured compute seconds to the job (see README, usage metering). */
export async function meterCompute(jobId: string, seconds: number): Promise<void> {
  if (seconds > 0) await usageStore().addCompute(jobId, seconds);
}

/**
 * A tenant's own quota item, read at most once a minute per process: every submit checks it, and quotas
 * change rarely (a changed quota applies within a minute).
 */
const QUOTA_TTL_MS = 60_000;
const quotaCache = new Map<string, { at: number; quota: Promise<Quota | null> }>();
function cachedQuota(tenantId: string): Promise<Quota | null> {
  const hit = quotaCache.get(tenantId);
  if (hit && Date.now() - hit.at < QUOTA_TTL_MS) return hit.quota;
  const quota = usageStore().getQuota(tenantId);
  quota.catch(() => quotaCache.delete(tenantId));
  quotaCache.set(tenantId, { at: Date.now(), quota });
  if (quotaCache.size > 1000) quotaCache.delete(quotaCache.keys().next().value!);
  return quota;
}

/** Tests that change a quota drop the cached ones. */
export function resetQuotaCache(): void {
  quotaCache.clear();
  knownCounters.clear();
}

/** Month counters (tenant#YYYY-MM) this process has read or created: later submits just reserve. */
const knownCounters = new Set<string>();

/** The tenant's quota: its own item, else CUTLINE_DEFAULT_QUOTA, else none. */
export async function quotaFor(tenantId: string): Promise<Quota | null> {
  const own = await cachedQuota(tenantId);
  if (own) return own;
  const env = process.env[ENV.DEFAULT_QUOTA];
  return env ? Quota.parse(JSON.parse(env)) : null;
}

/**
 * Reserves a new job's estimate against the tenant's quotas (see reservation.ts): one conditional update
 * of the month's counter, so of N parallel submits only as many as fit pass; the others are refused with
 * QUOTA_EXCEEDED (429, Retry-After). Undefined for a tenant without quotas (nothing to reserve).
 */
export async function reserveQuota(
  tenantId: string,
  estimate: JobEstimate | undefined,
  now = new Date(),
): Promise<Reservation | undefined> {
  const quota = await quotaFor(tenantId);
  const bounds = quota ? quotaBounds(quota) : [];
  if (!quota || !bounds.length) return undefined;
  const want = reservationFor(estimate, now);
  const s = usageStore();
  const refuse = (c: Amounts): never => {
    const r = reservationRefusal(quota, c, want, now) ?? {
      message: `the quota for ${want.month} has no room for this job right now`,
      retryAfterSeconds: 60,
    };
    throw new QuotaExceededError(r.message, r.retryAfterSeconds);
  };
  const max = Object.fromEntries(bounds.map((b) => [b.field, b.limit - want[b.field]]));
  // A counter this process has seen is reserved on directly (one write); the first time, it is read
  // (and seeded from the usage records when the month has none yet).
  const seen = `${tenantId}#${want.month}`;
  if (!knownCounters.has(seen)) {
    const c = (await s.getCounter(tenantId, want.month)) ?? (await seedCounter(tenantId, want.month, now));
    knownCounters.add(seen);
    if (knownCounters.size > 1000) knownCounters.delete(knownCounters.values().next().value!);
    if (reservationRefusal(quota, c, want, now)) refuse(c);
  }
  if (await s.reserve(tenantId, want.month, want, max)) return want;
  // Refused, or the counter is gone (another table): read it; a fresh one gets one more try.
  const had = await s.getCounter(tenantId, want.month);
  if (had) return refuse(had);
  const seeded = await seedCounter(tenantId, want.month, now);
  if (!reservationRefusal(quota, seeded, want, now) && (await s.reserve(tenantId, want.month, want, max)))
    return want;
  return refuse((await s.getCounter(tenantId, want.month)) ?? seeded);
}

/** The month's counter from the usage records already written (jobs that ended before any reservation). */
async function seedCounter(tenantId: string, month: string, now: Date): Promise<Amounts> {
  const { from, to } = monthOf(now);
  const used = sumUsage(await usageStore().list(tenantId, from, to));
  return usageStore().seedCounter(tenantId, month, {
    renderSeconds: used.renderedSeconds,
    computeSeconds: used.chunkSeconds,
    bytes: used.bytesStored,
  });
}

/** Takes a reservation back whole: the job it was made for was never written or never started. */
export async function releaseReservation(tenantId: string, r: Reservation): Promise<void> {
  await usageStore().adjustCounter(tenantId, r.month, {
    renderSeconds: -r.renderSeconds,
    computeSeconds: -r.computeSeconds,
    bytes: -r.bytes,
  });
}

/**
 * Settles an ended job once: its reservation is replaced by what its usage record measured (for a job
 * without one, the record is added to the month's counter when the tenant has one).
 */
async function settle(job: Job, record: UsageRecord): Promise<void> {
  const s = usageStore();
  if (!(await s.markSettled(job.id, record.endedAt))) return;
  const r = job.reservation;
  await s.adjustCounter(job.tenantId, r?.month ?? record.day.slice(0, 7), {
    renderSeconds: record.renderedSeconds - (r?.renderSeconds ?? 0),
    computeSeconds: record.chunkSeconds - (r?.computeSeconds ?? 0),
    bytes: record.bytesStored - (r?.bytes ?? 0),
  });
}

/**
 * MarkFailed's and cancel's hook: a job that ended without outputs still used compute. Its usage record
 * counts the compute seconds the render tasks metered (0 when none ran: queue time is not compute), and
 * its reservation is settled to that. Idempotent like recordCompletion.
 */
export async function recordUnfinished(job: Job): Promise<UsageRecord> {
  const endedAt = job.timings.endedAt ?? new Date().toISOString();
  const record: UsageRecord = {
    ...usageRecord(job, [], endedAt),
    chunkSeconds: Math.round((job.computeSeconds ?? 0) * 1000) / 1000,
    chunkSecondsSource: 'metered',
    status: job.status === 'CANCELLED' ? 'CANCELLED' : 'FAILED',
  };
  await usageStore().put(record);
  await settle(job, record);
  return record;
}
