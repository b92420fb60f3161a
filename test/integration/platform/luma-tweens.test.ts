import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalPlatform } from '../../../local/platform.js';
import { FIXTURES, imageFixture } from '../../helpers/fixtures.js';
import { ffmpeg, readFrame, regionMean } from '../../helpers/media.js';
import { api, fixtureUrl, startTestPlatform, waitForJob, type Api } from '../../helpers/platform.js';

let platform: LocalPlatform;
let call: Api;

beforeAll(async () => {
  await Promise.all([
    imageFixture('red'),
    imageFixture('blue'),
    // A 2 s left-to-right wipe matte.
    ffmpeg([
      '-y',
      '-f',
      'lavfi',
      '-i',
      "nullsrc=s=160x90:r=25:d=2,format=gray,geq=lum='if(lt(X,W*T/2),255,0)'",
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-pix_fmt',
      'yuv420p',
      join(FIXTURES, 'platform-luma-wipe.mp4'),
    ]),
  ]);
  platform = await startTestPlatform();
  call = api(platform);
});
afterAll(() => platform?.close());

const edit = (luma: Record<string, unknown>, opacity: unknown = 1) => ({
  timeline: {
    tracks: [
      {
        clips: [
          { asset: { type: 'luma', ...luma }, start: 0, length: 2 },
          {
            asset: { type: 'image', src: fixtureUrl('image-red.png') },
            start: 0,
            length: 2,
            fit: 'cover',
            opacity,
          },
        ],
      },
      {
        clips: [
          { asset: { type: 'image', src: fixtureUrl('image-blue.png') }, start: 0, length: 2, fit: 'cover' },
        ],
      },
    ],
  },
  output: { format: 'mp4', size: { width: 160, height: 90 }, fps: 25 },
});

describe('luma mattes and tweens through the local platform', () => {
  it('renders a matte over a tweened clip: left lit and right dark mid-wipe', async () => {
    const res = await call(
      'POST',
      '/v1/renders',
      edit({ src: fixtureUrl('platform-luma-wipe.mp4') }, [{ from: 1, to: 1, start: 0, length: 2 }]),
    );
    expect(res.status).toBe(202);
    const { job } = await waitForJob(call, res.body.id);
    expect(job.status).toBe('SUCCEEDED');
    const file = join(tmpdir(), `${job.id}-luma.mp4`);
    await writeFile(file, Buffer.from(await (await fetch(job.outputs[0].url)).arrayBuffer()));
    const mid = await readFrame(file, 1.02);
    expect(regionMean(mid, 0.05, 0.1, 0.4, 0.9)[0]).toBeGreaterThan(200);
    expect(regionMean(mid, 0.6, 0.1, 0.95, 0.9)[2]).toBeGreaterThan(200);
  });

  it('a luma source goes through the same source checks, and bad keyframes are 400s with paths', async () => {
    const refused = await call('POST', '/v1/renders', edit({ src: 's3://someone-elses-bucket/m.mp4' }));
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe('SOURCE_REFUSED');
    expect(refused.body.error.details[0].path).toBe('timeline.tracks[0].clips[0].asset.src');
    const bad = await call(
      'POST',
      '/v1/renders',
      edit({ src: fixtureUrl('platform-luma-wipe.mp4') }, [
        { from: 0, to: 1, start: 0, length: 1, interpolation: 'bezier', easing: 'bounce' },
      ]),
    );
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].path).toBe('timeline.tracks[0].clips[1].opacity[0].easing');
  });
});
