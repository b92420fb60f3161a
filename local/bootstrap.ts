import { CreateTableCommand, DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';

/** The single table of ARCHITECTURE §3 with both GSIs, created once. */
export async function ensureTable(db: DynamoDBClient, table: string): Promise<void> {
  try {
    await db.send(new DescribeTableCommand({ TableName: table }));
    return;
  } catch (err) {
    if ((err as { name?: string }).name !== 'ResourceNotFoundException') throw err;
  }
  const s = (name: string) => ({ AttributeName: name, AttributeType: 'S' as const });
  const gsi = (n: string) => ({
    IndexName: n,
    KeySchema: [
      { AttributeName: `${n}PK`, KeyType: 'HASH' as const },
      { AttributeName: `${n}SK`, KeyType: 'RANGE' as const },
    ],
    Projection: { ProjectionType: 'ALL' as const },
  });
  await db.send(
    new CreateTableCommand({
      TableName: table,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [s('PK'), s('SK'), s('GSI1PK'), s('GSI1SK'), s('GSI2PK'), s('GSI2SK')],
      KeySchema: [
        { AttributeName: 'PK', KeyType: 'HASH' },
        { AttributeName: 'SK', KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: [gsi('GSI1'), gsi('GSI2')],
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
