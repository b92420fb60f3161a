import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { monthOf } from '../core/quota/quota.js';
import { quotaFor, usageStore } from '../core/usage/index.js';
import { sumUsage, totalsByDay } from '../core/usage/record.js';
import { HttpError, httpErrors, json, tenantOf } from './http.js';
import { observed } from '../core/observability.js';

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const MAX_DAYS = 366;

function day(raw: string | undefined, name: 'from' | 'to', fallback: string): string {
  if (raw === undefined || raw === '') return fallback;
  if (
    !DAY.test(raw) ||
    Number.isNaN(Date.parse(`${raw}T00:00:00Z`)) ||
    new Date(`${raw}T00:00:00Z`).toISOString().slice(0, 10) !== raw
  )
    throw new HttpError('VALIDATION_FAILED', `${name} must be a UTC day, YYYY-MM-DD`, [
      { path: `query.${name}`, message: 'not a YYYY-MM-DD day' },
    ]);
  return raw;
}

/** GET /v1/usage?from=&to= — the tenant's usage by UTC day (default: the last 30 days), totals and quota. */
async function route(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  const tenantId = tenantOf(event);
  const q = event.queryStringParameters ?? {};
  const today = new Date().toISOString().slice(0, 10);
  const to = day(q.to, 'to', today);
  const from = day(
    q.from,
    'from',
    new Date(Date.parse(`${to}T00:00:00Z`) - 29 * 86_400_000).toISOString().slice(0, 10),
  );
  const span = (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000 + 1;
  if (span < 1)
    throw new HttpError('VALIDATION_FAILED', 'from must not be after to', [
      { path: 'query.from', message: 'after to' },
    ]);
  if (span > MAX_DAYS)
    throw new HttpError('VALIDATION_FAILED', `at most ${MAX_DAYS} days at once`, [
      { path: 'query.from', message: `more than ${MAX_DAYS} days before to` },
    ]);
  const store = usageStore();
  const [records, quota] = await Promise.all([store.list(tenantId, from, to), quotaFor(tenantId)]);
  const month = monthOf(new Date());
  const month0 = monthOf(new Date()).from.slice(0, 7);
  const providers = await store.getProviderSpend(tenantId, month0);
  const [monthUsage, committed] = quota
    ? await Promise.all([
        store.list(tenantId, month.from, month.to).then(sumUsage),
        store.getCounter(tenantId, month.from.slice(0, 7)),
      ])
    : [undefined, null];
  return json(200, {
    // The caller's tenant id (its API key's id): its drop folder is drop/<tenantId>/.
    tenantId,
    from,
    to,
    days: totalsByDay(records),
    totals: sumUsage(records),
    // This month's AI provider calls: estimated USD in all and units per provider (cost.ts prices).
    providers: { month: month0, estimatedUsd: providers.usd, byProvider: providers.providers },
    quota: quota
      ? {
          limits: quota,
          month: month.from.slice(0, 7),
          used: {
            renderMinutes: Math.round((monthUsage!.renderedSeconds / 60) * 100) / 100,
            computeMinutes: Math.round((monthUsage!.chunkSeconds / 60) * 100) / 100,
            storedGB: Math.round((monthUsage!.bytesStored / 1e9) * 1000) / 1000,
          },
          // What the next submit is checked against: used plus what running jobs reserved.
          ...(committed
            ? {
                committed: {
                  renderMinutes: Math.round((committed.renderSeconds / 60) * 100) / 100,
                  computeMinutes: Math.round((committed.computeSeconds / 60) * 100) / 100,
                  storedGB: Math.round((committed.bytes / 1e9) * 1000) / 1000,
                },
              }
            : {}),
          ...(quota.providerUsdPerMonth !== undefined ? { providerUsd: providers.usd } : {}),
          resetsAt: month.resetsAt.toISOString(),
        }
      : null,
  });
}

export const handler = observed(route, httpErrors());
