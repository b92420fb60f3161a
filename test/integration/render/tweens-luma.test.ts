import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseEdit } from '../../../lambdas/core/intake/parse-edit.js';
import { renderOnThisMachine } from '../../../lambdas/core/engine/machine-render.js';
import { prepareRender } from '../../../lambdas/core/engine/prepare.js';
import { LocalSourceResolver } from '../../../lambdas/core/media/sources.js';
import { FIXTURES, imageFixture, renderEdit, squareFixture, toneFixture } from '../../helpers/fixtures.js';
import {
  countFrames,
  ffmpeg,
  litBox,
  meanVolume,
  readFrame,
  regionMean,
  ssimPerFrame,
} from '../../helpers/media.js';

let dir: string;
const size = { width: 160, height: 90 };

/** A 2 s left-to-right wipe matte: white spreads from the left edge, all white at 2 s. */
const wipeMatte = async () => {
  const path = join(FIXTURES, 'luma-wipe-lr.mp4');
  await ffmpeg([
    '-y',
    '-f',
    'lavfi',
    '-i',
    "nullsrc=s=160x90:r=25:d=2,format=gray,geq=lum='if(lt(X,W*T/2),255,0)'",
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-pix_fmt',
    'yuv420p',
    path,
  ]);
  return 'luma-wipe-lr.mp4';
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cutline-tweens-'));
  await Promise.all([
    imageFixture('red'),
    imageFixture('blue'),
    squareFixture(),
    toneFixture(4, 440),
    wipeMatte(),
  ]);
});

const red = (f: Awaited<ReturnType<typeof readFrame>>, x0: number, y0: number, x1: number, y1: number) =>
  regionMean(f, x0, y0, x1, y1)[0];
const blue = (f: Awaited<ReturnType<typeof readFrame>>, x0: number, y0: number, x1: number, y1: number) =>
  regionMean(f, x0, y0, x1, y1)[2];

/** The luma track: a red clip masked by the wipe over 0–2 s, above a blue clip. */
const lumaEdit = {
  timeline: {
    tracks: [
      {
        clips: [
          { asset: { type: 'luma', src: 'luma-wipe-lr.mp4' }, start: 0.5, length: 2 },
          { asset: { type: 'image', src: 'image-red.png' }, start: 0, length: 3, fit: 'cover' },
        ],
      },
      { clips: [{ asset: { type: 'image', src: 'image-blue.png' }, start: 0, length: 3, fit: 'cover' }] },
    ],
  },
  output: { format: 'mp4', size, fps: 25 },
};

describe('luma mattes', () => {
  it('a left-to-right wipe reveals the masked clip progressively: left half lit, right half dark at mid-time', async () => {
    const out = join(dir, 'luma.mp4');
    await renderEdit(lumaEdit, out);
    // Before the matte starts the red clip is whole.
    const before = await readFrame(out, 0.2);
    expect(red(before, 0.05, 0.1, 0.95, 0.9)).toBeGreaterThan(200);
    // Mid-wipe (1 s into the matte): red where the matte is white, the blue track below where it is black.
    const mid = await readFrame(out, 1.52);
    expect(red(mid, 0.05, 0.1, 0.4, 0.9)).toBeGreaterThan(200);
    expect(blue(mid, 0.6, 0.1, 0.95, 0.9)).toBeGreaterThan(200);
    expect(red(mid, 0.6, 0.1, 0.95, 0.9)).toBeLessThan(40);
    // A quarter in, only the left quarter shows red.
    const early = await readFrame(out, 1.02);
    expect(red(early, 0.02, 0.1, 0.2, 0.9)).toBeGreaterThan(200);
    expect(red(early, 0.35, 0.1, 0.95, 0.9)).toBeLessThan(40);
    // After the matte's clip ends the red clip is whole again.
    const after = await readFrame(out, 2.7);
    expect(red(after, 0.05, 0.1, 0.95, 0.9)).toBeGreaterThan(200);
  });

  it('a matte shorter than its clip holds its last frame (here black: the clip stays hidden)', async () => {
    await ffmpeg([
      '-y',
      '-f',
      'lavfi',
      '-i',
      "nullsrc=s=160x90:r=25:d=1,format=gray,geq=lum='if(lt(X,W*(1-T)),255,0)'",
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-pix_fmt',
      'yuv420p',
      join(FIXTURES, 'luma-close-1s.mp4'),
    ]);
    const held = structuredClone(lumaEdit);
    held.timeline.tracks[0]!.clips[0] = {
      asset: { type: 'luma', src: 'luma-close-1s.mp4' },
      start: 0,
      length: 2,
    };
    const out = join(dir, 'luma-held.mp4');
    await renderEdit(held, out);
    // 0.5 s in: the white half still on the left.
    const half = await readFrame(out, 0.5);
    expect(red(half, 0.05, 0.1, 0.3, 0.9)).toBeGreaterThan(200);
    expect(blue(half, 0.7, 0.1, 0.95, 0.9)).toBeGreaterThan(200);
    // 1.5 s: the matte file ended at 1 s on black; the clip stays hidden until the luma clip ends at 2 s.
    const after = await readFrame(out, 1.5);
    expect(blue(after, 0.05, 0.1, 0.95, 0.9)).toBeGreaterThan(200);
    expect(red(after, 0.05, 0.1, 0.95, 0.9)).toBeLessThan(40);
    // After the luma clip: the red clip is whole again.
    expect(red(await readFrame(out, 2.5), 0.05, 0.1, 0.95, 0.9)).toBeGreaterThan(200);
  });

  it('a luma with nothing to mask on its track is refused with its path', async () => {
    const bad = structuredClone(lumaEdit);
    bad.timeline.tracks[0]!.clips[0]!.start = 3.5;
    await expect(renderEdit(bad, join(dir, 'luma-bad.mp4'))).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      details: [{ path: 'timeline.tracks[0].clips[0]' }],
    });
  });
});

