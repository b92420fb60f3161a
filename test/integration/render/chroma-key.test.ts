import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, imageFixture, renderEdit } from '../../helpers/fixtures.js';
import { ffmpeg, readFrame, regionMean } from '../../helpers/media.js';

// A green screen keyed out over another layer: the key colour becomes transparent, the rest stays.
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cutline-chroma-'));
  await imageFixture('blue');
  await ffmpeg([
    '-v',
    'error',
    '-y',
    '-filter_complex',
    'color=c=0x00ff00:s=160x180:r=25:d=2[a];color=c=red:s=160x180:r=25:d=2[b];[a][b]hstack,format=yuv420p',
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-crf',
    '10',
    join(FIXTURES, 'greenscreen.mp4'),
  ]);
}, 60_000);
afterAll(() => rm(dir, { recursive: true, force: true }));

const render = async (name: string, chromaKey?: Record<string, unknown>) => {
  const out = join(dir, `${name}.mp4`);
  await renderEdit(
    {
      timeline: {
        tracks: [
          {
            clips: [
              {
                asset: { type: 'video', src: 'greenscreen.mp4', ...(chromaKey ? { chromaKey } : {}) },
                start: 0,
                length: 1,
              },
            ],
          },
          { clips: [{ asset: { type: 'image', src: 'image-blue.png' }, start: 0, length: 1, fit: 'cover' }] },
        ],
      },
      output: { format: 'mp4', size: { width: 320, height: 180 } },
    },
    out,
  );
  return readFrame(out, 0.5);
};
const isBlue = ([r, g, b]: number[]) => r! < 70 && g! < 70 && b! > 180;
const isGreen = ([r, g, b]: number[]) => r! < 70 && g! > 180 && b! < 70;
const isRed = ([r, g, b]: number[]) => r! > 180 && g! < 70 && b! < 70;

describe('video chromaKey', () => {
  it('makes the key colour transparent and keeps the rest', async () => {
    const f = await render('keyed', { color: '#00ff00', threshold: 150, halo: 50 });
    expect(isBlue(regionMean(f, 0.05, 0.1, 0.45, 0.9))).toBe(true);
    expect(isRed(regionMean(f, 0.55, 0.1, 0.95, 0.9))).toBe(true);
  });

  it('without it the green stays', async () => {
    const f = await render('plain');
    expect(isGreen(regionMean(f, 0.05, 0.1, 0.45, 0.9))).toBe(true);
  });

  it('keys only the colours within the threshold of the key', async () => {
    // Keyed on red with a tight threshold: the red half goes, the green (~360 away) stays.
    const f = await render('tight', { color: '#ff0000', threshold: 20, halo: 0 });
    expect(isGreen(regionMean(f, 0.05, 0.1, 0.45, 0.9))).toBe(true);
    expect(isBlue(regionMean(f, 0.55, 0.1, 0.95, 0.9))).toBe(true);
  });
});
