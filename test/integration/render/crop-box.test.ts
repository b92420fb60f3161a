import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, colorVideoFixture, imageFixture, renderEdit } from '../../helpers/fixtures.js';
import { ffmpeg, readFrame, regionMean, type Frame } from '../../helpers/media.js';

// Shotstack's crop removes part of the fitted asset and leaves the rest where it was: a split screen is
// two full-frame clips, each cropped to its half. A clip's width/height is the box its asset is fitted to.
let dir: string;
const size = { width: 320, height: 180 };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cutline-crop-'));
  await Promise.all([colorVideoFixture('red'), imageFixture('red'), imageFixture('blue')]);
  // Left half green, right half yellow: a crop that zoomed would show one colour across the frame.
  await ffmpeg([
    '-v',
    'error',
    '-y',
    '-filter_complex',
    'color=c=green:s=160x180:r=25:d=2[a];color=c=yellow:s=160x180:r=25:d=2[b];[a][b]hstack,format=yuv420p',
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    join(FIXTURES, 'halves.mp4'),
  ]);
}, 60_000);
afterAll(() => rm(dir, { recursive: true, force: true }));

const kind = ([r, g, b]: number[]): string => {
  if (r! < 40 && g! < 40 && b! < 40) return 'black';
  if (r! > 180 && g! > 180 && b! < 90) return 'yellow';
  if (r! < 60 && g! > 90 && b! < 60) return 'green';
  if (r! > 180 && g! < 70 && b! < 70) return 'red';
  if (r! < 70 && g! < 70 && b! > 180) return 'blue';
  return `rgb(${r!.toFixed(0)},${g!.toFixed(0)},${b!.toFixed(0)})`;
};
/** The colour of each eighth of the frame's middle row. */
const strip = (f: Frame) =>
  Array.from({ length: 8 }, (_, i) => kind(regionMean(f, i / 8 + 0.02, 0.4, (i + 1) / 8 - 0.02, 0.6)));

const render = async (name: string, tracks: unknown[]) => {
  const out = join(dir, `${name}.mp4`);
  await renderEdit({ timeline: { background: '#000000', tracks }, output: { format: 'mp4', size } }, out);
  return readFrame(out, 0.5);
};
const video = (src: string, extra: Record<string, unknown> = {}) => ({
  asset: { type: 'video', src, ...extra },
  start: 0,
  length: 1,
});

describe('crop (Shotstack semantics)', () => {
  it('cuts the fitted asset and leaves the rest in place: no zoom', async () => {
    const f = await render('right-half', [{ clips: [video('halves.mp4', { crop: { right: 0.5 } })] }]);
    expect(strip(f)).toEqual(['green', 'green', 'green', 'green', 'black', 'black', 'black', 'black']);
    const g = await render('top-left', [
      { clips: [video('halves.mp4', { crop: { left: 0.25, top: 0.5 } })] },
    ]);
    // The kept part is the bottom three quarters of the width, at its place: the top half stays empty.
    expect(kind(regionMean(g, 0.3, 0.05, 0.45, 0.4))).toBe('black');
    expect(kind(regionMean(g, 0.3, 0.6, 0.45, 0.95))).toBe('green');
    expect(kind(regionMean(g, 0.05, 0.6, 0.2, 0.95))).toBe('black');
    expect(kind(regionMean(g, 0.8, 0.6, 0.95, 0.95))).toBe('yellow');
  });

  it('makes a split screen from two full-frame clips', async () => {
    const f = await render('split', [
      { clips: [video('halves.mp4', { crop: { right: 0.5 } })] },
      { clips: [video('color-red-3.mp4', { crop: { left: 0.5 } })] },
    ]);
    expect(strip(f)).toEqual(['green', 'green', 'green', 'green', 'red', 'red', 'red', 'red']);
  });

  it('keeps the kept part in place at every position', async () => {
    // Scaled to half the frame at the right edge, then its right half cut: the left half stays where it was.
    const f = await render('right-pos', [
      { clips: [{ ...video('halves.mp4', { crop: { right: 0.5 } }), position: 'right', scale: 0.5 }] },
    ]);
    expect(strip(f)).toEqual(['black', 'black', 'black', 'black', 'green', 'green', 'black', 'black']);
  });
});

describe('clip width and height', () => {
  it('fit the asset into the box, placed by position', async () => {
    const f = await render('box', [
      {
        clips: [
          {
            asset: { type: 'image', src: 'image-red.png' },
            start: 0,
            length: 1,
            width: 160,
            height: 90,
            fit: 'cover',
            position: 'topLeft',
          },
        ],
      },
    ]);
    expect(kind(regionMean(f, 0.05, 0.05, 0.45, 0.45))).toBe('red');
    expect(kind(regionMean(f, 0.55, 0.05, 0.95, 0.45))).toBe('black');
    expect(kind(regionMean(f, 0.05, 0.55, 0.45, 0.95))).toBe('black');
  });

  it('a contain fit letterboxes inside the box, not the frame', async () => {
    // A 16:9 video into a 90×90 box at the centre: 90×50 of red in the middle, black above and below it.
    const f = await render('contain-box', [
      { clips: [{ ...video('color-red-3.mp4'), width: 90, height: 90, fit: 'contain' }] },
    ]);
    expect(kind(regionMean(f, 0.45, 0.45, 0.55, 0.55))).toBe('red');
    expect(kind(regionMean(f, 0.45, 0.2, 0.55, 0.3))).toBe('black');
    expect(kind(regionMean(f, 0.2, 0.45, 0.3, 0.55))).toBe('black');
  });
});
