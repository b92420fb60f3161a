import { randomUUID } from 'node:crypto';
import { CutlineError } from '../errors.js';
import { getPlatform } from '../platform.js';
import { estimateJob } from './estimate.js';
import { notEstimable } from '../plan/estimate.js';
import { quotaFor, releaseReservation, reserveQuota } from '../usage/index.js';
import { quotaBounds } from '../quota/reservation.js';
import { requestFingerprint } from '../jobs/fingerprint.js';
import type { JobType } from '../jobs/types.js';
import type { Job } from '../jobs/model.js';
import { validateJob } from './validate.js';

export interface SubmitRequest {
  tenantId: string;
  /** The job type; its kind validates the body. */
  type: JobType;
  /** The request as the client sent it (an edit for `render`), validated here. */
  body: unknown;
  idempotencyKey?: string;
  /**
   * What the Idempotency-Key is bound to besides the tenant: the route with its path parameters (e.g.
   * `POST /v1/templates/abc/render`) and the body as the client sent it. Default: the job type and `body`.
   */
  fingerprint?: { route: string; body: unknown };
  /** What lists call the job (a template's, project's or dropped file's name); without it, the job's kind. */
  title?: string;
  /** Where a drop-folder job came from, so a failure can be written beside it. */
  origin?: { bucket: string; key: string };
  /** Fields to store with the new job, computed from the validated request (the API's submit estimate). */
  annotate?: (job: Pick<Job, 'id' | 'tenantId' | 'type' | 'request'>) => Promise<Partial<Job>>;
}

/**
 * The one way a job of any type starts, for the API, the drop folder and templates. Everything that can
 * refuse it is decided before anything is written: validation (the kind's schema, merged once here, and
 * the sources the tenant may read), the stored item's size, the Idempotency-Key (same request: the first
 * job; another request: 422), the quota reservation (429). Then the job is written with the *merged*
 * request and the execution starts. A pipeline that cannot start marks the job FAILED (its reservation
 * released), never leaving it QUEUED with nothing to run it.
 */
export async function submitJob(req: SubmitRequest): Promise<{ job: Job; created: boolean }> {
  const { kind, request } = await validateJob(req);
  const p = getPlatform();
  const callback = kind.callback?.(request);
  const callbackEvents = callback ? kind.callbackEvents?.(request) : undefined;
  const now = new Date().toISOString();
  const id = randomUUID();
  // Named by the job id, so the job is written with its execution's ARN once instead of updated after
  // the start (one write less per submit).
  const executionArn = p.executions.arnFor(id);
  // Written with the job, not after it: one write per submit, and a replay sees it too.
  const extra = (await req.annotate?.({ id, tenantId: req.tenantId, type: kind.type, request })) ?? {};
  // A tenant with quotas reserves the estimate: the API's (annotate), else one made here.
  const quota = await quotaFor(req.tenantId);
  const estimate =
    quota && quotaBounds(quota).length && !extra.submitEstimate
      ? await estimateJob({ id, tenantId: req.tenantId, type: kind.type, request }).catch((err: Error) =>
          notEstimable('', `the estimate failed: ${err.message}`),
        )
      : extra.submitEstimate;
  const fp = req.fingerprint ?? { route: kind.type, body: req.body };
  const draft: Job = {
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
    ...(req.title ? { title: req.title } : {}),
    createdAt: now,
    updatedAt: now,
    timings: { queuedAt: now },
  };
  const { job, created } = await p.jobs.create(draft, {
    ...(req.idempotencyKey ? { fingerprint: requestFingerprint(req.tenantId, fp.route, fp.body) } : {}),
    // After the key is won (a replay reserves nothing) and before the job is written.
    beforeWrite: async () => {
      const reservation = await reserveQuota(req.tenantId, estimate);
      if (!reservation) return;
      draft.reservation = reservation;
      return () => releaseReservation(req.tenantId, reservation);
    },
  });
  if (!created) return { job, created };
  try {
    await p.executions.start(job.id, { jobId: job.id, tenantId: req.tenantId });
    return { job, created };
  } catch (err) {
    const message = `the pipeline could not start: ${(err as Error).message}`;
    await p.jobs.update(
      job.id,
      {
        status: 'FAILED',
        error: { code: 'PIPELINE_UNAVAILABLE', message },
        timings: { ...job.timings, endedAt: new Date().toISOString() },
      },
      { tenantId: job.tenantId },
    );
    if (job.reservation) await releaseReservation(req.tenantId, job.reservation);
    throw new CutlineError(
      'PIPELINE_UNAVAILABLE',
      `job ${job.id} could not start and is marked FAILED: ${message}`,
      [],
      true,
    );
  }
}
