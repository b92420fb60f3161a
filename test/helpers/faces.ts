import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { FIXTURES } from './fixtures.js';
import { ffmpeg } from './media.js';

/** scikit-image's astronaut.png (a real photograph of a face), unpacked by .ci/face-testdata. */
export function astronautPng(): string {
  return execFileSync(join(import.meta.dirname, '../../.ci/face-testdata'), { encoding: 'utf8' }).trim();
}

/** The moving-face source: 640×360, MOVING_FACE.seconds long, the photograph drawn SIZE px square. */
export const MOVING_FACE = { width: 640, height: 360, size: 240, seconds: 6, y: 60 } as const;

/** Left edge of the photograph at time t: from x = 0 to the right edge, at constant speed. */
export const photoLeft = (t: number) => ((MOVING_FACE.width - MOVING_FACE.size) * t) / MOVING_FACE.seconds;

/**
 * The photograph moving left to right across a grey 16:9 frame (ffmpeg overlay with x a function of t):
 * its face starts and ends far off-centre, where a centred 9:16 window cannot see it.
 */
export async function movingFaceVideo(): Promise<string> {
  const path = join(FIXTURES, 'moving-face.mp4');
  if (existsSync(path)) return path;
  await mkdir(FIXTURES, { recursive: true });
  const { width, height, size, seconds, y } = MOVING_FACE;
  const tmp = `${path}.tmp${process.pid}.mp4`;
  await ffmpeg([
    '-f',
    'lavfi',
    '-i',
    `color=c=0x606060:s=${width}x${height}:r=25:d=${seconds}`,
    '-loop',
    '1',
    '-i',
    astronautPng(),
    '-filter_complex',
    `[1:v]scale=${size}:${size}[p];[0:v][p]overlay=x='(${width - size})*t/${seconds}':y=${y}:shortest=1,format=yuv420p[v]`,
    '-map',
    '[v]',
    '-t',
    String(seconds),
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    tmp,
  ]);
  await rename(tmp, path);
  return path;
}
