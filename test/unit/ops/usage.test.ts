import { describe, expect, it } from 'vitest';
import { monthOf, Quota } from '../../../lambdas/core/quota/quota.js';
import {
  reservationFor,
  reservationRefusal,
  UNKNOWN_ESTIMATE,
} from '../../../lambdas/core/quota/reservation.js';
import { tierOf, totalsByDay, usageRecord } from '../../../lambdas/core/usage/record.js';

const job = {
  id: 'j1',
  tenantId: 't',
  type: 'render' as const,
  createdAt: '2026-11-30T23:59:00.000Z',
  timings: { queuedAt: '2026-11-30T23:59:00.000Z', startedAt: '2026-11-30T23:59:02.000Z' },
};

describe('usage records', () => {
  it('tiers by the short side, so portrait and landscape match', () => {
    expect([tierOf(640, 360), tierOf(720, 1280), tierOf(1920, 1080), tierOf(3840, 2160), tierOf()]).toEqual([
      'sd',
      'hd',
      'hd',
      'uhd',
      'audio',
    ]);
  });

  it('counts video and audio seconds per tier, bytes of every output, compute metered or wall', () => {
    const outputs = [
      { kind: 'video' as const, key: 'a', bytes: 1000, durationSeconds: 10, width: 1920, height: 1080 },
      { kind: 'video' as const, key: 'b', bytes: 500, durationSeconds: 10, width: 640, height: 360 },
      { kind: 'poster' as const, key: 'c', bytes: 50, width: 1920, height: 1080 },
      { kind: 'video' as const, key: 'd', bytes: 10 },
    ];
    const r = usageRecord(job, outputs, '2026-12-01T00:00:12.500Z');
    expect(r).toMatchObject({
      day: '2026-12-01',
      renderedSeconds: 20,
      tier: 'hd',
      secondsByTier: { hd: 10, sd: 10 },
      bytesStored: 1560,
      outputs: 4,
      unmeasuredOutputs: 1,
      chunkSeconds: 70.5,
      chunkSecondsSource: 'wall',
    });
    expect(usageRecord({ ...job, computeSeconds: 31.25 }, outputs, '2026-12-01T00:00:12.500Z')).toMatchObject(
      {
        chunkSeconds: 31.25,
        chunkSecondsSource: 'metered',
      },
    );
  });

  it('totals by day, oldest first', () => {
    const at = (day: string, s: number) =>
      usageRecord(job, [{ kind: 'audio', bytes: 1, durationSeconds: s }], `${day}T10:00:00.000Z`);
    const days = totalsByDay([at('2026-11-02', 3), at('2026-11-01', 1), at('2026-11-02', 2)]);
    expect(days.map((d) => [d.day, d.jobs, d.renderedSeconds, d.secondsByTier.audio])).toEqual([
      ['2026-11-01', 1, 1, 1],
      ['2026-11-02', 2, 5, 5],
    ]);
  });
});

describe('quotas', () => {
  const now = new Date('2026-02-10T12:00:00Z');
  it('the month is the UTC calendar month; the quota resets at the next one', () => {
    expect(monthOf(now)).toEqual({
      from: '2026-02-01',
      to: '2026-02-28',
      resetsAt: new Date('2026-03-01T00:00:00Z'),
    });
    expect(monthOf(new Date('2026-12-31T23:59:59Z')).resetsAt.toISOString()).toBe('2027-01-01T00:00:00.000Z');
  });

  it('refuses a reservation that does not fit (committed + this job > limit), naming the quota, the numbers and when it resets', () => {
    const q = { renderMinutesPerMonth: 10 };
    const committed = (renderSeconds: number, computeSeconds = 0, bytes = 0) => ({
      renderSeconds,
      computeSeconds,
      bytes,
    });
    const want = (renderSeconds: number, computeSeconds = 0, bytes = 0) => ({
      month: '2026-02',
      basis: 'estimate' as const,
      renderSeconds,
      computeSeconds,
      bytes,
    });
    expect(reservationRefusal(q, committed(590), want(10), now)).toBeNull();
    const r = reservationRefusal(q, committed(590), want(11), now)!;
    expect(r.message).toContain('render minutes quota for 2026-02 is used up (9.83 of 10 used or reserved');
    expect(r.message).toContain('this job needs 0.18');
    expect(r.message).toContain('2026-03-01T00:00:00.000Z');
    expect(r.message).toContain('renderMinutesPerMonth');
    expect(r.retryAfterSeconds).toBe((Date.parse('2026-03-01T00:00:00Z') - now.getTime()) / 1000);
    expect(
      reservationRefusal({ computeMinutesPerMonth: 1 }, committed(0, 50), want(0, 11), now)?.message,
    ).toContain('computeMinutesPerMonth');
    expect(
      reservationRefusal({ storedGBPerMonth: 1 }, committed(0, 0, 9e8), want(0, 0, 2e8), now)?.message,
    ).toContain('storedGBPerMonth');
    expect(reservationRefusal({}, committed(1e9, 1e9, 1e15), want(1, 1, 1), now)).toBeNull();
  });

  it('reserves the estimate, or the stated default where the job cannot be estimated', () => {
    const plan = { target: 'lambda' as const, chunks: 2, chunked: true };
    const known = reservationFor(
      {
        estimatedSeconds: 4,
        complete: true,
        plan,
        renditions: [{ name: 'output', durationSeconds: 10, estimatedSeconds: 4, plan }],
        unknown: [],
      },
      now,
    );
    expect(known).toEqual({
      month: '2026-02',
      basis: 'estimate',
      renderSeconds: 10,
      computeSeconds: 10,
      bytes: 10e6,
    });
    const unknown = reservationFor(undefined, now);
    expect(unknown).toMatchObject({ basis: 'default', ...UNKNOWN_ESTIMATE });
  });

  it('a misspelt quota is an error, never silently no limit', () => {
    expect(() => Quota.parse({ renderMinutesPerMonht: 10 })).toThrow();
    expect(() => Quota.parse({ renderMinutesPerMonth: -1 })).toThrow();
  });
});
