import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEdit } from '../../../lambdas/core/intake/parse-edit.js';
import { CutlineError } from '../../../lambdas/core/errors.js';
import { withWordTimings } from '../../../lambdas/core/text/rich-caption.js';
import { FIXTURES, renderEdit } from '../../helpers/fixtures.js';
import { readFrame, type Frame } from '../../helpers/media.js';

// rich-caption: every word shown, the spoken one in the active colour, moving with the transcript's timings.
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cutline-rich-caption-'));
  await mkdir(FIXTURES, { recursive: true });
  await writeFile(
    join(FIXTURES, 'three-words.json'),
    JSON.stringify({
      words: [
        { word: 'ONE', start: 0, end: 1 },
        { word: 'TWO', start: 1, end: 2 },
        { word: 'THREE', start: 2, end: 3 },
      ],
    }),
  );
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** Mean x (pixels) and count of pixels `test` accepts. */
function centroid(f: Frame, test: (r: number, g: number, b: number) => boolean) {
  let n = 0;
  let sx = 0;
  for (let y = 0; y < f.height; y++)
    for (let x = 0; x < f.width; x++) {
      const i = (y * f.width + x) * 4;
      if (test(f.data[i]!, f.data[i + 1]!, f.data[i + 2]!)) {
        n++;
        sx += x;
      }
    }
  return { n, x: n ? sx / n : NaN };
}
const red = (r: number, g: number, b: number) => r > 180 && g < 80 && b < 80;
const white = (r: number, g: number, b: number) => r > 200 && g > 200 && b > 200;

const edit = (asset: Record<string, unknown>, clip: Record<string, unknown> = {}) => ({
  timeline: {
    background: '#000000',
    tracks: [
      {
        clips: [
          {
            asset: { type: 'rich-caption', src: 'three-words.json', ...asset },
            start: 0,
            length: 3,
            ...clip,
          },
        ],
      },
    ],
  },
  output: { format: 'mp4', size: { width: 320, height: 180 } },
});

describe('rich-caption asset', () => {
  it('draws the active word in the active colour, and the highlight moves with the word timings', async () => {
    const out = join(dir, 'words.mp4');
    await renderEdit(
      edit(
        {
          font: { family: 'Roboto', size: 30, color: '#ffffff' },
          active: { font: { color: '#ff0000' } },
          stroke: { width: 2, color: '#000000' },
        },
        { position: 'bottom' },
      ),
      out,
    );
    const seen = await Promise.all([0.5, 1.5, 2.5].map((t) => readFrame(out, t)));
    const reds = seen.map((f) => centroid(f, red));
    const whites = seen.map((f) => centroid(f, white));
    for (const r of reds) expect(r.n).toBeGreaterThan(30);
    // The other words stay white: more white than red while ONE or TWO speaks.
    expect(whites[0]!.n).toBeGreaterThan(reds[0]!.n);
    expect(reds[0]!.x).toBeLessThan(reds[1]!.x);
    expect(reds[1]!.x).toBeLessThan(reds[2]!.x);
    // The caption sits in the lower half (position bottom).
    const lowest = seen[0]!;
    let top = 0;
    let bottom = 0;
    for (let y = 0; y < lowest.height; y++)
      for (let x = 0; x < lowest.width; x++) {
        const i = (y * lowest.width + x) * 4;
        if (!white(lowest.data[i]!, lowest.data[i + 1]!, lowest.data[i + 2]!)) continue;
        if (y < lowest.height / 2) top++;
        else bottom++;
      }
    expect(top).toBe(0);
    expect(bottom).toBeGreaterThan(30);
  });

  it('SRT cues get word timings shared out by word length; refusals name their paths', () => {
    const [cue] = withWordTimings([{ start: 1, end: 4, text: 'ab cdef' }], 'uppercase');
    expect(cue!.text).toBe('AB CDEF');
    expect(cue!.words).toEqual([
      { start: 1, end: 2, text: 'AB' },
      { start: 2, end: 4, text: 'CDEF' },
    ]);
    let err: unknown;
    try {
      parseEdit(
        edit({
          animation: { style: 'bounce' },
          style: {
            gradient: {
              stops: [
                { offset: 0, color: '#fff' },
                { offset: 1, color: '#000' },
              ],
            },
          },
        }),
      );
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CutlineError);
    expect((err as CutlineError).code).toBe('NOT_SUPPORTED');
    expect((err as CutlineError).details.map((d) => d.path)).toEqual([
      'timeline.tracks[0].clips[0].asset.animation.style',
      'timeline.tracks[0].clips[0].asset.style.gradient',
    ]);
  });
});
