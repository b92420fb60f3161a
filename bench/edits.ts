/**
 * The bench edit and the hand-written ffmpeg command that does the same work. Both are built from one
 * layout so the two stay in step: change a number here and both sides change.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchMedia } from './media.js';
import { layout, TITLE_TEXT } from '../local/reference-edit.js';

export { layout, referenceEdit as benchEdit, TITLE_TEXT } from '../local/reference-edit.js';

export const FONT = fileURLToPath(new URL('../assets/fonts/OpenSans-Regular.ttf', import.meta.url));
const even = (n: number) => Math.max(2, Math.round(n / 2) * 2);
const num = (n: number) => String(Math.round(n * 1e6) / 1e6);

export type BaselineVariant = 'segmented' | 'xfade-whole';

/** x264 settings of a bench preset: cutline's default quality, and `veryhigh` (x264 medium, CRF 17). */
export interface X264 {
  preset: string;
  crf: number;
}
export const X264_DEFAULT: X264 = { preset: 'veryfast', crf: 23 };
export const X264_MEDIUM: X264 = { preset: 'medium', crf: 17 };

/**
 * What a person fluent in ffmpeg would write for the same result: one filter_complex, each source decoded
 * once per use, overlay for the PiP and the logo (a single PNG frame, scaled once and held by overlay),
 * drawtext for the title, acrossfade + amix for the sound, and the same encoder settings as cutline
 * (x264 veryfast CRF 23 yuv420p, 2 s closed GOP, AAC 192k 48 kHz, faststart).
 *
 * The crossfade: ffmpeg 5.1's xfade has no yuv420p support, so `xfade` over the whole of track A makes
 * ffmpeg convert every frame of both videos to yuv444p (and the overlays and drawtext after it run on
 * 4:4:4 frames too). `segmented` (the baseline) runs xfade on the one-second overlap only and joins
 * the three pieces with concat, all in yuv420p (the `scale` before xfade matters: without it the 4:4:4
 * request travels up through trim and split to the decoders and every frame is converted anyway);
 * `xfade-whole` is the plain, naive form, kept for reference.
 */
export function baselineArgs(
  media: BenchMedia,
  duration: number,
  output: string,
  variant: BaselineVariant = 'segmented',
  x264: X264 = X264_DEFAULT,
): string[] {
  const l = layout(duration);
  const { width: W, height: H } = media;
  const pipW = even(W * l.pip.scale);
  const pipH = even(H * l.pip.scale);
  // fit: contain of a square logo: its side is scale × the viewport's short side.
  const logo = even(Math.min(W, H) * l.logo.scale);
  const fontSize = Math.round(0.075 * Math.min(W, H));
  const titleEnd = l.title.start + l.title.length;
  const x = num(l.v2.start);
  const x1 = num(l.v2.start + l.crossfade);
  const d = num(l.crossfade);
  const trackA =
    variant === 'xfade-whole'
      ? [`[0:v][1:v]xfade=transition=fade:duration=${d}:offset=${x}[base]`]
      : [
          `[0:v]split[a][ax]`,
          `[a]trim=end=${x}[a0]`,
          // scale (a no-op size) stops the format negotiation here: only these frames become 4:4:4.
          `[ax]trim=start=${x}:end=${x1},setpts=PTS-STARTPTS,scale[a1]`,
          `[1:v]split[b][bx]`,
          `[bx]trim=end=${d},scale[b0]`,
          `[b]trim=start=${d},setpts=PTS-STARTPTS[b1]`,
          `[a1][b0]xfade=transition=fade:duration=${d}:offset=0,format=yuv420p[x]`,
          `[a0][x][b1]concat=n=3:v=1:a=0[base]`,
        ];
  const graph = [
    ...trackA,
    `[2:v]scale=${pipW}:${pipH},setpts=PTS+${num(l.pip.start)}/TB[pip]`,
    `[base][pip]overlay=x=W-w:y=0:eof_action=pass[v1]`,
    `[3:v]scale=${logo}:${logo}[logo]`,
    `[v1][logo]overlay=x=0:y=H-h[v2]`,
    `[v2]drawtext=fontfile='${FONT}':text='${TITLE_TEXT}':fontsize=${fontSize}:fontcolor=white` +
      `:x=(w-tw)/2:y=(h-th)/2:enable='gte(t,${l.title.start})*lt(t,${titleEnd})',format=yuv420p[v]`,
    `[0:a][1:a]acrossfade=d=${d}[ab]`,
    `[4:a]volume=${l.musicVolume}[m]`,
    `[ab][m]amix=inputs=2:duration=first:normalize=0[a]`,
  ].join(';');
  return [
    '-hide_banner',
    '-nostdin',
    '-y',
    ...['-t', num(l.v1.length), '-i', media.video1],
    ...['-t', num(l.v2.length), '-i', media.video2],
    ...['-t', num(l.pip.length), '-an', '-i', media.video2],
    ...['-i', media.logo],
    ...['-t', num(duration), '-i', media.music],
    '-filter_complex',
    graph,
    ...['-map', '[v]', '-map', '[a]'],
    ...['-c:v', 'libx264', '-preset', x264.preset, '-crf', String(x264.crf), '-pix_fmt', 'yuv420p'],
    ...['-g', String(media.fps * 2), '-x264-params', 'open-gop=0'],
    ...['-c:a', 'aac', '-b:a', '192k', '-ar', '48000'],
    ...['-movflags', '+faststart', '-t', num(duration)],
    output,
  ];
}

/** The same command with the encoders swapped for the null muxer: what the filter graph alone costs. */
export function graphOnlyArgs(args: readonly string[]): string[] {
  const lastMap = args.lastIndexOf('-map');
  return [...args.slice(0, lastMap + 2), '-f', 'null', '-'];
}

export const mediaPath = (media: BenchMedia, name: string) => join(media.dir, name);
