import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENV } from '../../../lambdas/core/config.js';
import { resetProviderEnv } from '../../../lambdas/core/projects/providers/index.js';
import type { LocalPlatform } from '../../../local/platform.js';
import { imageFixture } from '../../helpers/fixtures.js';
import { startGenerationServer, type GenerationServer } from '../../helpers/generation-server.js';
import { countFrames, readFrame, regionMean } from '../../helpers/media.js';
import { api, fixtureUrl, startTestPlatform, waitForJob, type Api } from '../../helpers/platform.js';

let platform: LocalPlatform;
let call: Api;
let gen: GenerationServer;

beforeAll(async () => {
  await imageFixture('red');
  gen = await startGenerationServer();
  // What an operator sets before `cutline start`: the HTTP provider, polled every second here.
  process.env[ENV.GENERATION_ENDPOINT] = gen.url;
  process.env[ENV.GENERATION_POLL_SECONDS] = '1';
  resetProviderEnv();
  platform = await startTestPlatform();
  call = api(platform);
}, 120_000);
afterAll(async () => {
  await platform?.close();
  await gen?.close();
  delete process.env[ENV.GENERATION_ENDPOINT];
  delete process.env[ENV.GENERATION_POLL_SECONDS];
  resetProviderEnv();
});

async function download(url: string, name: string): Promise<string> {
  const file = join(await mkdtemp(join(tmpdir(), 'cutline-gen-')), name);
  await writeFile(file, Buffer.from(await (await fetch(url)).arrayBuffer()));
  return file;
}

/** The mean colour of the frame's top half (the provider draws its prompt along the bottom). */
async function colourAt(file: string, t: number): Promise<[number, number, number]> {
  const [r, g, b] = regionMean(await readFrame(file, t), 0.1, 0.05, 0.9, 0.5);
  return [r, g, b];
}
const isColour = ([r, g, b]: number[], want: 'r' | 'g' | 'b' | 'y') => {
  const hi = (v: number) => v > 170;
  const lo = (v: number) => v < 80;
  if (want === 'r') return hi(r!) && lo(g!) && lo(b!);
  if (want === 'g') return lo(r!) && hi(g!) && lo(b!);
  if (want === 'b') return lo(r!) && lo(g!) && hi(b!);
  return hi(r!) && hi(g!) && lo(b!);
};

