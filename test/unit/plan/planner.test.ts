import { machinePlan } from '../../../lambdas/core/engine/machine-render.js';
import { describe, expect, it } from 'vitest';
import { parseEdit } from '../../../lambdas/core/intake/parse-edit.js';
import { complexity, secondsPerFrame } from '../../../lambdas/core/plan/cost.js';
import { planRender } from '../../../lambdas/core/plan/planner.js';
import { outputSpec } from '../../../lambdas/core/render/output-spec.js';
import { resolveTimeline } from '../../../lambdas/core/render/timeline.js';

const build = (seconds: number, output: Record<string, unknown> = {}, clip: Record<string, unknown> = {}) => {
  const edit = parseEdit({
    timeline: {
      tracks: [{ clips: [{ asset: { type: 'video', src: 'a.mp4' }, start: 0, length: seconds, ...clip }] }],
    },
    output: { format: 'mp4', resolution: '1080', fps: 25, ...output },
  });
  return { edit, timeline: resolveTimeline(edit, () => null), spec: outputSpec(edit.output) };
};

describe('planRender', () => {
  it('splits into frame-exact chunks that tile the window with no gap or overlap', () => {
    const plan = planRender(build(10), {}, { chunks: 3 });
    expect(plan.chunks.map((c) => [c.startFrame, c.endFrame])).toEqual([
      [0, 83],
      [83, 166],
      [166, 250],
    ]);
    expect(plan.chunked).toBe(true);
    expect(plan.audio).toMatchObject({ startFrame: 0, endFrame: 250 });
  });

  it('chooses the count from concurrency and minChunkSeconds when none is asked for', () => {
    expect(planRender(build(60), { maxConcurrency: 8, minChunkSeconds: 4 }).chunks).toHaveLength(8);
    expect(planRender(build(10), { maxConcurrency: 8, minChunkSeconds: 4 }).chunks).toHaveLength(2);
    expect(planRender(build(3), { maxConcurrency: 8, minChunkSeconds: 4 }).chunks).toHaveLength(1);
    expect(planRender(build(3600), { maxConcurrency: 1000, maxChunks: 200 }).chunks).toHaveLength(200);
  });

  it('keeps outputs that cannot be stream-copied in one piece', () => {
    for (const format of ['gif', 'jpg', 'mp3']) {
      const plan = planRender(build(30, { format }), { maxConcurrency: 8 }, { chunks: 4 });
      expect(plan.chunked).toBe(false);
      expect(plan.chunks).toHaveLength(1);
    }
  });

  it('sends chunks that fit Lambda time and scratch budgets to Lambda, others to Fargate', () => {
    const small = planRender(build(60), { maxConcurrency: 10 });
    expect(small.chunks.every((c) => c.target === 'lambda')).toBe(true);
    const huge = planRender(build(3 * 3600, { resolution: '4k' }), { maxConcurrency: 1, maxChunks: 1 });
    expect(huge.chunks[0]!.target).toBe('fargate');
    const tight = planRender(build(60), { maxConcurrency: 2, lambdaSeconds: 1 });
    expect(tight.chunks.every((c) => c.target === 'fargate')).toBe(true);
  });

  it('honours output.range as the window', () => {
    const plan = planRender(build(20, { range: { start: 4, length: 8 } }), {}, { chunks: 2 });
    expect(plan.window).toEqual({ startFrame: 100, endFrame: 300 });
    expect(plan.chunks.map((c) => c.startFrame)).toEqual([100, 200]);
  });
});

