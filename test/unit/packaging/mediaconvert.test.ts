import { describe, expect, it } from 'vitest';
import { selectLadder } from '../../../lambdas/core/packaging/ladder.js';
import {
  mediaConvertHlsJob,
  mediaConvertHlsLayout,
  type MediaConvertHlsSpec,
} from '../../../lambdas/core/packaging/mediaconvert.js';
import { loadModel, modelProblems } from '../../helpers/aws-model.js';

// CreateJob's request shapes as MediaConvert's own API model states them (types, enums, ranges, patterns).
const model = loadModel('mediaconvert-CreateJob.json');

const spec = (over: Partial<MediaConvertHlsSpec> = {}): MediaConvertHlsSpec => ({
  input: 's3://cutline-outputs/outputs/t1/job1/main.mp4',
  folder: 's3://cutline-outputs/outputs/t1/job1/main-hls/',
  variants: selectLadder({ width: 1920, height: 1080 }, [1080, 720, 480, 360]),
  segmentSeconds: 6,
  fps: { num: 30000, den: 1001 },
  hasAudio: true,
  role: 'arn:aws:iam::123456789012:role/cutline-mediaconvert',
  userMetadata: { jobId: 'job1', tenant: 't1' },
  ...over,
});

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('MediaConvert HLS settings', () => {
  const cases: Array<[string, MediaConvertHlsSpec]> = [
    ['1080p ladder with audio', spec()],
    [
      'portrait ladder without audio',
      spec({ variants: selectLadder({ width: 1080, height: 1920 }, [720, 360]), hasAudio: false }),
    ],
    [
      'one odd-sized rung, 25 fps, 2 s segments',
      spec({
        variants: selectLadder({ width: 641, height: 361 }, [1080]),
        fps: { num: 25, den: 1 },
        segmentSeconds: 2,
      }),
    ],
    [
      'a queue and a request token',
      spec({
        queue: 'arn:aws:mediaconvert:eu-west-1:123456789012:queues/Default',
        clientRequestToken: 'job1-main',
      }),
    ],
  ];

  it.each(cases)('%s: every field is one MediaConvert documents, within its range', (_, s) => {
    expect(modelProblems(model, mediaConvertHlsJob(s))).toEqual([]);
  });

  it.each(cases)('%s: the rules across fields that the API reference states', (_, s) => {
    const req = mediaConvertHlsJob(s) as Json;
    const group = req.Settings.OutputGroups[0];
    expect(group.OutputGroupSettings.Type).toBe('HLS_GROUP_SETTINGS');
    const outputs = group.Outputs as Json[];
    // Several outputs in one group each need a name modifier, and they must differ.
    if (outputs.length > 1) {
      expect(outputs.every((o) => o.NameModifier)).toBe(true);
      expect(new Set(outputs.map((o) => o.NameModifier)).size).toBe(outputs.length);
    }
    for (const o of outputs) {
      const h264 = o.VideoDescription.CodecSettings.H264Settings;
      expect(o.VideoDescription.CodecSettings.Codec).toBe('H_264');
      // QVBR needs MaxBitrate; HLS groups leave the GOP size to MediaConvert (GopSizeUnits AUTO, no GopSize).
      expect(h264.RateControlMode).toBe('QVBR');
      expect(h264.MaxBitrate).toBeGreaterThanOrEqual(1000);
      expect(h264.GopSizeUnits).toBe('AUTO');
      expect(h264.GopSize).toBeUndefined();
      // 4:2:0 H.264 frames have even sizes.
      expect(o.VideoDescription.Width % 2).toBe(0);
      expect(o.VideoDescription.Height % 2).toBe(0);
      // HLS outputs are M3U8 containers; audio names a selector the input defines.
      expect(o.ContainerSettings.Container).toBe('M3U8');
      for (const a of o.AudioDescriptions ?? [])
        expect(Object.keys(req.Settings.Inputs[0].AudioSelectors)).toContain(a.AudioSourceName);
      if (!s.hasAudio) expect(o.AudioDescriptions).toBeUndefined();
    }
    expect(group.OutputGroupSettings.HlsGroupSettings.Destination.startsWith(s.folder)).toBe(true);
  });

  it('the ladder is the ffmpeg packager’s: same rungs, sizes and caps', () => {
    const s = spec();
    const outputs = (mediaConvertHlsJob(s) as Json).Settings.OutputGroups[0].Outputs as Json[];
    expect(
      outputs.map((o) => [
        o.VideoDescription.Width,
        o.VideoDescription.Height,
        o.VideoDescription.CodecSettings.H264Settings.MaxBitrate,
      ]),
    ).toEqual(s.variants.map((v) => [v.width, v.height, v.maxrateKbps * 1000]));
  });

  it('the checker refuses what MediaConvert would refuse (so the tests above can fail)', () => {
    const req = mediaConvertHlsJob(spec()) as Json;
    req.Settings.OutputGroups[0].Outputs[0].VideoDescription.Width = 16;
    req.Settings.OutputGroups[0].Outputs[0].ContainerSettings.Container = 'M3U9';
    req.Settings.OutputGroups[0].OutputGroupSettings.HlsGroupSettings.SegmentLength = 0;
    req.Settings.OutputGroups[0].OutputGroupSettings.HlsGroupSettings.Destination = 'https://x/y';
    req.Settings.Bogus = 1;
    delete req.Role;
    expect(modelProblems(model, req)).toEqual(
      expect.arrayContaining([
        expect.stringContaining('Width: value 16 is below the minimum 32'),
        expect.stringContaining('"M3U9" is not one of'),
        expect.stringContaining('SegmentLength: value 0 is below the minimum 1'),
        expect.stringContaining('does not match ^s3:'),
        expect.stringContaining('$.Settings.Bogus: not a member'),
        '$.Role: required',
      ]),
    );
  });

  it('refuses inputs it cannot express', () => {
    expect(() => mediaConvertHlsJob(spec({ input: '/tmp/main.mp4' }))).toThrow(/s3:\/\//);
    expect(() => mediaConvertHlsJob(spec({ folder: 's3://b/x' }))).toThrow(/ending in \//);
    expect(() => mediaConvertHlsJob(spec({ segmentSeconds: 2.5 }))).toThrow(/whole number/);
    expect(() => mediaConvertHlsJob(spec({ variants: [] }))).toThrow(/at least one/);
  });

  it('names files as MediaConvert does in a single directory', () => {
    const layout = mediaConvertHlsLayout(selectLadder({ width: 1280, height: 720 }, [720, 360]));
    expect(layout.master).toBe('master.m3u8');
    expect(layout.variants.map((v) => [v.playlist, v.segment(1)])).toEqual([
      ['master_720p.m3u8', 'master_720p_00001.ts'],
      ['master_360p.m3u8', 'master_360p_00001.ts'],
    ]);
  });
});
