import { mkdtemp } from 'node:fs/promises';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { getPlatform } from '../../../lambdas/core/platform.js';
import { startLocalPlatform } from '../../../local/platform.js';

describe('restarting the local platform', () => {
  it('fails jobs that were running when it stopped with INTERRUPTED, keeps the API key, and emits Job Failed', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'cutline-restart-'));
    const first = await startLocalPlatform({ dataDir });
    const now = new Date().toISOString();
    // A job caught mid-render: RUNNING in the table, no execution behind it any more.
    await getPlatform().jobs.create({
      id: 'job-running',
      tenantId: first.apiKeyId,
      type: 'render',
      status: 'RUNNING',
      stage: 'rendering',
      progress: 40,
      request: {},
      createdAt: now,
      updatedAt: now,
      timings: { queuedAt: now, startedAt: now },
    });
    const key = first.apiKey;
    await first.close();

    const second = await startLocalPlatform({ dataDir });
    try {
      expect(second.apiKey).toBe(key);
      expect(second.interrupted).toEqual(['job-running']);
      const res = await fetch(`${second.url}/v1/renders/job-running`, { headers: { 'x-api-key': key } });
      const job = (await res.json()) as { status: string; error: { code: string; message: string } };
      expect(job.status).toBe('FAILED');
      expect(job.error.code).toBe('INTERRUPTED');
      await second.bus.drain();
      const log = (await readFile(join(dataDir, 'events.jsonl'), 'utf8'))
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(log.some((e) => e['detail-type'] === 'Job Failed' && e.detail.jobId === 'job-running')).toBe(
        true,
      );
    } finally {
      await second.close();
    }
  });

  it('keeps the local S3 port, so presigned URLs handed out before a restart still work', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'cutline-restart-s3-'));
    const first = await startLocalPlatform({ dataDir });
    const p = getPlatform();
    await p.objects.putJson(p.outputsBucket, 'outputs/t/j/manifest.json', { hello: 1 });
    const url = await p.objects.presignGet(p.outputsBucket, 'outputs/t/j/manifest.json');
    expect(await (await fetch(url)).json()).toEqual({ hello: 1 });
    await first.close();
    const second = await startLocalPlatform({ dataDir });
    try {
      const res = await fetch(url);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ hello: 1 });
    } finally {
      await second.close();
    }
  });

  it('throttles a key beyond its usage plan with 429 and Retry-After', async () => {
    const p = await startLocalPlatform({
      dataDir: await mkdtemp(join(tmpdir(), 'cutline-throttle-')),
      rateLimit: { rate: 1, burst: 2 },
    });
    try {
      const statuses: number[] = [];
      let retryAfter: string | null = null;
      for (let i = 0; i < 4; i++) {
        const res = await fetch(`${p.url}/v1/renders`, { headers: { 'x-api-key': p.apiKey } });
        statuses.push(res.status);
        if (res.status === 429) retryAfter = res.headers.get('retry-after');
      }
      expect(statuses.slice(0, 2)).toEqual([200, 200]);
      expect(statuses).toContain(429);
      expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
      // Health needs no key and is not throttled.
      expect((await fetch(`${p.url}/v1/health`)).status).toBe(200);
    } finally {
      await p.close();
    }
  });
});
