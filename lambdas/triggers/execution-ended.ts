import type { EventBridgeEvent } from 'aws-lambda';
import { Logger } from '@aws-lambda-powertools/logger';
import { writeDropError } from '../core/aws/drop-errors.js';
import { publishJobEvent } from '../core/jobs/events.js';
import { cleanWork } from '../core/objects/job-objects.js';
import { recordJobEnd } from '../core/aws/telemetry.js';
import { isTerminal, type Job, type JobError } from '../core/jobs/model.js';
import { getPlatform } from '../core/platform.js';
import { recordUnfinished } from '../core/usage/index.js';
import { describeFailure } from '../pipeline/mark-failed.js';

const logger = new Logger({ serviceName: 'cutline-pipeline' });

/** Step Functions' "Execution Status Change" detail, the fields this handler reads. */
export interface ExecutionStatusChange {
  executionArn: string;
  name: string;
  status: 'FAILED' | 'TIMED_OUT' | 'ABORTED' | string;
  error?: string | null;
  cause?: string | null;
}

/** How a job whose execution ended without it ends: a pure decision, tested on its own. */
export function endingFor(
  detail: ExecutionStatusChange,
  job: Pick<Job, 'cancelRequestedAt' | 'stage'>,
): { status: 'CANCELLED' } | { status: 'FAILED'; error: JobError } {
  if (detail.status === 'ABORTED')
    return job.cancelRequestedAt
      ? { status: 'CANCELLED' }
      : {
          status: 'FAILED',
          error: {
            code: 'ABORTED',
            message: 'the render execution was stopped outside the cancel route (StopExecution)',
          },
        };
  if (detail.status === 'TIMED_OUT')
    return {
      status: 'FAILED',
      error: {
        code: 'TIMEOUT',
        message: `the render execution ran past the state machine's timeout${job.stage ? ` while ${job.stage}` : ''}`,
      },
    };
  return {
    status: 'FAILED',
    error: describeFailure(
      {
        Error: detail.error ?? 'States.Runtime',
        Cause: detail.cause ?? 'the execution failed outside any Catch',
      },
      job.stage,
    ),
  };
}

/**
 * The backstop for failures no Catch sees (execution timeouts, States.DataLimitExceeded, a failing
 * MarkFailed, a manual StopExecution): on the state machine's FAILED / TIMED_OUT / ABORTED status change
 * the job is ended — only if it is not terminal yet (a conditional write), so a job MarkFailed or the
 * cancel route already ended is left alone and gets no second event.
 */
export async function handler(
  event: Pick<EventBridgeEvent<string, ExecutionStatusChange>, 'detail'>,
): Promise<{ jobId: string; status?: string }> {
  const detail = event.detail;
  const jobId = detail.name;
  if (!['FAILED', 'TIMED_OUT', 'ABORTED'].includes(detail.status)) return { jobId };
  const p = getPlatform();
  const job = await p.jobs.get(jobId);
  if (!job || isTerminal(job.status)) return { jobId };
  const ending = endingFor(detail, job);
  const ended = await p.jobs.update(jobId, {
    ...ending,
    timings: { ...job.timings, endedAt: new Date().toISOString() },
  });
  if (!ended) return { jobId }; // someone else ended it meanwhile; they sent its event
  logger.error('execution ended without its job', { jobId, execution: detail.executionArn, ending });
  recordJobEnd(ended.status === 'CANCELLED' ? 'CANCELLED' : 'FAILED');
  // Its quota reservation is given back and the compute it used recorded, as MarkFailed and cancel do.
  await recordUnfinished(ended).catch((err: Error) =>
    logger.error('could not record the ended job’s usage', { jobId, err: err.message }),
  );
  await publishJobEvent(ended.status === 'CANCELLED' ? 'Job Cancelled' : 'Job Failed', ended);
  if (ending.status === 'FAILED' && job.origin)
    await writeDropError(job.origin, ending.error, { jobId }).catch((err: Error) =>
      logger.error('could not write the drop-folder error file', { origin: job.origin, err: err.message }),
    );
  await cleanWork(jobId).catch((err: Error) =>
    logger.warn('could not remove the intermediates (the lifecycle rule will)', { jobId, err: err.message }),
  );
  return { jobId, status: ended.status };
}
