import { JOB_STATUSES, type Job, type JobStatus } from '../jobs/model.js';
import { estimateErrorSummary, quantile, type EstimateErrorSummary } from './stats.js';

/** What /v1/metrics needs of a job (the query projects only these). */
export type MetricsJob = Pick<Job, 'status' | 'createdAt' | 'timings'> &
  Partial<Pick<Job, 'estimatedSeconds' | 'submitEstimate' | 'actual'>>;

export interface TenantMetrics {
  window: { from: string; to: string };
  /** Jobs created in the window. */
  jobs: number;
  byStatus: Record<JobStatus, number>;
  /** SUCCEEDED / (SUCCEEDED + FAILED) among the window's ended jobs; cancelled ones are the client's choice. */
  successRate: number | null;
  /** Seconds from the first stage to the end, of the window's SUCCEEDED jobs. */
  renderSeconds: { count: number; p50: number | null; p95: number | null };
  /** Seconds from submit to the first stage. */
  queueSeconds: { count: number; p50: number | null; p95: number | null };
  /** Jobs queued or running now (any age). */
  queueDepth: { queued: number; running: number; total: number };
  /** The cost model against what was measured: the submit estimate, and the Plan step's. */
  estimateError: { submit: EstimateErrorSummary; plan: EstimateErrorSummary };
  /** True when the window held more jobs than were read (the figures cover the newest ones read). */
  truncated: boolean;
}

const seconds = (a?: string, b?: string) =>
  a && b ? Math.max(0, (Date.parse(b) - Date.parse(a)) / 1000) : undefined;

const r3 = (x: number | null) => (x === null ? null : Math.round(x * 1000) / 1000);

/** Pure: the tenant's figures over a window of jobs. */
export function computeMetrics(
  jobs: readonly MetricsJob[],
  window: { from: string; to: string },
  queue: { queued: number; running: number },
  truncated = false,
): TenantMetrics {
  const byStatus = Object.fromEntries(JOB_STATUSES.map((s) => [s, 0])) as Record<JobStatus, number>;
  for (const j of jobs) byStatus[j.status]++;
  const ended = byStatus.SUCCEEDED + byStatus.FAILED;
  const ok = jobs.filter((j) => j.status === 'SUCCEEDED');
  const render = ok
    .map((j) => j.actual?.renderSeconds ?? seconds(j.timings.startedAt, j.timings.endedAt))
    .filter((x): x is number => x !== undefined);
  const queued = jobs
    .map((j) => seconds(j.timings.queuedAt, j.timings.startedAt))
    .filter((x): x is number => x !== undefined);
  const actual = (j: MetricsJob) =>
    j.actual?.renderSeconds ?? seconds(j.timings.startedAt, j.timings.endedAt);
  return {
    window,
    jobs: jobs.length,
    byStatus,
    successRate: ended ? r3(byStatus.SUCCEEDED / ended) : null,
    renderSeconds: { count: render.length, p50: r3(quantile(render, 0.5)), p95: r3(quantile(render, 0.95)) },
    queueSeconds: { count: queued.length, p50: r3(quantile(queued, 0.5)), p95: r3(quantile(queued, 0.95)) },
    queueDepth: { ...queue, total: queue.queued + queue.running },
    estimateError: {
      submit: estimateErrorSummary(
        ok.map((j) => ({ estimatedSeconds: j.submitEstimate?.estimatedSeconds, actualSeconds: actual(j) })),
      ),
      plan: estimateErrorSummary(
        ok.map((j) => ({ estimatedSeconds: j.estimatedSeconds, actualSeconds: actual(j) })),
      ),
    },
    truncated,
  };
}

const UNITS = { m: 60, h: 3600, d: 86400 } as const;
export const MAX_WINDOW_SECONDS = 31 * 86400;

/** `15m`, `24h`, `7d` → seconds; null when malformed or longer than 31 days. */
export function parseWindow(raw: string): number | null {
  const m = /^(\d{1,4})([mhd])$/.exec(raw);
  if (!m) return null;
  const s = Number(m[1]) * UNITS[m[2] as keyof typeof UNITS];
  return s > 0 && s <= MAX_WINDOW_SECONDS ? s : null;
}
