import { afterAll, describe, expect, it } from 'vitest';
import type { TextAsset, TitleAsset } from '../../../lambdas/core/edit/schema.js';
import { printFilter } from '../../../lambdas/core/filtergraph/graph.js';
import { FontRegistry } from '../../../lambdas/core/text/fonts.js';
import { textLayer, titleLayer, TITLE_STYLES } from '../../../lambdas/core/text/layers.js';
import { layoutText } from '../../../lambdas/core/text/layout.js';
import { litBox, type Frame } from '../../helpers/media.js';
import { alphaBox, crop, pixel, renderLayer, renderRaw, scratch } from './render.js';

const tmp = scratch();
afterAll(tmp.cleanup);
const fonts = FontRegistry.builtin();
const viewport = { width: 480, height: 270 };
const text = (t: string, extra: Partial<TextAsset> = {}): TextAsset => ({ type: 'text', text: t, ...extra });
const title = (t: string, extra: Partial<TitleAsset> = {}): TitleAsset => ({
  type: 'title',
  text: t,
  ...extra,
});

/** Pixels brighter than `threshold` that fall outside every box (grown by `tol`). */
function litOutside(
  f: Frame,
  boxes: Array<{ x0: number; y0: number; x1: number; y1: number }>,
  tol: number,
): number {
  let n = 0;
  for (let y = 0; y < f.height; y++) {
    for (let x = 0; x < f.width; x++) {
      const [r, g, b] = pixel(f, x, y);
      if (Math.max(r, g, b) <= 100) continue;
      if (!boxes.some((q) => x >= q.x0 - tol && x < q.x1 + tol && y >= q.y0 - tol && y < q.y1 + tol)) n++;
    }
  }
  return n;
}

