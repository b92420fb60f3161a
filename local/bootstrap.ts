import {
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { INDEX_NAMES } from '../lambdas/core/aws/indexes.js';
import { statusIndexKeys } from '../lambdas/core/ops/status-index.js';
import type { JobStatus } from '../lambdas/core/jobs/model.js';

const s = (name: string) => ({ AttributeName: name, AttributeType: 'S' as const });
const gsi = (n: string) => ({
  IndexName: n,
  KeySchema: [
    { AttributeName: `${n}PK`, KeyType: 'HASH' as const },
    { AttributeName: `${n}SK`, KeyType: 'RANGE' as const },
  ],
  Projection: { ProjectionType: 'ALL' as const },
});

/** The single table of ARCHITECTURE §3 with every GSI (aws/indexes.ts), created once. */
export async function ensureTable(db: DynamoDBClient, table: string): Promise<void> {
  let existing: string[] | undefined;
  try {
    const { Table } = await db.send(new DescribeTableCommand({ TableName: table }));
    existing = (Table?.GlobalSecondaryIndexes ?? []).map((g) => g.IndexName!);
  } catch (err) {
    if ((err as { name?: string }).name !== 'ResourceNotFoundException') throw err;
  }
  if (existing && INDEX_NAMES.every((n) => existing.includes(n))) return;
  // A data dir from before an index was added: dynalite cannot add a GSI to a table (UpdateTable), so
  // the table is made again with every index and its items are written back.
  const items = existing ? await rebuild(db, table) : [];
  await createTable(db, table);
  const doc = DynamoDBDocumentClient.from(db);
  const jobStatus = new Map(
    items
      .filter((i) => String(i.PK).startsWith('JOB#') && i.SK === 'META')
      .map((i) => [String(i.PK).slice('JOB#'.length), i.status as JobStatus]),
  );
  for (const item of items)
    await doc.send(new PutCommand({ TableName: table, Item: indexed(item, jobStatus) }));
}

/** Reads every item and deletes the table. */
async function rebuild(db: DynamoDBClient, table: string): Promise<Record<string, unknown>[]> {
  const doc = DynamoDBDocumentClient.from(db);
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const res = await doc.send(new ScanCommand({ TableName: table, ExclusiveStartKey: start }));
    items.push(...(res.Items ?? []));
    start = res.LastEvaluatedKey;
  } while (start);
  await db.send(new DeleteTableCommand({ TableName: table }));
  for (let i = 0; ; i++) {
    try {
      await db.send(new DescribeTableCommand({ TableName: table }));
    } catch (err) {
      if ((err as { name?: string }).name === 'ResourceNotFoundException') return items;
      throw err;
    }
    if (i > 200) throw new Error(`table ${table} is still being deleted after 10 s`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Job and project items get the status-index keys they would be written with now (ops/status-index.ts). */
function indexed(
  item: Record<string, unknown>,
  jobStatus: ReadonlyMap<string, JobStatus>,
): Record<string, unknown> {
  const keys = statusIndexKeys(item, (id) => jobStatus.get(id));
  return keys ? { ...item, ...keys } : item;
}

async function createTable(db: DynamoDBClient, table: string): Promise<void> {
  await db.send(
    new CreateTableCommand({
      TableName: table,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [s('PK'), s('SK'), ...INDEX_NAMES.flatMap((n) => [s(`${n}PK`), s(`${n}SK`)])],
      KeySchema: [
        { AttributeName: 'PK', KeyType: 'HASH' },
        { AttributeName: 'SK', KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: INDEX_NAMES.map(gsi),
    }),
  );
  // CreateTable returns while the table is CREATING; a query before it is ACTIVE fails with
  // ResourceNotFoundException (seen at startup under load), so wait for it and its indexes.
  for (let i = 0; ; i++) {
    const { Table } = await db.send(new DescribeTableCommand({ TableName: table }));
    const ready =
      Table?.TableStatus === 'ACTIVE' &&
      (Table.GlobalSecondaryIndexes ?? []).every((g) => g.IndexStatus === 'ACTIVE');
    if (ready) return;
    if (i > 200) throw new Error(`table ${table} is still ${Table?.TableStatus} after 10 s`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
