import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { CutlineError } from '../core/errors.js';
import { validateJob } from '../core/submit/validate.js';
import { notEstimable, type JobEstimate } from '../core/plan/estimate.js';
import { estimateJob } from '../core/submit/estimate.js';
import { HttpError, httpErrors, json, jsonBody, logger, tenantOf } from './http.js';

/**
 * POST /v1/validate?type=render: the checks of a submit (schema, limits, readable sources) without
 * starting anything. 200 `{ valid: true, type, sources, estimate }` (the estimate a submit would store:
 * seconds, plan, what is `unknown`), or the 400 a submit would answer, with the JSON path of every
 * problem. The console validates as you type with it, so the schema has one home.
 */
async function validate(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  const tenantId = tenantOf(event);
  const type = event.queryStringParameters?.type ?? 'render';
  const body = jsonBody(event);
  const { kind, request, sources } = await validateJob({ tenantId, type, body });
  const estimate = await estimateOf({ id: 'validate', tenantId, type: kind.type, request });
  return json(200, { valid: true, type: kind.type, sources, estimate });
}

/** As at submit: a source that is no media is a 400; any other failure to estimate says so in the answer. */
async function estimateOf(job: Parameters<typeof estimateJob>[0]): Promise<JobEstimate> {
  try {
    return await estimateJob(job);
  } catch (err) {
    if (err instanceof CutlineError && err.code === 'SOURCE_REFUSED') throw err;
    logger.warn('estimate failed', { error: (err as Error).message });
    return notEstimable('', `the estimate failed: ${(err as Error).message}`);
  }
}

export const handler = middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
  .use(httpErrors())
  .handler(async (event) => {
    const r = `${event.httpMethod} ${event.resource}`;
    if (r !== 'POST /v1/validate') throw new HttpError(404, 'NOT_FOUND', `no route ${r}`);
    return validate(event);
  });
