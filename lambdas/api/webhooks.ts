import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { webhookSecrets } from '../core/webhooks/index.js';
import { HttpError, httpErrors, json, tenantOf } from './http.js';
import { observed } from '../core/observability.js';

// The secret is shown once: no cache may keep the answer.
const NO_STORE = { 'cache-control': 'no-store' };

/**
 * GET /v1/webhooks/secret — the tenant's signing secret: its id and creation time (never the value), and
 * the previous one while it still signs.
 * POST /v1/webhooks/secret/rotate — a new secret, returned this once; the previous one keeps signing for
 * the grace period (both `v1=` signatures are sent), so receivers can roll over without a gap.
 */
async function route(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  const tenantId = tenantOf(event);
  const secrets = webhookSecrets();
  if (event.httpMethod === 'POST' && event.resource === '/v1/webhooks/secret/rotate')
    return json(200, await secrets.rotate(tenantId), NO_STORE);
  if (event.httpMethod === 'GET' && event.resource === '/v1/webhooks/secret') {
    const info = await secrets.describe(tenantId);
    if (!info)
      throw new HttpError(
        'NOT_FOUND',
        'no webhook secret yet: POST /v1/webhooks/secret/rotate creates one and shows it once',
      );
    return json(200, info, NO_STORE);
  }
  throw new HttpError('NOT_FOUND', `no route ${event.httpMethod} ${event.resource}`);
}

export const handler = observed(route, httpErrors());
