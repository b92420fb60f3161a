import { describe, expect, it } from 'vitest';
import {
  aggregateProgress,
  etaSeconds,
  framesOf,
  liveProgress,
  PROGRESS_INTERVAL_MS,
  ProgressReporter,
  type AggregateProgress,
  type ProgressStore,
  type ProgressWork,
} from '../../../lambdas/core/jobs/progress.js';
import { describeFailure, untilStored } from '../../../lambdas/pipeline/mark-failed.js';

describe('aggregateProgress (pure)', () => {
  const work = (done: Record<string, number>, startedAt?: number): ProgressWork => ({
    frames: 1000,
    audioFrames: 1000,
    done,
    ...(startedAt !== undefined ? { startedAt } : {}),
  });

  it('fills 5 → 90 from the units’ frames; the audio pass weighs a tenth; frames count video only', () => {
    expect(aggregateProgress(work({}))).toEqual({ progress: 5, frames: { done: 0, total: 1000 } });
    expect(aggregateProgress(work({ r0c0: 250, r0c1: 250 })).frames).toEqual({ done: 500, total: 1000 });
    // (500 + 0.1 × 0) / 1100 of 85 points
    expect(aggregateProgress(work({ r0c0: 250, r0c1: 250 })).progress).toBe(
      Math.floor(5 + (85 * 500) / 1100),
    );
    expect(aggregateProgress(work({ r0c0: 500, r0c1: 500, r0a: 1000 })).progress).toBe(90);
    // Counters past the total (a retried unit counted twice) never pass 90 or the total.
    expect(aggregateProgress(work({ r0c0: 900, r0c1: 900, r0a: 5000 }))).toMatchObject({
      progress: 90,
      frames: { done: 1000 },
    });
  });

  it('estimates the seconds left from the rate since the first frames', () => {
    const a = aggregateProgress(work({ r0: 550 }, 0), 10_000);
    expect(a.secondsRemaining).toBe(10); // half done in 10 s → 10 s more
    expect(aggregateProgress(work({}, 0), 10_000).secondsRemaining).toBeUndefined();
  });

  it('liveProgress: each of progress and frames the larger of the stored aggregate and the counters', () => {
    // A stored aggregate from an older snapshot (less audio) than a reader already saw: never back.
    const w = work({ r0c0: 450, r0a: 1000 });
    const seen = aggregateProgress(w).progress;
    const stored = { progress: seen - 2, frames: { done: 450, total: 1000 }, work: w };
    expect(liveProgress(stored).progress).toBe(seen);
    // Stitching's mark (90) stands above what the counters say.
    expect(liveProgress({ ...stored, progress: 90 })).toMatchObject({ progress: 90, frames: { done: 450 } });
    expect(liveProgress({ progress: 3 })).toEqual({ progress: 3, frames: { done: 0, total: 0 } });
  });

  it('a stitch’s copied frames fill 90 → 98 and are not counted as frames drawn', () => {
    const drawn = { r0c0: 500, r0c1: 500, r0a: 1000 };
    expect(aggregateProgress(work({ ...drawn, r0s: 500 }))).toMatchObject({
      progress: 94,
      frames: { done: 1000, total: 1000 },
    });
    expect(aggregateProgress(work({ ...drawn, r0s: 1000 })).progress).toBe(98);
    expect(aggregateProgress(work({ ...drawn, r0s: 5000 })).progress).toBe(98);
  });

  it('the seconds left are measured up to the latest count, less the time since it', () => {
    // Half done by the count at 10 s: 10 s more from then; read 3 s later, 7 s.
    const w = { ...work({ r0c0: 550 }, 0), countedAt: 10_000 };
    expect(aggregateProgress(w, 10_000).secondsRemaining).toBe(10);
    expect(aggregateProgress(w, 13_000).secondsRemaining).toBe(7);
    // Never 0 while frames are left, however stale the count.
    expect(aggregateProgress(w, 60_000).secondsRemaining).toBe(1);
    // A count stamped ahead of the reader's clock (another machine's) is taken at the reader's now.
    expect(aggregateProgress({ ...w, countedAt: 20_000 }, 10_000).secondsRemaining).toBe(10);
  });

  it('etaSeconds: the rate so far; absent with no rate or no work left', () => {
    expect(etaSeconds(0.25, 30)).toBe(90);
    expect(etaSeconds(0.5, 0.4)).toBe(1); // rounded up: never "0 s" while work is left
    expect(etaSeconds(0, 30)).toBeUndefined();
    expect(etaSeconds(0.5, 0)).toBeUndefined();
    expect(etaSeconds(1, 30)).toBeUndefined();
  });

  it('reads frames from ffmpeg’s block, or its output time for an audio-only output', () => {
    expect(framesOf({ frame: 42, outSeconds: 9 }, 25)).toBe(42);
    expect(framesOf({ frame: 0, outSeconds: 2 }, 25)).toBe(50);
  });
});

/** A store with the conditions JobStore writes in DynamoDB, kept in memory to check the reporter's pacing. */
class MemoryStore implements ProgressStore {
  work: ProgressWork = { frames: 100, audioFrames: 0, done: {} };
  progress = 0;
  terminal = false;
  counts: number[] = [];
  aggregates: number[] = [];
  async countFrames(_id: string, unit: string, n: number, now: number) {
    if (this.terminal || (this.work.done[unit] ?? -1) >= n) return null;
    this.work = { ...this.work, done: { ...this.work.done, [unit]: n } };
    this.counts.push(now);
    return this.work;
  }
  async raiseProgress<J>(_id: string, agg: AggregateProgress, o: { now: number; throttleMs: number }) {
    if (this.terminal || agg.progress < this.progress) return null;
    if (this.work.aggregatedAt !== undefined && this.work.aggregatedAt > o.now - o.throttleMs) return null;
    this.progress = agg.progress;
    this.work = { ...this.work, aggregatedAt: o.now };
    this.aggregates.push(o.now);
    return { progress: agg.progress } as J;
  }
}

