import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  colorVideoFixture,
  imageFixture,
  renderEdit,
  squareFixture,
  videoFixture,
} from '../../helpers/fixtures.js';
import { curveValue } from '../../../lambdas/core/render/motion.js';
import { litBox, readFrame, regionMean, type Frame } from '../../helpers/media.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cutline-motion-'));
  await Promise.all([
    imageFixture('red'),
    imageFixture('blue'),
    squareFixture(),
    videoFixture(),
    colorVideoFixture('gray'),
    colorVideoFixture('0x906070'),
  ]);
});

const size = { width: 160, height: 90 };
const red = (f: Frame, x0: number, y0: number, x1: number, y1: number) => regionMean(f, x0, y0, x1, y1)[0];

async function frameOf(
  name: string,
  clip: Record<string, unknown>,
  t: number,
  src = 'image-red.png',
): Promise<Frame> {
  const out = join(dir, `${name}.mp4`);
  await renderEdit(
    {
      timeline: {
        tracks: [{ clips: [{ asset: { type: 'image', src }, start: 0, length: 2, fit: 'cover', ...clip }] }],
      },
      output: { format: 'mp4', size, fps: 25 },
    },
    out,
  );
  return readFrame(out, t);
}

describe('transitions', () => {
  it('fade in is partial halfway through (on the smooth curve) and complete after; fadeOut mirrors it', async () => {
    const mid = await frameOf('fade', { transition: { in: 'fade', out: 'fade' } }, 0.48);
    expect(red(mid, 0, 0, 1, 1)).toBeGreaterThan(255 * (curveValue(0.48, 'smooth') - 0.06));
    expect(red(mid, 0, 0, 1, 1)).toBeLessThan(255 * (curveValue(0.48, 'smooth') + 0.06));
    const full = await frameOf('fade', { transition: { in: 'fade', out: 'fade' } }, 1.0);
    expect(red(full, 0, 0, 1, 1)).toBeGreaterThan(200);
    const out = await frameOf('fade', { transition: { in: 'fade', out: 'fade' } }, 1.52);
    expect(red(out, 0, 0, 1, 1)).toBeLessThan(200);
  });

  it('Slow and Fast change the length: fadeSlow is still partial at 1 s, fadeFast is done at 0.6 s', async () => {
    const slow = await frameOf('fadeSlow', { length: 4, transition: { in: 'fadeSlow' } }, 1.0);
    expect(red(slow, 0, 0, 1, 1)).toBeLessThan(255 * (curveValue(0.5, 'smooth') + 0.06));
    const fast = await frameOf('fadeFast', { transition: { in: 'fadeFast' } }, 0.6);
    expect(red(fast, 0, 0, 1, 1)).toBeGreaterThan(200);
  });

  it.each([
    ['wipeRight', 'left'],
    ['reveal', 'left'],
    ['wipeLeft', 'right'],
  ])('%s uncovers the %s half first', async (name, side) => {
    const f = await frameOf(name, { transition: { in: name } }, 0.48);
    const left = red(f, 0.05, 0.1, 0.35, 0.9);
    const right = red(f, 0.65, 0.1, 0.95, 0.9);
    if (side === 'left') expect([left > 200, right < 40]).toEqual([true, true]);
    else expect([left < 40, right > 200]).toEqual([true, true]);
  });

  it('wipes out cover again from the other side', async () => {
    const f = await frameOf('wipeRightOut', { transition: { out: 'wipeRight' } }, 1.52);
    expect(red(f, 0.05, 0.1, 0.35, 0.9)).toBeLessThan(40);
    expect(red(f, 0.65, 0.1, 0.95, 0.9)).toBeGreaterThan(200);
  });

  it.each([
    ['carouselLeft', 'right'],
    ['carouselRight', 'left'],
    ['carouselUp', 'bottom'],
    ['carouselDown', 'top'],
  ])('%s pushes in over 0.5 s: only the %s half is covered halfway through', async (name, side) => {
    const f = await frameOf(name, { transition: { in: name } }, 0.24);
    const halves = {
      left: red(f, 0.05, 0.1, 0.4, 0.9),
      right: red(f, 0.6, 0.1, 0.95, 0.9),
      top: red(f, 0.1, 0.05, 0.9, 0.4),
      bottom: red(f, 0.1, 0.6, 0.9, 0.95),
    };
    const opposite = { left: 'right', right: 'left', top: 'bottom', bottom: 'top' } as const;
    expect(halves[side as keyof typeof halves]).toBeGreaterThan(200);
    expect(halves[opposite[side as keyof typeof opposite]]).toBeLessThan(40);
  });

  it('carousels out continue in their direction, and are done in 0.5 s', async () => {
    // Out eases ("ease"): 0.1 s into the 0.5 s it has gone about 30 % of the frame to the left.
    const f = await frameOf('carouselLeftOut', { transition: { out: 'carouselLeft' } }, 1.6);
    expect(red(f, 0.05, 0.1, 0.6, 0.9)).toBeGreaterThan(200);
    expect(red(f, 0.75, 0.1, 0.95, 0.9)).toBeLessThan(40);
    const before = await frameOf('carouselLeftOut', { transition: { out: 'carouselLeft' } }, 1.44);
    expect(red(before, 0.05, 0.1, 0.95, 0.9)).toBeGreaterThan(200);
  });

  it.each(['slideLeft', 'slideRight', 'slideUp', 'slideDown'])(
    '%s is a quick nudge with a fade (Shotstack): partly faded at 0.24 s, in place by 0.5 s',
    async (name) => {
      const mid = await frameOf(name, { transition: { in: name, out: name } }, 0.24);
      // 0.24 s of 0.5: the fade's smooth curve at 0.48.
      expect(red(mid, 0.2, 0.2, 0.8, 0.8)).toBeGreaterThan(255 * (curveValue(0.48, 'smooth') - 0.06));
      expect(red(mid, 0.2, 0.2, 0.8, 0.8)).toBeLessThan(255 * (curveValue(0.48, 'smooth') + 0.06));
      // Never more than 2.5 % off its place: the middle of the frame is covered from the first frames.
      const done = await frameOf(name, { transition: { in: name, out: name } }, 0.6);
      expect(red(done, 0, 0, 1, 1)).toBeGreaterThan(230);
      const out = await frameOf(name, { transition: { in: name, out: name } }, 1.76);
      expect(red(out, 0.2, 0.2, 0.8, 0.8)).toBeLessThan(200);
    },
  );

  it('zoom fades in while zooming into place, in 0.4 s (Shotstack\'s "fast zoom in")', async () => {
    // 0.28 s of 0.4: it fades in on easeIn, so earlier frames are too faint to measure the square's size.
    const mid = await frameOf('zoom', { transition: { in: 'zoom' } }, 0.28, 'square.png');
    const done = await frameOf('zoom', { transition: { in: 'zoom' } }, 0.44, 'square.png');
    expect(Math.max(...regionMean(done, 0.45, 0.45, 0.55, 0.55).slice(0, 3))).toBeGreaterThan(200);
    const end = await frameOf('zoom', { transition: { in: 'zoom' } }, 1.2, 'square.png');
    const boxEnd = litBox(end, 100)!;
    const boxMid = litBox(mid, 60)!;
    const midPeak = Math.max(...regionMean(mid, 0.45, 0.45, 0.55, 0.55).slice(0, 3));
    expect(midPeak).toBeLessThan(200);
    expect(midPeak).toBeGreaterThan(40);
    // Still zoomed in halfway: the square is bigger than where it settles.
    expect(boxMid.x1 - boxMid.x0).toBeGreaterThan(boxEnd.x1 - boxEnd.x0);
    expect(litBox(done, 100)).toEqual(boxEnd);
  });

  it('overlapping clips on one track crossfade', async () => {
    const out = join(dir, 'xfade.mp4');
    await renderEdit(
      {
        timeline: {
          tracks: [
            {
              clips: [
                { asset: { type: 'image', src: 'image-red.png' }, start: 0, length: 2, fit: 'cover' },
                { asset: { type: 'image', src: 'image-blue.png' }, start: 1.5, length: 1.5, fit: 'cover' },
              ],
            },
          ],
        },
        output: { format: 'mp4', size },
      },
      out,
    );
    const [r1, , b1] = regionMean(await readFrame(out, 1.76), 0.1, 0.1, 0.9, 0.9);
    expect(r1).toBeGreaterThan(60);
    expect(b1).toBeGreaterThan(60);
    const [r2, , b2] = regionMean(await readFrame(out, 2.2), 0.1, 0.1, 0.9, 0.9);
    expect(b2).toBeGreaterThan(200);
    expect(r2).toBeLessThan(40);
  });
});

