import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { clients } from '../../lambdas/core/aws/clients.js';
import { getPlatform } from '../../lambdas/core/platform.js';
import { reserveQuota, usageStore } from '../../lambdas/core/usage/index.js';
import { LOCAL_BUCKETS, startLocalPlatform } from '../../local/platform.js';

describe('quota reservations across a restart', () => {
  it('a job interrupted by a stop of the platform gives its reservation back on the next start', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'cutline-quota-restart-'));
    const quotas = { default: { renderMinutesPerMonth: 1 } };
    const first = await startLocalPlatform({ dataDir, quotas });
    const tenantId = first.apiKeyId;
    const month = new Date().toISOString().slice(0, 7);
    const plan = { target: 'lambda' as const, chunks: 1, chunked: false };
    const estimate = (seconds: number) => ({
      estimatedSeconds: 5,
      complete: true,
      plan,
      renditions: [{ name: 'output', durationSeconds: seconds, estimatedSeconds: 5, plan }],
      unknown: [],
    });
    const reservation = await reserveQuota(tenantId, estimate(40));
    expect(reservation).toMatchObject({ renderSeconds: 40, basis: 'estimate' });
    const now = new Date().toISOString();
    // A job caught mid-render with its reservation: RUNNING in the table, no execution behind it any more.
    await getPlatform().jobs.create({
      id: 'job-reserved',
      tenantId,
      type: 'render',
      status: 'RUNNING',
      stage: 'rendering',
      progress: 40,
      request: {},
      reservation,
      createdAt: now,
      updatedAt: now,
      timings: { queuedAt: now, startedAt: now },
    });
    expect((await usageStore().getCounter(tenantId, month))!.renderSeconds).toBe(40);
    // A 30 s job does not fit the 60 s while the first holds its 40 s.
    await expect(reserveQuota(tenantId, estimate(30))).rejects.toMatchObject({ code: 'QUOTA_EXCEEDED' });
    await first.close();

    const second = await startLocalPlatform({ dataDir, quotas });
    try {
      expect(second.interrupted).toEqual(['job-reserved']);
      expect((await usageStore().getCounter(tenantId, month))!.renderSeconds).toBe(0);
      const records = await usageStore().list(tenantId, `${month}-01`, now.slice(0, 10));
      // Now it fits.
      expect(await reserveQuota(tenantId, estimate(30))).toMatchObject({ renderSeconds: 30 });
      expect(records.find((r) => r.jobId === 'job-reserved')).toMatchObject({
        status: 'FAILED',
        renderedSeconds: 0,
      });
      // A counter this process knows but the table lost (a new table) is seeded again, not a refusal.
      await clients().db.send(
        new DeleteCommand({
          TableName: LOCAL_BUCKETS.table,
          Key: { PK: `TENANT#${tenantId}`, SK: `COMMITTED#${month}` },
        }),
      );
      expect(await reserveQuota(tenantId, estimate(10))).toMatchObject({ renderSeconds: 10 });
      expect((await usageStore().getCounter(tenantId, month))!.renderSeconds).toBe(10);
    } finally {
      await second.close();
    }
  });
});
