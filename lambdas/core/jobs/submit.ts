import { randomUUID } from 'node:crypto';
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { clients } from '../aws/clients.js';
import { ENV, requireEnv } from '../config.js';
import { CutlineError } from '../errors.js';
import { getPlatform } from '../platform.js';
import { assertQuota } from '../usage/index.js';
import type { JobType } from './kinds.js';
import type { Job } from './model.js';
import { validateJob } from './validate.js';

export interface SubmitRequest {
  tenantId: string;
  /** The job type; its kind validates the body. */
  type: JobType;
  /** The request as the client sent it (an edit for `render`), validated here. */
  body: unknown;
  idempotencyKey?: string;
  /** Where a drop-folder job came from, so a failure can be written beside it. */
  origin?: { bucket: string; key: string };
  /** Fields to store with the new job, computed from the validated request (the API's submit estimate). */
  annotate?: (job: Pick<Job, 'id' | 'tenantId' | 'type' | 'request'>) => Promise<Partial<Job>>;
}

/**
 * The one way a job of any type starts, for the API, the drop folder and templates: validate (the kind's
 * schema and the sources the tenant may read), write the job (idempotent), start the execution. A
 * pipeline that cannot start marks the job FAILED, never leaving it QUEUED with nothing to run it.
 */
export async function submitJob(req: SubmitRequest): Promise<{ job: Job; created: boolean }> {
  await assertQuota(req.tenantId);
  const { kind, request } = await validateJob(req);
  const p = getPlatform();
  const callback = kind.callback?.(request);
  const callbackEvents = callback ? kind.callbackEvents?.(request) : undefined;
  const now = new Date().toISOString();
  const id = randomUUID();
  const stateMachineArn = requireEnv(ENV.STATE_MACHINE_ARN);
  // An execution's ARN is its state machine's with ":execution:" and the execution name (the job id), so
  // the job is written with it once instead of updated after the start (one write less per submit).
  const executionArn = `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${id}`;
  // Written with the job, not after it: one write per submit, and a replay sees it too.
  const extra = (await req.annotate?.({ id, tenantId: req.tenantId, type: kind.type, request })) ?? {};
  const { job, created } = await p.jobs.create({
    ...extra,
    id,
    executionArn,
    tenantId: req.tenantId,
    type: kind.type,
    status: 'QUEUED',
    progress: 0,
    request,
    ...(callback ? { callback } : {}),
    ...(callbackEvents?.length ? { callbackEvents } : {}),
    ...(req.idempotencyKey ? { idempotencyKey: req.idempotencyKey } : {}),
    ...(req.origin ? { origin: req.origin } : {}),
    createdAt: now,
    updatedAt: now,
    timings: { queuedAt: now },
  });
  if (!created) return { job, created };
  try {
    await clients().sfn.send(
      new StartExecutionCommand({
        stateMachineArn,
        name: job.id,
        input: JSON.stringify({ jobId: job.id, tenantId: req.tenantId }),
      }),
    );
    return { job, created };
  } catch (err) {
    const message = `the pipeline could not start: ${(err as Error).message}`;
    await p.jobs.update(job.id, {
      status: 'FAILED',
      error: { code: 'PIPELINE_UNAVAILABLE', message },
      timings: { ...job.timings, endedAt: new Date().toISOString() },
    });
    throw new CutlineError(
      'PIPELINE_UNAVAILABLE',
      `job ${job.id} could not start and is marked FAILED: ${message}`,
      [],
      true,
    );
  }
}
