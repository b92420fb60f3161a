import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { JobStatus } from '../jobs/model.js';
import { tenantStatusKey } from '../jobs/store.js';
import { projectStatusKey } from '../projects/store.js';
import { projectStatus } from '../projects/status.js';

const isMeta = (item: Record<string, unknown>, prefix: string) =>
  typeof item.PK === 'string' && item.PK.startsWith(prefix) && item.SK === 'META';

/**
 * The status-index keys (GSI3) a job or project META item is written with now, for one written before
 * that index existed: a job by its tenant and status, a project by the status of its compose job
 * (`jobStatus`; a job that is gone counts as failed). Undefined for any other item.
 */
export function statusIndexKeys(
  item: Record<string, unknown>,
  jobStatus: (jobId: string) => JobStatus | undefined,
): { GSI3PK: string; GSI3SK: string } | undefined {
  if (typeof item.tenantId !== 'string' || typeof item.createdAt !== 'string') return undefined;
  if (isMeta(item, 'JOB#'))
    return { GSI3PK: tenantStatusKey(item.tenantId, item.status as JobStatus), GSI3SK: item.createdAt };
  if (isMeta(item, 'PROJECT#')) {
    const jobId = typeof item.composeJobId === 'string' ? item.composeJobId : undefined;
    const status = projectStatus(jobId ? { status: jobStatus(jobId) ?? 'FAILED' } : null);
    return { GSI3PK: projectStatusKey(item.tenantId, status), GSI3SK: item.createdAt };
  }
  return undefined;
}

/**
 * Files every job and project written before GSI3 existed in it (a deployed table gets the index empty
 * of them): one scan of the table, one conditional update per item, so an item a newer write already
 * filed keeps that. `cutline backfill-status-index` runs it once after the upgrade.
 */
export async function backfillStatusIndex(
  db: DynamoDBDocumentClient,
  table: string,
): Promise<{ jobs: number; projects: number }> {
  const filed = { jobs: 0, projects: 0 };
  let start: Record<string, unknown> | undefined;
  do {
    const page = await db.send(
      new ScanCommand({
        TableName: table,
        FilterExpression: 'SK = :meta AND attribute_not_exists(GSI3PK)',
        ExpressionAttributeValues: { ':meta': 'META' },
        ExclusiveStartKey: start,
      }),
    );
    for (const item of page.Items ?? []) {
      const jobId = typeof item.composeJobId === 'string' ? item.composeJobId : undefined;
      const job = jobId
        ? (await db.send(new GetCommand({ TableName: table, Key: { PK: `JOB#${jobId}`, SK: 'META' } }))).Item
        : undefined;
      const keys = statusIndexKeys(item, () => job?.status as JobStatus | undefined);
      if (!keys) continue;
      try {
        await db.send(
          new UpdateCommand({
            TableName: table,
            Key: { PK: item.PK, SK: item.SK },
            UpdateExpression: 'SET GSI3PK = :pk, GSI3SK = :sk',
            ConditionExpression: 'attribute_exists(PK) AND attribute_not_exists(GSI3PK)',
            ExpressionAttributeValues: { ':pk': keys.GSI3PK, ':sk': keys.GSI3SK },
          }),
        );
        filed[String(item.PK).startsWith('JOB#') ? 'jobs' : 'projects']++;
      } catch (err) {
        if (!(err instanceof ConditionalCheckFailedException)) throw err;
      }
    }
    start = page.LastEvaluatedKey;
  } while (start);
  return filed;
}
