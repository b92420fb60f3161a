import { describe, expect, it } from 'vitest';
import { packagingSeconds } from '../../../lambdas/core/plan/cost.js';
import {
  EXECUTION_SECONDS,
  renditionTimeouts,
  taskTimeoutSeconds,
} from '../../../lambdas/core/plan/timeouts.js';
import { describeTimeout } from '../../../lambdas/pipeline/timeout-reason.js';
import type { RenditionPlan } from '../../../lambdas/pipeline/state.js';

describe('task time limits sized from the plan', () => {
  it('is the estimate × factor + overhead, rounded up, within Lambda’s 900 s', () => {
    expect(taskTimeoutSeconds(112)).toBe(Math.ceil(112 * 3 + 60));
    expect(taskTimeoutSeconds(112, { timeoutFactor: 2, timeoutOverheadSeconds: 10 })).toBe(234);
    expect(taskTimeoutSeconds(400)).toBe(900);
    expect(taskTimeoutSeconds(0, { timeoutFactor: 0, timeoutOverheadSeconds: 0 })).toBe(1);
  });

  it('a Fargate rendition may run up to the execution’s own limit, never Lambda’s', () => {
    const t = renditionTimeouts({
      totalSeconds: 2000,
      audioSeconds: 30,
      stitchSeconds: 1,
      packagingSeconds: 0,
    });
    expect(t.fargate).toBe(6060);
    expect(t.single).toBe(900);
    expect(t.audio).toBe(150);
    expect(t.stitch).toBe(63);
    expect(
      renditionTimeouts({ totalSeconds: 1e6, audioSeconds: 0, stitchSeconds: 0, packagingSeconds: 0 })
        .fargate,
    ).toBe(EXECUTION_SECONDS);
  });

  it('packaging presets lengthen the passes that run them (an HLS ladder re-encodes the whole video)', () => {
    expect(packagingSeconds(undefined, 100)).toBe(0);
    expect(packagingSeconds(['hls'], 100)).toBe(200);
    expect(packagingSeconds(['web', { name: 'loudness' }], 100)).toBeCloseTo(270);
    const plain = renditionTimeouts({
      totalSeconds: 50,
      audioSeconds: 0,
      stitchSeconds: 1,
      packagingSeconds: 0,
    });
    const hls = renditionTimeouts({
      totalSeconds: 50,
      audioSeconds: 0,
      stitchSeconds: 1,
      packagingSeconds: 100,
    });
    expect(hls.stitch).toBeGreaterThan(plain.stitch + 250);
  });
});

describe('a timeout’s reason says which task, how long, the limit and what to change', () => {
  const rendition: RenditionPlan = {
    index: 0,
    name: 'output',
    target: 'lambda',
    chunked: true,
    maxConcurrency: 2,
    estimatedSeconds: 120,
    timeouts: { single: 900, audio: 70, stitch: 65, fargate: 420 },
    chunks: [{ index: 3, startFrame: 2400, endFrame: 3600, estimatedSeconds: 52.3, timeoutSeconds: 217 }],
    audioParts: [],
    audioSamples: 0,
  };

  it('a chunk: its frames, its limit, the estimate, the settings to raise', () => {
    const text = describeTimeout({ task: 'chunk', rendition: 0, chunk: rendition.chunks[0] }, 'rendering');
    expect(text).toBe(
      'rendering chunk 3 of rendition 0 (frames 2400–3599) ran for its whole time limit of 217 s and was stopped ' +
        '(the plan estimated 52.3 s). It ran slower than the cost model expects (a busy or smaller machine, heavy ' +
        'effects): raise timeoutFactor (now 3) or timeoutOverheadSeconds (now 60) in the plan limits ' +
        "(CUTLINE_PLAN_LIMITS, or planLimits of cutline start), set costScale there to the machine's measured " +
        'speed (cutline calibrate measures this one), or give the render more CPU.',
    );
  });

  it('at Lambda’s ceiling the advice is to split the work, not to wait longer', () => {
    const chunk = { ...rendition.chunks[0]!, timeoutSeconds: 900 };
    expect(describeTimeout({ task: 'chunk', rendition: 0, chunk }, 'rendering')).toMatch(
      /900 s is Lambda's maximum: lower lambdaSeconds/,
    );
  });

  it('the stitch, the audio, a single pass, Fargate, and the fixed steps', () => {
    expect(describeTimeout({ task: 'lambda', rendition }, 'stitching')).toMatch(
      /^stitching "output" ran for its whole time limit of 65 s/,
    );
    expect(describeTimeout({ task: 'audio', rendition }, 'rendering')).toMatch(
      /^mixing the audio of "output" .* 70 s/,
    );
    expect(
      describeTimeout({ task: 'lambda', rendition: { ...rendition, chunked: false } }, 'rendering'),
    ).toMatch(/^rendering "output" in one pass .* 900 s .*estimated 120 s/);
    expect(describeTimeout({ task: 'fargate', rendition }, 'rendering')).toMatch(
      /^rendering "output" on Fargate .* 420 s/,
    );
    expect(describeTimeout({}, 'probing')).toMatch(/^the probing step ran for its whole time limit of 900 s/);
    expect(describeTimeout({}, 'validating')).toMatch(/120 s .* try again/);
  });
});
