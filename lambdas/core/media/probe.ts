import { describeLimit, resolveLimits, type EditLimits } from '../edit/limits.js';
import { CutlineError } from '../errors.js';
import { execManaged } from './processes.js';
import { demuxerOf, refusalOf, sourceProbeArgs } from './source-input.js';
import { setting } from '../config.js';

/** What the compiler needs to know about a source; dimensions are as displayed (rotation applied). */
export interface ProbeResult {
  durationSeconds: number | null;
  hasVideo: boolean;
  hasAudio: boolean;
  /** A still picture (PNG, JPEG, …): one frame, no duration of its own. */
  isImage: boolean;
  width: number;
  height: number;
  rotation: number;
  fps: number | null;
  bytes: number | null;
  /** ffprobe's pix_fmt of the picture, for the decoded frame's size. */
  pixelFormat?: string;
  /** The demuxer the probe found (`mov`, `matroska`, …): renders open the source with exactly this one. */
  format?: string;
}

/** Probe results kept between runs by the file they describe (the CLI's: local/probe-cache.ts). */
export interface ProbeCache {
  get(path: string): Promise<ProbeResult | undefined>;
  set(path: string, probe: ProbeResult): Promise<void>;
}

interface RawStream {
  codec_type?: string;
  codec_name?: string;
  pix_fmt?: string;
  width?: number;
  height?: number;
  avg_frame_rate?: string;
  r_frame_rate?: string;
  duration?: string;
  tags?: Record<string, string>;
  side_data_list?: Array<{ rotation?: number }>;
  disposition?: { attached_pic?: number };
}
interface RawProbe {
  streams?: RawStream[];
  format?: { duration?: string; format_name?: string; size?: string };
}

const IMAGE_CODECS = new Set(['png', 'mjpeg', 'jpeg2000', 'webp', 'bmp', 'tiff', 'gif']);

function rate(r: string | undefined): number | null {
  if (!r) return null;
  const [n, d] = r.split('/').map(Number);
  return n && d ? n / d : null;
}

/**
 * Pure: ffprobe's JSON (and its log, which alone names the size of a picture too large for ffmpeg to
 * open: it then reports 0×0) → ProbeResult.
 */
export function interpretProbe(raw: RawProbe, log = ''): ProbeResult {
  const streams = raw.streams ?? [];
  const video = streams.find((s) => s.codec_type === 'video' && !s.disposition?.attached_pic);
  const audio = streams.find((s) => s.codec_type === 'audio');
  const formatName = raw.format?.format_name ?? '';
  const formatDuration = Number(raw.format?.duration);
  const isImage =
    !!video &&
    !audio &&
    IMAGE_CODECS.has(video.codec_name ?? '') &&
    (/_pipe$|^image2$|^png|^webp/.test(formatName) || !(formatDuration > 0.05));
  const rotationRaw =
    video?.side_data_list?.find((d) => typeof d.rotation === 'number')?.rotation ??
    Number(video?.tags?.rotate ?? 0);
  const rotation = ((Math.round(rotationRaw) % 360) + 360) % 360;
  const swap = rotation === 90 || rotation === 270;
  const refused = /Picture size (\d+)x(\d+) is invalid/.exec(log);
  const w = video?.width || Number(refused?.[1] ?? 0);
  const h = video?.height || Number(refused?.[2] ?? 0);
  return {
    durationSeconds: isImage
      ? null
      : Number.isFinite(formatDuration) && formatDuration > 0
        ? formatDuration
        : null,
    hasVideo: !!video,
    hasAudio: !!audio,
    isImage,
    width: swap ? h : w,
    height: swap ? w : h,
    rotation,
    fps: isImage ? null : (rate(video?.avg_frame_rate) ?? rate(video?.r_frame_rate)),
    bytes: raw.format?.size ? Number(raw.format.size) : null,
    ...(video?.pix_fmt ? { pixelFormat: video.pix_fmt } : {}),
    ...(demuxerOf(formatName) ? { format: demuxerOf(formatName) } : {}),
  };
}

/** Bytes of one decoded pixel: 8 for formats of more than 8 bits per component, else 4 (RGBA). */
const bytesPerPixel = (pixFmt = '') => (/(9|1[0-6]|48|64)(le|be)$|f32|f16/.test(pixFmt) ? 8 : 4);

/**
 * Refuses a picture whose decoded frame would be enormous (a 20000×20000 PNG), by the deployment's
 * maxSourcePixels and maxDecodedFrameBytes, and one whose size cannot be read at all: otherwise its 0×0
 * would reach the compiler's arithmetic.
 */
export function assertPictureSize(
  probe: ProbeResult,
  label: string,
  limits: Pick<EditLimits, 'maxSourcePixels' | 'maxDecodedFrameBytes'> = resolveLimits(),
): void {
  if (!probe.hasVideo) return;
  const fail = (message: string, code: 'LIMIT_EXCEEDED' | 'SOURCE_UNREADABLE' = 'LIMIT_EXCEEDED') => {
    throw new CutlineError(code, `${label}: ${message}`, [{ path: label, message }]);
  };
  if (!(probe.width > 0 && probe.height > 0))
    fail('the picture size could not be read (ffprobe reports no width and height)', 'SOURCE_UNREADABLE');
  const pixels = probe.width * probe.height;
  const size = `${probe.width}×${probe.height}`;
  if (pixels > limits.maxSourcePixels)
    fail(
      `the picture is ${size} = ${pixels} pixels; the limit is ${describeLimit('maxSourcePixels', limits.maxSourcePixels)}`,
    );
  const decoded = pixels * bytesPerPixel(probe.pixelFormat);
  if (decoded > limits.maxDecodedFrameBytes)
    fail(
      `one decoded ${size} frame is ${decoded} bytes; the limit is ${describeLimit('maxDecodedFrameBytes', limits.maxDecodedFrameBytes)}`,
    );
}

/** Runs ffprobe on a local file. `label` names the clip in errors (`timeline.tracks[0].clips[1].asset.src`). */
export async function probeFile(
  path: string,
  label: string,
  ffprobe = setting('FFPROBE_PATH'),
): Promise<ProbeResult> {
  let stdout: string;
  let stderr: string;
  try {
    ({ stdout, stderr } = await execManaged(ffprobe, sourceProbeArgs(path), { maxBuffer: 16 * 1024 * 1024 }));
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') {
      throw new CutlineError(
        'FFMPEG_UNAVAILABLE',
        `ffprobe was not found (${ffprobe}); install ffmpeg or set CUTLINE_FFPROBE`,
      );
    }
    const refused = refusalOf(e.stderr ?? '', label);
    if (refused) throw refused;
    const reason = (e.stderr ?? '').trim().split('\n').pop() || e.message;
    throw new CutlineError('SOURCE_UNREADABLE', `${label}: the source is not readable media (${reason})`, [
      { path: label, message: `not readable media: ${reason}` },
    ]);
  }
  const result = interpretProbe(JSON.parse(stdout) as RawProbe, stderr);
  assertPictureSize(result, label);
  if (!result.hasVideo && !result.hasAudio) {
    throw new CutlineError('SOURCE_UNREADABLE', `${label}: the source has neither video nor audio`, [
      { path: label, message: 'has neither video nor audio' },
    ]);
  }
  return result;
}
