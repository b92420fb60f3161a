import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEdit } from '../../../lambdas/core/intake/parse-edit.js';
import type { RichTextAsset } from '../../../lambdas/core/edit/schema.js';
import { CutlineError } from '../../../lambdas/core/errors.js';
import { richTextDocument } from '../../../lambdas/core/render/rich-text.js';
import { richTextEntrance } from '../../../lambdas/core/render/entrance.js';
import { renderEdit } from '../../helpers/fixtures.js';
import { readFrame, regionMean, type Frame } from '../../helpers/media.js';

// rich-text drawn by Chromium from CSS (stroke, background, alignment), animated by layer motion.
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cutline-rich-text-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const W = 320;
const H = 180;
const render = async (name: string, clips: unknown[]) => {
  const out = join(dir, `${name}.mp4`);
  await renderEdit(
    {
      timeline: { background: '#000000', tracks: clips.map((c) => ({ clips: [c] })) },
      output: { format: 'mp4', size: { width: W, height: H } },
    },
    out,
  );
  return out;
};

/** Pixels in [x0,x1)×[y0,y1) (fractions) that `test` accepts, and the box they span (pixels). */
function pixels(f: Frame, [x0, y0, x1, y1]: number[], test: (r: number, g: number, b: number) => boolean) {
  let n = 0;
  const box = { x0: Infinity, y0: Infinity, x1: -1, y1: -1 };
  for (let y = Math.floor(y0! * f.height); y < Math.floor(y1! * f.height); y++)
    for (let x = Math.floor(x0! * f.width); x < Math.floor(x1! * f.width); x++) {
      const i = (y * f.width + x) * 4;
      if (!test(f.data[i]!, f.data[i + 1]!, f.data[i + 2]!)) continue;
      n++;
      box.x0 = Math.min(box.x0, x);
      box.y0 = Math.min(box.y0, y);
      box.x1 = Math.max(box.x1, x + 1);
      box.y1 = Math.max(box.y1, y + 1);
    }
  return { n, box };
}
const white = (r: number, g: number, b: number) => r > 200 && g > 200 && b > 200;
const red = (r: number, g: number, b: number) => r > 170 && g < 90 && b < 90;

