import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalPlatform } from '../../../local/platform.js';
import { ENV } from '../../../lambdas/core/config.js';
import { parseMasterPlaylist, parseMediaPlaylist } from '../../../lambdas/core/packaging/playlist.js';
import { getPlatform } from '../../../lambdas/core/platform.js';
import { renderEdit, videoFixture } from '../../helpers/fixtures.js';
import { ffprobeJson } from '../../helpers/media.js';
import { api, fixtureUrl, startTestPlatform, waitForJob, type Api } from '../../helpers/platform.js';

// HLS packaged by the pipeline's mediaconvert:createJob.sync state: on the local platform the adapter renders
// the very CreateJob settings with ffmpeg into MediaConvert's layout, read back here from the local S3.
let platform: LocalPlatform;
let call: Api;
let scratch: string;

beforeAll(async () => {
  await videoFixture();
  platform = await startTestPlatform();
  call = api(platform);
  scratch = await mkdtemp(join(tmpdir(), 'cutline-mc-platform-'));
});
afterAll(async () => {
  await platform?.close();
  await rm(scratch, { recursive: true, force: true });
});

const hls = { name: 'hls', packager: 'mediaconvert', ladder: [180, 144], segmentSeconds: 2 };
const edit = (src: string) => ({
  timeline: { tracks: [{ clips: [{ asset: { type: 'video', src }, start: 0, length: 4 }] }] },
  output: { format: 'mp4', size: { width: 320, height: 180 }, presets: [hls] },
});

describe('hls on MediaConvert through the pipeline', () => {
  it('packages the finished render in its own state: master, rungs and segments in MediaConvert’s layout', async () => {
    const res = await call('POST', '/v1/renders', edit(fixtureUrl('video.mp4')));
    expect(res.status).toBe(202);
    const { job } = await waitForJob(call, res.body.id, 240_000);
    expect(job.error ?? null).toBeNull();
    expect(job.status).toBe('SUCCEEDED');
    const master = (job.outputs as Array<{ kind: string; key: string; url: string; width?: number }>).find(
      (o) => o.kind === 'playlist',
    )!;
    expect(master.key).toMatch(new RegExp(`^outputs/[^/]+/${job.id}/output-hls/master\\.m3u8$`));
    const prefix = master.key.slice(0, -'master.m3u8'.length);
    expect(master.width).toBe(320);
    const variants = parseMasterPlaylist(await (await fetch(master.url)).text());
    expect(variants.map((v) => [v.uri, v.width, v.height])).toEqual([
      ['master_180p.m3u8', 320, 180],
      ['master_144p.m3u8', 256, 144],
    ]);
    const p = getPlatform();
    const stored = (await p.objects.list(p.outputsBucket, prefix)).map((k) => k.slice(prefix.length)).sort();
    const expected = ['master.m3u8'];
    for (const v of variants) {
      const playlist = parseMediaPlaylist(await p.objects.getText(p.outputsBucket, prefix + v.uri));
      expect(playlist.segments.map((s) => s.uri)).toEqual(
        [1, 2].map((n) => v.uri.replace('.m3u8', `_${String(n).padStart(5, '0')}.ts`)),
      );
      expected.push(v.uri, ...playlist.segments.map((s) => s.uri));
      const seg = join(scratch, playlist.segments[0]!.uri);
      await p.objects.download(p.outputsBucket, prefix + playlist.segments[0]!.uri, seg);
      const video = (await ffprobeJson(seg)).streams.find((s) => s.codec_type === 'video')!;
      expect([Number(video.width), Number(video.height)]).toEqual([v.width, v.height]);
    }
    expect(stored).toEqual(expected.sort());
    // The render task did not also package with ffmpeg: no folder-per-rung tree beside it.
    expect(stored.some((k) => k.includes('/index.m3u8'))).toBe(false);
  });

  it('the CLI writes the same tree for the same edit', async () => {
    const out = join(scratch, 'cli', 'output.mp4');
    await renderEdit(edit('video.mp4'), out);
    const walk = async (dir: string): Promise<string[]> =>
      (await readdir(dir, { withFileTypes: true, recursive: true }))
        .filter((e) => e.isFile())
        .map((e) => relative(dir, join(e.parentPath, e.name)));
    const names = (await walk(join(scratch, 'cli', 'output-hls'))).sort();
    expect(names).toEqual([
      'master.m3u8',
      'master_144p.m3u8',
      'master_144p_00001.ts',
      'master_144p_00002.ts',
      'master_180p.m3u8',
      'master_180p_00001.ts',
      'master_180p_00002.ts',
    ]);
  });

  it('a deployment without MediaConvert refuses the job at submit, naming the setting', async () => {
    const saved = process.env[ENV.MEDIACONVERT_ROLE_ARN];
    delete process.env[ENV.MEDIACONVERT_ROLE_ARN];
    try {
      const res = await call('POST', '/v1/renders', edit(fixtureUrl('video.mp4')));
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('NOT_SUPPORTED');
      expect(res.body.error.details[0].path).toBe('output.presets[0].packager');
      expect(res.body.error.message).toContain('mediaConvert: true');
    } finally {
      process.env[ENV.MEDIACONVERT_ROLE_ARN] = saved;
    }
  });
});
