import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runFfmpeg } from '../../media/ffmpeg.js';

/**
 * A picture as a provider takes it: PNG of exactly width x height, filling the frame by cropping (never
 * stretched), base64. Nova Reel's first frame must be 1280x720; references are made small enough to send.
 */
export async function pngBase64(path: string, width: number, height: number, dir: string, name: string) {
  const out = join(dir, `${name}.png`);
  await runFfmpeg([
    '-hide_banner',
    '-nostdin',
    '-y',
    '-i',
    path,
    '-frames:v',
    '1',
    '-vf',
    `scale=${width}:${height}:force_original_aspect_ratio=increase,crop=${width}:${height},format=rgb24`,
    out,
  ]);
  return (await readFile(out)).toString('base64');
}
