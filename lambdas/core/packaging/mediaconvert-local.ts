import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CreateJobRequest, Job } from '@aws-sdk/client-mediaconvert';
import { writeHls } from './hls.js';
import type { Variant } from './ladder.js';
import { mediaConvertHlsNaming } from './mediaconvert.js';

/**
 * The local stand-in for `mediaconvert:createJob.sync`: it reads the same CreateJob settings the state
 * machine sends to MediaConvert and renders them with ffmpeg into the same layout (one folder, MediaConvert's
 * file names), answering with the fields of MediaConvert's Job that the pipeline reads. It renders exactly
 * the settings that mediaConvertHlsJob builds; any other setting is refused by name rather than ignored, so
 * a job that would render differently in AWS fails here.
 */
export interface ObjectIo {
  download(url: string, path: string): Promise<void>;
  upload(path: string, url: string): Promise<void>;
}

export class UnsupportedLocally extends Error {
  constructor(what: string) {
    super(
      `the local MediaConvert adapter does not render ${what}; run this job in AWS or use the ffmpeg packager`,
    );
    this.name = 'MediaConvert.UnsupportedSetting';
  }
}

interface ReadSettings {
  input: string;
  destination: string;
  variants: Variant[];
  segmentSeconds: number;
  fps: { num: number; den: number };
  hasAudio: boolean;
}

function only<T>(list: T[] | undefined, what: string): T {
  if (list?.length !== 1) throw new UnsupportedLocally(`${list?.length ?? 0} ${what} (exactly one)`);
  return list[0]!;
}

/** What the adapter takes from the settings; everything it cannot honour is refused here. */
export function readHlsSettings(req: CreateJobRequest): ReadSettings {
  const settings = req.Settings;
  if (!settings) throw new UnsupportedLocally('a job without Settings (job templates)');
  const input = only(settings.Inputs, 'inputs');
  if (!input.FileInput?.startsWith('s3://'))
    throw new UnsupportedLocally(`input ${input.FileInput ?? '(none)'}`);
  if (input.InputClippings?.length || input.ImageInserter || input.Crop || input.VideoOverlays?.length)
    throw new UnsupportedLocally('input clipping, image insertion, crop or overlays');
  const group = only(settings.OutputGroups, 'output groups');
  const hls = group.OutputGroupSettings?.HlsGroupSettings;
  if (group.OutputGroupSettings?.Type !== 'HLS_GROUP_SETTINGS' || !hls)
    throw new UnsupportedLocally(`output group ${group.OutputGroupSettings?.Type ?? '(none)'}`);
  if (hls.DirectoryStructure && hls.DirectoryStructure !== 'SINGLE_DIRECTORY')
    throw new UnsupportedLocally(`DirectoryStructure ${hls.DirectoryStructure}`);
  if (hls.SegmentControl && hls.SegmentControl !== 'SEGMENTED_FILES')
    throw new UnsupportedLocally(`SegmentControl ${hls.SegmentControl}`);
  if (hls.Encryption) throw new UnsupportedLocally('HLS encryption');
  if (!hls.Destination?.startsWith('s3://'))
    throw new UnsupportedLocally(`destination ${hls.Destination ?? '(none)'}`);
  let fps: ReadSettings['fps'] | undefined;
  let audio: boolean | undefined;
  const variants = (group.Outputs ?? []).map((o, i): Variant => {
    const v = o.VideoDescription;
    const h264 = v?.CodecSettings?.H264Settings;
    if (o.ContainerSettings?.Container !== 'M3U8')
      throw new UnsupportedLocally(`output ${i} container ${o.ContainerSettings?.Container}`);
    if (v?.CodecSettings?.Codec !== 'H_264' || !h264)
      throw new UnsupportedLocally(`output ${i} codec ${v?.CodecSettings?.Codec}`);
    if (!v.Width || !v.Height) throw new UnsupportedLocally(`output ${i} without Width and Height`);
    if (!h264.MaxBitrate) throw new UnsupportedLocally(`output ${i} without MaxBitrate`);
    if (!o.NameModifier?.startsWith('_'))
      throw new UnsupportedLocally(`output ${i} name modifier ${o.NameModifier}`);
    const f = { num: h264.FramerateNumerator ?? 0, den: h264.FramerateDenominator ?? 0 };
    if (!f.num || !f.den) throw new UnsupportedLocally(`output ${i} without a specified frame rate`);
    if (fps && (fps.num !== f.num || fps.den !== f.den))
      throw new UnsupportedLocally('outputs at different frame rates');
    fps = f;
    const a = o.AudioDescriptions ?? [];
    if (a.length > 1) throw new UnsupportedLocally(`output ${i} with ${a.length} audio tracks`);
    if (a[0] && a[0].CodecSettings?.Codec !== 'AAC')
      throw new UnsupportedLocally(`output ${i} audio codec ${a[0].CodecSettings?.Codec}`);
    if (audio !== undefined && audio !== (a.length === 1))
      throw new UnsupportedLocally('outputs that differ in having audio');
    audio = a.length === 1;
    return {
      name: o.NameModifier.slice(1),
      width: v.Width,
      height: v.Height,
      maxrateKbps: Math.round(h264.MaxBitrate / 1000),
    };
  });
  if (!variants.length || !fps) throw new UnsupportedLocally('an output group without outputs');
  return {
    input: input.FileInput,
    destination: hls.Destination,
    variants,
    // MediaConvert's default segment length is 10 s.
    segmentSeconds: hls.SegmentLength ?? 10,
    fps,
    hasAudio: audio ?? false,
  };
}

/** `s3://b/p/master` → folder `s3://b/p/` and base `master` (MediaConvert appends `.m3u8`). */
function splitDestination(destination: string): { folder: string; base: string } {
  const slash = destination.lastIndexOf('/');
  const base = destination.slice(slash + 1);
  if (!base) throw new UnsupportedLocally('a destination without a base file name');
  return { folder: destination.slice(0, slash + 1), base };
}

export async function runMediaConvertLocally(
  req: CreateJobRequest,
  io: ObjectIo,
  signal?: AbortSignal,
): Promise<Job> {
  const read = readHlsSettings(req);
  const { folder, base } = splitDestination(read.destination);
  const scratch = await mkdtemp(join(tmpdir(), 'cutline-mediaconvert-'));
  const started = Date.now();
  try {
    const input = join(scratch, 'input');
    await io.download(read.input, input);
    const naming = mediaConvertHlsNaming(base);
    const out = join(scratch, 'out');
    const tree = await writeHls({ ...read, input, folder: out, naming }, signal);
    const written = [{ path: tree.master, relative: naming.master }, ...tree.files];
    for (const f of written) await io.upload(f.path, `${folder}${f.relative}`);
    return {
      Id: `local-${randomUUID()}`,
      Role: req.Role,
      Settings: req.Settings,
      UserMetadata: req.UserMetadata,
      Status: 'COMPLETE',
      Timing: { StartTime: new Date(started), FinishTime: new Date() },
      OutputGroupDetails: [
        {
          OutputDetails: read.variants.map((v) => ({
            VideoDetails: { WidthInPx: v.width, HeightInPx: v.height },
            OutputFilePaths: [`${folder}${naming.playlist.replace('%v', v.name)}`],
          })),
        },
      ],
    } as Job;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
