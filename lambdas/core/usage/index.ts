import { randomUUID } from 'node:crypto';
import { clients } from '../aws/clients.js';
import { ENV } from '../config.js';
import { QuotaExceededError } from '../errors.js';
import type { Job, JobOutput } from '../jobs/model.js';
import { getPlatform } from '../platform.js';
import { probeHeaders } from '../media/probe-headers.js';
import { rangeProxy } from '../net/range-proxy.js';
import { monthOf, Quota, quotaVerdict } from './quota.js';
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
}

/** The tenant's quota: its own item, else CUTLINE_DEFAULT_QUOTA, else none. */
export async function quotaFor(tenantId: string): Promise<Quota | null> {
  const own = await cachedQuota(tenantId);
  if (own) return own;
  const env = process.env[ENV.DEFAULT_QUOTA];
  return env ? Quota.parse(JSON.parse(env)) : null;
}

/**
 * Refuses a new job when one of the tenant's quotas is used up (QUOTA_EXCEEDED → 429 with Retry-After
 * until the month resets). Jobs still running are not counted until they finish.
 */
export async function assertQuota(tenantId: string, now = new Date()): Promise<void> {
  const quota = await quotaFor(tenantId);
  if (!quota || !Object.keys(quota).length) return;
  const { from, to } = monthOf(now);
  const month = sumUsage(await usageStore().list(tenantId, from, to));
  const refusal = quotaVerdict(quota, month, now);
  if (refusal) throw new QuotaExceededError(refusal.message, refusal.retryAfterSeconds);
}
