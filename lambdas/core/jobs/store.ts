import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { CURSOR_ID, CURSOR_TIME, decodeCursor, encodeCursor } from '../aws/cursor.js';
import { TABLE_INDEXES } from '../aws/indexes.js';
import { DYNAMODB_MAX_ITEM_BYTES, itemBytes } from '../aws/item-size.js';
import { CutlineError } from '../errors.js';
import { sanitizeError } from '../sanitize.js';
import { isTerminal, TERMINAL, type Job, type JobStatus } from './model.js';
import type { AggregateProgress, ProgressStore, ProgressWork } from './progress.js';

const key = (id: string) => ({ PK: `JOB#${id}`, SK: 'META' });
const IDEMPOTENCY_TTL_SECONDS = 24 * 3600;
/** A claim this old without its job was left by a writer that died between the two writes. */
const STALE_CLAIM_SECONDS = 30;
const CLAIM_WAIT_MS = 3000;
const CLAIM_POLL_MS = 100;
/**
 * A new job item at most this big: DynamoDB's 400 KB less room for what the pipeline adds later
 * (outputs, plan, error, timings), so an accepted job can always be finished.
 */
export const MAX_NEW_JOB_ITEM_BYTES = DYNAMODB_MAX_ITEM_BYTES - 96 * 1024;

export interface CreateOptions {
  /** The request's fingerprint (jobs/fingerprint.ts): the key's earlier use must have the same one. */
  fingerprint?: string;
  /** Runs once the key is won, just before the job is written (the quota reservation); returns its undo. */
  beforeWrite?: () => Promise<(() => Promise<void>) | void>;
}

/** The tenant's jobs in one status (GSI3): a status-filtered list reads only what matches. */
export const tenantStatusKey = (tenantId: string, status: JobStatus) => `TENANT#${tenantId}#STATUS#${status}`;

function toItem(job: Job): Record<string, unknown> {
  return {
    ...key(job.id),
    GSI1PK: `TENANT#${job.tenantId}`,
    GSI1SK: job.createdAt,
    GSI2PK: `STATUS#${job.status}`,
    GSI2SK: job.createdAt,
    GSI3PK: tenantStatusKey(job.tenantId, job.status),
    GSI3SK: job.createdAt,
    ...job,
  };
}

function fromItem(item: Record<string, unknown> | undefined): Job | null {
  if (!item) return null;
  const {
    PK: _pk,
    SK: _sk,
    GSI1PK: _a,
    GSI1SK: _b,
    GSI2PK: _c,
    GSI2SK: _d,
    GSI3PK: _e,
    GSI3SK: _f,
    ...job
  } = item;
  return job as unknown as Job;
}

/**
 * A page's cursor: the last job's createdAt and id (aws/cursor.ts), rebuilt on the caller's partition of
 * the index the page came from (GSI1, or GSI3 for one status).
 */
const cursorOf = (tenantId: string, last: Record<string, unknown>) =>
  encodeCursor(tenantId, [String(last.GSI1SK ?? last.GSI3SK), String(last.PK).slice('JOB#'.length)]);
function startKey(tenantId: string, cursor: string, status?: JobStatus): Record<string, string> {
  const [createdAt, id] = decodeCursor(tenantId, cursor, [CURSOR_TIME, CURSOR_ID]);
  return status
    ? { ...key(id!), GSI3PK: tenantStatusKey(tenantId, status), GSI3SK: createdAt! }
    : { ...key(id!), GSI1PK: `TENANT#${tenantId}`, GSI1SK: createdAt! };
}

export interface ListOptions {
  status?: JobStatus;
  limit?: number;
  cursor?: string;
}

const NOT_TERMINAL = `NOT #status IN (${TERMINAL.map((_, i) => `:t${i}`).join(', ')})`;
const terminalValues = () => Object.fromEntries(TERMINAL.map((s, i) => [`:t${i}`, s]));

