import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SFN_QUOTAS } from '../../../lambdas/core/plan/sfn-quotas.js';
import { EVENT_OUTPUTS_BYTES } from '../../../lambdas/pipeline/finalize.js';
import type { LocalPlatform } from '../../../local/platform.js';
import { videoFixture } from '../../helpers/fixtures.js';
import { faultyFfmpeg, type FaultyFfmpeg } from '../../helpers/faults.js';
import { api, fixtureUrl, startTestPlatform, waitForJob, type Api } from '../../helpers/platform.js';

/**
 * The pipeline within AWS's limits, on the real local servers with the real ASL and the real tasks:
 * a task that runs past the limit the plan gave it ends the job FAILED with a reason a person can act
 * on, and the largest job the limits allow (200 renditions) keeps every state far below 256 KiB.
 */
let platform: LocalPlatform;
let call: Api;
let ffmpeg: FaultyFfmpeg;
const savedFfmpeg = process.env.CUTLINE_FFMPEG;

beforeAll(() => videoFixture());

describe('task time limits from the plan', () => {
  beforeAll(async () => {
    ffmpeg = await faultyFfmpeg();
    await ffmpeg.set('pass');
    process.env.CUTLINE_FFMPEG = ffmpeg.bin;
    // Render tasks get 3 s (factor 0, overhead 3): small enough to reach in a test.
    platform = await startTestPlatform({
      planLimits: { minChunkSeconds: 1, maxConcurrency: 2, timeoutFactor: 0, timeoutOverheadSeconds: 3 },
    });
    call = api(platform);
  });
  afterAll(async () => {
    await platform?.close();
    await ffmpeg?.dispose();
    if (savedFfmpeg === undefined) delete process.env.CUTLINE_FFMPEG;
    else process.env.CUTLINE_FFMPEG = savedFfmpeg;
  });

  it('a chunk that runs past its limit: FAILED with TIMEOUT naming the chunk, its frames, the limit and the setting', async () => {
    // Every chunk's ffmpeg hangs (120 s), far past the 3 s limit.
    await ffmpeg.set('hang:chunk-');
    const res = await call('POST', '/v1/renders', {
      timeline: { tracks: [{ clips: [{ asset: { type: 'title', text: 'slow' }, start: 0, length: 2 }] }] },
      output: { format: 'mp4', size: { width: 160, height: 90 }, mute: true },
    });
    expect(res.status).toBe(202);
    const { job } = await waitForJob(call, res.body.id, 60_000);
    await platform.sfn.drain();
    expect(job.status).toBe('FAILED');
    expect(job.error.code).toBe('TIMEOUT');
    expect(job.error.message).toMatch(
      /^rendering chunk [01] of "output" \(frames (0–24|25–49)\) ran for its whole time limit of 3 s and was stopped \(the plan estimated [\d.]+ s\)\. .*raise timeoutFactor \(now 0\) or timeoutOverheadSeconds \(now 3\) in the plan limits/,
    );
    // Stopped at the plan's limit: not the hang's 120 s, not a 60 s default.
    const ran = (Date.parse(job.timings.endedAt) - Date.parse(job.timings.startedAt)) / 1000;
    expect(ran).toBeGreaterThanOrEqual(3);
    expect(ran).toBeLessThan(40);
    const execution = platform.sfn.executions.get(job.id)!;
    expect(execution.status).toBe('FAILED');
    expect(execution.error).toBe('TIMEOUT');
  }, 90_000);
});

describe('state carries references, not lists that grow with the job', () => {
  // The platform's own limits (the task limits as sized for real work).
  beforeAll(async () => {
    platform = await startTestPlatform();
    call = api(platform);
  });
  afterAll(() => platform?.close());

  /** A clip job of `clips` × 4 aspect ratios, checked state by state in the local run. */
  async function clipJob(clips: number) {
    const title = 'T'.repeat(200); // the longest title a clip may have, so the outputs' metadata is largest
    const res = await call('POST', '/v1/clips', {
      src: fixtureUrl('video.mp4'),
      clips: Array.from({ length: clips }, (_, i) => ({
        start: (i % 19) * 0.2,
        end: (i % 19) * 0.2 + 0.2,
        title,
      })),
      aspectRatios: ['9:16', '1:1', '4:5', '16:9'],
      output: { resolution: 'preview', mute: true },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    const { job } = await waitForJob(call, res.body.id, 1_800_000);
    expect(job.error ?? null).toBeNull();
    expect(job.status).toBe('SUCCEEDED');
    const videos = (job.outputs as Array<{ kind: string }>).filter((o) => o.kind === 'video');
    expect(videos).toHaveLength(clips * 4);
    await platform.sfn.drain(); // PublishSucceeded runs after the job is SUCCEEDED
    const peaks = new Map(platform.sfn.runner.payloadPeaks);
    platform.sfn.runner.payloadPeaks.clear();
    for (const [state, bytes] of peaks) expect(bytes, state).toBeLessThan(SFN_QUOTAS.payloadBytes);
    const outputsBytes = Buffer.byteLength(JSON.stringify(job.outputs));
    console.log(
      `state-limits: ${clips * 4} renditions; largest state ${Math.max(...peaks.values())} B (${[...peaks].sort((a, b) => b[1] - a[1])[0]![0]}); Finalize in/out ${peaks.get('Finalize')} B; the outputs list alone ${outputsBytes} B`,
    );
    return { peaks, outputsBytes };
  }

  it('with 8 renditions the top-level states carry keys, not lists (under 2 KiB each)', async () => {
    const { peaks } = await clipJob(2);
    for (const state of ['Plan', 'RenderRenditions']) expect(peaks.get(state), state).toBeLessThan(2048);
    // Finalize's output is the event detail: whole while small, its outputs named by the manifest beyond 32 KiB.
    for (const state of ['Finalize', 'PublishSucceeded'])
      expect(peaks.get(state), state).toBeLessThan(EVENT_OUTPUTS_BYTES + 1024);
  }, 600_000);

  // The largest job the limits allow (MAX_RENDITIONS): ~5 min on 2 idle cores, far longer on a busy machine.
  it('200 renditions (50 clips × 4 aspect ratios): every state stays small; outputs and plans live in S3', async () => {
    const { peaks, outputsBytes } = await clipJob(50);
    // The top-level states carry keys only: the same few hundred bytes for 1 rendition or 200.
    for (const state of ['Plan', 'RenderRenditions']) expect(peaks.get(state), state).toBeLessThan(2048);
    for (const state of ['Finalize', 'PublishSucceeded'])
      expect(peaks.get(state), state).toBeLessThan(EVENT_OUTPUTS_BYTES + 1024);
    // What the old design carried into Finalize — every output's record among it — measured from the
    // same job: the outputs list alone is most of the limit.
    expect(outputsBytes).toBeGreaterThan(100 * 1024);
  }, 1_800_000);
});
