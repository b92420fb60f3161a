import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { curveValue } from '../../../lambdas/core/render/motion.js';
import { imageFixture, renderEdit } from '../../helpers/fixtures.js';
import { litBox, readFrame, regionMean, type Frame } from '../../helpers/media.js';

/**
 * Fades as Shotstack's player draws them (its one-step "smooth" bezier), VeryFast speeds and shuffles,
 * read from the pixels of real renders at known frames (25 fps: frame k is at k/25 s).
 */
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cutline-curves-'));
  await imageFixture('white');
});
afterAll(() => (process.env.KEEP ? undefined : rm(dir, { recursive: true, force: true })));

const size = { width: 160, height: 90 };

async function render(name: string, clip: Record<string, unknown>, length = 2): Promise<string> {
  const out = join(process.env.KEEP ?? dir, `${name}.mp4`);
  await renderEdit(
    {
      timeline: {
        background: '#000000',
        tracks: [
          { clips: [{ asset: { type: 'image', src: 'image-white.png' }, start: 0, length, ...clip }] },
        ],
      },
      output: { format: 'mp4', size, fps: 25 },
    },
    out,
  );
  return out;
}

/** How much of its lit box the lit shape fills: about 1 for an upright square, less when it is turned. */
function fill(f: Frame): number {
  const b = litBox(f)!;
  let lit = 0;
  for (let y = b.y0; y < b.y1; y++)
    for (let x = b.x0; x < b.x1; x++) if (f.data[(y * f.width + x) * 4 + 1]! > 128) lit++;
  return lit / ((b.x1 - b.x0) * (b.y1 - b.y0));
}

/** Mean brightness of the middle of the frame at `t`, 0–1. */
const level = async (file: string, t: number) =>
  regionMean(await readFrame(file, t), 0.3, 0.3, 0.7, 0.7)[1] / 255;

describe('eased fades', () => {
  it('a fade in follows the smooth curve, not a line: 41 % at a quarter, 84 % halfway', async () => {
    const out = await render('fade', { fit: 'cover', transition: { in: 'fade', out: 'fade' } }, 3);
    // Frame 6 (0.24 s) and 12 (0.48 s) of a 1 s fade.
    for (const [t, p] of [
      [0.24, 0.24],
      [0.48, 0.48],
    ] as const) {
      const seen = await level(out, t);
      expect(seen, `at ${t} s`).toBeGreaterThan(curveValue(p, 'smooth') - 0.05);
      expect(seen, `at ${t} s`).toBeLessThan(curveValue(p, 'smooth') + 0.05);
      // A linear fade would be at p: well below the curve here.
      expect(seen - p).toBeGreaterThan(0.1);
    }
    expect(await level(out, 1.5)).toBeGreaterThan(0.95);
    // Fade out mirrors it: at 2.76 s (0.76 into the last second) it is down to 1 − curve(0.76).
    const late = await level(out, 2.76);
    expect(late).toBeGreaterThan(1 - curveValue(0.76, 'smooth') - 0.05);
    expect(late).toBeLessThan(1 - curveValue(0.76, 'smooth') + 0.05);
  });

  it('fadeVeryFast lasts 0.25 s: partial at frame 3, whole from frame 7', async () => {
    const out = await render('fade-very-fast', { fit: 'cover', transition: { in: 'fadeVeryFast' } });
    const early = await level(out, 0.12);
    expect(early).toBeGreaterThan(curveValue(0.48, 'smooth') - 0.06);
    expect(early).toBeLessThan(curveValue(0.48, 'smooth') + 0.06);
    expect(await level(out, 0.28)).toBeGreaterThan(0.95);
  });

  it('carouselLeftVeryFast is in place after 0.25 s', async () => {
    const out = await render('carousel-very-fast', {
      scale: 0.3,
      transition: { in: 'carouselLeftVeryFast' },
    });
    const moving = litBox(await readFrame(out, 0.12))!;
    const home = litBox(await readFrame(out, 0.32))!;
    // Coming from the right: half way it is still right of its place.
    expect(moving.x0).toBeGreaterThan(home.x0 + 20);
    expect(home.x0 + home.x1).toBeGreaterThan(size.width - 4);
    expect(home.x0 + home.x1).toBeLessThan(size.width + 4);
  });
});

describe('shuffle transitions', () => {
  it('shuffleTopRight swings in from above and to the right, turned, and lands square in place', async () => {
    const out = await render(
      'shuffle',
      { scale: 0.3, transition: { in: 'shuffleTopRight', out: 'shuffleLeftBottom' } },
      3,
    );
    // Frame 0: still a whole frame above (nothing on screen).
    expect(litBox(await readFrame(out, 0))).toBeNull();
    const home = litBox(await readFrame(out, 1.5))!;
    const cx = (home.x0 + home.x1) / 2;
    const cy = (home.y0 + home.y1) / 2;
    expect(Math.abs(cx - size.width / 2)).toBeLessThan(2);
    expect(Math.abs(cy - size.height / 2)).toBeLessThan(2);
    // At rest it is the square it was (the turning canvas's corners are transparent, not old frames).
    expect(fill(await readFrame(out, 1.5))).toBeGreaterThan(0.9);
    // 0.4 s in: on its way, up and to the right of its place, and turned (clockwise).
    const midFrame = await readFrame(out, 0.4);
    const mid = litBox(midFrame)!;
    expect((mid.x0 + mid.x1) / 2).toBeGreaterThan(cx + 2);
    expect((mid.y0 + mid.y1) / 2).toBeLessThan(cy - 2);
    expect(fill(midFrame)).toBeLessThan(0.85);
    // Out towards the left and down: 0.2 s into the last second it is left of and below its place, turned.
    const leavingFrame = await readFrame(out, 2.2);
    const leaving = litBox(leavingFrame)!;
    expect((leaving.x0 + leaving.x1) / 2).toBeLessThan(cx - 20);
    expect((leaving.y0 + leaving.y1) / 2).toBeGreaterThan(cy + 5);
    expect(fill(leavingFrame)).toBeLessThan(0.85);
    expect(litBox(await readFrame(out, 2.96))).toBeNull();
  });
});
