import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { backfillStatusIndex } from '../../lambdas/core/ops/status-index.js';

/**
 * `cutline backfill-status-index --table NAME`: once, after upgrading a deployment from before the
 * status index (GSI3), files its existing jobs and projects there, so `?status=` lists find them. Uses
 * the AWS SDK's own credentials and region (AWS_PROFILE, AWS_REGION, …).
 */
export async function backfillStatusIndexCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { table: { type: 'string' } } });
  if (!values.table) {
    process.stderr.write(
      'cutline backfill-status-index: --table NAME is required (the DynamoDB table of the stack)\n',
    );
    return 2;
  }
  const db = DynamoDBDocumentClient.from(new DynamoDBClient({}));
  const filed = await backfillStatusIndex(db, values.table);
  process.stdout.write(`filed ${filed.jobs} jobs and ${filed.projects} projects in the status index\n`);
  return 0;
}
