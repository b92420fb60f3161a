import type { JobStatus } from '../jobs/model.js';
import { getPlatform } from '../platform.js';
import { computeMetrics, type MetricsJob, type TenantMetrics } from './metrics.js';

/** At most this many jobs are read per request (newest first); more sets `truncated`. */
export const MAX_METRICS_JOBS = 5000;

/**
 * Reads the tenant's jobs created in the window from GSI1 (tenant / createdAt), only the fields the
 * figures need, and the current queue from GSI2 (status / createdAt) filtered to the tenant.
 */
export async function tenantMetrics(
  tenantId: string,
  windowSeconds: number,
  now = new Date(),
): Promise<TenantMetrics> {
  const store = getPlatform().jobs;
  const from = new Date(now.getTime() - windowSeconds * 1000).toISOString();
  const to = now.toISOString();
  const { jobs, truncated } = await store.createdBetween<MetricsJob>(tenantId, from, to, {
    max: MAX_METRICS_JOBS,
    fields: [
      'status',
      'createdAt',
      'timings',
      'estimatedSeconds',
      'submitEstimate.estimatedSeconds',
      'actual',
    ],
  });
  const count = (status: JobStatus) => store.countInStatus(tenantId, status);
  const [queued, running] = await Promise.all([count('QUEUED'), count('RUNNING')]);
  return computeMetrics(jobs.slice(0, MAX_METRICS_JOBS), { from, to }, { queued, running }, truncated);
}
