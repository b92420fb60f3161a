import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderOnThisMachine } from '../../../lambdas/core/engine/machine-render.js';
import { prepareRender } from '../../../lambdas/core/engine/prepare.js';
import { parseEdit } from '../../../lambdas/core/intake/parse-edit.js';
import { LocalSourceResolver } from '../../../lambdas/core/media/sources.js';
import { FIXTURES, toneFixture, videoFixture } from '../../helpers/fixtures.js';
import { countFrames, ssimPerFrame } from '../../helpers/media.js';

// Chunked renders stay frame-exact with the new parts: a rich-text entrance, a video at speed 2 and a
// rich-caption highlight all cross the chunk boundary (frame 50 = 2.0 s).
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cutline-chunked-rich-'));
  await Promise.all([videoFixture(), toneFixture(6, 330)]);
  await writeFile(
    join(FIXTURES, 'chunk-words.json'),
    JSON.stringify({
      words: [
        { word: 'across', start: 1.5, end: 1.9 },
        { word: 'the', start: 1.9, end: 2.1 },
        { word: 'seam', start: 2.1, end: 2.6 },
      ],
    }),
  );
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('chunked render with rich-text, rich-caption and speed', () => {
  it('2 chunks equal the single pass frame for frame', async () => {
    const edit = parseEdit({
      timeline: {
        tracks: [
          {
            clips: [
              {
                asset: {
                  type: 'rich-caption',
                  src: 'chunk-words.json',
                  active: { font: { color: '#ff0000' } },
                },
                start: 0,
                length: 4,
                position: 'bottom',
              },
            ],
          },
          {
            clips: [
              {
                asset: {
                  type: 'rich-text',
                  text: 'Seam',
                  font: { size: 40 },
                  animation: { preset: 'ascend', duration: 1.6 },
                },
                start: 1,
                length: 3,
                height: 90,
                position: 'top',
              },
            ],
          },
          { clips: [{ asset: { type: 'video', src: 'video.mp4', speed: 2 }, start: 0, length: 'auto' }] },
        ],
        soundtrack: { src: 'tone-330-6.wav' },
      },
      output: { format: 'mp4', size: { width: 320, height: 180 }, fps: 25, range: { start: 0, length: 4 } },
    });
    const resolver = new LocalSourceResolver({ mediaRoot: FIXTURES, baseDir: FIXTURES, maxSourceBytes: 1e9 });
    const input = await prepareRender(edit, { resolver });
    expect(input.timeline.duration).toBe(4);
    const single = join(dir, 'single.mp4');
    expect((await renderOnThisMachine(input, { output: single, chunks: 1 })).plan.chunked).toBe(false);
    const out = join(dir, 'chunks.mp4');
    const { plan } = await renderOnThisMachine(input, {
      output: out,
      chunks: 2,
      concurrency: 2,
      threadsPerWorker: 1,
    });
    expect(plan.chunks.map((c) => [c.startFrame, c.endFrame])).toEqual([
      [0, 50],
      [50, 100],
    ]);
    expect(await countFrames(out)).toBe(100);
    const ssim = await ssimPerFrame(single, out);
    expect(ssim).toHaveLength(100);
    expect(Math.min(...ssim)).toBeGreaterThanOrEqual(0.97);
    expect(ssim.reduce((s, v) => s + v, 0) / ssim.length).toBeGreaterThanOrEqual(0.99);
  }, 180_000);

  it('a letter-by-letter typewriter across the seam: 2 chunks equal the single pass', async () => {
    const edit = parseEdit({
      timeline: {
        background: '#000000',
        tracks: [
          {
            clips: [
              {
                asset: {
                  type: 'rich-text',
                  text: 'Seam by letters',
                  font: { size: 30 },
                  animation: { preset: 'typewriter', duration: 1.6 },
                },
                start: 1,
                length: 3,
              },
            ],
          },
        ],
      },
      output: { format: 'mp4', size: { width: 320, height: 180 }, fps: 25 },
    });
    const resolver = new LocalSourceResolver({ mediaRoot: FIXTURES, baseDir: FIXTURES, maxSourceBytes: 1e9 });
    const input = await prepareRender(edit, { resolver });
    const single = join(dir, 'letters-single.mp4');
    await renderOnThisMachine(input, { output: single, chunks: 1 });
    const out = join(dir, 'letters-chunks.mp4');
    const { plan } = await renderOnThisMachine(input, {
      output: out,
      chunks: 2,
      concurrency: 2,
      threadsPerWorker: 1,
    });
    expect(plan.chunked).toBe(true);
    expect(await countFrames(out)).toBe(100);
    const ssim = await ssimPerFrame(single, out);
    expect(ssim).toHaveLength(100);
    expect(Math.min(...ssim)).toBeGreaterThanOrEqual(0.97);
  });
});
