import type { Output } from '../edit/schema.js';
import { fpsString, type OutputSpec } from './output-spec.js';

type Quality = NonNullable<Output['quality']>;

/** x264: CRF for the look, preset for the speed. `medium` quality is the default and favours speed. */
const X264: Record<Quality, { crf: number; preset: string }> = {
  verylow: { crf: 32, preset: 'veryfast' },
  low: { crf: 28, preset: 'veryfast' },
  medium: { crf: 23, preset: 'veryfast' },
  high: { crf: 20, preset: 'fast' },
  veryhigh: { crf: 17, preset: 'medium' },
};
/** VP9 is slow; realtime deadlines keep it usable on small machines at the lower qualities. */
const VP9: Record<Quality, { crf: number; deadline: string; cpu: number }> = {
  verylow: { crf: 45, deadline: 'realtime', cpu: 8 },
  low: { crf: 40, deadline: 'realtime', cpu: 8 },
  medium: { crf: 34, deadline: 'realtime', cpu: 7 },
  high: { crf: 30, deadline: 'good', cpu: 4 },
  veryhigh: { crf: 24, deadline: 'good', cpu: 2 },
};

export interface EncodeOptions {
  quality?: Quality;
  /** Encoder threads (a chunk worker stands in for one small function). */
  threads?: number;
  /**
   * H.264 parameter sets before every IDR frame: a smart render's encoded pieces sit between copied ones
   * whose SPS/PPS differ, so each piece must carry its own in the stream (render/smart.ts).
   */
  inBandHeaders?: boolean;
}

/**
 * Video encoder arguments. Chunks of one render use exactly these too, so a stitched stream is
 * indistinguishable from a single pass: closed GOPs, each chunk opening on an IDR frame.
 */
export function videoCodecArgs(spec: OutputSpec, opts: EncodeOptions = {}): string[] {
  const q = opts.quality ?? 'medium';
  const threads = opts.threads ? ['-threads', String(opts.threads)] : [];
  const gop = String(Math.round((spec.fps.num / spec.fps.den) * 2));
  switch (spec.format) {
    case 'mp4':
    case 'mov':
      return [
        '-c:v',
        'libx264',
        '-preset',
        X264[q].preset,
        '-crf',
        String(X264[q].crf),
        '-pix_fmt',
        'yuv420p',
        '-g',
        gop,
        '-x264-params',
        opts.inBandHeaders ? 'open-gop=0:repeat-headers=1' : 'open-gop=0',
        '-r',
        fpsString(spec.fps),
        ...threads,
      ];
    case 'webm':
      return [
        '-c:v',
        'libvpx-vp9',
        '-crf',
        String(VP9[q].crf),
        '-b:v',
        '0',
        '-deadline',
        VP9[q].deadline,
        '-cpu-used',
        String(VP9[q].cpu),
        '-row-mt',
        '1',
        '-pix_fmt',
        'yuv420p',
        '-g',
        gop,
        '-r',
        fpsString(spec.fps),
        ...threads,
      ];
    case 'gif':
      return ['-c:v', 'gif', '-r', fpsString(spec.fps), ...threads];
    case 'jpg':
      return [
        '-c:v',
        'mjpeg',
        '-q:v',
        q === 'verylow' || q === 'low' ? '8' : '2',
        '-frames:v',
        '1',
        '-update',
        '1',
        ...threads,
      ];
    case 'png':
      return ['-c:v', 'png', '-frames:v', '1', '-update', '1', ...threads];
    case 'mp3':
    case 'wav':
      return [];
  }
}

export function audioCodecArgs(format: Output['format']): string[] {
  switch (format) {
    case 'webm':
      return ['-c:a', 'libopus', '-b:a', '128k', '-ar', '48000'];
    case 'mp3':
      return ['-c:a', 'libmp3lame', '-b:a', '192k', '-ar', '48000'];
    case 'wav':
      return ['-c:a', 'pcm_s16le', '-ar', '48000'];
    default:
      return ['-c:a', 'aac', '-b:a', '192k', '-ar', '48000'];
  }
}

export function containerArgs(format: Output['format'], repeat = true): string[] {
  switch (format) {
    case 'mp4':
    case 'mov':
      return ['-movflags', '+faststart'];
    case 'gif':
      return ['-loop', repeat ? '0' : '-1'];
    default:
      return [];
  }
}

/**
 * Container metadata: always `encoder=cutline`, plus the edit's `output.metadata` (cutline extension).
 * The values go to ffmpeg as separate argv entries (no shell, no filter graph), so they need no escaping;
 * `-metadata key=value` splits at the first `=` only.
 */
export function metadataArgs(output: Pick<Output, 'metadata'>): string[] {
  const args = ['-metadata', 'encoder=cutline'];
  const m = output.metadata;
  if (m?.title !== undefined) args.push('-metadata', `title=${m.title}`);
  if (m?.comment !== undefined) args.push('-metadata', `comment=${m.comment}`);
  return args;
}
