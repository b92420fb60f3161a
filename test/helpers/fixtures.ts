import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEdit } from '../../lambdas/core/intake/parse-edit.js';
import { LocalSourceResolver } from '../../lambdas/core/media/sources.js';
import { prepareRender } from '../../lambdas/core/engine/prepare.js';
import { renderPrepared } from '../../lambdas/core/engine/render.js';
import { ffmpeg } from './media.js';

/** Small media made by ffmpeg's own sources, shared by the tests of one run (nothing big in git). */
export const FIXTURES = join(tmpdir(), `cutline-fixtures-${process.env.VITEST_POOL_ID ?? '0'}-v1`);

const made = new Map<string, Promise<string>>();

function once(name: string, make: (path: string) => Promise<void>): Promise<string> {
  let p = made.get(name);
  if (!p) {
    p = (async () => {
      const path = join(FIXTURES, name);
      if (!existsSync(path)) {
        await mkdir(FIXTURES, { recursive: true });
        const tmp = `${path}.tmp${process.pid}${name.slice(name.lastIndexOf('.'))}`;
        await make(tmp);
        const { rename } = await import('node:fs/promises');
        await rename(tmp, path);
      }
      return path;
    })();
    made.set(name, p);
  }
  return p;
}

/** ffmpeg args for an H.264/AAC MP4 from a lavfi video source and a lavfi audio source, as long as the shorter. */
export const avClipArgs = (video: string, audio: string, out: string): string[] => [
  '-f',
  'lavfi',
  '-i',
  video,
  '-f',
  'lavfi',
  '-i',
  audio,
  '-c:v',
  'libx264',
  '-preset',
  'ultrafast',
  '-pix_fmt',
  'yuv420p',
  '-c:a',
  'aac',
  '-shortest',
  out,
];

/** 4 s of testsrc2 at 320×180, 25 fps, with a 440 Hz tone. */
export const videoFixture = () =>
  once('video.mp4', (p) => ffmpeg(avClipArgs('testsrc2=s=320x180:r=25:d=4', 'sine=f=440:r=48000:d=4', p)));

/** A solid colour video without audio. */
export const colorVideoFixture = (color: string, seconds = 3) =>
  once(`color-${color}-${seconds}.mp4`, (p) =>
    ffmpeg([
      '-f',
      'lavfi',
      '-i',
      `color=c=${color}:s=320x180:r=25:d=${seconds}`,
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-pix_fmt',
      'yuv420p',
      p,
    ]),
  );

/** A solid colour PNG; with `alpha` its left half is transparent. */
export const imageFixture = (color: string, alpha = false) =>
  once(`image-${color}${alpha ? '-alpha' : ''}.png`, (p) =>
    ffmpeg([
      '-f',
      'lavfi',
      '-i',
      `color=c=${color}:s=200x200:d=1`,
      ...(alpha ? ['-vf', "format=rgba,geq=r='r(X,Y)':g='g(X,Y)':b='b(X,Y)':a='if(lt(X,W/2),0,255)'"] : []),
      '-frames:v',
      '1',
      p,
    ]),
  );

export const jpegFixture = () =>
  once('picture.jpg', (p) =>
    ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=s=400x300:d=1', '-frames:v', '1', '-q:v', '3', p]),
  );

/** A tone: `seconds` of a sine at `freq` Hz. */
export const toneFixture = (seconds = 6, freq = 330) =>
  once(`tone-${freq}-${seconds}.wav`, (p) =>
    ffmpeg(['-f', 'lavfi', '-i', `sine=f=${freq}:r=48000:d=${seconds}`, '-ac', '2', p]),
  );

export const captionsFixture = () =>
  once('captions.srt', (p) =>
    writeFile(
      p,
      '1\n00:00:00,500 --> 00:00:01,500\nHello captions\n\n2\n00:00:02,000 --> 00:00:03,000\nSecond line\n',
    ),
  );

/** Validates, prepares and renders an edit whose relative sources live in FIXTURES. */
export async function renderEdit(
  raw: unknown,
  output: string,
  opts: { window?: { startFrame: number; endFrame: number }; threads?: number } = {},
) {
  const edit = parseEdit(raw);
  const resolver = new LocalSourceResolver({
    mediaRoot: FIXTURES,
    baseDir: FIXTURES,
    maxSourceBytes: 100 * 1024 * 1024,
  });
  const input = await prepareRender(edit, { resolver });
  return { input, ...(await renderPrepared(input, { output, ...opts })) };
}

/** A 40×40 white square in the middle of a 200×200 black picture: zooms and pans are easy to measure. */
export const squareFixture = () =>
  once('square.png', (p) =>
    ffmpeg([
      '-f',
      'lavfi',
      '-i',
      'color=c=black:s=200x200:d=1',
      '-vf',
      'drawbox=x=80:y=80:w=40:h=40:color=white:t=fill',
      '-frames:v',
      '1',
      p,
    ]),
  );
