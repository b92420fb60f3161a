import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalPlatform } from '../../../local/platform.js';
import { imageFixture, squareFixture, toneFixture } from '../../helpers/fixtures.js';
import { countFrames, ffmpeg, ffprobeJson, litBox, meanVolume, readFrame } from '../../helpers/media.js';
import { api, fixtureUrl, startTestPlatform, waitForJob, type Api } from '../../helpers/platform.js';

let platform: LocalPlatform;
let call: Api;

beforeAll(async () => {
  await Promise.all([imageFixture('red'), toneFixture(2, 330), squareFixture()]);
  platform = await startTestPlatform();
  call = api(platform);
});
afterAll(async () => platform?.close());

/**
 * Compose through the whole platform: the compose API snapshots the project into a `project` job, the
 * pipeline runs the voiceover scene's prepare item (espeak-ng), expands the one rendition and renders it.
 */
describe('composing a scene project on the local platform', () => {
  it("the final video's length is the sum of its scenes, the backing track runs to its end, scene status is kept", async () => {
    const track = await readFile(await toneFixture(2, 330));
    const up = await call('POST', '/v1/uploads', {
      filename: 'track.wav',
      contentType: 'audio/wav',
      bytes: track.length,
    });
    await fetch(up.body.url, { method: 'PUT', headers: up.body.headers, body: track });
    const created = await call('POST', '/v1/projects', {
      mode: 'music-video',
      audio: { src: up.body.src, volume: 0.4 },
      output: { size: { width: 320, height: 180 } },
      scenes: [
        { source: 'title', text: 'Intro', background: '#0000ff', length: 1.2 },
        { source: 'image', src: fixtureUrl('image-red.png'), length: 1.6, caption: 'Red' },
        { source: 'voiceover', text: 'And that is the end.' },
      ],
    });
    expect(created.status).toBe(201);
    const id = created.body.id;
    const before = await call('GET', `/v1/projects/${id}/final-video`);
    expect(before.status).toBe(404);
    expect(before.body.error.message).toMatch(/never composed: POST \/v1\/projects\/\{id\}\/compose/);

    const composed = await call('POST', `/v1/projects/${id}/compose`, { transition: 'fade' });
    expect(composed.status).toBe(202);
    expect(composed.body.links).toEqual({
      job: `/v1/renders/${composed.body.jobId}`,
      project: `/v1/projects/${id}`,
    });
    const { job } = await waitForJob(call, composed.body.jobId, 180_000);
    expect(job.error ?? null).toBeNull();
    expect(job.status).toBe('SUCCEEDED');

    const done = await call('GET', `/v1/projects/${id}`);
    expect(done.body).toMatchObject({
      status: 'composed',
      sceneCount: 3,
      completedScenes: 3,
      failedScenes: 0,
    });
    const vo = done.body.scenes[2];
    expect(vo).toMatchObject({ status: 'completed', attempts: 1 });
    expect(vo.media.src).toMatch(
      new RegExp(`^s3://cutline-ingest/inputs/${platform.apiKeyId}/projects/${id}/`),
    );
    expect(done.body.assets.find((a: { at: string }) => a.at === 'scenes[2].media.src').url).toBeTruthy();
    expect(done.body.video.rendition).toBe('final');

    const dir = await mkdtemp(join(tmpdir(), 'cutline-compose-'));
    const file = join(dir, 'final.mp4');
    await writeFile(file, Buffer.from(await (await fetch(done.body.video.url)).arrayBuffer()));
    const voLength = Math.round((vo.media.durationSeconds + 0.5) * 25) / 25;
    const total = 1.2 + 1.6 + voLength;
    expect(Math.abs((await countFrames(file)) / 25 - total)).toBeLessThanOrEqual(1 / 25 + 1e-9);
    const audio = (await ffprobeJson(file)).streams.find((s) => s.codec_type === 'audio');
    expect(Math.abs(Number(audio!.duration) - total)).toBeLessThan(0.05);
    expect(await meanVolume(file, total - 0.5, 0.5)).toBeGreaterThan(-45);

    // The product document's final-video: the same file, presigned, with a download URL.
    const final = await call('GET', `/v1/projects/${id}/final-video`);
    expect(final.status).toBe(200);
    expect(final.body).toMatchObject({ jobId: composed.body.jobId, kind: 'video', key: done.body.video.key });
    const download = await fetch(final.body.downloadUrl);
    expect(download.headers.get('content-disposition')).toMatch(/^attachment; filename="[\w-]+-final\.mp4"/);
    expect(Buffer.from(await download.arrayBuffer()).equals(await readFile(file))).toBe(true);
  }, 240_000);

  it('an image scene fills the frame in its own shape (crop), never stretched; contain letterboxes', async () => {
    // squareFixture: a 40×40 white square in the middle of a 200×200 black picture.
    const square = fixtureUrl('square.png');
    const made = await call('POST', '/v1/projects', {
      mode: 'custom',
      output: { size: { width: 320, height: 180 } },
      scenes: [
        { source: 'image', src: square, length: 1 },
        { source: 'image', src: square, length: 1, fit: 'contain' },
      ],
    });
    expect(made.status).toBe(201);
    const composed = await call('POST', `/v1/projects/${made.body.id}/compose`, {});
    const { job } = await waitForJob(call, composed.body.jobId, 180_000);
    expect(job.status).toBe('SUCCEEDED');
    const dir = await mkdtemp(join(tmpdir(), 'cutline-fit-'));
    const file = join(dir, 'fit.mp4');
    const video = (await call('GET', `/v1/projects/${made.body.id}/final-video`)).body;
    await writeFile(file, Buffer.from(await (await fetch(video.url)).arrayBuffer()));
    // The Ken Burns zoom scales both sides alike: the square stays square. Crop scales 200 → 320 wide
    // (×1.6, a 64 px square before the zoom), contain 200 → 180 tall (×0.9, 36 px); a stretch would make
    // it 64×36.
    const sides = [];
    for (const at of [0.2, 1.2]) {
      const box = litBox(await readFrame(file, at))!;
      const [w, h] = [box.x1 - box.x0 + 1, box.y1 - box.y0 + 1];
      expect(w / h, `shape at ${at} s: ${w}×${h}`).toBeGreaterThan(0.9);
      expect(w / h, `shape at ${at} s: ${w}×${h}`).toBeLessThan(1.1);
      sides.push(w);
    }
    expect(sides[0]).toBeGreaterThan(60);
    expect(sides[1]).toBeLessThan(48);
  }, 240_000);

  it('refuses a presigned URL as a scene src (it expires), with its path', async () => {
    const res = await call('POST', '/v1/projects', {
      mode: 'custom',
      scenes: [
        {
          source: 'image',
          src: 'https://bucket.s3.amazonaws.com/a.png?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIA%2F&X-Amz-Signature=abc',
        },
      ],
    });
    expect(res.status).toBe(400);
    expect(res.body.error.details[0]).toEqual({
      path: 'scenes[0].src',
      message: expect.stringContaining('presigned URL'),
    });
  });

  it('plans a music video on the backing track: cuts on its beats, lengths summing to the track', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cutline-plan-'));
    const file = join(dir, 'clicks.wav');
    await ffmpeg([
      '-f',
      'lavfi',
      '-i',
      "aevalsrc='if(lt(mod(t,0.5),0.005),sin(2*PI*1000*t),0)':s=44100:d=16.2",
      file,
    ]);
    const bytes = await readFile(file);
    const up = await call('POST', '/v1/uploads', {
      filename: 'clicks.wav',
      contentType: 'audio/wav',
      bytes: bytes.length,
    });
    await fetch(up.body.url, { method: 'PUT', headers: up.body.headers, body: bytes });
    const made = await call('POST', '/v1/projects', { mode: 'music-video', audio: { src: up.body.src } });
    const id = made.body.id;
    // Prompts need an LLM, which this platform has none of: refused, saying what to do.
    const refused = await call('POST', `/v1/projects/${id}/plan`, { scenes: 4 });
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatchObject({ code: 'NOT_SUPPORTED', details: [{ path: 'prompts' }] });
    expect(refused.body.error.message).toContain('"prompts": false');
    const res = await call('POST', `/v1/projects/${id}/plan`, { scenes: 4, prompts: false });
    expect(res.status).toBe(200);
    expect(res.body.length).toBeCloseTo(16.2, 2);
    expect(Math.abs(res.body.tempo - 120)).toBeLessThan(2);
    const scenes = res.body.scenes as Array<{ start: number; length: number }>;
    expect(scenes).toHaveLength(4);
    expect(scenes[0]!.start).toBe(0);
    for (const s of scenes.slice(1))
      expect(Math.abs(s.start - Math.round(s.start / 0.5) * 0.5)).toBeLessThan(0.03);
    expect(scenes.reduce((t, s) => t + s.length, 0)).toBeCloseTo(res.body.length, 2);
    // Nothing was stored: a plan is a proposal.
    expect((await call('GET', `/v1/projects/${id}`)).body.sceneCount).toBe(0);
    // Without a backing track the length is needed, at its path.
    const silent = await call('POST', '/v1/projects', { mode: 'ad-creative' });
    const noLength = await call('POST', `/v1/projects/${silent.body.id}/plan`, { prompts: false });
    expect(noLength.status).toBe(400);
    expect(noLength.body.error.details[0].path).toBe('length');
    const even = await call('POST', `/v1/projects/${silent.body.id}/plan`, {
      prompts: false,
      length: 12,
      scenes: 3,
    });
    expect(even.body.scenes).toEqual([
      { start: 0, length: 4 },
      { start: 4, length: 4 },
      { start: 8, length: 4 },
    ]);
  });
});