describe('cost model', () => {
  it('grows with pixels, layers and moving layers, and VP9 costs more than H.264', () => {
    const base = build(10);
    const c = complexity(base.edit, base.timeline);
    const hd = secondsPerFrame(outputSpec({ ...base.edit.output, resolution: 'hd' }), c);
    const full = secondsPerFrame(base.spec, c);
    expect(full).toBeGreaterThan(hd * 1.8);
    const zoomed = build(10, {}, { effect: 'zoomIn' });
    expect(secondsPerFrame(zoomed.spec, complexity(zoomed.edit, zoomed.timeline))).toBeGreaterThan(
      full * 1.5,
    );
    const webm = build(10, { format: 'webm' });
    expect(secondsPerFrame(webm.spec, c)).toBeGreaterThan(full * 2);
  });
  it('a slower x264 preset (output.quality) costs more: veryhigh is x264 medium, about twice veryfast', () => {
    const base = build(10);
    const c = complexity(base.edit, base.timeline);
    const full = secondsPerFrame(base.spec, c);
    expect(secondsPerFrame(base.spec, c, 'medium')).toBe(full);
    expect(secondsPerFrame(base.spec, c, 'veryhigh')).toBeGreaterThan(full * 1.9);
    expect(secondsPerFrame(base.spec, c, 'high')).toBeGreaterThan(full * 1.6);
    const veryhigh = build(10, { quality: 'veryhigh' });
    expect(planRender(veryhigh, {}, { chunks: 1 }).estimatedSeconds).toBeGreaterThan(
      planRender(base, {}, { chunks: 1 }).estimatedSeconds * 1.8,
    );
    // VP9's qualities are not modelled by x264's presets.
    const webm = build(10, { format: 'webm' });
    expect(secondsPerFrame(webm.spec, c, 'veryhigh')).toBe(secondsPerFrame(webm.spec, c));
  });
  it('the chunked estimate is shorter than the single-pass one for long renders', () => {
    const input = build(120);
    const one = planRender(input, { maxConcurrency: 8 }, { chunks: 1 });
    const eight = planRender(input, { maxConcurrency: 8 }, { chunks: 8 });
    expect(eight.estimatedSeconds).toBeLessThan(one.estimatedSeconds / 4);
  });
});

describe('machinePlan: what cutline render plans on this machine', () => {
  it('a single pass is one ffmpeg on every core, estimated so; chunks get cores ÷ workers threads', () => {
    const input = build(20);
    const single = machinePlan(input, { chunks: 1 }, 4);
    expect(single.chunked).toBe(false);
    expect(single.estimatedSeconds).toBeCloseTo(
      planRender(input, { maxConcurrency: 1, threadsPerWorker: 4 }, { chunks: 1, local: true })
        .estimatedSeconds,
      6,
    );
    // Not the one-thread-per-worker figure the chunked plan starts from (4 workers on 4 cores).
    expect(single.estimatedSeconds).toBeLessThan(
      planRender(input, { maxConcurrency: 4, threadsPerWorker: 1 }, { chunks: 1, local: true })
        .estimatedSeconds / 2,
    );
    const chunked = machinePlan(input, { chunks: 4 }, 4);
    expect(chunked.chunked).toBe(true);
    expect(chunked.chunks).toHaveLength(4);
    // Threads the caller chose are planned as given.
    const given = machinePlan(input, { chunks: 1, threadsPerWorker: 1 }, 4);
    expect(given.estimatedSeconds).toBeCloseTo(
      planRender(input, { maxConcurrency: 4, threadsPerWorker: 1 }, { chunks: 1, local: true })
        .estimatedSeconds,
      6,
    );
  });
});

describe('costScale: the estimate at a measured machine speed', () => {
  it('scales render and audio estimates, single pass and chunked, and so the chunks sent to Fargate', () => {
    const input = build(120);
    for (const chunks of [1, 8]) {
      const base = planRender(input, { maxConcurrency: 8 }, { chunks });
      const slow = planRender(input, { maxConcurrency: 8, costScale: 1.5 }, { chunks });
      const stitch = base.stitchSeconds;
      expect(slow.estimatedSeconds - stitch).toBeCloseTo((base.estimatedSeconds - stitch) * 1.5, 6);
      expect(slow.secondsPerFrame).toBeCloseTo(base.secondsPerFrame * 1.5, 9);
      if (base.audio) expect(slow.audio!.estimatedSeconds).toBeCloseTo(base.audio.estimatedSeconds * 1.5, 9);
    }
    // A chunk that fits Lambda's budget at the reference speed may not on a slower one.
    const budget = planRender(input, {}, { chunks: 1 }).chunks[0]!.estimatedSeconds * 1.2;
    expect(planRender(input, { lambdaSeconds: budget }, { chunks: 1 }).chunks[0]!.target).toBe('lambda');
    expect(
      planRender(input, { lambdaSeconds: budget, costScale: 1.5 }, { chunks: 1 }).chunks[0]!.target,
    ).toBe('fargate');
  });
  it('a scale that is not a positive number is ignored, not a zero or NaN estimate', () => {
    const input = build(20);
    const base = planRender(input, {}, { chunks: 1 }).estimatedSeconds;
    for (const costScale of [0, -2, Number.NaN, Number.POSITIVE_INFINITY])
      expect(planRender(input, { costScale }, { chunks: 1 }).estimatedSeconds).toBe(base);
  });
});
