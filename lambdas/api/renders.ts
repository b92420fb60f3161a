import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import type { JobType } from '../core/jobs/types.js';
import { loadQueueView } from '../core/jobs/queue.js';
import { cancelJob } from '../core/submit/cancel.js';
import { submitJob } from '../core/submit/submit.js';
import { JOB_STATUSES, isTerminal, type Job, type JobStatus } from '../core/jobs/model.js';
import { MAX_WAIT_SECONDS, waitForTerminal } from '../core/jobs/wait.js';
import { notEstimable, type JobEstimate } from '../core/plan/estimate.js';
import { estimateJob } from '../core/submit/estimate.js';
import { getPlatform } from '../core/platform.js';
import { jobTitle, thumbnailOutput } from '../core/jobs/list-item.js';
import { liveProgress, type AggregateProgress } from '../core/jobs/progress.js';
import { renderProgressOf } from '../core/jobs/render-progress.js';
import { HttpError, httpErrors, json, jsonBody, logger, tenantOf, idempotencyKeyOf } from './http.js';
import { CutlineError } from '../core/errors.js';
import { observed } from '../core/observability.js';

export const renderView = (job: Job) => viewOf(job, isTerminal(job.status) ? null : liveProgress(job));

const viewOf = (job: Job, live: AggregateProgress | null, rendered = renderProgressOf(job, live)) => ({
  id: job.id,
  type: job.type,
  status: job.status,
  ...(job.stage ? { stage: job.stage } : {}),
  // While it runs, what the tasks' frame counters say now (aggregated by reading, never below the stored).
  progress: live?.progress ?? job.progress,
  ...(job.frames ? { frames: live?.frames ?? job.frames } : {}),
  ...(live?.secondsRemaining !== undefined ? { secondsRemaining: live.secondsRemaining } : {}),
  ...(rendered ? { renderProgress: rendered } : {}),
  ...(job.callbackEvents ? { callbackEvents: job.callbackEvents } : {}),
  ...(job.error ? { error: job.error } : {}),
  ...(job.outputs ? { outputs: job.outputs } : {}),
  // The best estimate known: the Plan step's (sources probed) once it ran, else the submit estimate.
  ...(job.estimatedSeconds !== undefined || typeof job.submitEstimate?.estimatedSeconds === 'number'
    ? { estimatedSeconds: job.estimatedSeconds ?? job.submitEstimate!.estimatedSeconds }
    : {}),
  ...(job.submitEstimate ? { estimate: job.submitEstimate } : {}),
  ...(job.plan ? { plan: job.plan } : {}),
  ...(job.actual ? { actual: job.actual } : {}),
  createdAt: job.createdAt,
  timings: job.timings,
  links: { self: `/v1/renders/${job.id}`, cancel: `/v1/renders/${job.id}/cancel` },
});

/**
 * The job with presigned GET URLs (1 hour) on its outputs: `url` to play or read, `downloadUrl` that
 * saves the file under its name (`<job>-<file>`, so several jobs' outputs do not overwrite each other).
 */
async function withUrls(job: Job): Promise<Job> {
  if (!job.outputs) return job;
  const p = getPlatform();
  const outputs = await Promise.all(
    job.outputs.map(async (o) => ({
      ...o,
      url: await p.objects.presignGet(p.outputsBucket, o.key),
      downloadUrl: await p.objects.presignGet(p.outputsBucket, o.key, 3600, {
        download: `${job.id.slice(0, 8)}-${o.key.slice(o.key.lastIndexOf('/') + 1)}`,
      }),
    })),
  );
  return { ...job, outputs };
}

/** `?wait=N`: seconds (0 < N ≤ 25) to hold the answer for a finished job; absent or 0: answer at once. */
/**
 * A list item: the job's view plus what a list shows of it: its title and a presigned thumbnail (1 hour;
 * its thumbnail, poster or first image output, when the job made one).
 */
async function listItem(job: Job) {
  const image = thumbnailOutput(job.outputs);
  const p = getPlatform();
  return {
    ...renderView(job),
    title: jobTitle(job),
    ...(image
      ? {
          thumbnail: {
            url: await p.objects.presignGet(p.outputsBucket, image.key),
            ...(image.width && image.height ? { width: image.width, height: image.height } : {}),
          },
        }
      : {}),
  };
}

export function parseWait(raw: string | undefined): number {
  if (raw === undefined || raw === '') return 0;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0 || n > MAX_WAIT_SECONDS)
    throw new HttpError(
      'VALIDATION_FAILED',
      `wait must be a number of seconds from 0 to ${MAX_WAIT_SECONDS}`,
      [{ path: 'query.wait', message: `must be 0–${MAX_WAIT_SECONDS}` }],
    );
  return n;
}

/** The submit estimate; a failure to estimate never fails the submit (the answer says what is unknown). */
async function submitEstimate(job: Pick<Job, 'id' | 'tenantId' | 'type' | 'request'>): Promise<JobEstimate> {
  try {
    return await estimateJob(job);
  } catch (err) {
    // The probe found that a source is no media at all (a playlist, a concat list): a 400, not a job.
    if (err instanceof CutlineError && err.code === 'SOURCE_REFUSED') throw err;
    logger.warn('estimate failed', { jobId: job.id, error: (err as Error).message });
    return notEstimable('', `the estimate failed: ${(err as Error).message}`);
  }
}

