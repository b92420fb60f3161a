import { copyFile, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalPlatform } from '../../../local/platform.js';
import { CutlineError } from '../../../lambdas/core/errors.js';
import { probeFile } from '../../../lambdas/core/media/probe.js';
import { InputList } from '../../../lambdas/core/render/inputs.js';
import { ffmpeg } from '../../helpers/media.js';
import { colorVideoFixture } from '../../helpers/fixtures.js';
import { api, SECOND_TENANT, startTestPlatform, waitForJob, type Api } from '../../helpers/platform.js';

/**
 * Issue #16, item 1: media files that reference other media. A playlist or list uploaded by tenant B
 * must never read a file outside the tenant's sources, nor make the platform send a request.
 */
let platform: LocalPlatform;
let callB: Api;
let bait: Server;
let baitPort: number;
const baitHits: string[] = [];
let root: string;
let outside: string;

const SRC = 'timeline.tracks[0].clips[0].asset.src';
const edit = (src: string, length: number | 'auto' = 1) => ({
  timeline: { tracks: [{ clips: [{ asset: { type: 'video', src }, start: 0, length }] }] },
  output: { format: 'mp4', size: { width: 160, height: 90 } },
});
const hls = (segment: string) =>
  `#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n#EXTINF:2.0,\n${segment}\n#EXT-X-ENDLIST\n`;

/** Tenant B uploads bytes through the real presigned PUT and gets the src to use. */
async function upload(call: Api, filename: string, body: Buffer | string, contentType = 'video/mp4') {
  const bytes = Buffer.from(body);
  const up = await call('POST', '/v1/uploads', { filename, contentType, bytes: bytes.length });
  expect(up.status).toBe(201);
  const put = await fetch(up.body.url, { method: 'PUT', headers: up.body.headers, body: bytes });
  expect(put.status).toBe(200);
  return up.body.src as string;
}

beforeAll(async () => {
  bait = createServer((req, res) => {
    baitHits.push(req.url ?? '');
    res.writeHead(200, { 'content-type': 'video/mp2t' }).end('not media');
  });
  await new Promise<void>((r) => bait.listen(0, '127.0.0.1', r));
  baitPort = (bait.address() as AddressInfo).port;
  // The secret lies outside the media root: a real, renderable MPEG-TS that must never be read.
  outside = await mkdtemp(join(tmpdir(), 'cutline-outside-'));
  await ffmpeg([
    '-i',
    await colorVideoFixture('red', 2),
    '-c',
    'copy',
    '-f',
    'mpegts',
    join(outside, 'secret.ts'),
  ]);
  root = await mkdtemp(join(tmpdir(), 'cutline-root-'));
  await mkdir(join(root, 'media'));
  platform = await startTestPlatform({ mediaRoot: root, rateLimit: { rate: 1000, burst: 1000 } });
  callB = api(platform, SECOND_TENANT.value);
});
afterAll(async () => {
  await platform?.close();
  bait?.closeAllConnections();
  await new Promise((r) => bait?.close(r));
});

/**
 * Every refusal, on both paths that read the source: with `length: "auto"` the submit probes it (over
 * the presigned URL) and answers 400 SOURCE_REFUSED with the clip's path and no job; with a fixed
 * length the submit does not read it and the pipeline's Probe fails the job with SOURCE_REFUSED. Neither
 * sends a request to the bait, and no output is made.
 */
async function expectRefused(src: string, what: RegExp) {
  const before = (await callB('GET', '/v1/renders?limit=100')).body.renders.length;
  const res = await callB('POST', '/v1/renders', edit(src, 'auto'));
  expect(res.status, JSON.stringify(res.body)).toBe(400);
  expect(res.body.error.code).toBe('SOURCE_REFUSED');
  expect(res.body.error.details[0]).toMatchObject({ path: SRC, message: expect.stringMatching(what) });
  expect((await callB('GET', '/v1/renders?limit=100')).body.renders.length).toBe(before);

  const later = await callB('POST', '/v1/renders', edit(src));
  expect(later.status).toBe(202);
  const { job } = await waitForJob(callB, later.body.id);
  expect(job.status).toBe('FAILED');
  expect(job.error.code).toBe('SOURCE_REFUSED');
  expect(job.error.message).toMatch(what);
  expect(job.outputs ?? []).toEqual([]);
  expect(baitHits).toEqual([]);
}

