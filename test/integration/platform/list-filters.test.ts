import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, CreateTableCommand, DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalPlatform } from '../../../local/platform.js';
import { ensureTable } from '../../../local/bootstrap.js';
import { backfillStatusIndex } from '../../../lambdas/core/ops/status-index.js';
import { startDynalite } from '../../../local/servers.js';
import { JobStore } from '../../../lambdas/core/jobs/store.js';
import { ProjectStore } from '../../../lambdas/core/projects/store.js';
import type { Job, JobStatus } from '../../../lambdas/core/jobs/model.js';
import { getPlatform } from '../../../lambdas/core/platform.js';
import { api, SECOND_TENANT, startTestPlatform, waitForJob, type Api } from '../../helpers/platform.js';

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
      // CreateTable answers while the table is CREATING (as DynamoDB does): wait for it to be ACTIVE.
      for (let i = 0; ; i++) {
        const { Table } = await client.send(new DescribeTableCommand({ TableName: 'old' }));
        if (Table?.TableStatus === 'ACTIVE') break;
        if (i > 400) throw new Error('the old table never became ACTIVE');
        await new Promise((r) => setTimeout(r, 25));
      }
      const doc = DynamoDBDocumentClient.from(client);
      const j = job('t1', 1, 'SUCCEEDED');
      await doc.send(
        new PutCommand({
          TableName: 'old',
          Item: { PK: `JOB#${j.id}`, SK: 'META', GSI1PK: 'TENANT#t1', GSI1SK: j.createdAt, ...j },
        }),
      );
      await doc.send(new PutCommand({ TableName: 'old', Item: { PK: 'TPL#t1', SK: 'a', name: 'kept' } }));
      // A project composed by that job, and a draft: filed under their statuses.
      for (const [pid, extra] of [
        ['composed-one', { composeJobId: j.id }],
        ['draft-one', {}],
      ] as const)
        await doc.send(
          new PutCommand({
            TableName: 'old',
            Item: {
              PK: `PROJECT#${pid}`,
              SK: 'META',
              GSI1PK: 'PROJECTS#t1',
              GSI1SK: j.createdAt,
              id: pid,
              tenantId: 't1',
              createdAt: j.createdAt,
              ...extra,
            },
          }),
        );
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
      const projects = new ProjectStore(doc, 'old');
      const filed = async (status: 'composed' | 'draft') =>
        (await projects.list('t1', 10, undefined, status)).projects.map((x) => x.id);
      expect([await filed('composed'), await filed('draft')]).toEqual([['composed-one'], ['draft-one']]);
      // Made once: a second start finds every index and changes nothing.
      await ensureTable(client, 'old');
      expect((await store.list('t1', { status: 'SUCCEEDED' })).jobs).toHaveLength(1);
    } finally {
      await db.close();
    }
  });
});

