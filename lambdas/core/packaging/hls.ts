import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, posix } from 'node:path';
import { runFfmpeg } from '../media/ffmpeg.js';
import { execManaged } from '../media/processes.js';
import { fpsValue, type Rational } from '../render/output-spec.js';
import type { Variant } from './ladder.js';
import {
  avcCodec,
  measureBandwidth,
  parseMediaPlaylist,
  writeMasterPlaylist,
  type StreamInf,
} from './playlist.js';
import { setting } from '../config.js';

export interface HlsJob {
  /** The finished main file. */
  input: string;
  /** Folder of the tree (`<dir>/<stem>-hls`); variants go in `<folder>/<variant.name>/`. */
  folder: string;
  variants: readonly Variant[];
  segmentSeconds: number;
  fps: Rational;
  hasAudio: boolean;
  /** File names inside the folder; default: a folder per variant (`720p/index.m3u8`, `720p/seg-00000.ts`). */
  naming?: HlsNaming;
}

/** Where the muxer writes each variant: `%v` is the variant's name, `%05d` the segment number. */
export interface HlsNaming {
  playlist: string;
  segment: string;
  firstSegment: number;
  master: string;
}

export const FOLDER_NAMING: HlsNaming = {
  playlist: '%v/index.m3u8',
  segment: '%v/seg-%05d.ts',
  firstSegment: 0,
  master: 'master.m3u8',
};

/**
 * One ffmpeg decodes the main file once and encodes every variant. Segments align across variants
 * because every encoder gets the same forced IDR frames (at multiples of the segment length, with scene
 * cuts off and the GOP as long as a segment) and the muxer cuts at them. No B-frames: then a segment's
 * decode and presentation times start together, so its audio is cut at the same instant as its video and
 * no segment runs past the target length.
 */
export function hlsArgs(job: HlsJob): string[] {
  const naming = job.naming ?? FOLDER_NAMING;
  const n = job.variants.length;
  const split = n > 1 ? `[0:v]split=${n}${job.variants.map((_, i) => `[s${i}]`).join('')};` : '';
  const scales = job.variants
    .map((v, i) => `[${n > 1 ? `s${i}` : '0:v'}]scale=${v.width}:${v.height},setsar=1[v${i}]`)
    .join(';');
  const gop = String(Math.max(1, Math.round(job.segmentSeconds * fpsValue(job.fps))));
  const args = ['-hide_banner', '-nostdin', '-y', '-i', job.input, '-filter_complex', split + scales];
  job.variants.forEach((v, i) => {
    args.push('-map', `[v${i}]`);
    if (job.hasAudio) args.push('-map', '0:a:0');
    args.push(`-maxrate:v:${i}`, `${v.maxrateKbps}k`, `-bufsize:v:${i}`, `${v.maxrateKbps * 2}k`);
  });
  args.push(
    '-c:v',
    'libx264',
    '-preset',
    'veryfast',
    '-crf',
    '23',
    '-profile:v',
    'high',
    '-pix_fmt',
    'yuv420p',
    '-bf',
    '0',
    '-g',
    gop,
    '-keyint_min',
    gop,
    '-sc_threshold',
    '0',
    '-force_key_frames',
    `expr:gte(t,n_forced*${job.segmentSeconds})`,
  );
  if (job.hasAudio) args.push('-c:a', 'aac', '-b:a', '128k', '-ar', '48000');
  args.push(
    '-f',
    'hls',
    '-hls_time',
    String(job.segmentSeconds),
    '-hls_playlist_type',
    'vod',
    '-hls_list_size',
    '0',
    '-start_number',
    String(naming.firstSegment),
    // No muxing delay: segments start at the keyframe's own time.
    '-muxdelay',
    '0',
    '-hls_segment_filename',
    join(job.folder, naming.segment),
    '-var_stream_map',
    job.variants
      .map((v, i) => (job.hasAudio ? `v:${i},a:${i},name:${v.name}` : `v:${i},name:${v.name}`))
      .join(' '),
    join(job.folder, naming.playlist),
  );
  return args;
}

async function codecsOf(segment: string, hasAudio: boolean): Promise<string | undefined> {
  const bin = setting('FFPROBE_PATH');
  const { stdout } = await execManaged(bin, [
    '-v',
    'error',
    '-select_streams',
    'v:0',
    '-show_entries',
    'stream=profile,level',
    '-of',
    'json',
    segment,
  ]);
  const s = (JSON.parse(stdout) as { streams?: Array<{ profile?: string; level?: number }> }).streams?.[0];
  const video = s?.profile ? avcCodec(s.profile, Number(s.level)) : undefined;
  if (!video) return undefined;
  return hasAudio ? `${video},mp4a.40.2` : video;
}

export interface HlsTree {
  master: string;
  /** Every variant playlist and segment, relative to the tree's folder. */
  files: Array<{ path: string; relative: string }>;
  variants: StreamInf[];
}

/** Encodes the ladder, then writes the master playlist from what was written (measured bandwidths). */
export async function writeHls(job: HlsJob, signal?: AbortSignal): Promise<HlsTree> {
  const naming = job.naming ?? FOLDER_NAMING;
  await rm(job.folder, { recursive: true, force: true });
  for (const v of job.variants)
    await mkdir(dirname(join(job.folder, naming.playlist.replaceAll('%v', v.name))), { recursive: true });
  await runFfmpeg(hlsArgs(job), { signal });
  // runFfmpeg makes the folder of its last argument: with `%v` in it, a literal pattern, not part of the tree.
  if (dirname(naming.playlist).includes('%v'))
    await rm(join(job.folder, dirname(naming.playlist)), { recursive: true, force: true });
  const files: HlsTree['files'] = [];
  const variants: StreamInf[] = [];
  for (const v of job.variants) {
    const relative = naming.playlist.replaceAll('%v', v.name);
    const playlistPath = join(job.folder, relative);
    const playlist = parseMediaPlaylist(await readFile(playlistPath, 'utf8'));
    files.push({ path: playlistPath, relative });
    const measured = [];
    for (const s of playlist.segments) {
      // Segment URIs are relative to their playlist's folder.
      const segRelative = posix.join(posix.dirname(relative), s.uri);
      const path = join(job.folder, segRelative);
      measured.push({ bytes: (await stat(path)).size, duration: s.duration });
      files.push({ path, relative: segRelative });
    }
    const bw = measureBandwidth(measured);
    const first = playlist.segments[0];
    variants.push({
      uri: relative,
      bandwidth: bw.peak,
      averageBandwidth: bw.average,
      width: v.width,
      height: v.height,
      codecs: first
        ? await codecsOf(join(job.folder, posix.dirname(relative), first.uri), job.hasAudio)
        : undefined,
      frameRate: fpsValue(job.fps),
    });
  }
  const master = join(job.folder, naming.master);
  await writeFile(master, writeMasterPlaylist(variants));
  return { master, files, variants };
}
