import { describe, expect, it } from 'vitest';
import type { Job } from '../../../lambdas/core/jobs/model.js';
import { waitForTerminal } from '../../../lambdas/core/jobs/wait.js';
import { computeMetrics, parseWindow, type MetricsJob } from '../../../lambdas/core/ops/metrics.js';
import { estimateErrorSummary, quantile } from '../../../lambdas/core/ops/stats.js';

const t = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();
const job = (status: Job['status'], start?: number, end?: number, est?: number): MetricsJob => ({
  status,
  createdAt: t(0),
  timings: {
    queuedAt: t(0),
    ...(start !== undefined ? { startedAt: t(start) } : {}),
    ...(end !== undefined ? { endedAt: t(end) } : {}),
  },
  ...(est !== undefined ? { submitEstimate: { estimatedSeconds: est } as MetricsJob['submitEstimate'] } : {}),
});

describe('stats', () => {
  it('quantiles interpolate between ranks and ignore non-finite values', () => {
    expect(quantile([4, 1, 3, 2], 0.5)).toBe(2.5);
    expect(quantile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 0.9)).toBe(10);
    expect(quantile([NaN, 5], 0.5)).toBe(5);
    expect(quantile([], 0.5)).toBeNull();
  });

  it('estimate error: median and p90 of |estimate − actual| / actual, and the signed median', () => {
    const s = estimateErrorSummary([
      { estimatedSeconds: 12, actualSeconds: 10 },
      { estimatedSeconds: 5, actualSeconds: 10 },
      { estimatedSeconds: 10, actualSeconds: 10 },
      { estimatedSeconds: null, actualSeconds: 10 },
      { estimatedSeconds: 3, actualSeconds: 0 },
    ]);
    expect(s.count).toBe(3);
    expect(s.medianAbsRelativeError).toBeCloseTo(0.2);
    expect(s.p90AbsRelativeError).toBeCloseTo(0.44);
    expect(s.medianRelativeError).toBeCloseTo(0);
  });
});

describe('tenant metrics', () => {
  it('counts by status, success rate over ended jobs, p50/p95 render and queue seconds, queue depth', () => {
    const jobs = [
      job('SUCCEEDED', 1, 11, 12),
      job('SUCCEEDED', 2, 22, 10),
      job('SUCCEEDED', 1, 31),
      job('FAILED', 1, 2),
      job('CANCELLED', 1, 3),
      job('RUNNING', 5),
      job('QUEUED'),
    ];
    const m = computeMetrics(jobs, { from: t(0), to: t(100) }, { queued: 1, running: 2 });
    expect(m.byStatus).toEqual({ QUEUED: 1, RUNNING: 1, SUCCEEDED: 3, FAILED: 1, CANCELLED: 1 });
    expect(m.successRate).toBe(0.75);
    expect(m.renderSeconds).toEqual({ count: 3, p50: 20, p95: 29 });
    expect(m.queueSeconds.count).toBe(6);
    expect(m.queueDepth).toEqual({ queued: 1, running: 2, total: 3 });
    expect(m.estimateError.submit.count).toBe(2);
    expect(m.estimateError.submit.medianAbsRelativeError).toBeCloseTo(0.35);
    expect(computeMetrics([], { from: t(0), to: t(1) }, { queued: 0, running: 0 }).successRate).toBeNull();
  });

  it('windows are minutes, hours or days up to 31 days', () => {
    expect([parseWindow('15m'), parseWindow('24h'), parseWindow('7d'), parseWindow('31d')]).toEqual([
      900, 86400, 604800, 2678400,
    ]);
    expect([parseWindow('32d'), parseWindow('0h'), parseWindow('1w'), parseWindow('-1h')]).toEqual([
      null,
      null,
      null,
      null,
    ]);
  });
});

describe('the quick path’s wait', () => {
  it('reads with backoff until terminal, or returns the last read at the deadline', async () => {
    let now = 0;
    const sleeps: number[] = [];
    const sleep = async (ms: number) => {
      sleeps.push(ms);
      now += ms;
    };
    const states = ['QUEUED', 'RUNNING', 'RUNNING', 'SUCCEEDED'];
    let i = 0;
    const read = async () => ({ status: states[Math.min(i++, 3)] }) as Job;
    const done = await waitForTerminal(read, { deadline: 10_000, sleep, now: () => now });
    expect(done?.status).toBe('SUCCEEDED');
    expect(sleeps).toEqual([100, 150, 225]);

    now = 0;
    sleeps.length = 0;
    const running = await waitForTerminal(async () => ({ status: 'RUNNING' }) as Job, {
      deadline: 2000,
      sleep,
      now: () => now,
    });
    expect(running?.status).toBe('RUNNING');
    expect(now).toBe(2000);
    expect(Math.max(...sleeps)).toBeLessThanOrEqual(1000);
  });
});