describe('GET /v1/projects?status=', () => {
  /** Every project id of a filtered listing, followed page by page; no page before the last is short. */
  async function projectPages(as: Api, query: string): Promise<string[][]> {
    const out: string[][] = [];
    let cursor: string | undefined;
    do {
      const res = await as('GET', `/v1/projects?${query}${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      out.push(res.body.projects.map((p: { id: string; status: string }) => `${p.id}:${p.status}`));
      cursor = res.body.cursor;
    } while (cursor && out.length < 50);
    return out;
  }
  const create = async (as: Api, name: string): Promise<string> => {
    const res = await as('POST', '/v1/projects', {
      name,
      mode: 'custom',
      output: { size: { width: 160, height: 90 } },
      scenes: [{ source: 'title', text: name, length: 0.5 }],
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.id;
  };

  it('filters in the query: more than a page of mixed statuses, settled when their compose job ends', async () => {
    const p = getPlatform();
    // Nine projects, oldest first: drafts, and compose jobs that succeeded, failed or still run.
    const plan = [
      'draft',
      'SUCCEEDED',
      'RUNNING',
      'FAILED',
      'draft',
      'SUCCEEDED',
      'RUNNING',
      'draft',
      'SUCCEEDED',
    ];
    const ids: string[] = [];
    for (const [i, what] of plan.entries()) {
      const id = await create(call, `p${i}`);
      ids.push(id);
      if (what === 'draft') continue;
      // A compose job as the compose route files it (composing), then moved to its status by the pipeline.
      const j = job(platform.apiKeyId, 100 + i, 'QUEUED');
      await p.jobs.create(j);
      expect(
        await ProjectStore.of(p).setStatus(platform.apiKeyId, id, 'composing', { id: j.id, replaces: true }),
      ).toBe(true);
      if (what !== 'QUEUED') await p.jobs.update(j.id, { status: what as JobStatus });
    }
    const newest = (idx: number[]) => idx.map((i) => ids[i]!).reverse();
    const tagged = (idx: number[], status: string) => newest(idx).map((id) => `${id}:${status}`);
    const composed = await projectPages(call, 'status=composed&limit=1');
    expect(composed.flat()).toEqual(tagged([1, 5, 8], 'composed'));
    expect(composed.slice(0, 3).every((page) => page.length === 1)).toBe(true);
    expect((await projectPages(call, 'status=failed&limit=1')).flat()).toEqual(tagged([3], 'failed'));
    expect((await projectPages(call, 'status=composing&limit=1')).flat()).toEqual(
      tagged([2, 6], 'composing'),
    );
    const drafts = await projectPages(call, 'status=DRAFT&limit=2');
    expect(drafts.flat()).toEqual(tagged([0, 4, 7], 'draft'));
    expect(drafts[0]).toHaveLength(2);
    // A compose job that ends moves its project to the end's partition before the next filtered list.
    const running = (await ProjectStore.of(p).list(platform.apiKeyId, 100, undefined, 'composing')).projects;
    const ending = running.find((x) => x.id === ids[6])!;
    await p.jobs.update(ending.composeJobId!, { status: 'SUCCEEDED' });
    expect((await projectPages(call, 'status=composed&limit=2')).flat()).toEqual(
      tagged([1, 5, 6, 8], 'composed'),
    );
    expect((await projectPages(call, 'status=composing&limit=2')).flat()).toEqual(tagged([2], 'composing'));
    // Unfiltered, every project is still listed.
    const all = (await projectPages(call, 'limit=4')).flat();
    expect(ids.every((id) => all.some((x) => x.startsWith(`${id}:`)))).toBe(true);
  });

  it('a real compose is composing, then composed once its job succeeds', async () => {
    const id = await create(call, 'real');
    const composed = await call('POST', `/v1/projects/${id}/compose`, {});
    expect(composed.status, JSON.stringify(composed.body)).toBe(202);
    const { job: done } = await waitForJob(call, composed.body.jobId);
    expect(done.status).toBe('SUCCEEDED');
    expect((await projectPages(call, 'status=composed&limit=100')).flat()).toContain(`${id}:composed`);
    expect((await projectPages(call, 'status=composing&limit=100')).flat().join()).not.toContain(id);
  });

  it('an unknown status is a 400 at query.status; filtered cursors are bound to their tenant', async () => {
    const bad = await call('GET', '/v1/projects?status=finished');
    expect([bad.status, bad.body.error.details[0].path]).toEqual([400, 'query.status']);
    const mine = await call('GET', '/v1/projects?status=draft&limit=1');
    expect(mine.body.cursor).toBeTruthy();
    const stolen = await other('GET', `/v1/projects?status=draft&cursor=${mine.body.cursor}`);
    expect([stolen.status, stolen.body.error.details[0].path]).toEqual([400, 'query.cursor']);
    const theirs = await other('GET', '/v1/projects?status=draft');
    expect(theirs.body.projects).toEqual([]);
  });
});

describe('a deployed table from before the status index', () => {
  it('backfill-status-index files its jobs and projects once, keeping what newer writes filed', async () => {
    const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}));
    const table = getPlatform().table;
    const tenant = 'tenant-from-before';
    const old = (j: Job) => ({
      PK: `JOB#${j.id}`,
      SK: 'META',
      GSI1PK: `TENANT#${j.tenantId}`,
      GSI1SK: j.createdAt,
      GSI2PK: `STATUS#${j.status}`,
      GSI2SK: j.createdAt,
      ...j,
    });
    const done = job(tenant, 1, 'SUCCEEDED');
    const failed = job(tenant, 2, 'FAILED');
    for (const j of [done, failed]) await doc.send(new PutCommand({ TableName: table, Item: old(j) }));
    const project = (id: string, extra: Record<string, unknown>) => ({
      PK: `PROJECT#${id}`,
      SK: 'META',
      GSI1PK: `PROJECTS#${tenant}`,
      GSI1SK: done.createdAt,
      id,
      tenantId: tenant,
      createdAt: done.createdAt,
      ...extra,
    });
    await doc.send(
      new PutCommand({ TableName: table, Item: project('old-composed', { composeJobId: done.id }) }),
    );
    await doc.send(new PutCommand({ TableName: table, Item: project('old-draft', {}) }));
    const jobsIn = async (s: JobStatus) =>
      (await getPlatform().jobs.list(tenant, { status: s })).jobs.map((x) => x.id);
    const projectsIn = async (s: 'composed' | 'draft') =>
      (await ProjectStore.of(getPlatform()).list(tenant, 10, undefined, s)).projects.map((x) => x.id);
    expect([await jobsIn('SUCCEEDED'), await projectsIn('composed')]).toEqual([[], []]);
    const filed = await backfillStatusIndex(doc, table);
    expect(filed).toEqual({ jobs: 2, projects: 2 });
    expect([await jobsIn('SUCCEEDED'), await jobsIn('FAILED')]).toEqual([[done.id], [failed.id]]);
    expect([await projectsIn('composed'), await projectsIn('draft')]).toEqual([
      ['old-composed'],
      ['old-draft'],
    ]);
    // Once: a second run finds nothing left to file.
    expect(await backfillStatusIndex(doc, table)).toEqual({ jobs: 0, projects: 0 });
  });
});
