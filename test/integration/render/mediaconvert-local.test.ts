import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectLadder } from '../../../lambdas/core/packaging/ladder.js';
import { mediaConvertHlsJob, mediaConvertHlsLayout } from '../../../lambdas/core/packaging/mediaconvert.js';
import {
  readHlsSettings,
  runMediaConvertLocally,
  type ObjectIo,
} from '../../../lambdas/core/packaging/mediaconvert-local.js';
import { parseMasterPlaylist, parseMediaPlaylist } from '../../../lambdas/core/packaging/playlist.js';
import { avClipArgs } from '../../helpers/fixtures.js';
import { ffmpeg, ffprobeJson } from '../../helpers/media.js';

// A folder per bucket stands in for S3 here: the adapter's own contract is the settings in and the files out.
let root: string;
const pathOf = (url: string) => join(root, url.replace(/^s3:\/\//, ''));
const io: ObjectIo = {
  download: (url, path) => copyFile(pathOf(url), path),
  upload: async (path, url) => {
    await mkdir(dirname(pathOf(url)), { recursive: true });
    await copyFile(path, pathOf(url));
  },
};

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'cutline-mc-'));
  await mkdir(join(root, 'out/outputs/t1/j1'), { recursive: true });
  await ffmpeg([
    '-v',
    'error',
    ...avClipArgs(
      'testsrc2=s=640x360:r=25:d=7',
      'sine=f=440:r=48000:d=7',
      join(root, 'out/outputs/t1/j1/main.mp4'),
    ),
  ]);
}, 60_000);
afterAll(() => rm(root, { recursive: true, force: true }));

const variants = selectLadder({ width: 640, height: 360 }, [360, 240]);
const request = (over: Partial<Parameters<typeof mediaConvertHlsJob>[0]> = {}) =>
  mediaConvertHlsJob({
    input: 's3://out/outputs/t1/j1/main.mp4',
    folder: 's3://out/outputs/t1/j1/main-hls/',
    variants,
    segmentSeconds: 2,
    fps: { num: 25, den: 1 },
    hasAudio: true,
    role: 'arn:aws:iam::000000000000:role/mc',
    userMetadata: { jobId: 'j1' },
    ...over,
  });

describe('the local MediaConvert adapter', () => {
  it('renders the CreateJob settings with ffmpeg into MediaConvert’s layout', async () => {
    const job = await runMediaConvertLocally(request(), io);
    expect(job.Status).toBe('COMPLETE');
    const folder = pathOf('s3://out/outputs/t1/j1/main-hls/');
    const layout = mediaConvertHlsLayout(variants);
    const master = parseMasterPlaylist(await readFile(join(folder, layout.master), 'utf8'));
    expect(master.map((v) => [v.uri, v.width, v.height])).toEqual([
      ['master_360p.m3u8', 640, 360],
      ['master_240p.m3u8', 426, 240],
    ]);
    for (const [i, v] of layout.variants.entries()) {
      const text = await readFile(join(folder, v.playlist), 'utf8');
      expect(text).toContain('#EXT-X-MEDIA-SEQUENCE:1');
      const playlist = parseMediaPlaylist(text);
      // 7 s in 2 s segments: 4 segments, numbered from 1 as MediaConvert numbers them.
      expect(playlist.segments.map((s) => s.uri)).toEqual([1, 2, 3, 4].map((n) => v.segment(n)));
      expect(playlist.segments.reduce((a, s) => a + s.duration, 0)).toBeCloseTo(7, 1);
      for (const s of playlist.segments) {
        expect(s.duration).toBeLessThanOrEqual(2 + 1e-6);
        const probe = await ffprobeJson(join(folder, s.uri));
        const video = probe.streams.find((x) => x.codec_type === 'video')!;
        expect([video.codec_name, Number(video.width), Number(video.height)]).toEqual([
          'h264',
          master[i]!.width,
          master[i]!.height,
        ]);
        expect(probe.streams.some((x) => x.codec_type === 'audio')).toBe(true);
      }
      expect(job.OutputGroupDetails?.[0]?.OutputDetails?.[i]?.VideoDetails).toEqual({
        WidthInPx: master[i]!.width,
        HeightInPx: master[i]!.height,
      });
    }
    // Nothing but the layout is written.
    const expected = [
      layout.master,
      ...layout.variants.flatMap((v) => [v.playlist, ...[1, 2, 3, 4].map((n) => v.segment(n))]),
    ];
    expect((await readdir(folder)).sort()).toEqual(expected.sort());
  }, 120_000);

  it('refuses, by name, settings it would not render as MediaConvert does', () => {
    const dash = request() as {
      Settings: { OutputGroups: Array<{ OutputGroupSettings: { Type: string } }> };
    };
    dash.Settings.OutputGroups[0]!.OutputGroupSettings.Type = 'DASH_ISO_GROUP_SETTINGS';
    expect(() => readHlsSettings(dash as never)).toThrow(/output group DASH_ISO_GROUP_SETTINGS/);
    const sub = request() as never as {
      Settings: {
        OutputGroups: Array<{ OutputGroupSettings: { HlsGroupSettings: Record<string, unknown> } }>;
      };
    };
    sub.Settings.OutputGroups[0]!.OutputGroupSettings.HlsGroupSettings.DirectoryStructure =
      'SUBDIRECTORY_PER_STREAM';
    expect(() => readHlsSettings(sub as never)).toThrow(/SUBDIRECTORY_PER_STREAM/);
    expect(() => readHlsSettings({ Role: 'r' } as never)).toThrow(/without Settings/);
  });

  it('reads back exactly what the builder wrote', () => {
    const read = readHlsSettings(request({ hasAudio: false, segmentSeconds: 4 }));
    expect(read).toEqual({
      input: 's3://out/outputs/t1/j1/main.mp4',
      destination: 's3://out/outputs/t1/j1/main-hls/master',
      variants,
      segmentSeconds: 4,
      fps: { num: 25, den: 1 },
      hasAudio: false,
    });
    expect(existsSync(root)).toBe(true);
  });
});