describe('effects (Ken Burns on images and video)', () => {
  const square = async (effect: string, t: number) => {
    const f = await frameOf(`effect-${effect}`, { effect, fit: 'contain' }, t, 'square.png');
    return litBox(f, 100)!;
  };
  it('zoomIn grows the picture over the clip; zoomOut shrinks it', async () => {
    const a = await square('zoomIn', 0.1);
    const b = await square('zoomIn', 1.9);
    expect(b.x1 - b.x0).toBeGreaterThan((a.x1 - a.x0) * 1.1);
    const c = await square('zoomOut', 0.1);
    const d = await square('zoomOut', 1.9);
    expect(d.x1 - d.x0).toBeLessThan((c.x1 - c.x0) * 0.92);
  });

  it.each([
    ['slideLeft', 'x', -1],
    ['slideRight', 'x', 1],
    ['slideUp', 'y', -1],
    ['slideDown', 'y', 1],
  ] as const)('%s pans the picture along %s', async (effect, axis, sign) => {
    const a = await square(effect, 0.1);
    const b = await square(effect, 1.9);
    const moved = axis === 'x' ? b.x0 - a.x0 : b.y0 - a.y0;
    expect(Math.sign(moved)).toBe(sign);
    expect(Math.abs(moved)).toBeGreaterThan(2);
  });

  it('Slow moves less than the plain effect, Fast more, and effects run on video too', async () => {
    const dist = async (effect: string) => {
      const a = await square(effect, 0.1);
      const b = await square(effect, 1.9);
      return b.x1 - b.x0 - (a.x1 - a.x0);
    };
    const [slow, plain, fast] = [await dist('zoomInSlow'), await dist('zoomIn'), await dist('zoomInFast')];
    expect(slow).toBeLessThan(plain);
    expect(fast).toBeGreaterThan(plain);
    const out = join(dir, 'video-zoom.mp4');
    await renderEdit(
      {
        timeline: {
          tracks: [
            {
              clips: [
                { asset: { type: 'video', src: 'video.mp4' }, start: 0, length: 1, effect: 'zoomInFast' },
              ],
            },
          ],
        },
        output: { format: 'mp4', size },
      },
      out,
    );
    expect(litBox(await readFrame(out, 0.5), 30)).not.toBeNull();
  });
});

