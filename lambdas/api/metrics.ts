import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { parseWindow } from '../core/ops/metrics.js';
import { tenantMetrics } from '../core/ops/metrics-query.js';
import { HttpError, httpErrors, json, tenantOf } from './http.js';
import { observed } from '../core/observability.js';

/** GET /v1/metrics?window=24h — the tenant's jobs by status, success rate, render-time percentiles, queue. */
async function route(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  const tenantId = tenantOf(event);
  const raw = event.queryStringParameters?.window ?? '24h';
  const seconds = parseWindow(raw);
  if (seconds === null)
    throw new HttpError(
      'VALIDATION_FAILED',
      'window must be a whole number of m, h or d, at most 31d (e.g. 15m, 24h, 7d)',
      [{ path: 'query.window', message: 'invalid' }],
    );
  return json(200, await tenantMetrics(tenantId, seconds));
}

export const handler = observed(route, httpErrors());
