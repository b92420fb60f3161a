import { readFile } from 'node:fs/promises';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clients } from '../../../lambdas/core/aws/clients.js';
import type { Job } from '../../../lambdas/core/jobs/model.js';
import { LOCAL_BUCKETS, type LocalPlatform } from '../../../local/platform.js';
import { videoFixture } from '../../helpers/fixtures.js';
import { api, fixtureUrl, SECOND_TENANT, startTestPlatform } from '../../helpers/platform.js';

let platform: LocalPlatform;

beforeAll(async () => {
  await videoFixture();
  platform = await startTestPlatform();
});
afterAll(async () => platform?.close());

const drop = (key: string, body: Buffer | string) =>
  clients().s3.send(new PutObjectCommand({ Bucket: LOCAL_BUCKETS.ingest, Key: key, Body: body }));

/** The tenant whose drop folder the tests use: the platform's key (drop/<tenant>/…). */
const T = () => platform.apiKeyId;

/** Jobs of the drop folder's tenant, read from the table. */
async function dropJobs(): Promise<Job[]> {
  const { QueryCommand } = await import('@aws-sdk/lib-dynamodb');
  const res = await clients().db.send(
    new QueryCommand({
      TableName: LOCAL_BUCKETS.table,
      IndexName: 'GSI1',
      KeyConditionExpression: 'GSI1PK = :t',
      ExpressionAttributeValues: { ':t': `TENANT#${T()}` },
    }),
  );
  return (res.Items ?? []) as unknown as Job[];
}

async function until<T>(fn: () => Promise<T | undefined>, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('the drop folder', () => {
  it('is per tenant: a file outside drop/<tenant>/ is refused beside it, with what to do', async () => {
    await drop('drop/stray.json', '{}');
    const error = await until(async () => {
      try {
        const res = await clients().s3.send(
          new GetObjectCommand({ Bucket: LOCAL_BUCKETS.ingest, Key: 'drop/stray.error.json' }),
        );
        return await res.Body!.transformToString();
      } catch {
        return undefined;
      }
    });
    expect(error).toContain('the drop folder is per tenant: put files under drop/<tenant id>/');
    // Where a key's holder learns its tenant id.
    expect((await api(platform)('GET', '/v1/usage')).body.tenantId).toBe(platform.apiKeyId);
  });

  it('a JSON manifest becomes a job with outputs; dropping the same object again renders once', async () => {
    const manifest = JSON.stringify({
      type: 'render',
      edit: {
        timeline: {
          tracks: [
            { clips: [{ asset: { type: 'video', src: fixtureUrl('video.mp4') }, start: 0, length: 1 }] },
          ],
        },
        output: { format: 'mp4', size: { width: 160, height: 90 } },
      },
    });
    await drop(`drop/${T()}/manifests/first.json`, manifest);
    const job = await until(async () =>
      (await dropJobs()).find((j) => j.origin?.key === `drop/${T()}/manifests/first.json`),
    );
    const done = await until(async () => {
      const j = (await dropJobs()).find((x) => x.id === job.id)!;
      return ['SUCCEEDED', 'FAILED'].includes(j.status) ? j : undefined;
    });
    expect(done.status).toBe('SUCCEEDED');
    expect(done.outputs?.[0]?.key).toBe(`outputs/${T()}/${job.id}/output.mp4`);
    // The job is the folder's tenant's: its key sees it in the API (and the second tenant does not).
    const mine = await api(platform)('GET', `/v1/renders/${job.id}`);
    expect(mine.status).toBe(200);
    expect(mine.body.status).toBe('SUCCEEDED');
    expect((await api(platform, SECOND_TENANT.value)('GET', `/v1/renders/${job.id}`)).status).toBe(404);
    // Same bytes at the same key again: the same idempotency key, no second job.
    await drop(`drop/${T()}/manifests/first.json`, manifest);
    await new Promise((r) => setTimeout(r, 1500));
    expect(
      (await dropJobs()).filter((j) => j.origin?.key === `drop/${T()}/manifests/first.json`),
    ).toHaveLength(1);
  });

  it('a manifest with another job type (clips) runs as that type, its outputs named by rendition', async () => {
    await drop(
      `drop/${T()}/manifests/clips.json`,
      JSON.stringify({
        type: 'clips',
        src: fixtureUrl('video.mp4'),
        clips: [{ start: 0, end: 1 }],
        aspectRatios: ['1:1'],
        output: { resolution: 'preview' },
      }),
    );
    const job = await until(async () =>
      (await dropJobs()).find((j) => j.origin?.key === `drop/${T()}/manifests/clips.json`),
    );
    expect(job.type).toBe('clips');
    const done = await until(async () => {
      const j = (await dropJobs()).find((x) => x.id === job.id)!;
      return ['SUCCEEDED', 'FAILED'].includes(j.status) ? j : undefined;
    }, 120_000);
    expect(done.error ?? null).toBeNull();
    expect(done.outputs?.find((o) => o.kind === 'video')?.key).toBe(
      `outputs/${T()}/${job.id}/clip-01-1x1.mp4`,
    );
    expect(done.outputs?.some((o) => o.kind === 'manifest')).toBe(true);
  });

  it('a media file under drop/<tenant>/<preset>/ is rendered with that preset', async () => {
    await drop(`drop/${T()}/web/clip.mp4`, await readFile(await videoFixture()));
    const job = await until(async () => {
      const j = (await dropJobs()).find((x) => x.origin?.key === `drop/${T()}/web/clip.mp4`);
      return j && ['SUCCEEDED', 'FAILED'].includes(j.status) ? j : undefined;
    });
    expect(job.status).toBe('SUCCEEDED');
    expect(job.outputs?.some((o) => o.kind === 'video')).toBe(true);
  });

  it('a bad manifest writes <name>.error.json beside it with a reason a person can act on', async () => {
    await drop(
      `drop/${T()}/manifests/bad.json`,
      JSON.stringify({ type: 'render', edit: { timeline: { tracks: [] }, output: { format: 'mp4' } } }),
    );
    const error = await until(async () => {
      try {
        const res = await clients().s3.send(
          new GetObjectCommand({ Bucket: LOCAL_BUCKETS.ingest, Key: `drop/${T()}/manifests/bad.error.json` }),
        );
        return JSON.parse(await res.Body!.transformToString()) as {
          error: { code: string; details: Array<{ path: string }> };
        };
      } catch {
        return undefined;
      }
    });
    expect(error.error.code).toBe('VALIDATION_FAILED');
    expect(error.error.details[0]!.path).toBe('timeline.tracks');
  });

  it('a manifest whose render fails later also gets <name>.error.json with the reason', async () => {
    const manifest = {
      timeline: {
        tracks: [
          { clips: [{ asset: { type: 'video', src: fixtureUrl('nowhere.mp4') }, start: 0, length: 1 }] },
        ],
      },
      output: { format: 'mp4', size: { width: 160, height: 90 } },
    };
    await drop(`drop/${T()}/manifests/later.json`, JSON.stringify(manifest));
    const error = await until(async () => {
      try {
        const res = await clients().s3.send(
          new GetObjectCommand({
            Bucket: LOCAL_BUCKETS.ingest,
            Key: `drop/${T()}/manifests/later.error.json`,
          }),
        );
        return JSON.parse(await res.Body!.transformToString()) as {
          error: { code: string; message: string };
          jobId: string;
        };
      } catch {
        return undefined;
      }
    });
    expect(error.error.code).toBe('SOURCE_NOT_FOUND');
    expect(error.error.message).toContain('timeline.tracks[0].clips[0].asset.src');
  });
});
