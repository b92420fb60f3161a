import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';

export interface Template {
  id: string;
  name: string;
  /** The edit with its {{placeholders}} and default merge values. */
  edit: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
}

/** Templates in the single table: PK=TPL#<tenant>, SK=<id>. */
export class TemplateStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async put(tenantId: string, t: Template, mustExist = false): Promise<boolean> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: { PK: `TPL#${tenantId}`, SK: t.id, ...t },
          ConditionExpression: mustExist ? 'attribute_exists(PK)' : 'attribute_not_exists(PK)',
        }),
      );
      return true;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return false;
      throw err;
    }
  }

  async get(tenantId: string, id: string): Promise<Template | null> {
    const res = await this.db.send(
      new GetCommand({ TableName: this.table, Key: { PK: `TPL#${tenantId}`, SK: id } }),
    );
    if (!res.Item) return null;
    const { PK: _pk, SK: _sk, ...t } = res.Item;
    return t as Template;
  }

  async list(
    tenantId: string,
    limit = 50,
    cursor?: string,
  ): Promise<{ templates: Template[]; cursor?: string }> {
    const res = await this.db.send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: 'PK = :p',
        ExpressionAttributeValues: { ':p': `TPL#${tenantId}` },
        Limit: limit,
        ...(cursor
          ? { ExclusiveStartKey: JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) }
          : {}),
      }),
    );
    return {
      templates: (res.Items ?? []).map(({ PK: _p, SK: _s, ...t }) => t as Template),
      ...(res.LastEvaluatedKey
        ? { cursor: Buffer.from(JSON.stringify(res.LastEvaluatedKey)).toString('base64url') }
        : {}),
    };
  }

  async delete(tenantId: string, id: string): Promise<boolean> {
    try {
      await this.db.send(
        new DeleteCommand({
          TableName: this.table,
          Key: { PK: `TPL#${tenantId}`, SK: id },
          ConditionExpression: 'attribute_exists(PK)',
        }),
      );
      return true;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return false;
      throw err;
    }
  }
}
