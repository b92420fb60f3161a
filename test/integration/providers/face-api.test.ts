import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  faceApiDetector,
  faceSampling,
  sampledSpans,
} from '../../../lambdas/core/providers/faces/face-api.js';
import { FaceTrack } from '../../../lambdas/core/providers/faces/types.js';
import { MOVING_FACE, movingFaceVideo, photoLeft } from '../../helpers/faces.js';

const run = promisify(execFile);
let video: string;

beforeAll(async () => {
  video = await movingFaceVideo();
}, 120_000);

const input = () => ({
  videoPath: video,
  durationSeconds: MOVING_FACE.seconds,
  width: MOVING_FACE.width,
  height: MOVING_FACE.height,
  jobId: 'j',
});

/** The local face detector on a real photograph of a face (scikit-image's astronaut), moving. */
describe('face-api detector', () => {
  it('finds the face in nearly every sample, always where the photograph is at that time', async () => {
    const step = await faceApiDetector().start(input());
    if (!('track' in step)) throw new Error('face-api answered with a wait');
    const track = FaceTrack.parse(step.track);
    expect(track.engine).toBe('face-api');
    expect(track.step).toBe(0.5);
    expect(track.samples).toHaveLength(MOVING_FACE.seconds * 2);
    // The tiny detector misses a face at some positions against its 32-px grid (here 2 of 12: the
    // reframing holds the previous centre there); it never reports a second, false face.
    const found = track.samples.filter((s) => s.faces.length);
    expect(found.length).toBeGreaterThanOrEqual(10);
    for (const s of found) {
      expect(s.faces.length, `faces at ${s.t} s`).toBe(1);
      const f = s.faces[0]!;
      // The face in the photograph's own coordinates: where the astronaut's face is (upper middle).
      const px = ((f.x + f.w / 2) * MOVING_FACE.width - photoLeft(s.t)) / MOVING_FACE.size;
      const py = ((f.y + f.h / 2) * MOVING_FACE.height - MOVING_FACE.y) / MOVING_FACE.size;
      expect(px, `x in the photo at ${s.t} s`).toBeGreaterThan(0.35);
      expect(px).toBeLessThan(0.65);
      expect(py, `y in the photo at ${s.t} s`).toBeGreaterThan(0.1);
      expect(py).toBeLessThan(0.4);
      expect(f.score).toBeGreaterThanOrEqual(0.55);
    }
  }, 300_000);

  it('samples long sources more sparsely (at most 1200 frames), at the source aspect ratio; only the clips when known', () => {
    expect(faceSampling({ durationSeconds: 60, width: 1920, height: 1080 })).toEqual({
      fps: 2,
      width: 512,
      height: 288,
    });
    expect(faceSampling({ durationSeconds: 7200, width: 1080, height: 1920 })).toEqual({
      fps: 0.167,
      width: 512,
      height: 910,
    });
    // Ten one-minute clips of a two-hour source: 600 s sampled, at the full rate.
    const ranges = Array.from({ length: 10 }, (_, i) => ({ start: i * 600, end: i * 600 + 60 }));
    expect(faceSampling({ durationSeconds: 7200, width: 1920, height: 1080, ranges }).fps).toBe(2);
    expect(
      sampledSpans({
        durationSeconds: 100,
        ranges: [
          { start: 50, end: 60 },
          { start: 10, end: 20 },
          { start: 15, end: 30 },
        ],
      }),
    ).toEqual([
      { start: 10, end: 30 },
      { start: 50, end: 60 },
    ]);
    expect(sampledSpans({ durationSeconds: 100 })).toEqual([{ start: 0, end: 100 }]);
  });

  it('with the clips given, samples only their spans, timed from the source start', async () => {
    const step = await faceApiDetector().start({
      ...input(),
      ranges: [
        { start: 1, end: 2 },
        { start: 1.5, end: 3 },
        { start: 4.5, end: 5.5 },
      ],
    });
    if (!('track' in step)) throw new Error('face-api answered with a wait');
    expect(step.track.samples.map((s) => s.t)).toEqual([1, 1.5, 2, 2.5, 4.5, 5]);
    for (const s of step.track.samples.filter((x) => x.faces.length)) {
      const px =
        ((s.faces[0]!.x + s.faces[0]!.w / 2) * MOVING_FACE.width - photoLeft(s.t)) / MOVING_FACE.size;
      expect(px, `x in the photo at ${s.t} s`).toBeGreaterThan(0.35);
      expect(px).toBeLessThan(0.65);
    }
  }, 300_000);

  it('runs offline: nothing is fetched (the weights and the .wasm are read from node_modules)', async () => {
    // A fresh process whose fetch fails loudly: the library, the WASM backend and the model must load
    // without it (the in-process cache of this test file's first load would hide a fetch).
    const dir = await mkdtemp(join(tmpdir(), 'cutline-faceapi-'));
    const script = join(dir, 'offline.mts');
    await writeFile(
      script,
      [
        `globalThis.fetch = () => { throw new Error('fetch called'); };`,
        `const { faceApiDetector } = await import(${JSON.stringify(join(import.meta.dirname, '../../../lambdas/core/providers/faces/face-api.ts'))});`,
        `const step = await faceApiDetector().start(${JSON.stringify(input())});`,
        `console.log(JSON.stringify(step.track.samples.map((s) => s.faces.length)));`,
      ].join('\n'),
    );
    const { stdout } = await run('npx', ['tsx', script], { cwd: join(import.meta.dirname, '../../..') });
    const counts = JSON.parse(stdout.trim().split('\n').at(-1)!) as number[];
    expect(counts).toHaveLength(12);
    expect(counts.filter((n) => n === 1).length).toBeGreaterThanOrEqual(10);
  }, 300_000);
});
