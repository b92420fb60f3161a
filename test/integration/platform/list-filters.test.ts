import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, CreateTableCommand, DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalPlatform } from '../../../local/platform.js';
import { ensureTable } from '../../../local/bootstrap.js';
import { startDynalite } from '../../../local/servers.js';
import { JobStore } from '../../../lambdas/core/jobs/store.js';
import type { Job, JobStatus } from '../../../lambdas/core/jobs/model.js';
import { getPlatform } from '../../../lambdas/core/platform.js';
import { api, SECOND_TENANT, startTestPlatform, type Api } from '../../helpers/platform.js';

/**
 * Status-filtered lists on the real local table (dynalite): the status is part of the index key (GSI3),
 * so a page never comes back empty with a cursor while more jobs match.
 */
let platform: LocalPlatform;
let call: Api;
let other: Api;

const job = (tenantId: string, n: number, status: JobStatus): Job => {
  const createdAt = new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString();
  return {
    id: `${tenantId}-job-${String(n).padStart(3, '0')}`,
    tenantId,
    type: 'render',
    status,
    progress: 0,
    request: { timeline: { tracks: [] }, output: { format: 'mp4' } },
    createdAt,
    updatedAt: createdAt,
    timings: { queuedAt: createdAt },
  } as unknown as Job;
};

/** Follows the cursor to the end; every page but an empty last one is full. */
async function pages(as: Api, query: string): Promise<Array<Array<{ id: string; status: string }>>> {
  const out: Array<Array<{ id: string; status: string }>> = [];
  let cursor: string | undefined;
  do {
    const res = await as('GET', `/v1/renders?${query}${cursor ? `&cursor=${cursor}` : ''}`);
    expect(res.status).toBe(200);
    out.push(res.body.renders);
    cursor = res.body.cursor;
  } while (cursor && out.length < 50);
  return out;
}

// Newest first: 30 jobs, one SUCCEEDED in every five, the rest QUEUED, RUNNING or FAILED.
const STATUSES: JobStatus[] = ['QUEUED', 'RUNNING', 'FAILED', 'QUEUED', 'SUCCEEDED'];

beforeAll(async () => {
  platform = await startTestPlatform({ workers: 1 });
  call = api(platform);
  other = api(platform, SECOND_TENANT.value);
  const jobs = getPlatform().jobs;
  for (let n = 0; n < 30; n++) await jobs.create(job(platform.apiKeyId, n, STATUSES[n % 5]!));
  // The other tenant's succeeded jobs are newer than all of them: never in this tenant's pages.
  for (let n = 40; n < 45; n++) await jobs.create(job(SECOND_TENANT.id, n, 'SUCCEEDED'));
});
afterAll(async () => platform?.close());

describe('GET /v1/renders?status=', () => {
  it('limit=1 pages through exactly the matching jobs, newest first, never an empty page while more match', async () => {
    const got = await pages(call, 'status=SUCCEEDED&limit=1');
    const expected = Array.from(
      { length: 6 },
      (_, i) => `${platform.apiKeyId}-job-${String(29 - 5 * i).padStart(3, '0')}`,
    );
    const ids = got.flat().map((r) => r.id);
    expect(ids).toEqual(expected);
    expect(got.flat().every((r) => r.status === 'SUCCEEDED')).toBe(true);
    // Only a last page may be empty (DynamoDB cannot tell that the full page before it was the last).
    expect(got.slice(0, 6).every((p) => p.length === 1)).toBe(true);
    expect(got.slice(6).every((p) => p.length === 0)).toBe(true);
  });

  it('bigger pages of another status, the unfiltered list still lists every status', async () => {
    const queued = (await pages(call, 'status=queued&limit=5')).flat();
    expect(queued).toHaveLength(12);
    expect(queued.every((r) => r.status === 'QUEUED')).toBe(true);
    const all = (await pages(call, 'limit=7')).flat();
    expect(all).toHaveLength(30);
  });

  it('a job moves between status partitions as its status changes', async () => {
    const jobs = getPlatform().jobs;
    const id = `${platform.apiKeyId}-job-000`; // QUEUED, the oldest
    expect(await jobs.update(id, { status: 'RUNNING' })).toMatchObject({ status: 'RUNNING' });
    const running = (await pages(call, 'status=RUNNING&limit=100')).flat().map((r) => r.id);
    const queued = (await pages(call, 'status=QUEUED&limit=100')).flat().map((r) => r.id);
    expect([running.includes(id), queued.includes(id)]).toEqual([true, false]);
  });

  it('a job written before the status index gets its keys with its next status change', async () => {
    const old = job(platform.apiKeyId, 35, 'QUEUED');
    // As a job item was written before GSI3: no GSI3PK / GSI3SK.
    await DynamoDBDocumentClient.from(new DynamoDBClient({})).send(
      new PutCommand({
        TableName: getPlatform().table,
        Item: {
          PK: `JOB#${old.id}`,
          SK: 'META',
          GSI1PK: `TENANT#${old.tenantId}`,
          GSI1SK: old.createdAt,
          GSI2PK: 'STATUS#QUEUED',
          GSI2SK: old.createdAt,
          ...old,
        },
      }),
    );
    expect((await pages(call, 'status=FAILED&limit=100')).flat().map((r) => r.id)).not.toContain(old.id);
    await getPlatform().jobs.update(old.id, { status: 'FAILED', error: { code: 'X', message: 'x' } });
    const failed = (await pages(call, 'status=FAILED&limit=1')).flat().map((r) => r.id);
    expect(failed[0]).toBe(old.id); // the newest failed job
  });

  it('a filtered cursor is bound to its tenant', async () => {
    const page = await call('GET', '/v1/renders?status=SUCCEEDED&limit=1');
    expect(page.body.cursor).toBeTruthy();
    const stolen = await other('GET', `/v1/renders?status=SUCCEEDED&cursor=${page.body.cursor}`);
    expect([stolen.status, stolen.body.error.details[0].path]).toEqual([400, 'query.cursor']);
    const theirs = (await pages(other, 'status=SUCCEEDED&limit=2')).flat();
    expect(theirs.map((r) => r.id)).toEqual([44, 43, 42, 41, 40].map((n) => `${SECOND_TENANT.id}-job-0${n}`));
  });
});

