import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { renderOnThisMachine } from '../../../lambdas/core/engine/machine-render.js';
import { prepareRender } from '../../../lambdas/core/engine/prepare.js';
import { mixKind } from '../../../lambdas/core/mixes/kind.js';
import { avClipArgs } from '../../helpers/fixtures.js';
import { localJob } from '../../helpers/jobs.js';
import { countFrames, ffmpeg, ffprobeJson, readFrame, regionMean } from '../../helpers/media.js';

/** Clips of different sizes, frame rates and lengths, each a solid colour with a tone. */
const CLIPS = {
  'red.mp4': { color: 'red', size: '320x180', rate: 25, seconds: 1 },
  'green.mp4': { color: 'lime', size: '640x360', rate: 30, seconds: 1.5 },
  'blue.mp4': { color: 'blue', size: '480x270', rate: 24, seconds: 1.2 },
  'white.mp4': { color: 'white', size: '320x240', rate: 25, seconds: 0.8 },
} as const;
type Name = keyof typeof CLIPS;
const RGB: Record<string, [number, number, number]> = {
  red: [255, 0, 0],
  lime: [0, 255, 0],
  blue: [0, 0, 255],
  white: [255, 255, 255],
};

let dir: string;
let job: ReturnType<typeof localJob>;
/** Each clip's duration as its container reports it (a clip's audio can run a few ms past its video). */
const length: Partial<Record<Name, number>> = {};
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cutline-mixes-'));
  job = localJob(dir);
  await Promise.all(
    Object.entries(CLIPS).map(([name, c]) =>
      ffmpeg(
        avClipArgs(
          `color=c=${c.color}:s=${c.size}:r=${c.rate}:d=${c.seconds}`,
          `sine=f=330:r=48000:d=${c.seconds}`,
          join(dir, name),
        ),
      ),
    ),
  );
  for (const name of Object.keys(CLIPS) as Name[])
    length[name] = Number((await ffprobeJson(join(dir, name))).format.duration);
}, 60_000);

const FPS = 25;
const groups = [
  { name: 'hook', clips: ['red.mp4', 'green.mp4'] },
  { name: 'body', clips: ['blue.mp4', 'white.mp4'] },
];
const output = { size: { width: 160, height: 90 }, fps: FPS };
const close = (a: number[], b: number[]) => b.every((v, i) => Math.abs(v - a[i]!) < 60);

describe('mixes: real renders', () => {
  it('auto: exactly the expected unique combinations, each as long as its clips (± one frame), tagged', async () => {
    const req = mixKind.parse({ title: 'Launch', groups, mode: 'auto', count: 4, seed: 42, output });
    const renditions = await mixKind.expand(req, job.ctx);
    expect(renditions.map((r) => r.name)).toEqual([
      'variation-001',
      'variation-002',
      'variation-003',
      'variation-004',
    ]);
    const combos = renditions.map((r) => (r.meta!.sources as string[]).join('+'));
    expect(new Set(combos).size).toBe(4);
    expect(combos.sort()).toEqual([
      'green.mp4+blue.mp4',
      'green.mp4+white.mp4',
      'red.mp4+blue.mp4',
      'red.mp4+white.mp4',
    ]);
    for (const r of renditions) {
      const sources = r.meta!.sources as Name[];
      const expected = sources.reduce((s, n) => s + length[n]!, 0);
      expect(r.meta!.durationSeconds).toBeCloseTo(expected, 2);
      const { output: file } = await job.render(r);
      const frames = await countFrames(file);
      expect(
        Math.abs(frames - expected * FPS),
        `${r.name}: ${frames} frames for ${expected} s`,
      ).toBeLessThanOrEqual(1);
      const probe = await ffprobeJson(file);
      const v = probe.streams.find((s) => s.codec_type === 'video')!;
      expect([v.width, v.height]).toEqual([160, 90]);
      expect(probe.format.tags?.title).toBe(`Launch — variation ${r.meta!.variation}`);
      expect(probe.format.tags?.comment).toBe(`sources: ${sources.join(', ')}`);
      // Each clip fills the frame (no bars) in its turn.
      const first = CLIPS[sources[0]!];
      for (const [t, c] of [
        [length[sources[0]!]! / 2, first],
        [length[sources[0]!]! + CLIPS[sources[1]!].seconds / 2, CLIPS[sources[1]!]],
      ] as const) {
        const f = await readFrame(file, t);
        for (const [x, y] of [
          [0.05, 0.1],
          [0.5, 0.5],
          [0.95, 0.9],
        ] as const) {
          const m = regionMean(f, x - 0.03, y - 0.05, x + 0.03, y + 0.05);
          expect(
            close(m, RGB[c.color]!),
            `${r.name} at ${t}s (${x},${y}): ${m.join(',')} vs ${c.color}`,
          ).toBe(true);
        }
      }
    }
  }, 120_000);

  it('manual with crossfades: duration is the sum minus one crossfade per join, and the join dissolves', async () => {
    const req = mixKind.parse({ groups, mode: 'manual', sequences: [[1, 0]], crossfade: 0.4, output });
    const [r] = await mixKind.expand(req, job.ctx);
    const expected = length['green.mp4']! + length['blue.mp4']! - 0.4;
    expect(r!.meta!.durationSeconds).toBeCloseTo(expected, 2);
    const { output: file } = await job.render({ ...r!, name: 'crossfade' });
    expect(Math.abs((await countFrames(file)) - expected * FPS)).toBeLessThanOrEqual(1);
    // Halfway through the overlap (about 1.1 + 0.2 s) green and blue are mixed.
    const [rr, g, b] = regionMean(await readFrame(file, 1.3), 0.4, 0.4, 0.6, 0.6);
    expect(g).toBeGreaterThan(60);
    expect(b).toBeGreaterThan(60);
    expect(rr).toBeLessThan(60);
  }, 60_000);

  it('the chunked path (chunks stitched by stream copy) keeps the title and comment', async () => {
    const req = mixKind.parse({ title: 'Chunky', groups, mode: 'manual', sequences: [[0, 0]], output });
    const [r] = await mixKind.expand(req, job.ctx);
    const input = await prepareRender(r!.edit, { resolver: job.resolver });
    const file = join(dir, 'chunked.mp4');
    const { plan } = await renderOnThisMachine(input, { output: file, chunks: 2, concurrency: 2 });
    expect(plan.chunked).toBe(true);
    const tags = (await ffprobeJson(file)).format.tags;
    expect(tags?.title).toBe('Chunky — variation 1');
    expect(tags?.comment).toBe('sources: red.mp4, blue.mp4');
  }, 60_000);

  it('refuses a crossfade longer than half a clip, at crossfade', async () => {
    const req = mixKind.parse({ groups, mode: 'manual', sequences: [[0, 1]], crossfade: 0.5, output });
    await expect(mixKind.expand(req, job.ctx)).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      details: [{ path: 'crossfade' }],
    });
  });
});
