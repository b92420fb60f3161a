import { describe, expect, it } from 'vitest';
import { parseEdit } from '../../../lambdas/core/intake/parse-edit.js';
import {
  combineEstimates,
  durationsNeeded,
  estimateEdit,
  type KnownDuration,
  type RenditionEstimate,
} from '../../../lambdas/core/plan/estimate.js';
import { planRender } from '../../../lambdas/core/plan/planner.js';
import { outputSpec } from '../../../lambdas/core/render/output-spec.js';
import { resolveTimeline } from '../../../lambdas/core/render/timeline.js';

const edit = (clips: unknown[], output: Record<string, unknown> = { format: 'mp4', resolution: 'hd' }) =>
  parseEdit({ timeline: { tracks: [{ clips }] }, output });

const video = (src: string, length: number | 'auto', start: number | 'auto' = 'auto', trim?: number) => ({
  asset: { type: 'video', src, ...(trim ? { trim } : {}) },
  start,
  length,
});

describe('the submit estimate', () => {
  it('probes only the sources whose length the edit leaves open, once each', () => {
    const e = edit([video('a.mp4', 'auto'), video('b.mp4', 3), video('a.mp4', 'auto')]);
    expect(durationsNeeded(e)).toEqual([
      { src: 'a.mp4', at: 'timeline.tracks[0].clips[0].asset.src', kind: 'media' },
    ]);
    expect(durationsNeeded(edit([video('b.mp4', 3)]))).toEqual([]);
  });

  it('is the planner’s own estimate of the resolved timeline (trim applied), with its target and chunks', () => {
    const e = edit([video('a.mp4', 'auto', 0, 2), video('b.mp4', 10)]);
    const durations = new Map<string, KnownDuration>([['a.mp4', { seconds: 62 }]]);
    const limits = { maxConcurrency: 4 };
    const est = estimateEdit('output', e, durations, limits) as RenditionEstimate;
    const timeline = resolveTimeline(e, (c) =>
      c.asset.type === 'video' && c.asset.src === 'a.mp4' ? 60 : null,
    );
    const plan = planRender({ edit: e, timeline, spec: outputSpec(e.output) }, limits);
    expect(est.durationSeconds).toBe(70);
    expect(est.estimatedSeconds).toBeCloseTo(plan.estimatedSeconds, 1);
    expect(est.plan).toEqual({ target: 'lambda', chunks: 4, chunked: true });
  });

  it('sends work that would not fit Lambda to Fargate, like the Plan step', () => {
    const e = edit([video('b.mp4', 600, 0)], { format: 'mp4', resolution: '4k' });
    const est = estimateEdit('output', e, new Map(), {
      maxConcurrency: 1,
      lambdaSeconds: 60,
    }) as RenditionEstimate;
    expect(est.plan.target).toBe('fargate');
  });

  it('never guesses: an unknown duration is reported with its path and reason, and the total covers what is known', () => {
    const e = edit([video('gone.mp4', 'auto')]);
    const unknown = estimateEdit('output', e, new Map([['gone.mp4', { unknown: 'not found' }]]));
    expect(unknown).toEqual([{ path: 'timeline.tracks[0].clips[0].asset.src', reason: 'not found' }]);
    const known = estimateEdit('b', edit([video('b.mp4', 4, 0)]), new Map()) as RenditionEstimate;
    const combined = combineEstimates([known], unknown as never);
    expect(combined).toMatchObject({ estimatedSeconds: known.estimatedSeconds, complete: false });
    expect(combineEstimates([], unknown as never)).toMatchObject({
      estimatedSeconds: null,
      plan: null,
      complete: false,
    });
  });

  it('puts several renditions together: seconds and chunks summed, Fargate if any needs it', () => {
    const r = (name: string, s: number, target: 'lambda' | 'fargate', chunks: number): RenditionEstimate => ({
      name,
      durationSeconds: s,
      estimatedSeconds: s,
      plan: { target, chunks, chunked: chunks > 1 },
    });
    const all = combineEstimates([r('a', 2, 'lambda', 1), r('b', 3.5, 'fargate', 3)], []);
    expect(all).toMatchObject({
      estimatedSeconds: 5.5,
      complete: true,
      plan: { target: 'fargate', chunks: 4, chunked: true },
    });
  });
});