/**
 * Submits a job of any type (job-type routes call this with their type and body): 202 with the id and the
 * estimate; with `?wait=N`, 200 with the finished job and output URLs when it ends within N seconds.
 *
 * The quick path polls the job record (a consistent GetItem, backing off from 100 ms to 1 s) inside this
 * request. Why not an Express workflow: it would be a second pipeline definition to keep in step with the
 * Standard one, and its synchronous start still has to fit API Gateway's 29 s. Waiting on the one Standard
 * execution keeps one path for every job: a short render is the same job either way, so a timeout (202)
 * loses and duplicates nothing, and the client follows it like any other. N ≤ 25 leaves room under 29 s.
 */
export async function createJob(
  event: APIGatewayProxyEvent,
  type: JobType,
  body: unknown,
  context?: Pick<Context, 'getRemainingTimeInMillis'>,
): Promise<APIGatewayProxyResult> {
  const started = Date.now();
  const tenantId = tenantOf(event);
  const wait = parseWait(event.queryStringParameters?.wait);
  const key = idempotencyKeyOf(event);
  // The estimate is stored with the new job (a header probe of its sources at most; the answer waits for
  // it anyway), so it costs no write of its own.
  const { job, created } = await submitJob({
    tenantId,
    type,
    body,
    idempotencyKey: key,
    fingerprint: { route: `${event.httpMethod} ${event.resource}`, body },
    annotate: async (j) => ({ submitEstimate: await submitEstimate(j) }),
  });
  let latest: Job = job;
  if (wait > 0 && !isTerminal(job.status)) {
    // Never past the function's own timeout (29 s in the stack), whatever N says.
    const remaining = context?.getRemainingTimeInMillis?.() ?? Infinity;
    const deadline = Math.min(started + wait * 1000, Date.now() + remaining - 2000);
    latest = (await waitForTerminal(() => getPlatform().jobs.get(job.id, tenantId), { deadline })) ?? job;
  }
  const view = { ...latest, ...(job.submitEstimate ? { submitEstimate: job.submitEstimate } : {}) };
  const headers = {
    location: `/v1/renders/${job.id}`,
    ...(created ? {} : { 'idempotent-replay': 'true' }),
  };
  if (wait > 0 && isTerminal(latest.status)) return json(200, renderView(await withUrls(view)), headers);
  return json(202, renderView(view), headers);
}

async function get(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  const tenantId = tenantOf(event);
  const job = await getPlatform().jobs.get(event.pathParameters?.id ?? '', tenantId);
  if (!job) throw new HttpError('NOT_FOUND', 'no such render');
  // A job waiting for a worker says where it stands in the queue and when it may start.
  const queue = job.status === 'QUEUED' ? await loadQueueView(getPlatform().jobs, job) : undefined;
  // One job's view carries what was submitted (after merge), so a client can open it again or resubmit.
  return json(200, {
    ...renderView(await withUrls(job)),
    ...(queue ? { queue } : {}),
    request: job.request,
  });
}

async function list(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  const tenantId = tenantOf(event);
  const q = event.queryStringParameters ?? {};
  const status = q.status?.toUpperCase();
  if (status && !JOB_STATUSES.includes(status as JobStatus)) {
    throw new HttpError('VALIDATION_FAILED', `status must be one of ${JOB_STATUSES.join(', ')}`, [
      { path: 'query.status', message: 'invalid' },
    ]);
  }
  const limit = q.limit === undefined ? undefined : Number(q.limit);
  if (limit !== undefined && !(Number.isInteger(limit) && limit >= 1 && limit <= 100)) {
    throw new HttpError('VALIDATION_FAILED', 'limit must be a whole number from 1 to 100', [
      { path: 'query.limit', message: 'invalid' },
    ]);
  }
  const page = await getPlatform().jobs.list(tenantId, {
    status: status as JobStatus | undefined,
    limit,
    cursor: q.cursor || undefined,
  });
  return json(200, {
    renders: await Promise.all(page.jobs.map(listItem)),
    ...(page.cursor ? { cursor: page.cursor } : {}),
  });
}

async function cancel(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  const cancelled = await cancelJob(tenantOf(event), event.pathParameters?.id ?? '', logger);
  return json(202, renderView(cancelled));
}

async function route(event: APIGatewayProxyEvent, context?: Context): Promise<APIGatewayProxyResult> {
  const r = `${event.httpMethod} ${event.resource}`;
  switch (r) {
    case 'POST /v1/renders':
      tenantOf(event);
      return createJob(event, 'render', jsonBody(event), context);
    // Clip and mix jobs run through the same create path (estimate, ?wait, idempotency, quotas); they are
    // read, listed and cancelled under /v1/renders/{id} like every job.
    case 'POST /v1/clips':
      tenantOf(event);
      return createJob(event, 'clips', jsonBody(event), context);
    case 'POST /v1/mixes':
      tenantOf(event);
      return createJob(event, 'mix', jsonBody(event), context);
    case 'GET /v1/renders':
      return list(event);
    case 'GET /v1/renders/{id}':
      return get(event);
    case 'POST /v1/renders/{id}/cancel':
      return cancel(event);
    default:
      throw new HttpError('NOT_FOUND', `no route ${r}`);
  }
}

export const handler = observed(route, httpErrors());
