import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { validateJob } from '../core/jobs/validate.js';
import { HttpError, httpErrors, json, jsonBody, tenantOf } from './http.js';

/**
 * POST /v1/validate?type=render: the checks of a submit (schema, limits, readable sources) without
 * starting anything. 200 `{ valid: true, type, sources }`, or the 400 a submit would answer, with the
 * JSON path of every problem. The console validates as you type with it, so the schema has one home.
 */
async function validate(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  const tenantId = tenantOf(event);
  const type = event.queryStringParameters?.type ?? 'render';
  const body = jsonBody(event);
  const { kind, sources } = await validateJob({ tenantId, type, body });
  return json(200, { valid: true, type: kind.type, sources });
}

export const handler = middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
  .use(httpErrors())
  .handler(async (event) => {
    const r = `${event.httpMethod} ${event.resource}`;
    if (r !== 'POST /v1/validate') throw new HttpError('NOT_FOUND', `no route ${r}`);
    return validate(event);
  });