describe('generation through an HTTP provider on the local platform', () => {
  it('generate scenes (text-to-video, text-to-image, image-to-video) are made, retried, composed into the final video', async () => {
    const created = await call('POST', '/v1/projects', {
      mode: 'music-video',
      subject: 'a fox with a white tail',
      referenceImages: [fixtureUrl('image-red.png')],
      output: { size: { width: 320, height: 180 } },
      scenes: [
        { source: 'generate', prompt: 'a blue sky over hills', length: 2 },
        { source: 'generate', kind: 'image', prompt: 'a green field', length: 1.5 },
        { source: 'generate', prompt: 'flaky slow pan', image: fixtureUrl('image-red.png'), length: 2 },
      ],
    });
    expect(created.status).toBe(201);
    expect(created.body.scenes.map((s: { status: string }) => s.status)).toEqual([
      'pending',
      'pending',
      'pending',
    ]);
    const id = created.body.id;
    const composed = await call('POST', `/v1/projects/${id}/compose`, {});
    expect(composed.status).toBe(202);
    const { job } = await waitForJob(call, composed.body.jobId, 240_000);
    expect(job.error ?? null).toBeNull();
    expect(job.status).toBe('SUCCEEDED');

    const done = (await call('GET', `/v1/projects/${id}`)).body;
    expect(done.scenes.map((s: { status: string }) => s.status)).toEqual([
      'completed',
      'completed',
      'completed',
    ]);
    expect(done.scenes.map((s: { media: { kind: string } }) => s.media.kind)).toEqual([
      'video',
      'image',
      'video',
    ]);
    for (const s of done.scenes)
      expect(s.media.src).toMatch(
        new RegExp(`^s3://cutline-ingest/inputs/${platform.apiKeyId}/projects/${id}/`),
      );

    // What the provider was asked: the subject in every prompt, one seed for the project, the character
    // reference where a scene has no first frame, the first frame where it has one; the flaky scene's
    // first job failed and it was started again.
    const byPrompt = (p: string) => gen.requests.filter((r) => r.prompt.startsWith(p));
    expect(gen.requests.every((r) => r.prompt.endsWith('. Subject: a fox with a white tail'))).toBe(true);
    expect(new Set(gen.requests.map((r) => r.seed)).size).toBe(1);
    expect(byPrompt('a blue sky')).toMatchObject([{ kind: 'video', durationSeconds: 2, referenceImages: 1 }]);
    expect(byPrompt('a green field')).toMatchObject([{ kind: 'image', referenceImages: 1 }]);
    expect(byPrompt('flaky slow pan')).toHaveLength(2);
    expect(byPrompt('flaky slow pan')[1]).toMatchObject({ kind: 'video', image: true, referenceImages: 0 });

    // The final video: the scenes end to end (2 + 1.5 + 2 s), each showing what was generated for it.
    const file = await download(done.video.url, 'final.mp4');
    expect(Math.abs((await countFrames(file)) / 25 - 5.5)).toBeLessThanOrEqual(1 / 25 + 1e-9);
    expect(isColour(await colourAt(file, 1), 'b'), 'blue sky at 1 s').toBe(true);
    expect(isColour(await colourAt(file, 2.75), 'g'), 'green field at 2.75 s').toBe(true);
    expect(isColour(await colourAt(file, 4.5), 'r'), 'the red first frame at 4.5 s').toBe(true);
  }, 300_000);

  it('text-to-image and image-to-video edit assets are generated before the render', async () => {
    const res = await call('POST', '/v1/renders', {
      timeline: {
        tracks: [
          {
            clips: [
              {
                asset: { type: 'text-to-image', prompt: 'a yellow sun', width: 320, height: 180 },
                start: 0,
                length: 1,
              },
              {
                asset: { type: 'image-to-video', src: fixtureUrl('image-red.png'), prompt: 'slow zoom' },
                start: 1,
                length: 1.5,
              },
            ],
          },
        ],
      },
      output: { format: 'mp4', size: { width: 320, height: 180 } },
    });
    expect(res.status).toBe(202);
    const { job } = await waitForJob(call, res.body.id, 240_000);
    expect(job.error ?? null).toBeNull();
    expect(job.status).toBe('SUCCEEDED');
    const asked = gen.requests.slice(-2);
    expect(asked).toMatchObject([
      { kind: 'image', prompt: 'a yellow sun', width: 320, height: 180 },
      { kind: 'video', prompt: 'slow zoom', durationSeconds: 1.5, image: true },
    ]);
    const video = job.outputs.find((o: { kind: string }) => o.kind === 'video');
    const file = await download(video.url, 'assets.mp4');
    expect(Math.abs((await countFrames(file)) / 25 - 2.5)).toBeLessThanOrEqual(1 / 25 + 1e-9);
    expect(isColour(await colourAt(file, 0.5), 'y'), 'the generated still at 0.5 s').toBe(true);
    expect(isColour(await colourAt(file, 1.8), 'r'), 'the clip from the red picture at 1.8 s').toBe(true);
  }, 300_000);

  it("a provider's refusal fails the job with its reason and the asset's path, not a 500 or a stuck job", async () => {
    const res = await call('POST', '/v1/renders', {
      timeline: {
        tracks: [
          {
            clips: [
              {
                asset: { type: 'text-to-image', prompt: 'refuse this', width: 320, height: 180 },
                start: 0,
                length: 1,
              },
            ],
          },
        ],
      },
      output: { format: 'mp4', size: { width: 320, height: 180 } },
    });
    expect(res.status).toBe(202);
    const { job } = await waitForJob(call, res.body.id, 120_000);
    expect(job.status).toBe('FAILED');
    expect(job.error.code).toBe('VALIDATION_FAILED');
    expect(job.error.message).toMatch(
      /^timeline\.tracks\[0\]\.clips\[0\]\.asset: the generation provider .*answered 400.*content filter/,
    );
    expect(job.error.message).not.toMatch(/\/tmp\//);
  }, 180_000);
});
