import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { clients } from '../aws/clients.js';
import { getPlatform } from '../platform.js';
import { computeMetrics, type MetricsJob, type TenantMetrics } from './metrics.js';

/** At most this many jobs are read per request (newest first); more sets `truncated`. */
export const MAX_METRICS_JOBS = 5000;

/**
 * Reads the tenant's jobs created in the window from GSI1 (tenant / createdAt), only the fields the
 * figures need, and the current queue from GSI2 (status / createdAt) filtered to the tenant.
 */
export async function tenantMetrics(
  tenantId: string,
  windowSeconds: number,
  now = new Date(),
): Promise<TenantMetrics> {
  const { db } = clients();
  const table = getPlatform().table;
  const from = new Date(now.getTime() - windowSeconds * 1000).toISOString();
  const to = now.toISOString();
  const jobs: MetricsJob[] = [];
  let start: Record<string, unknown> | undefined;
  let truncated = false;
  do {
    const res = await db.send(
      new QueryCommand({
        TableName: table,
        IndexName: 'GSI1',
        KeyConditionExpression: 'GSI1PK = :t AND GSI1SK BETWEEN :from AND :to',
        ExpressionAttributeValues: { ':t': `TENANT#${tenantId}`, ':from': from, ':to': to },
        ProjectionExpression:
          '#s, createdAt, timings, estimatedSeconds, submitEstimate.estimatedSeconds, actual',
        ExpressionAttributeNames: { '#s': 'status' },
        ScanIndexForward: false,
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    jobs.push(...((res.Items ?? []) as MetricsJob[]));
    start = res.LastEvaluatedKey;
    if (start && jobs.length >= MAX_METRICS_JOBS) truncated = true;
  } while (start && !truncated);
  const count = async (status: string) => {
    let n = 0;
    let s: Record<string, unknown> | undefined;
    do {
      const res = await db.send(
        new QueryCommand({
          TableName: table,
          IndexName: 'GSI2',
          KeyConditionExpression: 'GSI2PK = :s',
          FilterExpression: 'tenantId = :t',
          ExpressionAttributeValues: { ':s': `STATUS#${status}`, ':t': tenantId },
          Select: 'COUNT',
          ...(s ? { ExclusiveStartKey: s } : {}),
        }),
      );
      n += res.Count ?? 0;
      s = res.LastEvaluatedKey;
    } while (s);
    return n;
  };
  const [queued, running] = await Promise.all([count('QUEUED'), count('RUNNING')]);
  return computeMetrics(jobs.slice(0, MAX_METRICS_JOBS), { from, to }, { queued, running }, truncated);
}