describe('rich-text asset', () => {
  it('draws stroke, a background box and both alignments where they belong', async () => {
    const text = (extra: Partial<RichTextAsset>, clip: Record<string, unknown>) => ({
      asset: { type: 'rich-text', text: 'HI', font: { size: '40px', weight: 'bold' }, ...extra },
      start: 0,
      length: 1,
      width: 160,
      height: 180,
      ...clip,
    });
    const out = await render('static', [
      text(
        {
          stroke: { width: 3, color: '#ff0000' },
          background: { color: '#0000ff' },
          padding: 8,
          align: { horizontal: 'left', vertical: 'top' },
        },
        { position: 'left' },
      ),
      text({ align: { horizontal: 'right', vertical: 'bottom' } }, { position: 'right' }),
    ]);
    const f = await readFrame(out, 0.5);
    // Left box: blue wherever the text is not, the text in its top-left corner, outlined in red.
    const [r, g, b] = regionMean(f, 0.3, 0.6, 0.45, 0.95);
    expect(b).toBeGreaterThan(200);
    expect(r + g).toBeLessThan(60);
    const left = pixels(f, [0, 0, 0.5, 1], white);
    expect(left.n).toBeGreaterThan(100);
    expect(left.box.x0).toBeLessThan(0.15 * W);
    expect(left.box.y1).toBeLessThan(0.45 * H);
    expect(pixels(f, [0, 0, 0.5, 1], red).n).toBeGreaterThan(100);
    // Right box: no background (black), no stroke, the text in its bottom-right corner.
    expect(regionMean(f, 0.55, 0.05, 0.95, 0.4)[2]).toBeLessThan(20);
    const right = pixels(f, [0.5, 0, 1, 1], white);
    expect(right.box.x1).toBeGreaterThan(0.93 * W);
    expect(right.box.y0).toBeGreaterThan(0.55 * H);
    expect(pixels(f, [0.5, 0, 1, 1], red).n).toBe(0);
  });

  it('animation presets over time: fadeIn brightens, typewriter uncovers left to right', async () => {
    const word = { type: 'rich-text', text: 'MMMMMM', font: { size: 40, color: '#ffffff' } };
    const out = await render('animated', [
      {
        asset: { ...word, animation: { preset: 'fadeIn', duration: 2 } },
        start: 0,
        length: 4,
        height: 90,
        position: 'top',
      },
      {
        asset: { ...word, animation: { preset: 'typewriter', duration: 2 } },
        start: 0,
        length: 4,
        height: 90,
        position: 'bottom',
      },
    ]);
    const frames = await Promise.all([0.3, 1, 3].map((t) => readFrame(out, t)));
    const top = frames.map((f) => regionMean(f, 0, 0, 1, 0.5)[0]);
    expect(top[0]).toBeLessThan(top[1]!);
    expect(top[1]).toBeLessThan(top[2]!);
    const right = frames.map((f) => pixels(f, [0, 0.5, 1, 1], (r) => r > 128).box.x1);
    // The text spans most of the width once shown; earlier only its left part is uncovered.
    expect(right[2]).toBeGreaterThan(0.7 * W);
    expect(right[0]).toBeLessThan(0.35 * W);
    expect(right[0]).toBeLessThan(right[1]!);
    expect(right[1]).toBeLessThan(right[2]!);
  });

  it('is the CSS it says: gradient fill, outline outside the glyphs, blurred shadow, decoration', () => {
    const doc = richTextDocument(
      {
        type: 'rich-text',
        text: 'a<b>',
        style: {
          gradient: {
            type: 'linear',
            angle: 90,
            stops: [
              { offset: 0, color: '#ff0000' },
              { offset: 1, color: '#0000ff' },
            ],
          },
          textDecoration: 'underline',
          textTransform: 'uppercase',
        },
        stroke: { width: 2, color: '#000000' },
        shadow: { offsetX: 2, offsetY: 3, blur: 4 },
      },
      { width: 400 },
      { width: W, height: H },
      { family: 'cutline-rich-text', weight: 700, path: '/x.ttf' },
    );
    expect([doc.width, doc.height]).toEqual([400, H]);
    expect(doc.html).toContain('a&lt;b&gt;');
    expect(doc.css).toContain('linear-gradient(90deg,rgba(255,0,0,1) 0%,rgba(0,0,255,1) 100%)');
    expect(doc.css).toContain('-webkit-text-stroke:4px rgba(0,0,0,1)');
    expect(doc.css).toContain('paint-order:stroke fill');
    expect(doc.css).toContain('text-shadow:2px 3px 4px rgba(0,0,0,0.5)');
    expect(doc.css).toContain('text-decoration:underline');
    expect(doc.fonts).toEqual([{ family: 'cutline-rich-text', weight: 700, path: '/x.ttf' }]);
    const a = (preset: string, direction?: string) =>
      richTextEntrance(
        { type: 'rich-text', text: 'x', animation: { preset, direction } } as RichTextAsset,
        4,
        {
          width: 200,
          height: 100,
        },
      );
    expect(a('ascend')).toEqual({
      transition: { kind: 'fade', duration: 1 },
      nudge: { dx: 0, dy: 15, duration: 1 },
    });
    expect(a('slideIn', 'up')).toEqual({ transition: { kind: 'slideUp', duration: 1 } });
    expect(a('shift', 'right')?.nudge).toEqual({ dx: -30, dy: 0, duration: 1 });
  });

  it('an unknown font family is a 400 at the clip’s font.family', async () => {
    const err = await render('bad-font', [
      { asset: { type: 'rich-text', text: 'x', font: { family: 'Comic Nope' } }, start: 0, length: 1 },
    ]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CutlineError);
    expect((err as CutlineError).details[0]!.path).toBe('timeline.tracks[0].clips[0].asset.font.family');
    expect(() =>
      parseEdit({
        timeline: {
          tracks: [
            {
              clips: [
                {
                  asset: { type: 'rich-text', text: 'x', animation: { preset: 'spin' } },
                  start: 0,
                  length: 1,
                },
              ],
            },
          ],
        },
        output: { format: 'mp4' },
      }),
    ).toThrow(/animation\.preset: animation\.preset must be one of fadeIn, slideIn/);
  });
});
