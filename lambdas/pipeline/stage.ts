import { publishJobEvent } from '../core/jobs/events.js';
import { CutlineError } from '../core/errors.js';
import { isTerminal, type Job, type Stage } from '../core/jobs/model.js';
import { aggregateProgress, ProgressReporter } from '../core/jobs/progress.js';
import { JobEndedError } from '../core/objects/job-objects.js';
import { getPlatform } from '../core/platform.js';
import { logger } from './logger.js';
import type { PipelineState } from './state.js';

export async function loadJob(state: PipelineState): Promise<Job> {
  const job = await getPlatform().jobs.get(state.jobId, state.tenantId);
  if (!job) throw new CutlineError('VALIDATION_FAILED', `job ${state.jobId} does not exist`);
  return job;
}

/**
 * Moves the job to RUNNING at `stage`, raising progress to the stage's start or to what its frames say
 * (never lowering it: a progress write may land between the read and this write, so it is conditional);
 * throws JobEndedError when the job already ended (e.g. cancelled), which stops the execution through
 * MarkFailed.
 */
export async function enterStage(state: PipelineState, stage: Stage, progress: number): Promise<Job> {
  const p = getPlatform();
  for (let attempt = 0; ; attempt++) {
    const job = await loadJob(state);
    if (isTerminal(job.status)) throw new JobEndedError(`job ${state.jobId} already ended ${job.status}`);
    const frames = job.work ? aggregateProgress(job.work).progress : 0;
    const updated = await p.jobs.update(
      state.jobId,
      {
        status: 'RUNNING',
        stage,
        progress: Math.max(job.progress, progress, frames),
        timings: { ...job.timings, startedAt: job.timings.startedAt ?? new Date().toISOString() },
      },
      { raiseOnly: true },
    );
    if (updated) return updated;
    // Lost to a progress write (or the job just ended): read again.
    if (attempt >= 4)
      throw new CutlineError('RENDER_FAILED', `job ${state.jobId} could not enter ${stage}`, [], true);
  }
}

/**
 * The frame reporter of one render unit (jobs/progress.ts): its counter on the job item, the job's
 * aggregate (paced per job) and a `Job Progress` event after each aggregate write. Progress never fails
 * a render.
 */
export function frameReporter(jobId: string, unit: string): ProgressReporter<Job> {
  return new ProgressReporter<Job>({
    store: getPlatform().jobs,
    jobId,
    unit,
    onRaised: (job) =>
      publishJobEvent('Job Progress', job).catch((err: Error) =>
        logger.warn('could not publish Job Progress', { jobId, err: err.message }),
      ),
    onError: (err) => logger.warn('could not record progress', { jobId, unit, err: (err as Error).message }),
  });
}