describe('textLayer', () => {
  it.each(['left', 'center', 'right'] as const)(
    'lights pixels only inside the layout line boxes (%s)',
    async (align) => {
      const asset = text('Hello world\nsecond line, a little longer\nend', {
        font: { size: 28 },
        alignment: { horizontal: align },
      });
      const layer = textLayer(asset, viewport, fonts);
      const layout = layoutText({
        text: asset.text,
        face: fonts.resolve(undefined, 400),
        sizePx: 28,
        align,
        maxWidth: viewport.width,
      });
      expect({ width: layer.width, height: layer.height }).toEqual({
        width: layout.width,
        height: layout.height,
      });
      const f = await renderLayer(tmp.dir, layer, '0x000000', `lines-${align}.png`);
      const boxes = layout.lines.map((l) => ({
        x0: l.x,
        y0: l.top,
        x1: l.x + l.width,
        y1: l.top + layout.lineAdvance,
      }));
      expect(litOutside(f, boxes, 3)).toBe(0);
      // Every line is drawn where the layout says: its ink spans the line's measured width (side bearings aside).
      for (const [i, b] of boxes.entries()) {
        // Rows from x-height to baseline only: descenders of the line above reach into this line box.
        const base = layout.lines[i]!.baseline;
        const ink = litBox(crop(f, 0, base - 14, f.width, base), 100);
        expect(ink, `line ${i}`).not.toBeNull();
        expect(Math.abs(ink!.x0 - b.x0), `line ${i} left`).toBeLessThanOrEqual(4);
        expect(Math.abs(ink!.x1 - b.x1), `line ${i} right`).toBeLessThanOrEqual(4);
      }
    },
  );

  it.each(['left', 'center', 'right'] as const)('aligns text %s inside the box', async (horizontal) => {
    const layer = textLayer(
      text('Hello', {
        width: 400,
        height: 60,
        font: { size: 32 },
        alignment: { horizontal },
        background: { padding: 10 },
      }),
      viewport,
      fonts,
    );
    expect({ width: layer.width, height: layer.height }).toEqual({ width: 400, height: 60 });
    const f = await renderLayer(tmp.dir, layer, '0x000000', `align-${horizontal}.png`);
    const lit = litBox(f, 100)!;
    if (horizontal === 'left') expect(Math.abs(lit.x0 - 10)).toBeLessThanOrEqual(4);
    if (horizontal === 'center') expect(Math.abs((lit.x0 + lit.x1) / 2 - 200)).toBeLessThanOrEqual(3);
    if (horizontal === 'right') expect(Math.abs(lit.x1 - 390)).toBeLessThanOrEqual(4);
    // Vertically centred by default.
    expect(Math.abs((lit.y0 + lit.y1) / 2 - 30)).toBeLessThanOrEqual(4);
  });

  it('aligns vertically and clips text taller than the box instead of resizing it', async () => {
    const top = textLayer(
      text('Top', { width: 200, height: 120, alignment: { vertical: 'top' } }),
      viewport,
      fonts,
    );
    const bottom = textLayer(
      text('Bottom', { width: 200, height: 120, alignment: { vertical: 'bottom' } }),
      viewport,
      fonts,
    );
    const ft = await renderLayer(tmp.dir, top, '0x000000', 'v-top.png');
    const fb = await renderLayer(tmp.dir, bottom, '0x000000', 'v-bottom.png');
    expect(litBox(ft, 100)!.y0).toBeLessThan(20);
    expect(litBox(ft, 100)!.y1).toBeLessThan(60);
    expect(litBox(fb, 100)!.y0).toBeGreaterThan(60);
    expect(litBox(fb, 100)!.y1).toBeGreaterThan(100);

    const clipped = textLayer(
      text('one\ntwo\nthree\nfour', { width: 200, height: 40, font: { size: 30 } }),
      viewport,
      fonts,
    );
    expect({ width: clipped.width, height: clipped.height }).toEqual({ width: 200, height: 40 });
    const fc = await renderLayer(tmp.dir, clipped, '0x000000', 'clipped.png');
    expect(fc.height).toBe(40);
    expect(litBox(fc, 100)).not.toBeNull();
  });

  it('fills the whole canvas with the background colour and opacity', async () => {
    const layer = textLayer(
      text('Hi', { font: { size: 24, color: '#00ff00' }, background: { color: '#ff0000', padding: 12 } }),
      viewport,
      fonts,
    );
    const f = await renderLayer(tmp.dir, layer, '0x0000ff', 'bg.png');
    for (const [x, y] of [
      [0, 0],
      [layer.width - 1, 0],
      [0, layer.height - 1],
      [layer.width - 1, layer.height - 1],
      [5, Math.floor(layer.height / 2)],
    ] as const) {
      expect(pixel(f, x, y)).toEqual([255, 0, 0, 255]);
    }
    let green = 0;
    for (let i = 0; i < f.data.length; i += 4) if (f.data[i]! < 60 && f.data[i + 1]! > 200) green++;
    expect(green).toBeGreaterThan(30);

    const half = textLayer(text('Hi', { background: { color: '#ff0000', opacity: 0.5 } }), viewport, fonts);
    const raw = await renderRaw(tmp.dir, half.width, half.height, half.filters, 'bg-half.png');
    const [r, g, b, a] = pixel(raw, 0, 0);
    expect([r, g, b]).toEqual([255, 0, 0]);
    expect(Math.abs(a - 128)).toBeLessThanOrEqual(1);
  });

  it('leaves straight-alpha edges in the text colour (no dark fringe) and draws the stroke', async () => {
    const layer = textLayer(text('Ok', { font: { size: 40, color: '#ffcc00' } }), viewport, fonts);
    const raw = await renderRaw(tmp.dir, layer.width, layer.height, layer.filters, 'fringe.png');
    let partial = 0;
    for (let i = 0; i < raw.data.length; i += 4) {
      const a = raw.data[i + 3]!;
      if (a === 0 || a === 255) continue;
      partial++;
      expect([raw.data[i], raw.data[i + 1], raw.data[i + 2]]).toEqual([255, 204, 0]);
    }
    expect(partial).toBeGreaterThan(10);
    expect(alphaBox(raw)).not.toBeNull();

    const stroked = textLayer(
      text('Ok', {
        font: { size: 40, color: '#ffffff' },
        stroke: { color: '#ff0000', width: 3 },
        background: { padding: 6 },
      }),
      viewport,
      fonts,
    );
    const fs = await renderLayer(tmp.dir, stroked, '0x000000', 'stroke.png');
    let red = 0;
    for (let i = 0; i < fs.data.length; i += 4) if (fs.data[i]! > 200 && fs.data[i + 1]! < 60) red++;
    expect(red).toBeGreaterThan(50);
  });

  it('keeps the default box within the viewport and wraps long text', () => {
    const layer = textLayer(text('word '.repeat(60).trim(), { font: { size: 30 } }), viewport, fonts);
    expect(layer.width).toBeLessThanOrEqual(viewport.width);
    expect(layer.height).toBeGreaterThan(3 * 36);
    expect(layer.position).toBeUndefined();
  });
});