describe('playlists are refused, whatever their name', () => {
  it('an uploaded HLS playlist with a file:// segment outside the sandbox (named .mp4)', async () => {
    const src = await upload(callB, 'movie.mp4', hls(pathToFileURL(join(outside, 'secret.ts')).href));
    await expectRefused(src, /HLS playlist/);
  });

  it('an uploaded HLS playlist with an http://127.0.0.1 segment: the API process sends no request', async () => {
    const src = await upload(callB, 'stream.ts', hls(`http://127.0.0.1:${baitPort}/seg.ts`), 'video/mp2t');
    await expectRefused(src, /HLS playlist/);
  });

  it('a .m3u8 under the media root (file://), with either segment', async () => {
    await writeFile(join(root, 'media', 'a.m3u8'), hls(pathToFileURL(join(outside, 'secret.ts')).href));
    await writeFile(join(root, 'media', 'b.m3u8'), hls(`http://127.0.0.1:${baitPort}/seg.ts`));
    await expectRefused(pathToFileURL(join(root, 'media', 'a.m3u8')).href, /HLS playlist/);
    await expectRefused(pathToFileURL(join(root, 'media', 'b.m3u8')).href, /HLS playlist/);
  });

  it('an ffconcat list pointing outside (named .mp4, and .ffconcat)', async () => {
    const list = `ffconcat version 1.0\nfile '${join(outside, 'secret.ts')}'\n`;
    await expectRefused(await upload(callB, 'cut.mp4', list), /concat list/);
    await writeFile(join(root, 'media', 'cut.ffconcat'), list);
    await expectRefused(pathToFileURL(join(root, 'media', 'cut.ffconcat')).href, /concat list/);
  });

  it('a DASH manifest', async () => {
    const mpd = `<?xml version="1.0"?><MPD xmlns="urn:mpeg:dash:schema:mpd:2011" profiles="urn:mpeg:dash:profile:isoff-on-demand:2011" type="static" mediaPresentationDuration="PT2S"><Period><AdaptationSet><Representation id="1" bandwidth="1000"><BaseURL>http://127.0.0.1:${baitPort}/v.mp4</BaseURL></Representation></AdaptationSet></Period></MPD>`;
    await writeFile(join(root, 'media', 'm.mpd'), mpd);
    await expectRefused(pathToFileURL(join(root, 'media', 'm.mpd')).href, /DASH manifest/);
  });
});

describe('the render step opens sources with the same allowlists, even with a probe that lies', () => {
  it('ffmpeg refuses a playlist that a (forged) probe called mp4', async () => {
    const playlist = join(root, 'media', 'forged.mp4');
    await writeFile(playlist, hls(pathToFileURL(join(outside, 'secret.ts')).href));
    const inputs = new InputList();
    inputs.addSource({ path: playlist, probe: { format: 'mov' } });
    const out = join(root, 'forged-out.mp4');
    await expect(ffmpeg(['-v', 'error', ...inputs.args(), '-frames:v', '1', '-y', out])).rejects.toThrow();
    // Without a format (an old probe): the demuxer allowlist alone refuses the playlist.
    const bare = new InputList();
    bare.addSource({ path: playlist, probe: {} });
    await expect(ffmpeg(['-v', 'error', ...bare.args(), '-frames:v', '1', '-y', out])).rejects.toThrow(
      /not on whitelist/,
    );
  });

  it('probing names the refused format and the JSON path; real media still probes with its demuxer', async () => {
    const playlist = join(root, 'media', 'again.mp4');
    await writeFile(playlist, hls(`http://127.0.0.1:${baitPort}/seg.ts`));
    const err = await probeFile(playlist, SRC).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CutlineError);
    expect((err as CutlineError).code).toBe('SOURCE_REFUSED');
    expect((err as CutlineError).details[0]!.path).toBe(SRC);
    const real = join(root, 'media', 'real.ts');
    await copyFile(join(outside, 'secret.ts'), real);
    expect((await probeFile(real, SRC)).format).toBe('mpegts');
    expect(baitHits).toEqual([]);
  });

  it('an image named like a sequence pattern is one picture, not a sequence', async () => {
    const dir = join(root, 'media');
    const red = await colorVideoFixture('red', 1);
    for (const name of ['frame%d.jpg', 'frame1.jpg', 'frame2.jpg'])
      await ffmpeg(['-i', red, '-frames:v', '1', '-y', join(dir, name)]);
    const p = await probeFile(join(dir, 'frame%d.jpg'), SRC);
    expect(p).toMatchObject({ isImage: true, format: 'image2' });
  });
});

describe('a legitimate upload still renders', () => {
  it('an MP4 through the presigned PUT renders for its tenant', async () => {
    const src = await upload(callB, 'ok.mp4', await readFile(await colorVideoFixture('blue', 1)));
    const res = await callB('POST', '/v1/renders', edit(src));
    expect(res.status).toBe(202);
    const { job } = await waitForJob(callB, res.body.id);
    expect(job.status).toBe('SUCCEEDED');
  });
});
