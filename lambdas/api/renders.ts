import middy from '@middy/core';
import { StopExecutionCommand } from '@aws-sdk/client-sfn';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { clients } from '../core/aws/clients.js';
import { publishJobEvent } from '../core/aws/events.js';
import { submitJob } from '../core/jobs/submit.js';
import { JOB_STATUSES, isTerminal, type Job, type JobStatus } from '../core/jobs/model.js';
import { getPlatform } from '../core/platform.js';
import { HttpError, httpErrors, json, jsonBody, tenantOf } from './http.js';

const header = (event: APIGatewayProxyEvent, name: string) =>
  Object.entries(event.headers ?? {}).find(([k]) => k.toLowerCase() === name)?.[1] ?? undefined;

export const renderView = (job: Job) => ({
  id: job.id,
  type: job.type,
  status: job.status,
  ...(job.stage ? { stage: job.stage } : {}),
  progress: job.progress,
  ...(job.error ? { error: job.error } : {}),
  ...(job.outputs ? { outputs: job.outputs } : {}),
  createdAt: job.createdAt,
  timings: job.timings,
  links: { self: `/v1/renders/${job.id}`, cancel: `/v1/renders/${job.id}/cancel` },
});

async function create(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  const tenantId = tenantOf(event);
  const body = jsonBody(event);
  const key = header(event, 'idempotency-key');
  if (key !== undefined && !/^[\w.:-]{1,128}$/.test(key)) {
    throw new HttpError(
      400,
      'VALIDATION_FAILED',
      'Idempotency-Key must be 1–128 letters, digits or . _ : -',
      [{ path: 'headers.Idempotency-Key', message: 'invalid' }],
    );
  }
  const { job, created } = await submitJob({ tenantId, type: 'render', body, idempotencyKey: key });
  return json(202, renderView(job), created ? {} : { 'idempotent-replay': 'true' });
}

async function get(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  const tenantId = tenantOf(event);
  const p = getPlatform();
  const job = await p.jobs.get(event.pathParameters?.id ?? '', tenantId);
  if (!job) throw new HttpError(404, 'NOT_FOUND', 'no such render');
  const outputs = job.outputs
    ? await Promise.all(
        job.outputs.map(async (o) => ({ ...o, url: await p.objects.presignGet(p.outputsBucket, o.key) })),
      )
    : undefined;
  return json(200, renderView({ ...job, ...(outputs ? { outputs } : {}) }));
}

async function list(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  const tenantId = tenantOf(event);
  const q = event.queryStringParameters ?? {};
  const status = q.status?.toUpperCase();
  if (status && !JOB_STATUSES.includes(status as JobStatus)) {
    throw new HttpError(400, 'VALIDATION_FAILED', `status must be one of ${JOB_STATUSES.join(', ')}`, [
      { path: 'query.status', message: 'invalid' },
    ]);
  }
  const limit = q.limit === undefined ? undefined : Number(q.limit);
  if (limit !== undefined && !(Number.isInteger(limit) && limit >= 1 && limit <= 100)) {
    throw new HttpError(400, 'VALIDATION_FAILED', 'limit must be a whole number from 1 to 100', [
      { path: 'query.limit', message: 'invalid' },
    ]);
  }
  let page;
  try {
    page = await getPlatform().jobs.list(tenantId, {
      status: status as JobStatus | undefined,
      limit,
      cursor: q.cursor,
    });
  } catch (err) {
    if (q.cursor && err instanceof SyntaxError)
      throw new HttpError(400, 'VALIDATION_FAILED', 'cursor is not valid', [
        { path: 'query.cursor', message: 'invalid' },
      ]);
    throw err;
  }
  return json(200, { renders: page.jobs.map(renderView), ...(page.cursor ? { cursor: page.cursor } : {}) });
}

async function cancel(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  const tenantId = tenantOf(event);
  const p = getPlatform();
  const job = await p.jobs.get(event.pathParameters?.id ?? '', tenantId);
  if (!job) throw new HttpError(404, 'NOT_FOUND', 'no such render');
  if (isTerminal(job.status)) throw new HttpError(409, 'CONFLICT', `the render already ended ${job.status}`);
  if (job.executionArn) {
    await clients()
      .sfn.send(
        new StopExecutionCommand({
          executionArn: job.executionArn,
          error: 'Cancelled',
          cause: 'cancelled by the client',
        }),
      )
      .catch((err: { name?: string }) => {
        if (err.name !== 'ExecutionDoesNotExist') throw err;
      });
  }
  const now = new Date().toISOString();
  const cancelled = await p.jobs.update(job.id, {
    status: 'CANCELLED',
    timings: { ...job.timings, endedAt: now },
  });
  if (!cancelled) throw new HttpError(409, 'CONFLICT', 'the render ended before it could be cancelled');
  await publishJobEvent('Job Cancelled', cancelled);
  return json(202, renderView(cancelled));
}

async function route(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  const r = `${event.httpMethod} ${event.resource}`;
  switch (r) {
    case 'POST /v1/renders':
      return create(event);
    case 'GET /v1/renders':
      return list(event);
    case 'GET /v1/renders/{id}':
      return get(event);
    case 'POST /v1/renders/{id}/cancel':
      return cancel(event);
    default:
      throw new HttpError(404, 'NOT_FOUND', `no route ${r}`);
  }
}

export const handler = middy<APIGatewayProxyEvent, APIGatewayProxyResult>().use(httpErrors()).handler(route);