/** Jobs in the single table. Writes are conditional: a job never leaves a terminal state. */
export class JobStore implements ProgressStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  /**
   * Creates the job, or returns the tenant's earlier job with the same idempotency key and fingerprint.
   * Everything that can refuse the request is decided before the job is written, and a refusal leaves
   * nothing behind: the item's size is computed first (413 before any write), the key is claimed with a
   * conditional put (dynalite, the local DynamoDB, has no transactions), `beforeWrite` (the quota
   * reservation) runs once the key is won, and if it or the job's put fails the claim is released, so
   * the key is usable again at once. A key whose job was never written (a writer that died between the
   * two puts) is taken over after STALE_CLAIM_SECONDS.
   */
  async create(job: Job, opts: CreateOptions = {}): Promise<{ job: Job; created: boolean }> {
    const bytes = itemBytes(toItem(job));
    if (bytes > MAX_NEW_JOB_ITEM_BYTES) {
      const message = `the job would be stored as ${bytes} bytes; at most ${MAX_NEW_JOB_ITEM_BYTES} fit (DynamoDB's item limit is ${DYNAMODB_MAX_ITEM_BYTES}, less room for the results): make the request smaller, e.g. put long text or data in a file under inputs/`;
      throw new CutlineError('PAYLOAD_TOO_LARGE', message, [
        { path: '', message: 'request too large to store' },
      ]);
    }
    const idemKey = job.idempotencyKey
      ? { PK: `IDEMP#${job.tenantId}#${job.idempotencyKey}`, SK: 'META' }
      : undefined;
    if (idemKey) {
      const prior = await this.claim(idemKey, job.id, opts.fingerprint);
      if (prior) return { job: prior, created: false };
    }
    try {
      const undo = await opts.beforeWrite?.();
      try {
        await this.db.send(
          new PutCommand({
            TableName: this.table,
            // Built again: beforeWrite may have added to the job (its reservation).
            Item: toItem(job),
            ConditionExpression: 'attribute_not_exists(PK)',
          }),
        );
      } catch (err) {
        if (undo) await undo();
        throw err;
      }
    } catch (err) {
      if (idemKey) await this.release(idemKey, job.id);
      throw err;
    }
    return { job, created: true };
  }

  /** Claims the key for `jobId`; returns the earlier job when the key already has one (same fingerprint). */
  private async claim(
    idemKey: { PK: string; SK: string },
    jobId: string,
    fingerprint: string | undefined,
  ): Promise<Job | null> {
    const claimItem = () => ({
      ...idemKey,
      jobId,
      expiresAt: Math.floor(Date.now() / 1000) + IDEMPOTENCY_TTL_SECONDS,
      claimedAt: Date.now() / 1000,
      ...(fingerprint ? { fingerprint } : {}),
    });
    const putClaim = async (condition: string, values?: Record<string, unknown>): Promise<boolean> => {
      try {
        await this.db.send(
          new PutCommand({
            TableName: this.table,
            Item: claimItem(),
            ConditionExpression: condition,
            ...(values ? { ExpressionAttributeValues: values } : {}),
          }),
        );
        return true;
      } catch (err) {
        if (err instanceof ConditionalCheckFailedException) return false;
        throw err;
      }
    };
    // Every pass does I/O and counts as a poll, so even a key claimed and released over and over ends.
    for (let waited = 0; ; waited += CLAIM_POLL_MS) {
      if (waited > CLAIM_WAIT_MS)
        throw new CutlineError(
          'IN_PROGRESS',
          'a request with this Idempotency-Key is still being processed; retry it in a moment',
          [],
          true,
        );
      if (await putClaim('attribute_not_exists(PK)')) return null;
      const prior = await this.db.send(
        new GetCommand({ TableName: this.table, Key: idemKey, ConsistentRead: true }),
      );
      // Released meanwhile by a request that was refused: claim it again.
      if (!prior.Item) continue;
      // A claim written before fingerprints existed has none: it is honoured as before.
      const theirs = prior.Item.fingerprint as string | undefined;
      if (fingerprint && theirs && theirs !== fingerprint)
        throw new CutlineError(
          'IDEMPOTENCY_KEY_REUSED',
          'this Idempotency-Key was already used with a different request; use a new key for a new request',
          [{ path: 'headers.Idempotency-Key', message: 'already used with a different body or route' }],
        );
      // The first request with this key may still be between its claim and its job write: wait for
      // its job instead of taking the key over (which would make a second job). Only a claim older
      // than STALE_CLAIM_SECONDS, whose writer is gone, is taken over.
      const existing = await this.get(String(prior.Item.jobId));
      if (existing) return existing;
      if (Date.now() / 1000 - Number(prior.Item.claimedAt ?? 0) > STALE_CLAIM_SECONDS) {
        if (await putClaim('jobId = :old', { ':old': prior.Item.jobId })) return null;
        continue;
      }
      await new Promise((r) => setTimeout(r, CLAIM_POLL_MS));
    }
  }

  /** Gives a claimed key back after a refusal; only our own claim (another writer may have taken it over). */
  private async release(idemKey: { PK: string; SK: string }, jobId: string): Promise<void> {
    await this.db
      .send(
        new DeleteCommand({
          TableName: this.table,
          Key: idemKey,
          ConditionExpression: 'jobId = :me',
          ExpressionAttributeValues: { ':me': jobId },
        }),
      )
      .catch((err: Error) => {
        if (!(err instanceof ConditionalCheckFailedException)) throw err;
      });
  }

  /** The job, or null when it does not exist or belongs to another tenant. */
  async get(id: string, tenantId?: string): Promise<Job | null> {
    const res = await this.db.send(
      new GetCommand({ TableName: this.table, Key: key(id), ConsistentRead: true }),
    );
    const job = fromItem(res.Item);
    if (!job || (tenantId !== undefined && job.tenantId !== tenantId)) return null;
    return job;
  }

  /**
   * Jobs of every tenant in `status` created before `before` (all of them when omitted), oldest first,
   * with only what the queue view needs: GSI2 is the operations index, ordered by createdAt.
   */
  async byStatus(
    status: JobStatus,
    before?: string,
  ): Promise<Array<Pick<Job, 'id' | 'createdAt' | 'progress' | 'estimatedSeconds' | 'submitEstimate'>>> {
    const out: Array<Pick<Job, 'id' | 'createdAt' | 'progress' | 'estimatedSeconds' | 'submitEstimate'>> = [];
    let start: Record<string, unknown> | undefined;
    do {
      const res = await this.db.send(
        new QueryCommand({
          TableName: this.table,
          IndexName: TABLE_INDEXES.GSI2,
          KeyConditionExpression: before ? 'GSI2PK = :s AND GSI2SK < :c' : 'GSI2PK = :s',
          ExpressionAttributeValues: { ':s': `STATUS#${status}`, ...(before ? { ':c': before } : {}) },
          // Names, not words: DynamoDB reserves many attribute names.
          ProjectionExpression: '#i, #c, #p, #e, #s',
          ExpressionAttributeNames: {
            '#i': 'id',
            '#c': 'createdAt',
            '#p': 'progress',
            '#e': 'estimatedSeconds',
            '#s': 'submitEstimate',
          },
          ExclusiveStartKey: start,
        }),
      );
      out.push(...((res.Items ?? []) as typeof out));
      start = res.LastEvaluatedKey;
    } while (start && out.length < 10_000);
    return out;
  }

  /** Every tenant's jobs in `status`, whole, oldest first (the local runtime's restart and stop). */
  async allInStatus(status: JobStatus): Promise<Job[]> {
    const out: Job[] = [];
    for await (const res of this.pages({
      TableName: this.table,
      IndexName: TABLE_INDEXES.GSI2,
      KeyConditionExpression: 'GSI2PK = :s',
      ExpressionAttributeValues: { ':s': `STATUS#${status}` },
    }))
      out.push(...(res.Items ?? []).map((i) => fromItem(i)!));
    return out;
  }

  /**
   * The tenant's jobs created from `from` to `to`, newest first (GSI1), with only `fields` (dotted paths
   * name nested ones); at most `max` of them, `truncated` when more were there.
   */
  async createdBetween<T>(
    tenantId: string,
    from: string,
    to: string,
    opts: { max: number; fields: readonly string[] },
  ): Promise<{ jobs: T[]; truncated: boolean }> {
    // Names, not words: DynamoDB reserves many attribute names (`status` among them).
    const names: Record<string, string> = {};
    const projection = opts.fields
      .map((f) =>
        f
          .split('.')
          .map((part) => {
            const name = `#${part}`;
            names[name] = part;
            return name;
          })
          .join('.'),
      )
      .join(', ');
    const jobs: T[] = [];
    let start: Record<string, unknown> | undefined;
    let truncated = false;
    do {
      const res = await this.db.send(
        new QueryCommand({
          TableName: this.table,
          IndexName: TABLE_INDEXES.GSI1,
          KeyConditionExpression: 'GSI1PK = :t AND GSI1SK BETWEEN :from AND :to',
          ExpressionAttributeValues: { ':t': `TENANT#${tenantId}`, ':from': from, ':to': to },
          ProjectionExpression: projection,
          ExpressionAttributeNames: names,
          ScanIndexForward: false,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      jobs.push(...((res.Items ?? []) as T[]));
      start = res.LastEvaluatedKey;
      if (start && jobs.length >= opts.max) truncated = true;
    } while (start && !truncated);
    return { jobs: jobs.slice(0, opts.max), truncated };
  }

  /** How many of the tenant's jobs are in `status` now (the operations index, GSI2, counted). */
  async countInStatus(tenantId: string, status: JobStatus): Promise<number> {
    let n = 0;
    for await (const res of this.pages({
      TableName: this.table,
      IndexName: TABLE_INDEXES.GSI2,
      KeyConditionExpression: 'GSI2PK = :s',
      FilterExpression: 'tenantId = :t',
      ExpressionAttributeValues: { ':s': `STATUS#${status}`, ':t': tenantId },
      Select: 'COUNT',
    }))
      n += res.Count ?? 0;
    return n;
  }

  /** Every page of a query, in order (each read starts where the last one ended). */
  private async *pages(input: QueryCommandInput) {
    let start: Record<string, unknown> | undefined;
    do {
      const res = await this.db.send(
        new QueryCommand({ ...input, ...(start ? { ExclusiveStartKey: start } : {}) }),
      );
      yield res;
      start = res.LastEvaluatedKey;
    } while (start);
  }

  /**
   * A page of the tenant's jobs, newest first. One status is read from its own partition (GSI3), never
   * filtered after the page limit: a page is short only at the end of what matches.
   */
  async list(tenantId: string, opts: ListOptions = {}): Promise<{ jobs: Job[]; cursor?: string }> {
    const limit = Math.min(100, Math.max(1, opts.limit ?? 20));
    const res = await this.db.send(
      new QueryCommand({
        TableName: this.table,
        ...(opts.status
          ? {
              IndexName: TABLE_INDEXES.GSI3,
              KeyConditionExpression: 'GSI3PK = :t',
              ExpressionAttributeValues: { ':t': tenantStatusKey(tenantId, opts.status) },
            }
          : {
              IndexName: TABLE_INDEXES.GSI1,
              KeyConditionExpression: 'GSI1PK = :t',
              ExpressionAttributeValues: { ':t': `TENANT#${tenantId}` },
            }),
        ScanIndexForward: false,
        Limit: limit,
        ...(opts.cursor ? { ExclusiveStartKey: startKey(tenantId, opts.cursor, opts.status) } : {}),
      }),
    );
    return {
      jobs: (res.Items ?? []).map((i) => fromItem(i)!),
      ...(res.LastEvaluatedKey ? { cursor: cursorOf(tenantId, res.LastEvaluatedKey) } : {}),
    };
  }

  /**
   * Applies `patch` unless the job is already terminal. Returns the updated job, or null when the
   * condition failed (the job is terminal or missing): callers treat that as "someone else finished it".
   */
  async update(
    id: string,
    patch: Partial<Omit<Job, 'id' | 'tenantId' | 'createdAt'>>,
    opts: {
      /** Only if the stored progress is at most `patch.progress` (progress never goes back). */
      raiseOnly?: boolean;
      /**
       * The job's tenant, when the caller holds the job: a status change moves the job to its tenant's
       * partition of GSI3, and without it the tenant is read first (it never changes).
       */
      tenantId?: string;
    } = {},
  ): Promise<Job | null> {
    const fields: Record<string, unknown> = {
      ...patch,
      // Every job error record (and so every event and API answer made from it) leaves sanitized.
      ...(patch.error ? { error: sanitizeError(patch.error) } : {}),
      updatedAt: new Date().toISOString(),
    };
    const names: Record<string, string> = { '#status': 'status' };
    const values: Record<string, unknown> = {};
    let tenantCondition = '';
    if (patch.status) {
      const tenantId = opts.tenantId ?? (await this.tenantOf(id));
      if (tenantId === null) return null;
      fields.GSI2PK = `STATUS#${patch.status}`;
      fields.GSI3PK = tenantStatusKey(tenantId, patch.status);
      // The index key written is the tenant's own: never another tenant's partition.
      names['#tenant'] = 'tenantId';
      values[':tenant'] = tenantId;
      tenantCondition = ' AND #tenant = :tenant';
    }
    const sets = Object.entries(fields).map(([k, v], i) => {
      names[`#f${i}`] = k;
      values[`:v${i}`] = v;
      return `#f${i} = :v${i}`;
    });
    if (patch.status) {
      // A job written before GSI3 existed gets its sort key with its first status change.
      names['#g3sk'] = 'GSI3SK';
      names['#created'] = 'createdAt';
      sets.push('#g3sk = #created');
    }
    Object.assign(values, terminalValues());
    if (opts.raiseOnly && patch.progress !== undefined) {
      names['#progress'] = 'progress';
      values[':pmax'] = patch.progress;
    }
    try {
      const res = await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: key(id),
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression:
            `attribute_exists(PK) AND ${NOT_TERMINAL}${tenantCondition}` +
            (opts.raiseOnly && patch.progress !== undefined ? ' AND #progress <= :pmax' : ''),
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      );
      return fromItem(res.Attributes);
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return null;
      throw err;
    }
  }

  /** Whether the table answers (the health check): a read of an item that is never written. */
  async ping(): Promise<void> {
    await this.db.send(new GetCommand({ TableName: this.table, Key: { PK: 'HEALTH', SK: 'PING' } }));
  }

  /** The job's tenant (null when there is no such job): one projected, consistent read. */
  private async tenantOf(id: string): Promise<string | null> {
    const res = await this.db.send(
      new GetCommand({
        TableName: this.table,
        Key: key(id),
        ConsistentRead: true,
        ProjectionExpression: '#t',
        ExpressionAttributeNames: { '#t': 'tenantId' },
      }),
    );
    return typeof res.Item?.tenantId === 'string' ? res.Item.tenantId : null;
  }

  /** One render unit's frame counter (jobs/progress.ts): it only grows, and never on a terminal job. */
  async countFrames(id: string, unit: string, frames: number, now: number): Promise<ProgressWork | null> {
    try {
      const res = await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: key(id),
          UpdateExpression: 'SET #w.#d.#u = :n, #w.#st = if_not_exists(#w.#st, :now), #w.#ca = :now',
          ConditionExpression:
            `attribute_exists(PK) AND ${NOT_TERMINAL} AND attribute_exists(#w.#d) ` +
            'AND (attribute_not_exists(#w.#d.#u) OR #w.#d.#u < :n)',
          ExpressionAttributeNames: {
            '#status': 'status',
            '#w': 'work',
            '#d': 'done',
            '#u': unit,
            '#st': 'startedAt',
            '#ca': 'countedAt',
          },
          ExpressionAttributeValues: { ...terminalValues(), ':n': frames, ':now': now },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return (res.Attributes?.work as ProgressWork | undefined) ?? null;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return null;
      throw err;
    }
  }

  /**
   * Writes an aggregate (jobs/progress.ts) unless it would lower progress, the job has ended, or another
   * task of the job wrote one within `throttleMs` (`work.aggregatedAt`).
   */
  async raiseProgress<J = Job>(
    id: string,
    agg: AggregateProgress,
    opts: { now: number; throttleMs: number },
  ): Promise<J | null> {
    const remaining = agg.secondsRemaining !== undefined;
    try {
      const res = await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: key(id),
          UpdateExpression:
            `SET #p = :p, #f = :f, #u = :u, #w.#at = :now${remaining ? ', #r = :r' : ''}` +
            (remaining ? '' : ' REMOVE #r'),
          ConditionExpression:
            `attribute_exists(PK) AND ${NOT_TERMINAL} AND #p <= :p ` +
            'AND (#p < :p OR attribute_not_exists(#f) OR #f.#done < :d) ' +
            'AND attribute_exists(#w) AND (attribute_not_exists(#w.#at) OR #w.#at <= :cutoff)',
          ExpressionAttributeNames: {
            '#status': 'status',
            '#p': 'progress',
            '#f': 'frames',
            '#done': 'done',
            '#u': 'updatedAt',
            '#r': 'secondsRemaining',
            '#w': 'work',
            '#at': 'aggregatedAt',
          },
          ExpressionAttributeValues: {
            ...terminalValues(),
            ':p': agg.progress,
            ':f': agg.frames,
            ':d': agg.frames.done,
            ':u': new Date().toISOString(),
            ':now': opts.now,
            ':cutoff': opts.now - opts.throttleMs,
            ...(remaining ? { ':r': agg.secondsRemaining } : {}),
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return fromItem(res.Attributes) as J | null;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return null;
      throw err;
    }
  }
}

export { isTerminal };