describe('titleLayer', () => {
  it('returns a tight canvas, centred text, position and offset from the asset', async () => {
    const layer = titleLayer(
      title('Hello', { position: 'topLeft', offset: { x: 0.1, y: -0.2 } }),
      viewport,
      fonts,
    );
    expect(layer.position).toBe('topLeft');
    expect(layer.offset).toEqual({ x: 0.1, y: -0.2 });
    const f = await renderLayer(tmp.dir, layer, '0x000000', 'title.png');
    const lit = litBox(f, 100)!;
    // Tight: the text spans the canvas less the padding (0.1em, 2 px at this size).
    expect(lit.x0).toBeLessThanOrEqual(6);
    expect(layer.width - lit.x1).toBeLessThanOrEqual(6);
    expect(Math.abs((lit.x0 + lit.x1) / 2 - layer.width / 2)).toBeLessThanOrEqual(2);
  });

  it('scales sizes with the viewport', () => {
    const h = (size: TitleAsset['size'], vp = viewport) =>
      titleLayer(title('Hg', { size }), vp, fonts).height;
    expect(h('xx-small')).toBeLessThan(h('small'));
    expect(h('small')).toBeLessThan(h('medium'));
    expect(h('medium')).toBeLessThan(h('large'));
    expect(h('x-large')).toBeLessThan(h('xx-large'));
    const big = h('medium', { width: 1920, height: 1080 });
    expect(Math.abs(big / h('medium') - 4)).toBeLessThan(0.3);
  });

  it('wraps to 90% of the viewport width', () => {
    const layer = titleLayer(
      title('a long title that will certainly need more than one line here', { size: 'large' }),
      viewport,
      fonts,
    );
    expect(layer.width).toBeLessThanOrEqual(Math.floor(viewport.width * 0.9));
    expect(layer.height).toBeGreaterThan(2 * 27 * 1.2);
  });

  it('maps every named style to a font, case and box', () => {
    for (const style of Object.keys(TITLE_STYLES) as Array<keyof typeof TITLE_STYLES>) {
      const layer = titleLayer(title('Style test', { style }), viewport, fonts);
      const draws = layer.filters
        .filter((f) => f.name === 'drawtext')
        .map((f) => f.args as Record<string, string>);
      expect(draws.length).toBeGreaterThan(0);
      const w = TITLE_STYLES[style].weight;
      const file =
        w >= 600 ? 'OpenSans-Bold.ttf' : w <= 300 ? 'OpenSans_300Light.ttf' : 'OpenSans-Regular.ttf';
      for (const d of draws) expect(d.fontfile!.endsWith(file)).toBe(true);
      const drawn = draws.map((d) => d.text).join('');
      expect(drawn.replace(/ /g, '')).toBe(
        (TITLE_STYLES[style].uppercase ? 'STYLE TEST' : 'Style test').replace(/ /g, ''),
      );
      // Letter-spaced styles draw glyph by glyph.
      expect(draws.length > 1).toBe(TITLE_STYLES[style].tracking > 0);
      const filled = layer.filters.map(printFilter).find((p) => p.startsWith('lutrgb'))!;
      expect(filled.endsWith(':a=0')).toBe(TITLE_STYLES[style].box === undefined);
    }
    expect(titleLayer(title('x', { style: 'subtitle' }), viewport, fonts).position).toBe('bottom');
    expect(titleLayer(title('x', { style: 'subtitle', position: 'top' }), viewport, fonts).position).toBe(
      'top',
    );
  });

  it('draws chunk on a solid box and uses the background colour when given', async () => {
    const chunk = titleLayer(title('Chunk', { style: 'chunk' }), viewport, fonts);
    const f = await renderLayer(tmp.dir, chunk, '0x3366ff', 'chunk.png');
    expect(pixel(f, 1, 1)).toEqual([0, 0, 0, 255]);
    expect(litBox(f, 200)).not.toBeNull();

    const custom = titleLayer(title('Boxed', { background: '#00ff00', color: '#ff00ff' }), viewport, fonts);
    const g = await renderLayer(tmp.dir, custom, '0x000000', 'title-bg.png');
    expect(pixel(g, 0, 0)).toEqual([0, 255, 0, 255]);
    expect(pixel(g, g.width - 1, g.height - 1)).toEqual([0, 255, 0, 255]);
    let magenta = 0;
    for (let i = 0; i < g.data.length; i += 4)
      if (g.data[i]! > 200 && g.data[i + 1]! < 60 && g.data[i + 2]! > 200) magenta++;
    expect(magenta).toBeGreaterThan(20);
  });

  it('draws subtitle text on a translucent dark box', async () => {
    const sub = titleLayer(title('Subtitle text', { style: 'subtitle' }), viewport, fonts);
    const f = await renderLayer(tmp.dir, sub, '0xffffff', 'subtitle.png');
    const [r, , , a] = pixel(f, 1, 1);
    expect(a).toBe(255);
    expect(Math.abs(r - Math.round(255 * 0.4))).toBeLessThanOrEqual(2);
  });
});
