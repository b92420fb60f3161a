import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { letterAnimation, lettersHtml, unitProgress } from '../../../lambdas/core/render/letters.js';
import type { RichTextAsset } from '../../../lambdas/core/edit/schema.js';
import { renderEdit } from '../../helpers/fixtures.js';
import { litBox, readFrame, regionMean } from '../../helpers/media.js';

// rich-text animated letter by letter in the page Chromium draws: an image sequence, then its last page.
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cutline-letters-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const W = 320;
const H = 180;
const word = { type: 'rich-text', text: 'MMMMMM', font: { size: 40, color: '#ffffff' } };

async function render(name: string, animation: Record<string, unknown>, fps = 25): Promise<string> {
  const out = join(dir, `${name}.mp4`);
  await renderEdit(
    {
      timeline: {
        background: '#000000',
        tracks: [{ clips: [{ asset: { ...word, animation }, start: 0, length: 4 }] }],
      },
      output: { format: 'mp4', size: { width: W, height: H }, fps },
    },
    out,
  );
  return out;
}

describe('letter-by-letter rich-text', () => {
  it('typewriter types the letters one by one, each whole as it appears', async () => {
    const out = await render('typewriter', { preset: 'typewriter', duration: 1.2 });
    const all = litBox(await readFrame(out, 2))!;
    // 6 letters over 1.2 s: at 0.48 s the first three are typed (0, 0.2, 0.4 s), the rest not yet.
    const early = await readFrame(out, 0.48);
    const part = litBox(early)!;
    const third = (all.x1 - all.x0) / 6;
    expect(part.x0).toBeCloseTo(all.x0, -1);
    expect(part.x1).toBeGreaterThan(all.x0 + 2.5 * third);
    expect(part.x1).toBeLessThan(all.x0 + 3.5 * third);
    // Typed, not faded: the letters shown are already full white (a fade at this point would be grey).
    const white = litBox(early, 235)!;
    expect(white.x0).toBeCloseTo(all.x0, -1);
    expect(white.x1).toBeGreaterThan(all.x0 + 2.5 * third);
    const first = await readFrame(out, 0.04);
    expect(litBox(first)!.x1).toBeLessThan(all.x0 + 1.5 * third);
  });

  it('fadeIn by character: the left letters are brighter than the right ones halfway, all even at the end', async () => {
    // Every frame of a fade is a page of its own: 12 fps keeps it to 13 pages.
    const out = await render('fade-letters', { preset: 'fadeIn', style: 'character', duration: 1 }, 12);
    const all = litBox(await readFrame(out, 3))!;
    const band = (f: Awaited<ReturnType<typeof readFrame>>, a: number, b: number) =>
      regionMean(
        f,
        (all.x0 + a * (all.x1 - all.x0)) / W,
        all.y0 / H,
        (all.x0 + b * (all.x1 - all.x0)) / W,
        all.y1 / H,
      )[0];
    const mid = await readFrame(out, 0.5);
    expect(band(mid, 0, 0.33)).toBeGreaterThan(band(mid, 0.67, 1) + 40);
    const end = await readFrame(out, 3);
    expect(Math.abs(band(end, 0, 0.33) - band(end, 0.67, 1))).toBeLessThan(10);
  });
});

describe('letters.ts', () => {
  const asset = (animation: RichTextAsset['animation']) =>
    ({ type: 'rich-text', text: 'ab cd', animation }) as RichTextAsset;
  it('which presets draw per unit', () => {
    expect(letterAnimation(asset({ preset: 'typewriter' }), 10)?.unit).toBe('character');
    expect(letterAnimation(asset({ preset: 'movingLetters' }), 10)?.drift).toEqual([0.5, 0]);
    expect(letterAnimation(asset({ preset: 'fadeIn' }), 10)).toBeUndefined();
    expect(letterAnimation(asset({ preset: 'fadeIn', style: 'word' }), 10)?.unit).toBe('word');
    expect(letterAnimation(asset({ preset: 'slideIn', style: 'character' }), 10)).toBeUndefined();
    expect(letterAnimation(asset({ preset: 'typewriter', duration: 8 }), 4)?.duration).toBe(2);
  });
  it('words stay unbreakable and spaces stay text; each unit carries its own opacity', () => {
    const anim = letterAnimation(asset({ preset: 'typewriter', duration: 1 }), 10)!;
    const html = lettersHtml('ab cd', anim, 0.3);
    expect(html).toBe(
      '<span style="white-space:nowrap"><span style="opacity:1">a</span><span style="opacity:1">b</span></span> ' +
        '<span style="white-space:nowrap"><span style="opacity:0">c</span><span style="opacity:0">d</span></span>',
    );
    expect(lettersHtml('<&>', anim, 1)).toContain('&lt;');
    expect(unitProgress(anim, 3, 4, 0.74)).toBe(0);
    expect(unitProgress(anim, 3, 4, 0.75)).toBe(1);
  });
});
