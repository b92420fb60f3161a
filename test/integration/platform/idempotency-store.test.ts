import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Job } from '../../../lambdas/core/jobs/model.js';
import { JobStore } from '../../../lambdas/core/jobs/store.js';
import { ensureTable } from '../../../local/bootstrap.js';
import { startDynalite, type Running } from '../../../local/servers.js';

/** The idempotency claim and the job are two writes (dynalite has no transactions): the gap between them. */
let db: Running;
let doc: DynamoDBDocumentClient;
let store: JobStore;

beforeAll(async () => {
  db = await startDynalite(await mkdtemp(join(tmpdir(), 'cutline-idem-')));
  const raw = new DynamoDBClient({
    endpoint: db.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  });
  await ensureTable(raw, 'cutline');
  doc = DynamoDBDocumentClient.from(raw);
  store = new JobStore(doc, 'cutline');
});
afterAll(() => db?.close());

const job = (id: string, key: string): Job => {
  const now = new Date().toISOString();
  return {
    id,
    tenantId: 't',
    type: 'render',
    status: 'QUEUED',
    progress: 0,
    request: {},
    idempotencyKey: key,
    createdAt: now,
    updatedAt: now,
    timings: { queuedAt: now },
  };
};
const claim = (key: string, jobId: string, claimedAt: number) =>
  doc.send(
    new PutCommand({
      TableName: 'cutline',
      Item: { PK: `IDEMP#t#${key}`, SK: 'META', jobId, claimedAt, expiresAt: claimedAt + 3600 },
    }),
  );

describe('a replay that lands between the first request’s claim and its job', () => {
  it('waits for the first job and returns it: one job, not two', async () => {
    await claim('k1', 'first', Date.now() / 1000);
    // The first writer's job appears 300 ms later (written directly, as its second write would be).
    setTimeout(
      () =>
        void doc.send(
          new PutCommand({
            TableName: 'cutline',
            Item: { PK: 'JOB#first', SK: 'META', ...job('first', 'k1') },
          }),
        ),
      300,
    );
    const res = await store.create(job('second', 'k1'));
    expect(res.created).toBe(false);
    expect(res.job.id).toBe('first');
    expect(await store.get('second')).toBeNull();
  });

  it('answers IN_PROGRESS (retryable) when the first job does not appear in time', async () => {
    await claim('k2', 'never', Date.now() / 1000);
    await expect(store.create(job('other', 'k2'))).rejects.toMatchObject({
      code: 'IN_PROGRESS',
      retryable: true,
    });
    expect(await store.get('other')).toBeNull();
  });

  it('takes over a stale claim whose writer died between the two writes', async () => {
    await claim('k3', 'dead', Date.now() / 1000 - 60);
    const res = await store.create(job('fresh', 'k3'));
    expect(res).toMatchObject({ created: true, job: { id: 'fresh' } });
    expect(await store.get('fresh')).not.toBeNull();
  });
});
