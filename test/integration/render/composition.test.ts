import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  colorVideoFixture,
  imageFixture,
  jpegFixture,
  renderEdit,
  videoFixture,
} from '../../helpers/fixtures.js';
import { litBox, readFrame, regionMean } from '../../helpers/media.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cutline-comp-'));
  await Promise.all([
    videoFixture(),
    imageFixture('red'),
    imageFixture('blue', true),
    imageFixture('blue'),
    jpegFixture(),
    colorVideoFixture('green'),
  ]);
});

const size = { width: 320, height: 180 };
const one = (clip: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  timeline: { background: '#000000', tracks: [{ clips: [{ start: 0, length: 1, ...clip }] }], ...extra },
  output: { format: 'mp4', size },
});
const isRed = ([r, g, b]: number[]) => r! > 180 && g! < 70 && b! < 70;
const isBlack = ([r, g, b]: number[]) => r! < 30 && g! < 30 && b! < 30;

describe('layers, fit, scale, position', () => {
  it('a red image at topRight with scale 0.25 shows red in the top-right quarter and not in the centre', async () => {
    const out = join(dir, 'tr.mp4');
    await renderEdit(
      one({ asset: { type: 'image', src: 'image-red.png' }, position: 'topRight', scale: 0.25 }),
      out,
    );
    const f = await readFrame(out, 0.5);
    // scale 0.25 of the viewport: the layer is 80×45 in the top-right corner.
    expect(isRed(regionMean(f, 0.77, 0.02, 0.98, 0.22))).toBe(true);
    expect(isBlack(regionMean(f, 0.4, 0.4, 0.6, 0.6))).toBe(true);
    expect(isBlack(regionMean(f, 0.02, 0.02, 0.2, 0.2))).toBe(true);
    expect(isBlack(regionMean(f, 0.77, 0.3, 0.98, 0.5))).toBe(true);
  });

  it('every position lands where its name says, and offset moves it (y up)', async () => {
    const cases: Array<[string, number, number]> = [
      ['topLeft', 0.1, 0.1],
      ['top', 0.5, 0.1],
      ['left', 0.1, 0.5],
      ['center', 0.5, 0.5],
      ['right', 0.9, 0.5],
      ['bottomLeft', 0.1, 0.9],
      ['bottom', 0.5, 0.9],
      ['bottomRight', 0.9, 0.9],
    ];
    const tracks = cases.map(([position]) => ({
      clips: [{ asset: { type: 'image', src: 'image-red.png' }, start: 0, length: 1, position, scale: 0.2 }],
    }));
    const out = join(dir, 'pos.mp4');
    await renderEdit({ timeline: { tracks }, output: { format: 'mp4', size } }, out);
    const f = await readFrame(out, 0.5);
    for (const [, x, y] of cases)
      expect(isRed(regionMean(f, x - 0.03, y - 0.03, x + 0.03, y + 0.03))).toBe(true);
    expect(isBlack(regionMean(f, 0.3, 0.3, 0.4, 0.4))).toBe(true);

    const moved = join(dir, 'offset.mp4');
    await renderEdit(
      one({ asset: { type: 'image', src: 'image-red.png' }, scale: 0.2, offset: { x: 0.3, y: 0.3 } }),
      moved,
    );
    const g = await readFrame(moved, 0.5);
    expect(isRed(regionMean(g, 0.77, 0.17, 0.83, 0.23))).toBe(true);
    expect(isBlack(regionMean(g, 0.45, 0.45, 0.55, 0.55))).toBe(true);
  });

  it('fit: crop fills the frame, contain letterboxes, cover stretches, none keeps the native size', async () => {
    // A 200×200 square on a 320×180 frame.
    const render = async (fit: string) => {
      const out = join(dir, `fit-${fit}.mp4`);
      await renderEdit(one({ asset: { type: 'image', src: 'image-red.png' }, fit }), out);
      return readFrame(out, 0.5);
    };
    const crop = await render('crop');
    expect(isRed(regionMean(crop, 0, 0, 0.05, 1))).toBe(true);
    const contain = await render('contain');
    expect(isBlack(regionMean(contain, 0, 0, 0.15, 1))).toBe(true);
    expect(isRed(regionMean(contain, 0.3, 0, 0.7, 1))).toBe(true);
    const cover = await render('cover');
    expect(isRed(regionMean(cover, 0, 0, 1, 1))).toBe(true);
    const none = await render('none');
    // 200 px wide in a 320 px frame: 60 px of black each side; 200 px tall is cropped by the frame.
    expect(isBlack(regionMean(none, 0, 0.2, 0.15, 0.8))).toBe(true);
    expect(isRed(regionMean(none, 0.25, 0, 0.75, 1))).toBe(true);
  });

  it('the first track is the top layer; PNG alpha shows the layer below', async () => {
    const out = join(dir, 'layers.mp4');
    await renderEdit(
      {
        timeline: {
          tracks: [
            {
              clips: [
                { asset: { type: 'image', src: 'image-blue-alpha.png' }, start: 0, length: 1, fit: 'cover' },
              ],
            },
            {
              clips: [{ asset: { type: 'image', src: 'image-red.png' }, start: 0, length: 1, fit: 'cover' }],
            },
          ],
        },
        output: { format: 'mp4', size },
      },
      out,
    );
    const f = await readFrame(out, 0.5);
    expect(isRed(regionMean(f, 0.05, 0.1, 0.45, 0.9))).toBe(true);
    const [r, , b] = regionMean(f, 0.55, 0.1, 0.95, 0.9);
    expect(b).toBeGreaterThan(180);
    expect(r).toBeLessThan(70);
  });

  it('opacity blends with the layer below; JPEG sources and video crop render', async () => {
    const out = join(dir, 'opacity.mp4');
    await renderEdit(
      {
        timeline: {
          tracks: [
            {
              clips: [
                {
                  asset: { type: 'image', src: 'image-red.png' },
                  start: 0,
                  length: 1,
                  fit: 'cover',
                  opacity: 0.5,
                },
              ],
            },
            {
              clips: [
                {
                  asset: { type: 'video', src: 'color-green-3.mp4', crop: { left: 0.25 } },
                  start: 0,
                  length: 1,
                },
              ],
            },
          ],
        },
        output: { format: 'mp4', size },
      },
      out,
    );
    const [r, g] = regionMean(await readFrame(out, 0.5), 0.3, 0.3, 0.7, 0.7);
    expect(r).toBeGreaterThan(90);
    expect(r).toBeLessThan(170);
    expect(g).toBeGreaterThan(30);
    const jpg = join(dir, 'jpeg.mp4');
    await renderEdit(one({ asset: { type: 'image', src: 'picture.jpg' } }), jpg);
    expect(isBlack(regionMean(await readFrame(jpg, 0.5), 0, 0, 1, 1))).toBe(false);
  });

  it('clips appear only between start and start + length, frame-exact', async () => {
    const out = join(dir, 'timing.mp4');
    await renderEdit(
      {
        timeline: {
          tracks: [
            {
              clips: [
                { asset: { type: 'image', src: 'image-red.png' }, start: 0.4, length: 0.4, fit: 'cover' },
              ],
            },
            {
              clips: [
                {
                  asset: { type: 'image', src: 'image-blue.png' },
                  start: 0,
                  length: 1.2,
                  scale: 0.1,
                  position: 'topLeft',
                },
              ],
            },
          ],
        },
        output: { format: 'mp4', size, fps: 25 },
      },
      out,
    );
    // Frames 10..19 (0.40 s … 0.76 s) are red; 9 and 20 are not.
    expect(isBlack(regionMean(await readFrame(out, 0.36), 0.3, 0.3, 0.7, 0.7))).toBe(true);
    expect(isRed(regionMean(await readFrame(out, 0.4), 0.3, 0.3, 0.7, 0.7))).toBe(true);
    expect(isRed(regionMean(await readFrame(out, 0.76), 0.3, 0.3, 0.7, 0.7))).toBe(true);
    expect(isBlack(regionMean(await readFrame(out, 0.8), 0.3, 0.3, 0.7, 0.7))).toBe(true);
  });

  it('"auto" takes the source length after trim; "end" runs to the end of the timeline; start "auto" follows on', async () => {
    const out = join(dir, 'auto.mp4');
    const { input } = await renderEdit(
      {
        timeline: {
          tracks: [
            {
              clips: [
                { asset: { type: 'image', src: 'image-red.png' }, start: 0.5, length: 'end', scale: 0.2 },
              ],
            },
            {
              clips: [
                { asset: { type: 'video', src: 'video.mp4', trim: 3 }, start: 0, length: 'auto' },
                { asset: { type: 'video', src: 'video.mp4', trim: 2.5 }, start: 'auto', length: 'auto' },
              ],
            },
          ],
        },
        output: { format: 'mp4', size, quality: 'verylow' },
      },
      out,
    );
    expect(input.timeline.duration).toBeCloseTo(2.5, 2);
    expect(input.timeline.tracks[1]![1]!.start).toBeCloseTo(1, 2);
    expect(input.timeline.tracks[0]![0]!.length).toBeCloseTo(2, 2);
  });

  it('transform: flip mirrors a picture, rotate turns it with transparent corners', async () => {
    // image-blue-alpha: left half transparent, right half blue.
    const flipped = join(dir, 'flip.mp4');
    await renderEdit(
      one({
        asset: { type: 'image', src: 'image-blue-alpha.png' },
        fit: 'cover',
        transform: { flip: { horizontal: true } },
      }),
      flipped,
    );
    const f = await readFrame(flipped, 0.5);
    expect(regionMean(f, 0.05, 0.1, 0.45, 0.9)[2]).toBeGreaterThan(180);
    expect(isBlack(regionMean(f, 0.55, 0.1, 0.95, 0.9))).toBe(true);

    const rotated = join(dir, 'rotate.mp4');
    await renderEdit(
      one({
        asset: { type: 'image', src: 'image-red.png' },
        fit: 'none',
        scale: 0.5,
        transform: { rotate: { angle: 45 } },
      }),
      rotated,
    );
    const r = await readFrame(rotated, 0.5);
    // A 100×100 square turned 45° is a diamond: red at its centre, black at its bounding box corners.
    expect(isRed(regionMean(r, 0.48, 0.45, 0.52, 0.55))).toBe(true);
    expect(isBlack(regionMean(r, 0.3, 0.1, 0.34, 0.16))).toBe(true);
  });

  it('timeline.fonts files load and their family draws text; an unknown family is refused by name', async () => {
    const { copyFile } = await import('node:fs/promises');
    const { FIXTURES } = await import('../../helpers/fixtures.js');
    await copyFile('assets/fonts/OpenSans-Bold.ttf', join(FIXTURES, 'UserFont.ttf'));
    const text = (family?: string) => ({
      timeline: {
        fonts: [{ src: 'UserFont.ttf' }],
        tracks: [
          {
            clips: [
              {
                asset: { type: 'text', text: 'Wide', font: { size: 60, ...(family ? { family } : {}) } },
                start: 0,
                length: 1,
              },
            ],
          },
        ],
      },
      output: { format: 'png', size },
    });
    const regular = join(dir, 'font-regular.png');
    await renderEdit(text(), regular);
    const bold = join(dir, 'font-user.png');
    await renderEdit(text('Open Sans'), bold);
    const unknown = text('No Such Family');
    await expect(renderEdit(unknown, join(dir, 'font-missing.png'))).rejects.toThrow(/No Such Family/);
    // Both render; the edit's own font file loads and is usable by its family name.
    expect(litBox(await readFrame(regular), 128)).not.toBeNull();
    expect(litBox(await readFrame(bold), 128)).not.toBeNull();
  });
});