describe('ProgressReporter', () => {
  it('writes at most once an interval (2 s) however often ffmpeg reports, and always the final count', async () => {
    expect(PROGRESS_INTERVAL_MS).toBe(2000);
    const store = new MemoryStore();
    let now = 0;
    const raised: number[] = [];
    const reporter = (unit: string) =>
      new ProgressReporter<{ progress: number }>({
        store,
        jobId: 'j',
        unit,
        now: () => now,
        onRaised: async (j) => void raised.push(j.progress),
      });
    // Three tasks of one job, reporting in step (the case that starved all but one of them before).
    const units = [reporter('r0c0'), reporter('r0c1'), reporter('r0a')];
    for (let block = 1; block <= 80; block++) {
      now = block * 250; // four blocks a second, as -stats_period 0.25
      for (const u of units) u.frames(block);
      await new Promise((res) => setImmediate(res));
    }
    for (const u of units) await u.finish(100);
    // 20 s: each task wrote its counter about once every 2 s (every one moving) …
    expect(store.counts.length).toBeGreaterThanOrEqual(3 * 9);
    expect(store.counts.length).toBeLessThanOrEqual(3 * 12);
    expect(store.work.done).toEqual({ r0c0: 100, r0c1: 100, r0a: 100 });
    // … and the job's aggregate (one event each) went in about once every 2 s, 1950 ms apart or more.
    expect(store.aggregates.length).toBeGreaterThanOrEqual(9);
    expect(store.aggregates.length).toBeLessThanOrEqual(12);
    for (let i = 1; i < store.aggregates.length; i++)
      expect(store.aggregates[i]! - store.aggregates[i - 1]!).toBeGreaterThanOrEqual(1950);
    expect(raised).toEqual([...raised].sort((a, b) => a - b));
  });

  it('per task: one counter write per interval, each at least 2 s after the last, then the final count', async () => {
    const store = new MemoryStore();
    let now = 0;
    const r = new ProgressReporter({ store, jobId: 'j', unit: 'r0c0', now: () => now });
    for (let block = 1; block <= 40; block++) {
      now = block * 250;
      r.frames(block);
      await new Promise((res) => setImmediate(res));
    }
    await r.finish(77);
    const gaps = store.counts.slice(1, -1).map((t, i) => t - store.counts[i]!);
    expect(gaps.every((g) => g >= 2000)).toBe(true);
    expect(store.counts.length).toBeLessThanOrEqual(Math.ceil(10_000 / 2000) + 1 + 1);
    expect(store.work.done.r0c0).toBe(77);
  });

  it('never writes to a terminal job, and a store error never reaches the render', async () => {
    const store = new MemoryStore();
    store.terminal = true;
    const errors: unknown[] = [];
    const r = new ProgressReporter({
      store,
      jobId: 'j',
      unit: 'r0',
      intervalMs: 0,
      onError: (e) => errors.push(e),
    });
    r.frames(10);
    await r.finish(20);
    expect(store.counts).toEqual([]);
    expect(store.aggregates).toEqual([]);
    const failing = new ProgressReporter({
      store: {
        countFrames: () => Promise.reject(new Error('table down')),
        raiseProgress: () => Promise.resolve(null),
      },
      jobId: 'j',
      unit: 'r0',
      onError: (e) => errors.push(e),
    });
    failing.frames(5);
    await expect(failing.finish(6)).resolves.toBeUndefined();
    expect(errors.map((e) => (e as Error).message)).toContain('table down');
  });
});

describe('MarkFailed and full stores', () => {
  it('STORAGE_FULL from a local store’s answer (kept) or a raw ENOSPC (without its path)', () => {
    expect(
      describeFailure({
        Error: 'InsufficientStorage',
        Cause: JSON.stringify({ errorMessage: 'the local table (dynalite …) is out of disk space' }),
      }),
    ).toEqual({
      code: 'STORAGE_FULL',
      message: 'the local table (dynalite …) is out of disk space; free space there and submit again',
    });
    const raw = describeFailure({
      Error: 'Error',
      Cause: JSON.stringify({ errorMessage: "ENOSPC: no space left on device, open '/tmp/cutline/j/x.mp4'" }),
    });
    expect(raw.code).toBe('STORAGE_FULL');
    expect(raw.message).toMatch(/render scratch disk is full/);
    expect(raw.message).not.toContain('/tmp/');
  });

  it('the FAILED write is tried again while the table is full, after removing the job’s intermediates', async () => {
    const full = Object.assign(new Error('the local table (dynalite …) is out of disk space'), {
      name: 'InsufficientStorage',
    });
    let tries = 0;
    let cleaned = 0;
    const written = await untilStored(
      async () => {
        if (++tries < 3) throw full;
        return 'FAILED';
      },
      async () => void cleaned++,
    );
    expect([written, tries, cleaned]).toEqual(['FAILED', 3, 1]);
    // Any other error is not retried.
    await expect(
      untilStored(
        () => Promise.reject(new Error('AccessDenied')),
        async () => undefined,
      ),
    ).rejects.toThrow('AccessDenied');
  });
});