async function frameOf(name: string, clip: Record<string, unknown>, times: number[], src = 'square.png') {
  const out = join(dir, `${name}.mp4`);
  await renderEdit(
    {
      timeline: {
        tracks: [{ clips: [{ asset: { type: 'image', src }, start: 0, length: 2, fit: 'none', ...clip }] }],
      },
      output: { format: 'mp4', size: { width: 320, height: 180 }, fps: 25 },
    },
    out,
  );
  return Promise.all(times.map((t) => readFrame(out, t)));
}

describe('tweens', () => {
  it('offset.x keyframes move the square from the left edge to the centre, then hold', async () => {
    // The square image is 200×200 with a 40×40 white square in its middle; fit none keeps it 200 px wide.
    const frames = await frameOf(
      'tween-x',
      { offset: { x: [{ from: -0.5, to: 0, start: 0, length: 1 }] } },
      [0, 0.52, 1.0, 1.6],
    );
    const cx = frames.map((f) => {
      const b = litBox(f, 100)!;
      return (b.x0 + b.x1 + 1) / 2;
    });
    // At 0 s the square is centred on x = 0: only its right half (0–20 px) is on screen.
    expect(litBox(frames[0]!, 100)).toMatchObject({ x0: 0 });
    expect(litBox(frames[0]!, 100)!.x1).toBeGreaterThan(16);
    expect(litBox(frames[0]!, 100)!.x1).toBeLessThan(23);
    expect(cx[1]).toBeGreaterThan(70);
    expect(cx[1]).toBeLessThan(95);
    expect(cx[2]).toBeCloseTo(160, -1);
    expect(cx[3]).toBeCloseTo(160, -1);
  });

  it('opacity keyframes: constant, linear and eased segments', async () => {
    const frames = await frameOf(
      'tween-opacity',
      {
        fit: 'cover',
        opacity: [
          { from: 0, to: 1, start: 0, length: 1 },
          { from: 1, to: 0, start: 1, length: 1, interpolation: 'bezier', easing: 'easeIn' },
        ],
      },
      [0.0, 0.52, 1.0, 1.52, 1.96],
      'image-red.png',
    );
    const level = frames.map((f) => red(f, 0.1, 0.1, 0.9, 0.9));
    expect(level[0]).toBeLessThan(20);
    expect(level[1]).toBeGreaterThan(110);
    expect(level[1]).toBeLessThan(150);
    expect(level[2]).toBeGreaterThan(230);
    // easeIn is still high halfway (cubic-bezier(0.42,0,1,1) at 0.52 ≈ 0.32 of the way).
    expect(level[3]).toBeGreaterThan(150);
    expect(level[4]).toBeLessThan(40);
  });

  it('rotate.angle keyframes turn the layer; scale keyframes grow it', async () => {
    const [a, b] = await frameOf(
      'tween-rotate',
      {
        asset: { type: 'image', src: 'image-red.png' },
        scale: 0.3,
        fit: 'contain',
        transform: { rotate: { angle: [{ from: 0, to: 45, start: 0, length: 1 }] } },
      },
      [0, 1.2],
    );
    const boxA = litBox(a!, 60)!;
    const boxB = litBox(b!, 60)!;
    // A 45° turn widens the bounding box by about √2 × (w + h) / 2 / w.
    expect((boxB.x1 - boxB.x0) / (boxA.x1 - boxA.x0)).toBeGreaterThan(1.15);

    const [s0, s1, s2] = await frameOf(
      'tween-scale',
      { scale: [{ from: 0.5, to: 1, start: 0, length: 1 }] },
      [0, 0.52, 1.2],
    );
    const w = (f: typeof s0) => {
      const box = litBox(f!, 100)!;
      return box.x1 - box.x0 + 1;
    };
    expect(w(s0)).toBeGreaterThan(16);
    expect(w(s0)).toBeLessThan(24);
    expect(w(s1)).toBeGreaterThan(26);
    expect(w(s1)).toBeLessThan(35);
    expect(w(s2)).toBeGreaterThan(37);
    expect(w(s2)).toBeLessThan(43);
    // Still centred while it grows.
    const c = (f: typeof s0) => {
      const box = litBox(f!, 100)!;
      return [(box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2];
    };
    for (const f of [s0, s1, s2]) {
      expect(c(f)[0]).toBeCloseTo(160, -1);
      expect(c(f)[1]).toBeCloseTo(90, -1);
    }
  });

  it('transform.skew.x leans the top edge right of the bottom edge', async () => {
    const [f] = await frameOf('skew', { transform: { skew: { x: 0.5 } } }, [0.5]);
    // Rows near the top of the 40 px square are shifted right of rows near the bottom by about 0.5 × 40.
    const rowSpan = (y: number) => {
      let x0 = -1;
      let x1 = -1;
      for (let x = 0; x < f!.width; x++) {
        if (f!.data[(y * f!.width + x) * 4]! > 128) {
          if (x0 < 0) x0 = x;
          x1 = x;
        }
      }
      return [x0, x1];
    };
    const box = litBox(f!, 128)!;
    const top = rowSpan(box.y0 + 2);
    const bottom = rowSpan(box.y1 - 2);
    expect(top[0]! - bottom[0]!).toBeGreaterThan(14);
    expect(top[0]! - bottom[0]!).toBeLessThan(22);
  });

  it('volume keyframes fade a tone in: quiet at the start, loud after', async () => {
    const out = join(dir, 'tween-volume.mp4');
    await renderEdit(
      {
        timeline: {
          tracks: [
            {
              clips: [
                {
                  asset: {
                    type: 'audio',
                    src: 'tone-440-4.wav',
                    volume: [{ from: 0, to: 1, start: 0, length: 2 }],
                  },
                  start: 0,
                  length: 3,
                },
              ],
            },
          ],
        },
        output: { format: 'mp4', size, fps: 25 },
      },
      out,
    );
    const early = await meanVolume(out, 0.1, 0.3);
    const middle = await meanVolume(out, 0.9, 0.2);
    const late = await meanVolume(out, 2.3, 0.5);
    expect(early).toBeLessThan(middle - 6);
    expect(middle).toBeLessThan(late - 3);
  });

  it('bad keyframes are 400s at their JSON path', () => {
    const clip = (extra: Record<string, unknown>) => ({
      timeline: {
        tracks: [{ clips: [{ asset: { type: 'image', src: 'a.png' }, start: 0, length: 2, ...extra }] }],
      },
      output: { format: 'mp4' },
    });
    const issue = (extra: Record<string, unknown>) => {
      try {
        parseEdit(clip(extra));
      } catch (err) {
        return (err as { details: Array<{ path: string; message: string }> }).details[0];
      }
      throw new Error('accepted');
    };
    expect(
      issue({
        opacity: [{ from: 0, to: 1, start: 0, length: 1, interpolation: 'bezier', easing: 'wobble' }],
      }),
    ).toMatchObject({ path: 'timeline.tracks[0].clips[0].opacity[0].easing' });
    expect(
      issue({
        offset: {
          x: [
            { from: 0, to: 1, start: 0, length: 1 },
            { from: 1, to: 0, start: 0.5, length: 1 },
          ],
        },
      }),
    ).toMatchObject({
      path: 'timeline.tracks[0].clips[0].offset.x[1].start',
      message: expect.stringMatching(/overlaps/),
    });
    expect(issue({ opacity: [{ from: 0, to: 2, start: 0, length: 1 }] })).toMatchObject({
      path: 'timeline.tracks[0].clips[0].opacity[0].to',
    });
  });
});

describe('chunked renders stay frame-exact with mattes and tweens', () => {
  it('2 chunks equal the single pass', async () => {
    const edit = structuredClone(lumaEdit) as typeof lumaEdit & { timeline: { tracks: unknown[] } };
    (edit.timeline.tracks as unknown[]).unshift({
      clips: [
        {
          asset: { type: 'image', src: 'square.png' },
          start: 0,
          length: 3,
          fit: 'none',
          scale: [{ from: 0.5, to: 1, start: 0.5, length: 2, interpolation: 'bezier', easing: 'easeInOut' }],
          offset: { x: [{ from: -0.3, to: 0.3, start: 0, length: 3 }] },
          opacity: [{ from: 0.2, to: 1, start: 1, length: 1 }],
          transform: { rotate: { angle: [{ from: 0, to: 90, start: 0, length: 3 }] }, skew: { y: 0.2 } },
        },
      ],
    });
    const resolver = new LocalSourceResolver({ mediaRoot: FIXTURES, baseDir: FIXTURES, maxSourceBytes: 1e9 });
    const input = await prepareRender(parseEdit(edit), { resolver });
    const single = join(dir, 'tw-single.mp4');
    const chunked = join(dir, 'tw-chunks.mp4');
    await renderOnThisMachine(input, { output: single, chunks: 1 });
    const { plan } = await renderOnThisMachine(input, {
      output: chunked,
      chunks: 2,
      concurrency: 2,
      threadsPerWorker: 1,
    });
    expect(plan.chunked).toBe(true);
    expect(await countFrames(chunked)).toBe(75);
    const ssim = await ssimPerFrame(single, chunked);
    expect(Math.min(...ssim)).toBeGreaterThanOrEqual(0.98);
  });
});
