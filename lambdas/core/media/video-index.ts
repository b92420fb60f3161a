import { stat } from 'node:fs/promises';
import { setting } from '../config.js';
import { CutlineError } from '../errors.js';
import { execManaged } from './processes.js';
import { sourceInputOptions } from './source-input.js';

/** A frame rate or time base as a fraction (render/ has its own; media/ does not import it back). */
export interface Rational {
  num: number;
  den: number;
}

/**
 * What smart rendering needs to know about a source's first video stream before copying its packets:
 * the codec parameters an output's must match, and where its frames can be cut without decoding.
 */
export interface VideoIndex {
  codec: string;
  profile?: string;
  pixelFormat?: string;
  width: number;
  height: number;
  /** Sample aspect ratio as ffprobe writes it (`1:1`); absent or `0:1` means unknown (square). */
  sar?: string;
  fieldOrder?: string;
  fps: Rational | null;
  /**
   * Seconds from the file's start (where `-ss` counts from) to its first video frame: frame numbers here
   * count from that frame, a render's seek from the file's start, so only 0 lets them agree.
   */
  leadSeconds: number;
  /** Frames in display order, when their timestamps are exactly on the fps grid (constant frame rate). */
  frames: number;
  constantRate: boolean;
  /**
   * Display-order frame numbers where a copy may start or end: keyframes before which every packet in
   * decode order is shown earlier and after which every one is shown later (no open GOP reaches across),
   * plus `frames` itself (the end of the stream).
   */
  cutFrames: number[];
}

interface Packet {
  pts: number;
  dts: number;
  key: boolean;
}

const ratio = (r: string | undefined): Rational | null => {
  const [num, den] = (r ?? '').split('/').map(Number);
  return num && den ? { num, den } : null;
};

/** Pure: ffprobe's CSV of `packet=pts,dts,flags` (decode order) → packets; lines without a pts are dropped. */
export function parsePackets(csv: string): Packet[] {
  const out: Packet[] = [];
  for (const line of csv.split('\n')) {
    const [pts, dts, flags] = line.trim().split(',');
    if (!pts || pts === 'N/A') continue;
    const p = Number(pts);
    const d = dts && dts !== 'N/A' ? Number(dts) : p;
    if (Number.isFinite(p)) out.push({ pts: p, dts: d, key: (flags ?? '').includes('K') });
  }
  return out;
}

/**
 * Pure: the clean cut points of a stream's packets (decode order, timestamps in `timeBase`) at `fps`.
 * Frames must sit exactly on the frame grid from the first one (constant rate): otherwise frame numbers
 * and times disagree and nothing is cut (constantRate false, only the stream's ends listed).
 */
export function cutPoints(
  packets: readonly Packet[],
  timeBase: Rational,
  fps: Rational | null,
): { frames: number; constantRate: boolean; cutFrames: number[] } {
  const frames = packets.length;
  if (!fps || !frames) return { frames, constantRate: false, cutFrames: [0, frames] };
  const sorted = packets.map((p) => p.pts).sort((a, b) => a - b);
  const first = sorted[0]!;
  // Frame number of a timestamp: (pts - first) · tb · fps; within a hundredth of a frame of a whole one.
  const frameOf = (pts: number) => ((pts - first) * timeBase.num * fps.num) / (timeBase.den * fps.den);
  const constantRate = sorted.every((pts, k) => Math.abs(frameOf(pts) - k) < 0.01);
  if (!constantRate) return { frames, constantRate, cutFrames: [0, frames] };
  // Clean at decode position i: everything before is shown before packet i, everything after at or after it.
  const maxBefore: number[] = [];
  let m = -Infinity;
  for (const p of packets) {
    maxBefore.push(m);
    m = Math.max(m, p.pts);
  }
  let minAfter = Infinity;
  const cuts: number[] = [frames];
  for (let i = frames - 1; i >= 0; i--) {
    const p = packets[i]!;
    if (p.key && maxBefore[i]! < p.pts && minAfter >= p.pts) cuts.push(Math.round(frameOf(p.pts)));
    minAfter = Math.min(minAfter, p.pts);
  }
  return { frames, constantRate, cutFrames: cuts.sort((a, b) => a - b) };
}

