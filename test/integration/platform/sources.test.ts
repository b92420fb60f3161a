import { execFile } from 'node:child_process';
import { writeFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { S3SourceResolver } from '../../../lambdas/core/objects/tenant-sources.js';
import { ObjectStore } from '../../../lambdas/core/aws/storage.js';
import { probeFile } from '../../../lambdas/core/media/probe.js';
import { rangeProxy } from '../../../lambdas/core/net/range-proxy.js';
import { getPlatform } from '../../../lambdas/core/platform.js';
import type { LocalPlatform } from '../../../local/platform.js';
import { ffmpegHugePng, hugePng, longVideo } from '../../helpers/big-media.js';
import { FIXTURES } from '../../helpers/fixtures.js';
import { api, startTestPlatform, waitForJob, type Api } from '../../helpers/platform.js';

const run = promisify(execFile);
const LIMIT = 50_000_000;
const LONG_SECONDS = 600;

let platform: LocalPlatform;
let call: Api;
let longBytes: number;

const upload = async (name: string, path: string) =>
  getPlatform().objects.putFile(getPlatform().ingestBucket, `inputs/${platform.apiKeyId}/${name}`, path);

const videoEdit = (src: string, trim: number, length: number) => ({
  timeline: { tracks: [{ clips: [{ asset: { type: 'video', src, trim }, start: 0, length }] }] },
  output: { format: 'mp4', resolution: 'preview', fps: 25 },
});

beforeAll(async () => {
  const [long, png, ffmpegPng] = await Promise.all([
    longVideo(LONG_SECONDS),
    hugePng(20000, 20000),
    ffmpegHugePng(),
  ]);
  longBytes = (await stat(long)).size;
  const big = join(FIXTURES, 'over-limit.mp4');
  await writeFile(big, Buffer.alloc(LIMIT + 1));
  // The limit comes from the construct-like option; the default (10 GiB) would take every file here.
  platform = await startTestPlatform({
    limits: { maxSourceBytes: LIMIT },
    planLimits: { minChunkSeconds: 1, maxConcurrency: 2 },
  });
  call = api(platform);
  await Promise.all([
    upload('long.mp4', long),
    upload('over-limit.mp4', big),
    upload('huge.png', png),
    upload('ffmpeg-huge.png', ffmpegPng),
  ]);
}, 240_000);
afterAll(() => platform?.close());

describe('deployment limits at submit', () => {
  it('refuses a source over maxSourceBytes from its size alone, naming the limit and its value', async () => {
    const download = vi.spyOn(ObjectStore.prototype, 'download');
    const ranged = vi.spyOn(ObjectStore.prototype, 'rangeSource');
    try {
      for (const path of ['/v1/validate', '/v1/renders']) {
        const res = await call('POST', path, videoEdit('over-limit.mp4', 0, 1));
        expect(res.status).toBe(400);
        expect(res.body.error.code).toBe('LIMIT_EXCEEDED');
        expect(res.body.error.details).toEqual([
          {
            path: 'timeline.tracks[0].clips[0].asset.src',
            message: `source is ${LIMIT + 1} bytes; the limit is maxSourceBytes = 47.7 MiB (${LIMIT} bytes)`,
          },
        ]);
      }
      expect(download).not.toHaveBeenCalled();
      expect(ranged).not.toHaveBeenCalled();
    } finally {
      download.mockRestore();
      ranged.mockRestore();
    }
  });

  it('refuses a 50 GB object from its HeadObject answer (nothing is read: the object need not exist)', async () => {
    const store = {
      head: async () => ({ bytes: 50e9 }),
      download: () => Promise.reject(new Error('must not download')),
      rangeSource: () => {
        throw new Error('must not read');
      },
    } as unknown as ObjectStore;
    const resolver = new S3SourceResolver(store, {
      tenantId: 't',
      ingestBucket: 'in',
      buckets: ['in', 'out'],
      dir: '/tmp',
    });
    await expect(resolver.check('movie.mp4', 'src')).rejects.toMatchObject({
      code: 'LIMIT_EXCEEDED',
      message: `src: source is 50000000000 bytes; the limit is maxSourceBytes = 47.7 MiB (${LIMIT} bytes)`,
    });
  });
});

describe('range reads', () => {
  it('a chunk of a long source reads only its window; Plan and Stitch read no source bytes', async () => {
    const res = await call('POST', '/v1/renders', videoEdit('long.mp4', 400, 4));
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    const { job } = await waitForJob(call, res.body.id, 180_000);
    expect(job.status).toBe('SUCCEEDED');
    expect(job.plan[0].chunks).toBeGreaterThan(1);
    const video = job.outputs.find((o: { kind: string }) => o.kind === 'video');
    expect(video.durationSeconds).toBeCloseTo(4, 1);
    const scopes = (await rangeProxy()).scopes(job.id);
    const read = (re: RegExp) => scopes.filter((s) => re.test(s.scope.slice(job.id.length + 1)));
    const chunks = read(/^r0-chunk-/);
    expect(chunks.length).toBe(job.plan[0].chunks);
    // A 2 s chunk of a 10-minute source: its window (+1 s preroll) is 0.5% of the file; the rest is the
    // container header (the moov, ~2% here) and the blocks read ahead of each seek.
    for (const c of chunks) expect(c.bytes / longBytes).toBeLessThan(0.08);
    for (const c of chunks) expect(c.bytes).toBeGreaterThan(0);
    expect(read(/^plan-/).reduce((n, s) => n + s.bytes, 0)).toBe(0);
    expect(read(/^stitch-/).reduce((n, s) => n + s.bytes, 0)).toBe(0);
    const total = scopes.reduce((n, s) => n + s.bytes, 0);
    expect(total / longBytes).toBeLessThan(0.25);
  }, 200_000);
});

describe('pixel limits', () => {
  it('refuses a 20000×20000 PNG by its decoded size, with the limit named (never NaN)', async () => {
    const png = await hugePng(20000, 20000);
    await expect(probeFile(png, 'timeline.tracks[0].clips[0].asset.src')).rejects.toMatchObject({
      code: 'LIMIT_EXCEEDED',
      message:
        'timeline.tracks[0].clips[0].asset.src: the picture is 20000×20000 = 400000000 pixels; the limit is maxSourcePixels = 67108864',
    });
    const res = await call('POST', '/v1/renders', {
      timeline: { tracks: [{ clips: [{ asset: { type: 'image', src: 'huge.png' }, start: 0, length: 1 }] }] },
      output: { format: 'mp4', resolution: 'preview' },
    });
    expect(res.status).toBe(202);
    const { job } = await waitForJob(call, res.body.id);
    expect(job.status).toBe('FAILED');
    expect(job.error.code).toBe('LIMIT_EXCEEDED');
    expect(job.error.message).toContain('20000×20000 = 400000000 pixels');
    expect(job.error.message).toContain('maxSourcePixels');
    expect(job.error.message).not.toMatch(/NaN|finite/);
  }, 60_000);

  it('refuses a 9000×9000 PNG made by ffmpeg by maxSourcePixels, and takes it when the limit is raised', async () => {
    const png = await ffmpegHugePng();
    await expect(probeFile(png, 'src')).rejects.toMatchObject({
      code: 'LIMIT_EXCEEDED',
      message: 'src: the picture is 9000×9000 = 81000000 pixels; the limit is maxSourcePixels = 67108864',
    });
    // The CLI's --limit ends in the same CUTLINE_LIMITS every handler reads.
    const edit = join(FIXTURES, 'huge-image-edit.json');
    await writeFile(
      edit,
      JSON.stringify({
        timeline: {
          tracks: [
            { clips: [{ asset: { type: 'image', src: 'ffmpeg-9000x9000.png' }, start: 0, length: 0.2 }] },
          ],
        },
        output: { format: 'mp4', resolution: 'preview' },
      }),
    );
    const cli = (limits: string[]) =>
      run(
        'node',
        [resolve('bin/cutline.mjs'), 'render', edit, '-o', join(FIXTURES, 'huge-image.mp4'), ...limits],
        {
          cwd: FIXTURES,
        },
      ).then(
        () => ({ code: 0, stderr: '' }),
        (e: { code: number; stderr: string }) => ({ code: e.code, stderr: e.stderr }),
      );
    const refused = await cli([]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('LIMIT_EXCEEDED');
    expect(refused.stderr).toContain('maxSourcePixels = 67108864');
    const small = await cli(['--limit', 'maxSourceBytes=1000']);
    expect(small.stderr).toContain('the limit is maxSourceBytes = 1000 bytes');
    const bad = await cli(['--limit', 'maxSourcePixel=1']);
    expect(bad.stderr).toContain('unknown limit "maxSourcePixel"');
    expect(await cli(['--limit', 'maxSourcePixels=100000000'])).toEqual({ code: 0, stderr: '' });
  }, 120_000);
});
