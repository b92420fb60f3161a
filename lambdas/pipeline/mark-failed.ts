import { writeDropError } from '../core/aws/drop-errors.js';
import { cleanWork } from '../core/objects/job-objects.js';
import { isStorageFull, storageFullError } from '../core/errors.js';
import { jobEventDetail } from '../core/jobs/model.js';
import { getPlatform } from '../core/platform.js';
import { sanitizeError } from '../core/sanitize.js';
import { recordJobEnd } from '../core/aws/telemetry.js';
import { recordUnfinished } from '../core/usage/index.js';
import { planLimits } from '../core/submit/estimate.js';
import { logger } from './logger.js';
import type { FailedResult, FailedState, FailedTask, PipelineState } from './state.js';
import { loadPlan } from './work-files.js';
import { describeTimeout } from './timeout-reason.js';

/** Turns the Step Functions error into a reason a person can act on. */
export function describeFailure(
  error: PipelineState['error'],
  /** The stage the job was in, to say where a non-cutline error (an SDK or storage error) happened. */
  stage?: string,
  /** The task that failed, where a child execution says so. */
  failed: FailedTask = {},
): { code: string; message: string } {
  const name = error?.Error ?? 'States.Runtime';
  let message = error?.Cause ?? 'the pipeline failed without a cause';
  try {
    // Lambda errors arrive as {"errorType","errorMessage",...} in Cause.
    const cause = JSON.parse(message) as { errorMessage?: string };
    if (typeof cause.errorMessage === 'string') message = cause.errorMessage;
  } catch {
    /* a plain string cause */
  }
  if (name === 'JobEnded') return { code: 'CANCELLED', message };
  // A full store met outside a task's own handling (a table write, say): said as such, without a path.
  if (name !== 'STORAGE_FULL' && isStorageFull({ name, message })) {
    const where = name === 'InsufficientStorage' ? 'platform storage' : 'render scratch disk';
    return { code: 'STORAGE_FULL', message: storageFullError({ name, message }, where).message };
  }
  if (name === 'States.Timeout')
    return { code: 'TIMEOUT', message: describeTimeout(failed, stage, planLimits()) };
  // CutlineError's name is its code (SOURCE_NOT_FOUND, RENDER_FAILED, …).
  if (/^[A-Z][A-Z_]+$/.test(name)) return { code: name, message };
  // Anything else (S3's InternalError, a network error) says little on its own: add its name and where.
  const named = name === 'Error' || message.startsWith(name) ? message : `${name}: ${message}`;
  return { code: 'RENDER_FAILED', message: stage ? `failed while ${stage}: ${named}` : named };
}

/** Waits between tries of the FAILED write while the table's disk is full (the failed task's cleanup frees some). */
const FULL_RETRY_MS = [500, 1000, 2000, 4000, 8000, 15000];

/**
 * The job's last write must land: a full table is tried again for about half a minute before giving up,
 * after `makeRoom` (removing the job's intermediates, which on the local platform share the table's disk).
 */
export async function untilStored<T>(write: () => Promise<T>, makeRoom: () => Promise<unknown>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await write();
    } catch (err) {
      if (!isStorageFull(err) || attempt >= FULL_RETRY_MS.length) throw err;
      logger.warn('the table is full; trying the FAILED write again', { attempt });
      if (attempt === 0) await makeRoom().catch(() => undefined);
      await new Promise((r) => setTimeout(r, FULL_RETRY_MS[attempt]));
    }
  }
}

/** MarkFailed: every failure path ends here; the job becomes FAILED unless it already ended. */
export async function handler(state: FailedState): Promise<FailedResult> {
  const p = getPlatform();
  const job = await p.jobs.get(state.jobId);
  // Inside the chunk Map the state knows its rendition by index only: name it from the plan.
  const rendition =
    typeof state.rendition === 'number'
      ? ((await loadPlan(state).catch(() => []))[state.rendition] ?? state.rendition)
      : state.rendition;
  const error = sanitizeError(describeFailure(state.error, job?.stage, { ...state, rendition }));
  const failed = job
    ? await untilStored(
        () =>
          p.jobs.update(state.jobId, {
            status: 'FAILED',
            error,
            timings: { ...job.timings, endedAt: new Date().toISOString() },
          }),
        () => cleanWork(state.jobId),
      )
    : null;
  if (failed) {
    logger.error('job failed', { jobId: state.jobId, error });
    recordJobEnd('FAILED');
    // The compute it used counts, and its quota reservation is given back; metering must not hide the failure.
    await recordUnfinished(failed).catch((err: Error) =>
      logger.error('could not record the failed job’s usage', { jobId: state.jobId, err: err.message }),
    );
  }
  // A drop-folder job's failure is written beside its input, where the person who dropped it looks.
  if (job?.origin && failed) {
    await writeDropError(job.origin, error, { jobId: job.id }).catch((err: Error) =>
      logger.error('could not write the drop-folder error file', { origin: job.origin, err: err.message }),
    );
  }
  // The first reason recorded stands (a child's, or a cancel): the parent's Map failure only follows it.
  const final = failed ?? job;
  const reason = final?.status === 'FAILED' && final.error ? final.error : error;
  // The parent's MarkFailed cleans up, once every child has stopped.
  if (state.child) return { event: {}, error: reason };
  // A failed job's intermediates are of no further use; a cleanup problem must not hide the failure.
  await cleanWork(state.jobId).catch((err: Error) =>
    logger.warn('could not remove the intermediates (the lifecycle rule will)', {
      jobId: state.jobId,
      err: err.message,
    }),
  );
  return {
    event: final
      ? jobEventDetail(final)
      : { jobId: state.jobId, tenantId: state.tenantId, status: 'FAILED', error },
    error: reason,
  };
}
