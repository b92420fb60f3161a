import { publishJobEvent } from '../jobs/events.js';
import { removeJobObjects } from '../objects/job-objects.js';
import { CutlineError } from '../errors.js';
import { getPlatform } from '../platform.js';
import { recordUnfinished } from '../usage/index.js';
import { isTerminal, type Job } from '../jobs/model.js';

/** Where cancel reports what it could not tidy up (the job is cancelled all the same). */
export interface CancelLog {
  warn(message: string, fields: Record<string, unknown>): void;
  error(message: string, fields: Record<string, unknown>): void;
}

const ended = (message: string) => new CutlineError('CONFLICT', message);

/**
 * The one way a job is cancelled (the API's cancel route). The request is recorded on the job before the
 * execution is stopped, so the execution's ABORTED status change (triggers/execution-ended.ts), which may
 * be handled before the CANCELLED write, ends it CANCELLED rather than FAILED. Then the job is marked
 * CANCELLED (conditional: a job that ended meanwhile keeps its ending, and that is a CONFLICT), its
 * objects are removed, what it computed is recorded (the rest of its reservation given back) and Job
 * Cancelled is published. NOT_FOUND for a job that is not the tenant's.
 */
export async function cancelJob(tenantId: string, id: string, log: CancelLog): Promise<Job> {
  const p = getPlatform();
  const job = await p.jobs.get(id, tenantId);
  if (!job) throw new CutlineError('NOT_FOUND', 'no such render');
  if (isTerminal(job.status)) throw ended(`the render already ended ${job.status}`);
  if (job.executionArn) {
    const requested = await p.jobs.update(job.id, { cancelRequestedAt: new Date().toISOString() });
    if (!requested) throw ended('the render ended before it could be cancelled');
    await p.executions.stop(job.executionArn, { error: 'Cancelled', cause: 'cancelled by the client' });
  }
  const cancelled = await p.jobs.update(
    job.id,
    { status: 'CANCELLED', timings: { ...job.timings, endedAt: new Date().toISOString() } },
    { tenantId: job.tenantId },
  );
  if (!cancelled) throw ended('the render ended before it could be cancelled');
  // After the CANCELLED write: an upload that started before it is removed here or by its own re-check.
  await removeJobObjects(cancelled).catch((err: Error) =>
    log.warn("could not remove a cancelled job's objects (the lifecycle rule will)", {
      jobId: job.id,
      err: err.message,
    }),
  );
  // What it computed until now counts; the rest of its quota reservation is given back.
  await recordUnfinished(cancelled).catch((err: Error) =>
    log.error('could not record the cancelled job’s usage', { jobId: job.id, err: err.message }),
  );
  await publishJobEvent('Job Cancelled', cancelled);
  return cancelled;
}
