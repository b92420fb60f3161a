import { CutlineError } from '../errors.js';
import { execManaged } from './processes.js';
import { demuxerOf, refusalOf, sourceProbeArgs } from './source-input.js';

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
  /** The demuxer the probe found (`mov`, `matroska`, …): renders open the source with exactly this one. */
  format?: string;
}

interface RawStream {
  codec_type?: string;
  codec_name?: string;
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

/** Pure: ffprobe's JSON → ProbeResult. */
export function interpretProbe(raw: RawProbe): ProbeResult {
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
  const w = video?.width ?? 0;
  const h = video?.height ?? 0;
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
    ...(demuxerOf(formatName) ? { format: demuxerOf(formatName) } : {}),
  };
}

/** Runs ffprobe on a local file. `label` names the clip in errors (`timeline.tracks[0].clips[1].asset.src`). */
export async function probeFile(
  path: string,
  label: string,
  ffprobe = process.env.CUTLINE_FFPROBE ?? 'ffprobe',
): Promise<ProbeResult> {
  let stdout: string;
  try {
    ({ stdout } = await execManaged(ffprobe, sourceProbeArgs(path), { maxBuffer: 16 * 1024 * 1024 }));
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
  const result = interpretProbe(JSON.parse(stdout) as RawProbe);
  if (!result.hasVideo && !result.hasAudio) {
    throw new CutlineError('SOURCE_UNREADABLE', `${label}: the source has neither video nor audio`, [
      { path: label, message: 'has neither video nor audio' },
    ]);
  }
  return result;
}
