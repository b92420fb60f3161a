/**
 * The sources of the cost model's reference edit (local/reference-edit.ts), made with ffmpeg's built-in
 * test sources: `npm run bench` keeps them in bench/.media/, `cutline calibrate` makes short ones in
 * its scratch folder. Idempotent: a file that exists is kept.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rename } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface ReferenceMedia {
  dir: string;
  /** testsrc2 + 440 Hz tone. */
  video1: string;
  /** Moving gradients + 660 Hz tone. */
  video2: string;
  /** 400×400 PNG with alpha (an orange disc). */
  logo: string;
  /** A chord, MP3. */
  music: string;
  width: number;
  height: number;
  fps: number;
  videoSeconds: number;
  musicSeconds: number;
}

const lavfi = (src: string) => ['-f', 'lavfi', '-i', src];
const h264 = ['-c:v', 'libx264', '-preset', 'veryfast', '-crf', '23', '-pix_fmt', 'yuv420p', '-g', '50'];
const aac = ['-c:a', 'aac', '-b:a', '128k', '-ac', '2'];

async function make(path: string, args: string[], log: (line: string) => void): Promise<void> {
  if (existsSync(path)) return;
  const tmp = join(dirname(path), `.tmp-${path.split('/').pop()}`);
  const started = Date.now();
  await run('ffmpeg', ['-hide_banner', '-v', 'error', '-nostdin', '-y', ...args, tmp], {
    maxBuffer: 16 * 1024 * 1024,
  });
  await rename(tmp, path);
  log(`made ${path} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

export interface ReferenceMediaOptions {
  width: number;
  height: number;
  fps: number;
  videoSeconds: number;
  musicSeconds: number;
}

/** Two videos of `videoSeconds`, a logo and a soundtrack of `musicSeconds` at width×height, fps, in `dir`. */
export async function makeReferenceMedia(
  dir: string,
  opts: ReferenceMediaOptions,
  log: (line: string) => void = () => {},
): Promise<ReferenceMedia> {
  const { width, height, fps, videoSeconds: d, musicSeconds: m } = opts;
  await mkdir(dir, { recursive: true });
  const s = `${width}x${height}`;
  const media: ReferenceMedia = {
    dir,
    video1: join(dir, 'video1.mp4'),
    video2: join(dir, 'video2.mp4'),
    logo: join(dir, 'logo.png'),
    music: join(dir, `music-${m}s.mp3`),
    ...opts,
  };
  // A moving picture x264 has to work at, with a tone of its own (one per clip, to tell them apart by ear).
  const clip = (picture: string, hz: number) => [
    ...lavfi(picture),
    ...lavfi(`sine=f=${hz}:r=48000:d=${d}`),
    ...h264,
    ...aac,
    '-shortest',
    '-f',
    'mp4',
  ];
  await make(media.video1, clip(`testsrc2=s=${s}:r=${fps}:d=${d}`, 440), log);
  await make(media.video2, clip(`gradients=s=${s}:r=${fps}:d=${d}:speed=0.03:n=4`, 660), log);
  await make(
    media.logo,
    [
      ...lavfi('color=c=0x00000000:s=400x400:d=1,format=rgba'),
      '-vf',
      "geq=r='255':g='150':b='30':a='if(lt(hypot(X-200,Y-200),190),255,0)'",
      '-frames:v',
      '1',
      '-f',
      'image2',
    ],
    log,
  );
  await make(
    media.music,
    [
      ...lavfi(`sine=f=261.63:r=48000:d=${m}`),
      ...lavfi(`sine=f=329.63:r=48000:d=${m}`),
      ...lavfi(`sine=f=392:r=48000:d=${m}`),
      '-filter_complex',
      '[0][1][2]amix=inputs=3,volume=2,tremolo=f=2:d=0.4',
      '-ac',
      '2',
      '-c:a',
      'libmp3lame',
      '-b:a',
      '128k',
      '-f',
      'mp3',
    ],
    log,
  );
  return media;
}
