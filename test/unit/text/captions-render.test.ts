import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CaptionAsset } from '../../../lambdas/core/edit/schema.js';
import { filter, FilterGraph, type FilterNode } from '../../../lambdas/core/filtergraph/graph.js';
import { captionFilters, parseCaptions, type Cue } from '../../../lambdas/core/text/captions.js';
import { FontRegistry } from '../../../lambdas/core/text/fonts.js';
import { ffmpeg, readFrame, regionMean, type Frame } from '../../helpers/media.js';
import { pixel, scratch } from './render.js';

const tmp = scratch();
afterAll(tmp.cleanup);
const fonts = FontRegistry.builtin();
const viewport = { width: 320, height: 180 };
const asset: CaptionAsset = { type: 'caption', src: 'captions.srt' };
const FPS = 10;

/** Renders `seconds` of a grey yuv420p composite with the caption filters; returns frames at the given times. */
async function render(
  filters: FilterNode[],
  seconds: number,
  times: number[],
  name: string,
): Promise<Frame[]> {
  const graph = new FilterGraph();
  graph.chain(
    [],
    [
      filter('color', { c: '0x808080', s: `${viewport.width}x${viewport.height}`, r: FPS, d: seconds }),
      filter('format', { pix_fmts: 'yuv420p' }),
      ...filters,
    ],
    'out',
  );
  const pattern = join(tmp.dir, `${name}-%03d.png`);
  await ffmpeg(['-filter_complex', graph.toString(), '-map', '[out]', '-start_number', '0', pattern]);
  return Promise.all(
    times.map((t) => readFrame(pattern.replace('%03d', String(Math.round(t * FPS)).padStart(3, '0')))),
  );
}

/** Pixels that differ from the grey background by more than `tol` in [y0, y1) rows. */
function changedRows(f: Frame, tol = 24): { y0: number; y1: number; bright: number; dark: number } | null {
  let y0 = Infinity,
    y1 = -1,
    bright = 0,
    dark = 0;
  for (let y = 0; y < f.height; y++) {
    for (let x = 0; x < f.width; x++) {
      const [r] = pixel(f, x, y);
      if (Math.abs(r - 128) <= tol) continue;
      y0 = Math.min(y0, y);
      y1 = Math.max(y1, y + 1);
      if (r > 160) bright++;
      if (r < 90) dark++;
    }
  }
  return y1 < 0 ? null : { y0, y1, bright, dark };
}

