import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';
import { CURSOR_ID, decodeCursor, encodeCursor } from '../aws/cursor.js';

export interface Template {
  id: string;
  name: string;
  /** The edit as saved: its {{placeholders}} and its default merge values. */
  edit: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
}

const pk = (tenantId: string) => `TPL#${tenantId}`;

function fromItem(item: Record<string, unknown>): Template {
  const { PK: _pk, SK: _sk, ...t } = item;
  return t as unknown as Template;
}

/**
 * Templates in the single table: `PK=TPL#<tenant>`, `SK=<id>`. The tenant is part of every key, so one
 * tenant can never read, replace or delete another's template. Writes are conditional: create never
 * overwrites, replace and delete never resurrect or touch a missing template.
 */
export class TemplateStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  /** Creates (`mustExist` false) or replaces (`mustExist` true); false when the condition failed. */
  async put(tenantId: string, t: Template, mustExist = false): Promise<boolean> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...t, PK: pk(tenantId), SK: t.id },
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
      new GetCommand({ TableName: this.table, Key: { PK: pk(tenantId), SK: id }, ConsistentRead: true }),
    );
    return res.Item ? fromItem(res.Item) : null;
  }

  /** A page of the tenant's templates; `cursor` is opaque and only valid for the tenant it was made for. */
  async list(
    tenantId: string,
    limit = 50,
    cursor?: string,
  ): Promise<{ templates: Template[]; cursor?: string }> {
    // The cursor holds the last template's id only; the partition is always the caller's.
    const start = cursor
      ? { PK: pk(tenantId), SK: decodeCursor(tenantId, cursor, [CURSOR_ID])[0]! }
      : undefined;
    const res = await this.db.send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: 'PK = :p',
        ExpressionAttributeValues: { ':p': pk(tenantId) },
        Limit: limit,
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    return {
      templates: (res.Items ?? []).map(fromItem),
      ...(res.LastEvaluatedKey ? { cursor: encodeCursor(tenantId, [String(res.LastEvaluatedKey.SK)]) } : {}),
    };
  }

  /** False when there was no such template. */
  async delete(tenantId: string, id: string): Promise<boolean> {
    try {
      await this.db.send(
        new DeleteCommand({
          TableName: this.table,
          Key: { PK: pk(tenantId), SK: id },
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
