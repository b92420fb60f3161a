import { workerBudget } from '../config.js';
import type { Job } from './model.js';
import type { JobStore } from './store.js';

type Entry = Pick<Job, 'id' | 'progress' | 'estimatedSeconds' | 'submitEstimate'>;

export interface QueueView {
  /** 1 = the next job to start. */
  position: number;
  /** Jobs queued before this one (every tenant's: they share the workers). */
  ahead: number;
  running: number;
  workers?: number;
  /**
   * Seconds until a worker is free for this job: the estimated work left in the running jobs and the
   * queued ones ahead, spread over the workers. Absent when there is no worker budget (AWS scales out)
   * or no job involved has an estimate.
   */
  estimatedStartSeconds?: number;
}

const estimateOf = (j: Entry): number | undefined =>
  j.estimatedSeconds ??
  (typeof j.submitEstimate?.estimatedSeconds === 'number' ? j.submitEstimate.estimatedSeconds : undefined);

/** Where a QUEUED job stands (pure): unknown estimates count as the mean of the known ones. */
export function queueView(ahead: readonly Entry[], running: readonly Entry[], workers: number): QueueView {
  const view: QueueView = { position: ahead.length + 1, ahead: ahead.length, running: running.length };
  if (!Number.isFinite(workers)) return view;
  view.workers = workers;
  const known = [...ahead, ...running].map(estimateOf).filter((s): s is number => s !== undefined);
  if (!known.length && ahead.length + running.length > 0) return view;
  const mean = known.length ? known.reduce((a, b) => a + b, 0) / known.length : 0;
  const left = (j: Entry) => (estimateOf(j) ?? mean) * (1 - Math.min(100, Math.max(0, j.progress)) / 100);
  const work =
    running.reduce((s, j) => s + left(j), 0) + ahead.reduce((s, j) => s + (estimateOf(j) ?? mean), 0);
  // Until the free workers are used up, a queued job starts at once.
  const busy = running.length + ahead.length;
  view.estimatedStartSeconds = busy < workers ? 0 : Math.round(work / workers);
  return view;
}

export async function loadQueueView(jobs: JobStore, job: Pick<Job, 'createdAt'>): Promise<QueueView> {
  const [ahead, running] = await Promise.all([
    jobs.byStatus('QUEUED', job.createdAt),
    jobs.byStatus('RUNNING'),
  ]);
  return queueView(ahead, running, workerBudget());
}
