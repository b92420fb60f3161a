import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalPlatform } from '../../../local/platform.js';
import { ENV } from '../../../lambdas/core/config.js';
import { detectInFrame } from '../../../lambdas/core/providers/faces/face-api.js';
import { resetProviderSettings } from '../../../lambdas/core/providers/settings.js';
import { MOVING_FACE, movingFaceVideo } from '../../helpers/faces.js';
import { readFrame } from '../../helpers/media.js';
import { api, fixtureUrl, startTestPlatform, waitForJob, type Api } from '../../helpers/platform.js';

let platform: LocalPlatform;
let call: Api;

beforeAll(async () => {
  await movingFaceVideo();
  platform = await startTestPlatform();
  call = api(platform);
}, 120_000);
afterAll(async () => platform?.close());

type Output = { kind: string; url: string; rendition?: string; width?: number; height?: number };

/** The 9:16 clip of the whole moving-face source, framed by `reframe`, downloaded. */
async function clip(reframe: Record<string, unknown>): Promise<{ path: string; meta: { reframe: string } }> {
  const res = await call('POST', '/v1/clips', {
    src: fixtureUrl('moving-face.mp4'),
    clips: [{ start: 0, end: MOVING_FACE.seconds }],
    aspectRatios: ['9:16'],
    reframe,
    output: { resolution: 'preview' },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  const { job } = await waitForJob(call, res.body.id, 300_000);
  expect(job.error ?? null).toBeNull();
  expect(job.status).toBe('SUCCEEDED');
  const outputs = job.outputs as Output[];
  const video = outputs.find((o) => o.kind === 'video')!;
  expect([video.width, video.height]).toEqual([288, 512]);
  const manifest = await (await fetch(outputs.find((o) => o.kind === 'manifest')!.url)).json();
  const path = join(await mkdtemp(join(tmpdir(), 'cutline-faces-')), 'clip.mp4');
  await writeFile(path, Buffer.from(await (await fetch(video.url)).arrayBuffer()));
  return { path, meta: manifest.outputs[0].meta };
}

/** Faces the detector finds in the output frame shown at t (its own frame, not the source's). */
async function facesAt(path: string, t: number) {
  const f = await readFrame(path, t);
  const rgb = new Uint8Array(f.width * f.height * 3);
  for (let i = 0, j = 0; i < f.data.length; i += 4, j += 3) {
    rgb[j] = f.data[i]!;
    rgb[j + 1] = f.data[i + 1]!;
    rgb[j + 2] = f.data[i + 2]!;
  }
  return detectInFrame(rgb, f.width, f.height);
}

const TIMES = Array.from({ length: MOVING_FACE.seconds * 2 }, (_, i) => i * 0.5 + 0.25);

/**
 * A real photograph of a face (scikit-image's astronaut) moving across a 16:9 frame; a 9:16 clip job
 * through the local platform (prepare item → face-api → focus keyframes → the render's crop window).
 */
describe('reframe mode "face" on the local platform (face-api)', () => {
  it('keeps the face in the 9:16 frame where centre framing loses it', async () => {
    const [face, centre] = await Promise.all([clip({ mode: 'face' }), clip({ mode: 'center' })]);
    expect(face.meta.reframe).toBe('face');
    expect(centre.meta.reframe).toBe('center');
    const seen = { face: [] as number[], centre: [] as number[] };
    for (const t of TIMES) {
      const inFace = await facesAt(face.path, t);
      if (inFace.length) {
        seen.face.push(t);
        // Held well inside the window, not at its edge.
        const cx = inFace[0]!.x + inFace[0]!.w / 2;
        expect(Math.abs(cx - 0.5), `face centre at ${t} s: ${cx}`).toBeLessThan(0.25);
      }
      if ((await facesAt(centre.path, t)).length) seen.centre.push(t);
    }
    // The detector may miss a frame (it missed one of twelve on the source): allow one miss, not more.
    expect(seen.face.length, `face framing saw a face at ${seen.face}`).toBeGreaterThanOrEqual(
      TIMES.length - 1,
    );
    // Centre framing shows the face only while it crosses the middle of the frame.
    expect(seen.centre, `centre framing saw a face at ${seen.centre}`).not.toContain(TIMES[0]);
    expect(seen.centre).not.toContain(TIMES.at(-1));
    expect(seen.centre.length).toBeLessThanOrEqual(TIMES.length / 2);
  }, 600_000);

  it('the older spelling { mode: "auto", detector: "rekognition" } is face reframing, by the local detector', async () => {
    const old = await clip({ mode: 'auto', detector: 'rekognition' });
    expect(old.meta.reframe).toBe('face');
    expect((await facesAt(old.path, TIMES[0]!)).length).toBe(1);
    expect((await facesAt(old.path, TIMES.at(-1)!)).length).toBe(1);
  }, 600_000);

  it('where no face detector is configured: a 400 NOT_SUPPORTED at reframe.mode naming what to set', async () => {
    process.env[ENV.FACE_DETECTOR] = 'none';
    resetProviderSettings();
    try {
      const res = await call('POST', '/v1/clips', {
        src: fixtureUrl('moving-face.mp4'),
        clips: [{ start: 0, end: 1 }],
        reframe: { mode: 'face' },
      });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('NOT_SUPPORTED');
      expect(res.body.error.details).toEqual([{ path: 'reframe.mode', message: expect.any(String) }]);
      expect(res.body.error.message).toMatch(/@vladmandic\/face-api.*ai\.faces/);
      expect(res.body.error.message).not.toMatch(/\/work\/|node_modules\//);
    } finally {
      delete process.env[ENV.FACE_DETECTOR];
      resetProviderSettings();
    }
  });
});