describe('filters', () => {
  const meanOf = (f: Frame) => regionMean(f, 0, 0, 1, 1);
  const sat = (f: Frame) => {
    let s = 0;
    for (let i = 0; i < f.data.length; i += 4)
      s +=
        Math.max(f.data[i]!, f.data[i + 1]!, f.data[i + 2]!) -
        Math.min(f.data[i]!, f.data[i + 1]!, f.data[i + 2]!);
    return s / (f.data.length / 4);
  };
  const spread = (f: Frame) => {
    let sum = 0,
      sq = 0;
    const n = f.data.length / 4;
    for (let i = 0; i < f.data.length; i += 4) {
      const l = (f.data[i]! + f.data[i + 1]! + f.data[i + 2]!) / 3;
      sum += l;
      sq += l * l;
    }
    return Math.sqrt(sq / n - (sum / n) ** 2);
  };
  const edges = (f: Frame) => {
    let e = 0;
    for (let i = 4; i < f.data.length; i += 4) e += Math.abs(f.data[i]! - f.data[i - 4]!);
    return e;
  };
  const render = async (filter?: string, src = 'video.mp4') => {
    const out = join(dir, `filter-${filter ?? 'none'}-${src}.mp4`);
    await renderEdit(
      {
        timeline: {
          tracks: [
            {
              clips: [
                { asset: { type: 'video', src }, start: 0, length: 0.5, ...(filter ? { filter } : {}) },
              ],
            },
          ],
        },
        output: { format: 'mp4', size: { width: 320, height: 180 } },
      },
      out,
    );
    return readFrame(out, 0.2);
  };
  let plain: Frame;
  beforeAll(async () => {
    plain = await render();
  });

  it('greyscale removes colour; negative inverts it', async () => {
    expect(sat(await render('greyscale'))).toBeLessThan(6);
    const neg = meanOf(await render('negative'));
    const base = meanOf(plain);
    for (let c = 0; c < 3; c++) expect(Math.abs(neg[c]! - (255 - base[c]!))).toBeLessThan(25);
  });

  it('darken and lighten move brightness; contrast spreads it; boost and muted move saturation; blur softens edges', async () => {
    const lum = (f: Frame) =>
      meanOf(f)
        .slice(0, 3)
        .reduce((a, b) => a + b, 0) / 3;
    // testsrc2 is mostly bright: measure brightness on mid-grey.
    const grey = await render(undefined, 'color-gray-3.mp4');
    expect(lum(await render('darken', 'color-gray-3.mp4'))).toBeLessThan(lum(grey) - 15);
    expect(lum(await render('lighten', 'color-gray-3.mp4'))).toBeGreaterThan(lum(grey) + 15);
    expect(spread(await render('contrast'))).toBeGreaterThan(spread(plain) * 1.15);
    // testsrc2's bars are fully saturated already: measure saturation on a dusty rose.
    const rose = await render(undefined, 'color-0x906070-3.mp4');
    expect(sat(await render('boost', 'color-0x906070-3.mp4'))).toBeGreaterThan(sat(rose) * 1.2);
    expect(sat(await render('muted', 'color-0x906070-3.mp4'))).toBeLessThan(sat(rose) * 0.8);
    expect(edges(await render('blur'))).toBeLessThan(edges(plain) * 0.7);
  });
});
