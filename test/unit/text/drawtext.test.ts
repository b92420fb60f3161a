import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { filter } from '../../../lambdas/core/filtergraph/graph.js';
import { drawLine } from '../../../lambdas/core/text/draw.js';
import { FontRegistry } from '../../../lambdas/core/text/fonts.js';
import { litBox, type Frame } from '../../helpers/media.js';
import { crop, renderLayer, scratch } from './render.js';

const tmp = scratch();
afterAll(tmp.cleanup);
const fonts = FontRegistry.builtin();
const face = fonts.resolve(undefined, 400);

/** Bottom edge (exclusive) of the lit pixels in the first `cols` columns from x: the flat-bottomed "H". */
function hBottom(f: Frame, x: number, cols: number): number {
  const box = litBox(crop(f, x, 0, x + cols, f.height), 100);
  expect(box).not.toBeNull();
  return box!.y1;
}

describe('drawtext placement', () => {
  const size = 40;
  const canvas = { width: 220, height: 90 };
  const hCols = Math.floor(size * 0.6); // inside the "H", clear of the next glyph

  it('a plain numeric y is the top of the tallest glyph of that text, so baselines move with the text', async () => {
    const plain = (text: string) => [
      filter('drawtext', {
        fontfile: face.path,
        text,
        fontsize: size,
        fontcolor: 'white',
        x: 10,
        y: 10,
        expansion: 'none',
      }),
    ];
    const low = await renderLayer(tmp.dir, { ...canvas, filters: plain('Hacme') }, '0x000000', 'plain-a.png');
    const high = await renderLayer(
      tmp.dir,
      { ...canvas, filters: plain('HÁGjy') },
      '0x000000',
      'plain-b.png',
    );
    // "Á" is taller than "H", which pushes the whole of the second line down.
    expect(hBottom(high, 10, hCols) - hBottom(low, 10, hCols)).toBeGreaterThan(3);
    expect(litBox(high, 100)!.y0).toBe(litBox(low, 100)!.y0);
  });

  it('drawLine puts the baseline exactly on the layout baseline for any text', async () => {
    const baseline = 62;
    const bottoms: number[] = [];
    for (const [i, text] of ['Hacme', 'HÁGjy', 'H', 'H%{pts}'].entries()) {
      const filters = drawLine({ text, x: 10, baseline, face, sizePx: size, color: '0xffffff@1' });
      const f = await renderLayer(tmp.dir, { ...canvas, filters }, '0x000000', `baseline-${i}.png`);
      bottoms.push(hBottom(f, 10, hCols));
    }
    expect(bottoms).toEqual([baseline, baseline, baseline, baseline]);
    // And with bold, a larger size and a stroke.
    const bold = fonts.resolve(undefined, 700);
    const filters = drawLine({
      text: 'HÁjy',
      x: 10,
      baseline: 70,
      face: bold,
      sizePx: 52,
      color: '0xffffff@1',
    });
    const f = await renderLayer(
      tmp.dir,
      { width: 220, height: 100, filters },
      '0x000000',
      'baseline-bold.png',
    );
    expect(hBottom(f, 10, 30)).toBe(70);
  });

  it('letter-spaced lines are drawn glyph by glyph on the same baseline', async () => {
    const filters = drawLine({
      text: 'H H',
      x: 10,
      baseline: 60,
      face,
      sizePx: size,
      color: 'white',
      letterSpacing: 20,
    });
    expect(filters).toHaveLength(2); // the space draws nothing
    const f = await renderLayer(tmp.dir, { ...canvas, filters }, '0x000000', 'spaced.png');
    const box = litBox(f, 100)!;
    expect(box.y1).toBe(60);
    const hAdvance = Math.round((face.font.charToGlyph('H').advanceWidth! * size) / face.font.unitsPerEm);
    const spaceAdvance = Math.round((face.font.charToGlyph(' ').advanceWidth! * size) / face.font.unitsPerEm);
    // The second "H" starts (after its side bearing) where the spaced pen puts it; nothing lit in the gap.
    const pen = 10 + hAdvance + 20 + spaceAdvance + 20;
    const secondH = litBox(crop(f, pen, 0, 220, 90), 100)!;
    expect(secondH.x0).toBeGreaterThanOrEqual(2);
    expect(secondH.x0).toBeLessThanOrEqual(6);
    expect(litBox(crop(f, 10 + hAdvance, 0, pen, 90), 100)).toBeNull();
  });
});

describe('escaping', () => {
  /** Renders `text` through drawLine and through drawtext's textfile= (exact bytes, no expansion). */
  async function both(text: string, name: string): Promise<[Frame, Frame]> {
    const line = { x: 4, baseline: 40, face, sizePx: 24, color: 'white' };
    const viaText = drawLine({ ...line, text });
    expect(viaText).toHaveLength(1);
    const file = join(tmp.dir, `${name}.txt`);
    writeFileSync(file, text);
    const args = viaText[0]!.args as Readonly<Record<string, string | number | undefined>>;
    const viaFile = [filter('drawtext', { ...args, text: undefined, textfile: file })];
    const canvas = { width: 420, height: 56 };
    return [
      await renderLayer(tmp.dir, { ...canvas, filters: viaText }, '0x000000', `${name}-text.png`),
      await renderLayer(tmp.dir, { ...canvas, filters: viaFile }, '0x000000', `${name}-file.png`),
    ];
  }

  it.each([
    ['specials', String.raw`a:b'c\d;e,f[g]h%{pts}\n`],
    ['expansion', '%{eif:1+1:d}'],
    ['quotes', `'' "x" \\' ''' end\\`],
  ])('renders %s literally', async (name, text) => {
    const [viaText, viaFile] = await both(text, name);
    const box = litBox(viaText, 100);
    expect(box).not.toBeNull();
    expect(viaText.data.equals(viaFile.data)).toBe(true);
    // Literal, not expanded: far wider than a number such as "2" would be.
    expect(box!.x1 - box!.x0).toBeGreaterThan(text.length * 5);
  });
  it('passes font paths with quotes, colons, commas and brackets through intact', async () => {
    const dir = join(tmp.dir, "we'ird: dir, [x]; 100%");
    mkdirSync(dir);
    const odd = join(dir, "Open Sans's copy.ttf");
    copyFileSync(face.path, odd);
    const oddFace = fonts.withFiles([odd]).resolve('Open Sans', 400);
    expect(oddFace.path).toBe(odd);
    const line = { text: 'Path test', x: 4, baseline: 40, sizePx: 24, color: 'white' };
    const canvas = { width: 200, height: 56 };
    const a = await renderLayer(
      tmp.dir,
      { ...canvas, filters: drawLine({ ...line, face: oddFace }) },
      '0x000000',
      'odd.png',
    );
    const b = await renderLayer(
      tmp.dir,
      { ...canvas, filters: drawLine({ ...line, face }) },
      '0x000000',
      'even.png',
    );
    expect(litBox(a, 100)).not.toBeNull();
    expect(a.data.equals(b.data)).toBe(true);
  });
});
