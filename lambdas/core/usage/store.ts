import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { Quota } from '../quota/quota.js';
import type { Amounts } from '../quota/reservation.js';
import type { UsageRecord } from './record.js';

const usageKey = (tenantId: string, day: string, jobId: string) => ({
  PK: `USAGE#${tenantId}`,
  SK: `${day}#${jobId}`,
});
const quotaKey = (tenantId: string) => ({ PK: `TENANT#${tenantId}`, SK: 'QUOTA' });
/** The month's committed usage (ended jobs' usage + running jobs' reservations), see reservation.ts. */
const counterKey = (tenantId: string, month: string) => ({
  PK: `TENANT#${tenantId}`,
  SK: `COMMITTED#${month}`,
});
/** The month's provider spend: estimated USD of every AI provider call, and units per provider. */
const spendKey = (tenantId: string, month: string) => ({
  PK: `TENANT#${tenantId}`,
  SK: `PROVIDERS#${month}`,
});

/** A month's provider spend as the usage API shows it. */
export interface ProviderSpend {
  usd: number;
  providers: Record<string, { unit: string; units: number; usd: number }>;
}

const FIELDS: ReadonlyArray<keyof Amounts> = ['renderSeconds', 'computeSeconds', 'bytes'];
const r3 = (x: number) => Math.round(x * 1000) / 1000;

