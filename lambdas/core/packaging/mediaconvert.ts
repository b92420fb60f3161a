import type { CreateJobRequest, Output as McOutput } from '@aws-sdk/client-mediaconvert';
import type { Rational } from '../render/output-spec.js';
import type { HlsNaming } from './hls.js';
import type { Variant } from './ladder.js';

/**
 * AWS Elemental MediaConvert job settings for the `hls` preset, built from the same ladder and segment
 * length the ffmpeg packager uses. Pure: the state machine passes the result to
 * `mediaconvert:createJob.sync`, and the local adapter (mediaconvert-local.ts) renders the very same
 * settings with ffmpeg, so both produce one layout (see mediaConvertHlsLayout).
 */
export interface MediaConvertHlsSpec {
  /** The finished main file: `s3://bucket/key`. */
  input: string;
  /** The HLS folder, `s3://bucket/…/<stem>-hls/` (trailing slash). */
  folder: string;
  variants: readonly Variant[];
  segmentSeconds: number;
  fps: Rational;
  hasAudio: boolean;
  /** The service role MediaConvert assumes to read the input and write the folder. */
  role: string;
  queue?: string;
  /** Carried on the job (and its events) so a MediaConvert job names its cutline job. */
  userMetadata: Record<string, string>;
  /** Makes CreateJob idempotent: a retried state does not start a second job. */
  clientRequestToken?: string;
}

/** Settings the ffmpeg packager uses too, so both packagers cut the same ladder the same way. */
export const MEDIACONVERT_DEFAULTS = {
  /** Master playlist base name: `master.m3u8`, like the ffmpeg packager's. */
  base: 'master',
  audioBitrate: 128_000,
  sampleRate: 48_000,
  /** QVBR quality 1–10; 7 is MediaConvert's recommendation for streaming at these ladders. */
  qvbrQuality: 7,
  audioSelector: 'Audio Selector 1',
} as const;

/** File names MediaConvert writes for one HLS group (SINGLE_DIRECTORY): relative to the folder. */
export interface HlsLayout {
  master: string;
  variants: Array<{ name: string; playlist: string; segment: (n: number) => string }>;
}

const modifier = (v: Variant) => `_${v.name}`;

/** The same names as patterns for the ffmpeg HLS muxer (`%v` = the variant's name). */
export const mediaConvertHlsNaming = (base: string = MEDIACONVERT_DEFAULTS.base): HlsNaming => ({
  playlist: `${base}_%v.m3u8`,
  segment: `${base}_%v_%05d.ts`,
  firstSegment: 1,
  master: `${base}.m3u8`,
});

export function mediaConvertHlsLayout(
  variants: readonly Variant[],
  base: string = MEDIACONVERT_DEFAULTS.base,
): HlsLayout {
  return {
    master: `${base}.m3u8`,
    variants: variants.map((v) => ({
      name: v.name,
      playlist: `${base}${modifier(v)}.m3u8`,
      // Segments are numbered from 1 with five digits: master_720p_00001.ts.
      segment: (n: number) => `${base}${modifier(v)}_${String(n).padStart(5, '0')}.ts`,
    })),
  };
}

function variantOutput(v: Variant, spec: MediaConvertHlsSpec): McOutput {
  return {
    NameModifier: modifier(v),
    ContainerSettings: { Container: 'M3U8', M3u8Settings: {} },
    OutputSettings: { HlsSettings: {} },
    VideoDescription: {
      Width: v.width,
      Height: v.height,
      ScalingBehavior: 'DEFAULT',
      CodecSettings: {
        Codec: 'H_264',
        H264Settings: {
          // QVBR with the ladder's cap: MediaConvert requires MaxBitrate with QVBR.
          RateControlMode: 'QVBR',
          QvbrSettings: { QvbrQualityLevel: MEDIACONVERT_DEFAULTS.qvbrQuality },
          MaxBitrate: v.maxrateKbps * 1000,
          CodecProfile: 'HIGH',
          CodecLevel: 'AUTO',
          // HLS groups must leave the GOP to MediaConvert (it aligns keyframes with segments).
          GopSizeUnits: 'AUTO',
          SceneChangeDetect: 'TRANSITION_DETECTION',
          QualityTuningLevel: 'SINGLE_PASS_HQ',
          FramerateControl: 'SPECIFIED',
          FramerateNumerator: spec.fps.num,
          FramerateDenominator: spec.fps.den,
          ParControl: 'SPECIFIED',
          ParNumerator: 1,
          ParDenominator: 1,
        },
      },
    },
    ...(spec.hasAudio
      ? {
          AudioDescriptions: [
            {
              AudioSourceName: MEDIACONVERT_DEFAULTS.audioSelector,
              CodecSettings: {
                Codec: 'AAC',
                AacSettings: {
                  Bitrate: MEDIACONVERT_DEFAULTS.audioBitrate,
                  CodingMode: 'CODING_MODE_2_0',
                  SampleRate: MEDIACONVERT_DEFAULTS.sampleRate,
                  CodecProfile: 'LC',
                  RateControlMode: 'CBR',
                },
              },
            },
          ],
        }
      : {}),
  };
}

export function mediaConvertHlsJob(spec: MediaConvertHlsSpec): CreateJobRequest {
  if (!spec.input.startsWith('s3://'))
    throw new Error(`MediaConvert input must be an s3:// URL: ${spec.input}`);
  if (!spec.folder.startsWith('s3://') || !spec.folder.endsWith('/'))
    throw new Error(`MediaConvert HLS folder must be an s3:// prefix ending in /: ${spec.folder}`);
  if (!spec.variants.length) throw new Error('MediaConvert HLS job needs at least one variant');
  if (!Number.isInteger(spec.segmentSeconds) || spec.segmentSeconds < 1)
    throw new Error(`HLS segment length must be a whole number of seconds: ${spec.segmentSeconds}`);
  return {
    Role: spec.role,
    ...(spec.queue ? { Queue: spec.queue } : {}),
    ...(spec.clientRequestToken ? { ClientRequestToken: spec.clientRequestToken } : {}),
    UserMetadata: spec.userMetadata,
    StatusUpdateInterval: 'SECONDS_10',
    Settings: {
      TimecodeConfig: { Source: 'ZEROBASED' },
      Inputs: [
        {
          FileInput: spec.input,
          TimecodeSource: 'ZEROBASED',
          VideoSelector: {},
          ...(spec.hasAudio
            ? { AudioSelectors: { [MEDIACONVERT_DEFAULTS.audioSelector]: { DefaultSelection: 'DEFAULT' } } }
            : {}),
        },
      ],
      OutputGroups: [
        {
          Name: 'Apple HLS',
          CustomName: 'cutline-hls',
          OutputGroupSettings: {
            Type: 'HLS_GROUP_SETTINGS',
            HlsGroupSettings: {
              Destination: `${spec.folder}${MEDIACONVERT_DEFAULTS.base}`,
              DirectoryStructure: 'SINGLE_DIRECTORY',
              SegmentLength: spec.segmentSeconds,
              // EXACT: a keyframe at every segment boundary, as the ffmpeg packager forces.
              SegmentLengthControl: 'EXACT',
              MinSegmentLength: 0,
              SegmentControl: 'SEGMENTED_FILES',
              OutputSelection: 'MANIFESTS_AND_SEGMENTS',
              ManifestDurationFormat: 'FLOATING_POINT',
              StreamInfResolution: 'INCLUDE',
              CodecSpecification: 'RFC_6381',
              ProgramDateTime: 'EXCLUDE',
            },
          },
          Outputs: spec.variants.map((v) => variantOutput(v, spec)),
        },
      ],
    },
  };
}
