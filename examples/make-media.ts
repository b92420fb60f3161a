/**
 * Makes the media the examples use, with ffmpeg's built-in test sources (nothing big lives in git).
 * Idempotent: files that exist are kept. Run: `npm run examples:media`.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
// The examples' own folder, also when this runs compiled (from dist/examples/).
export const MEDIA_DIR = join(
  dirname(fileURLToPath(import.meta.url)).replace(/[/\\]dist([/\\]examples)$/, '$1'),
  'media',
);

const lavfi = (src: string) => ['-f', 'lavfi', '-i', src];
const h264 = ['-c:v', 'libx264', '-preset', 'veryfast', '-crf', '23', '-pix_fmt', 'yuv420p'];

const RECIPES: Record<string, string[] | string> = {
  'beach.mp4': [
    ...lavfi('testsrc2=s=1280x720:r=25:d=12'),
    ...lavfi('sine=f=220:r=48000:d=12'),
    ...h264,
    '-c:a',
    'aac',
    '-shortest',
  ],
  'city.mp4': [
    ...lavfi('gradients=s=1280x720:r=25:d=12:speed=0.03:n=4'),
    ...lavfi('sine=f=330:r=48000:d=12'),
    ...h264,
    '-c:a',
    'aac',
    '-shortest',
  ],
  'bars.mp4': [...lavfi('smptehdbars=s=1280x720:r=25:d=8'), ...h264],
  'logo.png': [
    ...lavfi('color=c=0x00000000:s=400x400:d=1,format=rgba'),
    '-vf',
    "geq=r='255':g='180':b='40':a='if(lt(hypot(X-200,Y-200),180),255,0)'",
    '-frames:v',
    '1',
  ],
  'music.mp3': [
    ...lavfi('sine=f=261.63:r=48000:d=20'),
    ...lavfi('sine=f=329.63:r=48000:d=20'),
    ...lavfi('sine=f=392:r=48000:d=20'),
    '-filter_complex',
    '[0][1][2]amix=inputs=3,volume=2,tremolo=f=2:d=0.4',
    '-ac',
    '2',
    '-c:a',
    'libmp3lame',
    '-b:a',
    '128k',
  ],
  'captions.srt':
    '1\n00:00:00,500 --> 00:00:03,000\nWelcome to cutline\n\n2\n00:00:03,500 --> 00:00:06,500\nEdits in, finished video out\n\n3\n00:00:07,000 --> 00:00:10,000\nOn your laptop or in your AWS account\n',
};

/** The example files not made yet. */
export const missingExampleMedia = (): string[] =>
  Object.keys(RECIPES).filter((name) => !existsSync(join(MEDIA_DIR, name)));

/** Makes what is missing; `log` hears each file as it is made (`made <path>` on stdout by default). */
export async function makeExampleMedia(log: boolean | ((line: string) => void) = true): Promise<string> {
  await mkdir(MEDIA_DIR, { recursive: true });
  const say = log === true ? (l: string) => process.stdout.write(`${l}\n`) : log || undefined;
  for (const [name, recipe] of Object.entries(RECIPES)) {
    const path = join(MEDIA_DIR, name);
    if (existsSync(path)) continue;
    const tmp = join(MEDIA_DIR, `.tmp-${name}`);
    if (typeof recipe === 'string') await writeFile(tmp, recipe);
    else
      await run('ffmpeg', [
        '-hide_banner',
        '-v',
        'error',
        '-y',
        ...recipe,
        '-f',
        name.endsWith('.png') ? 'image2' : name.split('.').pop() === 'mp3' ? 'mp3' : 'mp4',
        tmp,
      ]);
    await rename(tmp, path);
    say?.(`made ${path}`);
  }
  return MEDIA_DIR;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  makeExampleMedia().then(
    (dir) => process.stdout.write(`example media ready in ${dir}\n`),
    (err: Error) => {
      process.stderr.write(`could not make the example media: ${err.message}\n`);
      process.exit(1);
    },
  );
}
