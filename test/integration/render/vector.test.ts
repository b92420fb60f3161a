import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEdit } from '../../../lambdas/core/intake/parse-edit.js';
import {
  svgIntrinsicSize,
  vectorDrawSize,
  withoutExternalRefs,
} from '../../../lambdas/core/render/vector.js';
import { FIXTURES, imageFixture, renderEdit } from '../../helpers/fixtures.js';
import { readFrame, regionMean } from '../../helpers/media.js';

// svg and shape assets drawn by Chromium at their layer's size, composited like images.
let dir: string;
const size = { width: 320, height: 180 };
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cutline-vector-'));
  await imageFixture('red');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const render = async (name: string, clip: Record<string, unknown>) => {
  const out = join(dir, `${name}.mp4`);
  await renderEdit(
    {
      timeline: { background: '#000000', tracks: [{ clips: [{ start: 0, length: 1, ...clip }] }] },
      output: { format: 'mp4', size },
    },
    out,
  );
  return readFrame(out, 0.5);
};
const colour = ([r, g, b]: number[]) =>
  r! > 180 && g! < 80 && b! < 80
    ? 'red'
    : r! < 80 && g! > 150 && b! < 80
      ? 'green'
      : r! < 40 && g! < 40 && b! < 40
        ? 'black'
        : r! > 200 && g! > 200 && b! > 200
          ? 'white'
          : `rgb(${r!.toFixed(0)},${g!.toFixed(0)},${b!.toFixed(0)})`;

describe('svg asset', () => {
  it('draws the markup scaled to the frame like an image (a 1280×720 drawing in a 320×180 frame)', async () => {
    const svg =
      '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1280 720" width="1280" height="720"><rect x="0" y="0" width="640" height="720" fill="#00ff00"/><circle cx="960" cy="360" r="200" fill="#ff0000"/></svg>';
    const f = await render('svg', { asset: { type: 'svg', src: svg } });
    expect(colour(regionMean(f, 0.05, 0.1, 0.45, 0.9))).toBe('green');
    expect(colour(regionMean(f, 0.72, 0.45, 0.78, 0.55))).toBe('red');
    // Transparent where the drawing has nothing: the black background.
    expect(colour(regionMean(f, 0.55, 0.02, 0.6, 0.08))).toBe('black');
  });

  it('loads nothing: external images and file:// references stay blank', async () => {
    const file = pathToFileURL(join(FIXTURES, 'image-red.png')).href;
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="320" height="180"><image href="${file}" x="0" y="0" width="320" height="180"/><image xlink:href="${file}" x="0" y="0" width="320" height="180"/></svg>`;
    const f = await render('svg-file', { asset: { type: 'svg', src: svg } });
    // Neither the file's red nor a broken-image icon: nothing at all.
    expect(colour(regionMean(f, 0.1, 0.1, 0.9, 0.9))).toBe('black');
    expect(
      withoutExternalRefs(
        `<image href="${file}"/><use xlink:href='#a'/><image href="data:image/png;base64,AA"/>`,
      ),
    ).toBe(`<image/><use xlink:href='#a'/><image href="data:image/png;base64,AA"/>`);
  });

  it('refuses markup that is not SVG', () => {
    expect(() =>
      parseEdit({
        timeline: {
          tracks: [{ clips: [{ asset: { type: 'svg', src: '<div>x</div>' }, start: 0, length: 1 }] }],
        },
        output: { format: 'mp4', size },
      }),
    ).toThrow(/timeline\.tracks\[0\]\.clips\[0\]\.asset\.src: src must be SVG markup/);
  });

  it('sizes: the root’s width/height, else its viewBox, else the frame; drawn at the fitted size', () => {
    expect(svgIntrinsicSize('<svg width="200px" height="100">', size)).toEqual({ width: 200, height: 100 });
    expect(svgIntrinsicSize('<svg viewBox="0 0 1280 720">', size)).toEqual({ width: 1280, height: 720 });
    expect(svgIntrinsicSize('<svg>', size)).toEqual(size);
    // A 1280×720 drawing in a 320×180 frame is drawn at 320×180, not 1280×720 then shrunk.
    expect(vectorDrawSize({ width: 1280, height: 720 }, {}, size)).toEqual({ width: 320, height: 180 });
    expect(vectorDrawSize({ width: 100, height: 100 }, { fit: 'none', scale: 0.5 }, size)).toEqual({
      width: 50,
      height: 50,
    });
  });
});

describe('shape asset', () => {
  it('a rectangle with fill and stroke at its own size, placed by position', async () => {
    const f = await render('rect', {
      asset: {
        type: 'shape',
        shape: 'rectangle',
        rectangle: { width: 100, height: 60 },
        fill: { color: '#ff0000' },
        stroke: { color: '#ffffff', width: 6 },
      },
      fit: 'none',
      position: 'topLeft',
    });
    expect(colour(regionMean(f, 0.05, 0.1, 0.25, 0.25))).toBe('red');
    // The white stroke along its top edge, nothing beyond its 100×60 box.
    expect(colour(regionMean(f, 0.05, 0.0, 0.25, 0.012))).toBe('white');
    expect(colour(regionMean(f, 0.4, 0.1, 0.6, 0.3))).toBe('black');
    expect(colour(regionMean(f, 0.05, 0.45, 0.25, 0.6))).toBe('black');
  });

  it('a circle is round: its box corners stay empty', async () => {
    const f = await render('circle', {
      asset: { type: 'shape', shape: 'circle', circle: { radius: 60 }, fill: { color: '#00ff00' } },
      fit: 'none',
    });
    expect(colour(regionMean(f, 0.48, 0.48, 0.52, 0.52))).toBe('green');
    // The 120×120 box's corner (inside the box, outside the circle).
    expect(colour(regionMean(f, (160 - 58) / 320, (90 - 58) / 180, (160 - 50) / 320, (90 - 50) / 180))).toBe(
      'black',
    );
  });

  it('a line is length × thickness', async () => {
    const f = await render('line', {
      asset: {
        type: 'shape',
        shape: 'line',
        line: { length: 200, thickness: 10 },
        fill: { color: '#ffffff' },
      },
      fit: 'none',
    });
    expect(colour(regionMean(f, 0.25, 0.49, 0.75, 0.51))).toBe('white');
    expect(colour(regionMean(f, 0.25, 0.6, 0.75, 0.65))).toBe('black');
    expect(colour(regionMean(f, 0.02, 0.49, 0.15, 0.51))).toBe('black');
  });

  it('needs the sizes of its shape', () => {
    expect(() =>
      parseEdit({
        timeline: {
          tracks: [{ clips: [{ asset: { type: 'shape', shape: 'circle' }, start: 0, length: 1 }] }],
        },
        output: { format: 'mp4', size },
      }),
    ).toThrow(/asset\.circle: a circle shape needs its "circle" sizes/);
  });
});