/** Usage records, tenant quotas and the job facts written after a job ended, in the single table. */
export class UsageStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  /** Writes the record once: false when it was already there (a retried Finalize), never counted twice. */
  async put(record: UsageRecord): Promise<boolean> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...usageKey(record.tenantId, record.day, record.jobId), ...record },
          ConditionExpression: 'attribute_not_exists(PK)',
        }),
      );
      return true;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return false;
      throw err;
    }
  }

  /** The tenant's records from `from` to `to` (UTC days, inclusive), every page. */
  async list(tenantId: string, from: string, to: string): Promise<UsageRecord[]> {
    const out: UsageRecord[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const res = await this.db.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'PK = :pk AND SK BETWEEN :from AND :to',
          ExpressionAttributeValues: {
            ':pk': `USAGE#${tenantId}`,
            ':from': `${from}#`,
            ':to': `${to}#\uffff`,
          },
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      for (const item of res.Items ?? []) {
        const { PK: _pk, SK: _sk, ...rec } = item;
        out.push(rec as UsageRecord);
      }
      start = res.LastEvaluatedKey;
    } while (start);
    return out;
  }

  async getQuota(tenantId: string): Promise<Quota | null> {
    const res = await this.db.send(new GetCommand({ TableName: this.table, Key: quotaKey(tenantId) }));
    return res.Item ? Quota.parse(res.Item.quota) : null;
  }

  /** Sets (or with null removes) a tenant's quota; validated, so a typo is an error, not "no limit". */
  async setQuota(tenantId: string, quota: Quota | null): Promise<void> {
    if (quota === null) {
      await this.db.send(new DeleteCommand({ TableName: this.table, Key: quotaKey(tenantId) }));
      return;
    }
    await this.db.send(
      new PutCommand({ TableName: this.table, Item: { ...quotaKey(tenantId), quota: Quota.parse(quota) } }),
    );
  }

  /**
   * Sets facts about a job that are not its state (the submit estimate, measured seconds): allowed after
   * the job ended, unlike JobStore.update, because they never change its status or outputs.
   */
  async setJobFacts(jobId: string, facts: Record<string, unknown>): Promise<void> {
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const sets = Object.entries(facts).map(([k, v], i) => {
      names[`#f${i}`] = k;
      values[`:v${i}`] = v;
      return `#f${i} = :v${i}`;
    });
    await this.db.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { PK: `JOB#${jobId}`, SK: 'META' },
        UpdateExpression: `SET ${sets.join(', ')}`,
        ConditionExpression: 'attribute_exists(PK)',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    );
  }

  /** Adds compute seconds to a job (atomic ADD: parallel chunks and retries all count). */
  async addCompute(jobId: string, seconds: number): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { PK: `JOB#${jobId}`, SK: 'META' },
        UpdateExpression: 'ADD computeSeconds :s',
        ConditionExpression: 'attribute_exists(PK)',
        ExpressionAttributeValues: { ':s': Math.round(seconds * 1000) / 1000 },
      }),
    );
  }

  /**
   * Adds one AI provider call to a job: its units (`provider_<name>_<unit>`) and estimated cost
   * (`providerCostUsd`), atomic ADDs so retries and parallel items all count.
   */
  async addProviderUsage(
    jobId: string,
    u: { provider: string; unit: string; units: number; estimatedUsd: number },
  ): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { PK: `JOB#${jobId}`, SK: 'META' },
        UpdateExpression: 'ADD #u :u, providerCostUsd :c',
        ConditionExpression: 'attribute_exists(PK)',
        ExpressionAttributeNames: { '#u': `provider_${u.provider}_${u.unit}` },
        ExpressionAttributeValues: { ':u': u.units, ':c': u.estimatedUsd },
      }),
    );
  }

  /** The month's counter, or null before its first reservation. */
  async getCounter(tenantId: string, month: string): Promise<Amounts | null> {
    const res = await this.db.send(
      new GetCommand({ TableName: this.table, Key: counterKey(tenantId, month), ConsistentRead: true }),
    );
    if (!res.Item) return null;
    return Object.fromEntries(FIELDS.map((f) => [f, Number(res.Item![f] ?? 0)])) as unknown as Amounts;
  }

  /**
   * Creates the month's counter from the usage already recorded (jobs that ended before any reservation
   * was made); when another submit created it first, theirs stands. Returns the counter as it is.
   */
  async seedCounter(tenantId: string, month: string, used: Amounts): Promise<Amounts> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: counterKey(tenantId, month),
          UpdateExpression: 'SET renderSeconds = :r, computeSeconds = :c, bytes = :b',
          ConditionExpression: 'attribute_not_exists(PK)',
          ExpressionAttributeValues: {
            ':r': r3(used.renderSeconds),
            ':c': r3(used.computeSeconds),
            ':b': used.bytes,
          },
        }),
      );
      return used;
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException)) throw err;
      return (await this.getCounter(tenantId, month)) ?? used;
    }
  }

  /**
   * Adds `amounts` to the counter if, for every bounded field, what is committed stays within its bound
   * (`max`: the limit less the amount, since a condition cannot add). One conditional update, atomic
   * against parallel submits. False when a bound would be passed (nothing changed).
   */
  async reserve(
    tenantId: string,
    month: string,
    amounts: Amounts,
    max: Partial<Record<keyof Amounts, number>>,
  ): Promise<boolean> {
    const values: Record<string, number> = {};
    FIELDS.forEach((f, i) => (values[`:a${i}`] = f === 'bytes' ? amounts[f] : r3(amounts[f])));
    const conditions = FIELDS.flatMap((f, i) => {
      if (max[f] === undefined) return [];
      values[`:m${i}`] = max[f]!;
      return [`${f} <= :m${i}`];
    });
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: counterKey(tenantId, month),
          UpdateExpression: `ADD ${FIELDS.map((f, i) => `${f} :a${i}`).join(', ')}`,
          ConditionExpression: ['attribute_exists(PK)', ...conditions].join(' AND '),
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return false;
      throw err;
    }
  }

  /** Adds (or with negative values takes back) amounts on an existing counter; none: nothing to do. */
  async adjustCounter(tenantId: string, month: string, delta: Amounts): Promise<void> {
    await this.db
      .send(
        new UpdateCommand({
          TableName: this.table,
          Key: counterKey(tenantId, month),
          UpdateExpression: `ADD ${FIELDS.map((f, i) => `${f} :d${i}`).join(', ')}`,
          ConditionExpression: 'attribute_exists(PK)',
          ExpressionAttributeValues: Object.fromEntries(
            FIELDS.map((f, i) => [`:d${i}`, f === 'bytes' ? Math.round(delta[f]) : r3(delta[f])]),
          ),
        }),
      )
      .catch((err: Error) => {
        if (!(err instanceof ConditionalCheckFailedException)) throw err;
      });
  }

  /** Marks the job's usage settled, once: false when it already was (a retried Finalize, a late cancel). */
  async markSettled(jobId: string, at: string): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { PK: `JOB#${jobId}`, SK: 'META' },
          UpdateExpression: 'SET usageSettledAt = :at',
          ConditionExpression: 'attribute_exists(PK) AND attribute_not_exists(usageSettledAt)',
          ExpressionAttributeValues: { ':at': at },
        }),
      );
      return true;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return false;
      throw err;
    }
  }

  /**
   * Reserves a provider call's estimated cost on the month's spend if what is spent stays within `maxUsd`
   * (the budget less the estimate, 0 or more; undefined: no budget). One conditional ADD, atomic against parallel
   * calls; the item is made by the first. False when the budget has no room (nothing changed).
   */
  async reserveProviderSpend(
    tenantId: string,
    month: string,
    usd: number,
    maxUsd: number | undefined,
  ): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: spendKey(tenantId, month),
          UpdateExpression: 'ADD usd :u',
          ...(maxUsd === undefined ? {} : { ConditionExpression: 'attribute_not_exists(usd) OR usd <= :m' }),
          ExpressionAttributeValues: { ':u': usd, ...(maxUsd === undefined ? {} : { ':m': maxUsd }) },
        }),
      );
      return true;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return false;
      throw err;
    }
  }

  /** Adds a finished call's units to its provider and corrects the month's USD by `usdDelta`. */
  async addProviderSpend(
    tenantId: string,
    month: string,
    u: { provider: string; unit: string; units: number; estimatedUsd: number },
    usdDelta: number,
  ): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.table,
        Key: spendKey(tenantId, month),
        UpdateExpression: 'ADD usd :d, #n :n, #c :c',
        ExpressionAttributeNames: { '#n': `units_${u.provider}_${u.unit}`, '#c': `usd_${u.provider}` },
        ExpressionAttributeValues: {
          ':d': Math.round(usdDelta * 1e6) / 1e6,
          ':n': u.units,
          ':c': u.estimatedUsd,
        },
      }),
    );
  }

  /** The month's provider spend (zero before the first call). */
  async getProviderSpend(tenantId: string, month: string): Promise<ProviderSpend> {
    const res = await this.db.send(
      new GetCommand({ TableName: this.table, Key: spendKey(tenantId, month), ConsistentRead: true }),
    );
    const item = res.Item ?? {};
    const providers: ProviderSpend['providers'] = {};
    for (const [k, v] of Object.entries(item)) {
      const m = /^units_(.+)_([a-z]+)$/.exec(k);
      if (!m) continue;
      providers[m[1]!] = {
        unit: m[2]!,
        units: Number(v),
        usd: Math.round(Number(item[`usd_${m[1]}`] ?? 0) * 1e6) / 1e6,
      };
    }
    return { usd: Math.round(Number(item.usd ?? 0) * 1e6) / 1e6, providers };
  }
}
