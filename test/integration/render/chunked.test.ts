import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseEdit } from '../../../lambdas/core/intake/parse-edit.js';
import { renderOnThisMachine } from '../../../lambdas/core/engine/machine-render.js';
import { prepareRender } from '../../../lambdas/core/engine/prepare.js';
import { LocalSourceResolver } from '../../../lambdas/core/media/sources.js';
import type { CompileInput } from '../../../lambdas/core/render/compile.js';
import { FIXTURES, imageFixture, squareFixture, toneFixture, videoFixture } from '../../helpers/fixtures.js';
import { audioHash, countFrames, ffprobeJson, frameTimes, ssimPerFrame } from '../../helpers/media.js';

let dir: string;
let input: CompileInput;
let single: string;

// 6 s at 25 fps = 150 frames. With 2 chunks the boundary is frame 75 (3.0 s); with 3, frames 50 and 100.
// A crossfade (2.6–3.4 s) and a zoom (1–5 s) straddle the boundaries, so any seam would show.
const edit = {
  timeline: {
    soundtrack: { src: 'tone-330-6.wav', effect: 'fadeInFadeOut' },
    tracks: [
      {
        clips: [
          {
            asset: { type: 'title', text: 'Seamless', style: 'minimal' },
            start: 2.2,
            length: 2.6,
            transition: { in: 'fade' },
          },
        ],
      },
      {
        clips: [
          {
            asset: { type: 'image', src: 'square.png' },
            start: 1,
            length: 4,
            scale: 0.5,
            position: 'topLeft',
            effect: 'zoomIn',
          },
        ],
      },
      {
        clips: [
          { asset: { type: 'video', src: 'video.mp4' }, start: 0, length: 3.4, effect: 'slideLeft' },
          {
            asset: { type: 'video', src: 'video.mp4', trim: 0.5 },
            start: 2.6,
            length: 3.4,
            transition: { out: 'wipeLeft' },
          },
        ],
      },
    ],
  },
  output: { format: 'mp4', size: { width: 320, height: 180 }, fps: 25 },
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cutline-chunked-'));
  await Promise.all([videoFixture(), squareFixture(), toneFixture(6, 330), imageFixture('red')]);
  const resolver = new LocalSourceResolver({ mediaRoot: FIXTURES, baseDir: FIXTURES, maxSourceBytes: 1e9 });
  input = await prepareRender(parseEdit(edit), { resolver });
  single = join(dir, 'single.mp4');
  const r = await renderOnThisMachine(input, { output: single, chunks: 1 });
  expect(r.plan.chunked).toBe(false);
});

describe('chunked render + stream-copy stitch', () => {
  it.each([2, 3])('%i chunks equal the single-pass render frame for frame', async (chunks) => {
    const out = join(dir, `chunks-${chunks}.mp4`);
    const { plan } = await renderOnThisMachine(input, {
      output: out,
      chunks,
      concurrency: 2,
      threadsPerWorker: 1,
    });
    expect(plan.chunked).toBe(true);
    expect(plan.chunks.map((c) => [c.startFrame, c.endFrame])).toEqual(
      chunks === 2
        ? [
            [0, 75],
            [75, 150],
          ]
        : [
            [0, 50],
            [50, 100],
            [100, 150],
          ],
    );

    // Same frame count and duration, timestamps strictly increasing by one frame, none missing or doubled.
    expect(await countFrames(out)).toBe(150);
    expect(await countFrames(single)).toBe(150);
    const times = await frameTimes(out);
    expect(times).toHaveLength(150);
    times.forEach((t, i) => expect(t).toBeCloseTo(i / 25, 3));
    const [a, b] = [await ffprobeJson(single), await ffprobeJson(out)];
    const vDur = (p: typeof a) => Number(p.streams.find((s) => s.codec_type === 'video')!.duration);
    const aDur = (p: typeof a) => Number(p.streams.find((s) => s.codec_type === 'audio')!.duration);
    expect(vDur(b)).toBeCloseTo(vDur(a), 3);
    expect(Math.abs(aDur(b) - vDur(b))).toBeLessThanOrEqual(1024 / 48000);

    // Looks the same: SSIM against the single pass, average and worst frame.
    const ssim = await ssimPerFrame(single, out);
    expect(ssim).toHaveLength(150);
    const mean = ssim.reduce((s, v) => s + v, 0) / ssim.length;
    expect(mean).toBeGreaterThanOrEqual(0.99);
    expect(Math.min(...ssim)).toBeGreaterThanOrEqual(0.97);

    // Audio is mixed once over the whole timeline: the samples are the single pass's, so no seam can click.
    expect(await audioHash(out)).toBe(await audioHash(single));

    // Stream copy at the stitch: every chunk opens on a keyframe.
    const { stdout } = await import('node:child_process').then(({ execFileSync }) => ({
      stdout: execFileSync(
        'ffprobe',
        [
          '-v',
          'error',
          '-select_streams',
          'v:0',
          '-show_entries',
          'packet=pts_time,flags',
          '-of',
          'csv=p=0',
          out,
        ],
        { encoding: 'utf8' },
      ),
    }));
    const keyframes = stdout
      .trim()
      .split('\n')
      .filter((l) => l.includes('K'))
      .map((l) => Math.round(Number(l.split(',')[0]) * 25));
    for (const c of plan.chunks) expect(keyframes).toContain(c.startFrame);
  });

  it('the planner chooses the chunk count when none is asked for', async () => {
    const out = join(dir, 'auto.mp4');
    const { plan } = await renderOnThisMachine(input, {
      output: out,
      concurrency: 2,
      planLimits: { minChunkSeconds: 2 },
    });
    expect(plan.chunks.length).toBe(2);
    expect(await countFrames(out)).toBe(150);
  });
});