interface RawStream {
  codec_name?: string;
  profile?: string;
  pix_fmt?: string;
  width?: number;
  height?: number;
  sample_aspect_ratio?: string;
  field_order?: string;
  r_frame_rate?: string;
  avg_frame_rate?: string;
  time_base?: string;
  start_time?: string;
}

async function ffprobe(args: string[]): Promise<string> {
  const bin = setting('FFPROBE_PATH');
  try {
    // An hour at 60 fps is ~216k packet lines of ~30 bytes.
    return (await execManaged(bin, args, { maxBuffer: 128 * 1024 * 1024 })).stdout;
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT')
      throw new CutlineError(
        'FFMPEG_UNAVAILABLE',
        `ffprobe was not found (${bin}); install ffmpeg or set CUTLINE_FFPROBE`,
      );
    throw new CutlineError(
      'SOURCE_UNREADABLE',
      `reading the keyframes of a source failed: ${(e.stderr ?? e.message).trim().split('\n').pop()}`,
    );
  }
}

/** Reads a source's video index: its stream parameters, then every packet's timing (no decoding). */
export async function readVideoIndex(path: string, format?: string): Promise<VideoIndex> {
  const open = [...sourceInputOptions(path, format), path];
  const streamJson = await ffprobe([
    '-v',
    'error',
    '-select_streams',
    'v:0',
    '-show_entries',
    'stream=codec_name,profile,pix_fmt,width,height,sample_aspect_ratio,field_order,r_frame_rate,avg_frame_rate,time_base,start_time:format=start_time',
    '-of',
    'json',
    ...open,
  ]);
  const parsed = JSON.parse(streamJson) as { streams?: RawStream[]; format?: { start_time?: string } };
  const s = (parsed.streams ?? [])[0];
  if (!s) throw new CutlineError('SOURCE_UNREADABLE', 'the source has no video stream to index');
  const csv = await ffprobe([
    '-v',
    'error',
    '-select_streams',
    'v:0',
    '-show_entries',
    'packet=pts,dts,flags',
    '-of',
    'csv=p=0',
    ...open,
  ]);
  const fps = ratio(s.r_frame_rate);
  const avg = ratio(s.avg_frame_rate);
  // A stream whose average rate differs from its base rate has dropped or repeated frames somewhere.
  const sameRate = !!fps && !!avg && fps.num * avg.den === avg.num * fps.den;
  const cuts = cutPoints(
    parsePackets(csv),
    ratio(s.time_base) ?? { num: 1, den: 90000 },
    sameRate ? fps : null,
  );
  return {
    codec: s.codec_name ?? 'unknown',
    ...(s.profile ? { profile: s.profile } : {}),
    ...(s.pix_fmt ? { pixelFormat: s.pix_fmt } : {}),
    width: s.width ?? 0,
    height: s.height ?? 0,
    ...(s.sample_aspect_ratio ? { sar: s.sample_aspect_ratio } : {}),
    ...(s.field_order ? { fieldOrder: s.field_order } : {}),
    fps,
    leadSeconds: (Number(s.start_time) || 0) - (Number(parsed.format?.start_time) || 0),
    ...cuts,
  };
}

/** Indexes by file (path, size and modification time), so a source is read once per process. */
const cache = new Map<string, Promise<VideoIndex>>();

export async function videoIndex(path: string, format?: string): Promise<VideoIndex> {
  let key = path;
  try {
    const st = await stat(path);
    key = `${path}\0${st.size}\0${st.mtimeMs}`;
  } catch {
    // A URL (the platform's range proxy): keyed by the URL alone.
  }
  let found = cache.get(key);
  if (!found) {
    found = readVideoIndex(path, format);
    cache.set(key, found);
    found.catch(() => cache.delete(key));
  }
  return found;
}

/** Forgets every cached index (the bench measures a render's first read of its sources). */
export function forgetVideoIndexes(): void {
  cache.clear();
}

/** Video packets in a file this platform wrote (a smart render's copied piece), counted without decoding. */
export async function countVideoPackets(path: string): Promise<number> {
  const out = await ffprobe([
    '-v',
    'error',
    '-protocol_whitelist',
    'file',
    '-select_streams',
    'v:0',
    '-count_packets',
    '-show_entries',
    'stream=nb_read_packets',
    '-of',
    'csv=p=0',
    path,
  ]);
  // MPEG-TS lists the stream under its program too: the same count twice.
  return Number(out.trim().split('\n')[0]);
}