describe('captionFilters', () => {
  const cues: Cue[] = parseCaptions(
    '1\n00:00:00,500 --> 00:00:01,500\nHello there\n\n2\n00:00:02,000 --> 00:00:09,000\nLater\n',
  );

  it('keeps graphs small: only cues inside the clip and the window get filters', () => {
    const opts = { viewport, clipStart: 1, clipEnd: 4, t0: 0.5, asset };
    const all = captionFilters(cues, opts, fonts);
    // Each one-line cue: one box, one drawtext.
    expect(all.map((f) => f.name)).toEqual(['drawbox', 'drawtext', 'drawbox', 'drawtext']);
    const enables = all.map((f) => (f.args as Record<string, string>).enable);
    // Cue 1: timeline 1.5–2.5 → window 1–2. Cue 2: 3–(10, cut by the clip end at 4) → 2.5–3.5.
    expect(enables).toEqual([
      'gte(t,1)*lt(t,2)',
      'gte(t,1)*lt(t,2)',
      'gte(t,2.5)*lt(t,3.5)',
      'gte(t,2.5)*lt(t,3.5)',
    ]);

    // Window starting after cue 1 has ended, inside cue 2: cue 2 is on from the window's first frame.
    const later = captionFilters(cues, { ...opts, t0: 3.2 }, fonts);
    expect(later.map((f) => (f.args as Record<string, string>).enable)).toEqual(['lt(t,0.8)', 'lt(t,0.8)']);
    // A window that ends before cue 2 starts; a clip that ends before cue 2 starts; a window after the clip.
    expect(captionFilters(cues, { ...opts, t0: 0, windowEnd: 3 }, fonts)).toHaveLength(2);
    expect(captionFilters(cues, { ...opts, clipEnd: 2.9 }, fonts)).toHaveLength(2);
    expect(captionFilters(cues, { ...opts, t0: 4 }, fonts)).toHaveLength(0);
    expect(captionFilters([{ start: 1, end: 2, text: '   ' }], opts, fonts)).toHaveLength(0);
  });

  it('applies the asset font, background and margin', () => {
    const styled = captionFilters(
      [{ start: 0, end: 1, text: 'x' }],
      {
        viewport,
        clipStart: 0,
        clipEnd: 1,
        t0: 0,
        asset: {
          ...asset,
          font: { size: 20, color: '#ffff00', weight: 700 },
          background: { color: '#ff0000', padding: 5 },
          margin: { bottom: 0.25 },
        },
      },
      fonts,
    );
    const [box, text] = styled.map((f) => f.args as Record<string, string | number>);
    expect(box).toMatchObject({ color: '0xff0000@1', t: 'fill' });
    expect(Number(box!.y) + Number(box!.h)).toBe(180 - 45);
    expect(text).toMatchObject({ fontsize: 20, fontcolor: '0xffff00@1', expansion: 'none' });
    expect(String(text!.fontfile).endsWith('OpenSans-Bold.ttf')).toBe(true);
    const clear = captionFilters(
      [{ start: 0, end: 1, text: 'x' }],
      { viewport, clipStart: 0, clipEnd: 1, t0: 0, asset: { ...asset, background: { opacity: 0 } } },
      fonts,
    );
    expect(clear.map((f) => f.name)).toEqual(['drawtext']);
  });

  it('lights the bottom band only while a cue is on screen, never the top half', async () => {
    const filters = captionFilters(
      [
        ...cues,
        {
          start: 2.2,
          end: 2.4,
          text: 'an overlapping and much longer caption, long enough to need wrapping onto a second line at this size',
        },
      ],
      { viewport, clipStart: 1, clipEnd: 4, t0: 0.5, asset },
      fonts,
    );
    // Window times: cue 1 on [1, 2), cue 2 on [2.5, 3.5), the long cue on [2.7, 2.9), stacked under cue 2.
    const [before, during, gap, second, wrapped, after] = await render(
      filters,
      4,
      [0.5, 1.5, 2.2, 3.0, 2.8, 3.6],
      'captions',
    );
    for (const f of [before, gap, after]) expect(changedRows(f!)).toBeNull();
    for (const f of [during, second, wrapped]) {
      const band = changedRows(f!)!;
      expect(band).not.toBeNull();
      expect(band.bright).toBeGreaterThan(10); // white text (9 px at this size)
      expect(band.dark).toBeGreaterThan(200); // the translucent dark box
      expect(band.y0).toBeGreaterThanOrEqual(90);
      // The box ends at the 8% safe margin (180 - 14 = 166), give or take chroma subsampling.
      expect(Math.abs(band.y1 - 166)).toBeLessThanOrEqual(1);
      const top = regionMean(f!, 0, 0, 1, 0.5);
      expect(Math.abs(top[0] - 128)).toBeLessThan(1);
    }
    // Lines stack upwards from the margin: cue 2 alone is one line; with the wrapped long cue under it, three.
    const one = changedRows(second!)!;
    const three = changedRows(wrapped!)!;
    expect(Math.abs(three.y1 - three.y0 - (one.y1 - one.y0) - 2 * Math.round(9 * 1.2))).toBeLessThanOrEqual(
      2,
    );
    // Centred: the box is symmetric about the middle column.
    const d = during!;
    let x0 = Infinity,
      x1 = -1;
    for (let x = 0; x < d.width; x++) {
      if (pixel(d, x, 160)[0] < 100) {
        x0 = Math.min(x0, x);
        x1 = Math.max(x1, x + 1);
      }
    }
    expect(Math.abs((x0 + x1) / 2 - 160)).toBeLessThanOrEqual(1.5);
  });
});