describe('a local table made before the status index', () => {
  it('is made again with every index, its items kept and job items indexed', async () => {
    const db = await startDynalite(await mkdtemp(join(tmpdir(), 'cutline-table-')));
    try {
      const client = new DynamoDBClient({
        endpoint: db.endpoint,
        region: 'us-east-1',
        credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
      });
      const s = (n: string) => ({ AttributeName: n, AttributeType: 'S' as const });
      const gsi = (n: string) => ({
        IndexName: n,
        KeySchema: [
          { AttributeName: `${n}PK`, KeyType: 'HASH' as const },
          { AttributeName: `${n}SK`, KeyType: 'RANGE' as const },
        ],
        Projection: { ProjectionType: 'ALL' as const },
      });
      await client.send(
        new CreateTableCommand({
          TableName: 'old',
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: [s('PK'), s('SK'), s('GSI1PK'), s('GSI1SK'), s('GSI2PK'), s('GSI2SK')],
          KeySchema: [
            { AttributeName: 'PK', KeyType: 'HASH' },
            { AttributeName: 'SK', KeyType: 'RANGE' },
          ],
          GlobalSecondaryIndexes: [gsi('GSI1'), gsi('GSI2')],
        }),
      );
      const doc = DynamoDBDocumentClient.from(client);
      const j = job('t1', 1, 'SUCCEEDED');
      await doc.send(
        new PutCommand({
          TableName: 'old',
          Item: { PK: `JOB#${j.id}`, SK: 'META', GSI1PK: 'TENANT#t1', GSI1SK: j.createdAt, ...j },
        }),
      );
      await doc.send(new PutCommand({ TableName: 'old', Item: { PK: 'TPL#t1', SK: 'a', name: 'kept' } }));
      await ensureTable(client, 'old');
      const { Table } = await client.send(new DescribeTableCommand({ TableName: 'old' }));
      expect((Table?.GlobalSecondaryIndexes ?? []).map((g) => g.IndexName).sort()).toEqual([
        'GSI1',
        'GSI2',
        'GSI3',
      ]);
      const store = new JobStore(doc, 'old');
      expect((await store.list('t1', { status: 'SUCCEEDED' })).jobs.map((x) => x.id)).toEqual([j.id]);
      expect((await store.get(j.id))?.status).toBe('SUCCEEDED');
      const { Item } = await doc.send(new GetCommand({ TableName: 'old', Key: { PK: 'TPL#t1', SK: 'a' } }));
      expect(Item?.name).toBe('kept');
      // Made once: a second start finds every index and changes nothing.
      await ensureTable(client, 'old');
      expect((await store.list('t1', { status: 'SUCCEEDED' })).jobs).toHaveLength(1);
    } finally {
      await db.close();
    }
  });
});
