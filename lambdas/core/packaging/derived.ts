import type { Output } from '../edit/schema.js';
import { audioCodecArgs, containerArgs, videoCodecArgs } from '../render/encode.js';
import type { OutputSpec } from '../render/output-spec.js';
import type { SpriteGrid } from './sprite.js';

/**
 * ffmpeg arguments for the files derived from a finished main file (pure). Every one reads the main file,
 * so what it shows (and, after loudness, how loud it is) matches the main output exactly.
 */

/** The web preset's other format: a WebM (VP9/Opus) beside an MP4, or an MP4 (H.264/AAC) beside a WebM. */
export function webArgs(
  input: string,
  out: string,
  spec: OutputSpec,
  format: 'mp4' | 'webm',
  quality: Output['quality'],
): string[] {
  const target: OutputSpec = { ...spec, format };
  return [
    '-hide_banner',
    '-nostdin',
    '-y',
    '-i',
    input,
    '-map',
    '0:v:0',
    ...(spec.hasAudio ? ['-map', '0:a:0'] : []),
    // The codec choices of the main encoder (VP9 below high quality is realtime, cpu-used 7–8).
    ...videoCodecArgs(target, { quality }),
    ...(spec.hasAudio ? audioCodecArgs(format) : []),
    ...containerArgs(format),
    out,
  ];
}

/** A short looping GIF with its own palette. */
export function previewGifArgs(
  input: string,
  out: string,
  o: { start: number; length: number; width: number; fps: number },
): string[] {
  return [
    '-hide_banner',
    '-nostdin',
    '-y',
    '-ss',
    String(o.start),
    '-t',
    String(o.length),
    '-i',
    input,
    '-an',
    '-vf',
    `fps=${o.fps},scale=${o.width}:-2:flags=lanczos,split[a][b];[a]palettegen=stats_mode=diff[p];[b][p]paletteuse=dither=bayer`,
    '-loop',
    '0',
    out,
  ];
}

/**
 * The sprite sheet: tile i is the first frame at or after i × interval (the main file is constant
 * frame rate from 0, so frame n is at n / fps and a tile starts where floor(n / framesPerTile) steps).
 */
export function spriteArgs(input: string, out: string, grid: SpriteGrid, fps: number): string[] {
  const per = grid.interval * fps;
  // Frame 0 passes too: floor(-1 / per) is -1.
  const select = `select='gt(floor(n/${per}),floor((n-1)/${per}))'`;
  return [
    '-hide_banner',
    '-nostdin',
    '-y',
    '-i',
    input,
    '-an',
    '-vf',
    `${select},scale=${grid.tileWidth}:${grid.tileHeight},setsar=1,tile=${grid.columns}x${grid.rows}`,
    '-frames:v',
    '1',
    '-q:v',
    '3',
    '-update',
    '1',
    out,
  ];
}
