import { execFile } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseEdit } from '../../../lambdas/core/intake/parse-edit.js';
import { renderOnThisMachine } from '../../../lambdas/core/engine/machine-render.js';
import { prepareRender } from '../../../lambdas/core/engine/prepare.js';
import { LocalSourceResolver } from '../../../lambdas/core/media/sources.js';
import { videoIndex } from '../../../lambdas/core/media/video-index.js';
import type { SmartSegment } from '../../../lambdas/core/render/smart.js';
import { countFrames, ffmpeg, ffprobeJson, frameTimes } from '../../helpers/media.js';

const run = promisify(execFile);

/**
 * A trim-and-concat edit of a 640×360 30 fps H.264 source with a keyframe every second (x264, closed
 * GOPs), with a title over part of the second clip: the spans nothing touches are copied from the source,
 * the rest (heads, tails, the title) encoded, joined by stream copy. Checked against the same edit with
 * smart rendering off: clean decode, same frame count, monotonic timestamps, copied frames bit-identical
 * to the source's, every other frame (seams included) close to the full re-encode.
 */
let dir: string;
let src: string;
let smartOut: string;
let fullOut: string;
let segments: SmartSegment[];

const FPS = 30;
const edit = (media: string) => ({
  timeline: {
    tracks: [
      {
        clips: [
          {
            asset: { type: 'title', text: 'over the copy', style: 'minimal' },
            start: 6.5,
            length: 1,
          },
        ],
      },
      {
        clips: [
          { asset: { type: 'video', src: media, trim: 0.5 }, start: 0, length: 4.2 },
          { asset: { type: 'video', src: media, trim: 7.1 }, start: 4.2, length: 4.3 },
        ],
      },
    ],
  },
  output: { format: 'mp4', size: { width: 640, height: 360 }, fps: FPS },
});

/** MD5 of each decoded frame (display order) in frames [from, to). */
async function frameMd5s(file: string, from: number, to: number): Promise<string[]> {
  const { stdout } = await run(
    'ffmpeg',
    [
      '-v',
      'error',
      '-i',
      file,
      '-map',
      '0:v:0',
      '-vf',
      `select=between(n\\,${from}\\,${to - 1})`,
      '-fps_mode',
      'passthrough',
      '-f',
      'framemd5',
      '-',
    ],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  return stdout
    .split('\n')
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => l.split(',').pop()!.trim());
}

/** Per-frame PSNR (average of the planes, dB) of `b` against `a`. */
async function psnrPerFrame(a: string, b: string): Promise<number[]> {
  const { stdout } = await run(
    'ffmpeg',
    ['-v', 'error', '-i', a, '-i', b, '-lavfi', '[0:v][1:v]psnr=stats_file=-', '-f', 'null', '-'],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  return [...stdout.matchAll(/psnr_avg:([\d.]+|inf)/g)].map((m) =>
    m[1] === 'inf' ? Infinity : Number(m[1]),
  );
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cutline-smart-'));
  src = join(dir, 'source.mp4');
  await ffmpeg([
    '-f',
    'lavfi',
    '-i',
    `testsrc2=s=640x360:r=${FPS}:d=12`,
    '-f',
    'lavfi',
    '-i',
    'sine=f=440:r=48000:d=12',
    '-c:v',
    'libx264',
    '-preset',
    'veryfast',
    '-g',
    String(FPS),
    '-pix_fmt',
    'yuv420p',
    '-c:a',
    'aac',
    '-shortest',
    src,
  ]);
  const resolver = new LocalSourceResolver({ mediaRoot: dir, baseDir: dir, maxSourceBytes: 1e9 });
  const input = await prepareRender(parseEdit(edit('source.mp4')), { resolver });
  smartOut = join(dir, 'smart.mp4');
  fullOut = join(dir, 'full.mp4');
  const r = await renderOnThisMachine(input, { output: smartOut, concurrency: 2, threadsPerWorker: 1 });
  segments = r.smart ?? [];
  await renderOnThisMachine(input, { output: fullOut, smart: false, chunks: 1 });
}, 120_000);

describe('smart rendering', () => {
  it('reads the keyframes of the source: one a second, all clean cut points', async () => {
    const index = await videoIndex(src);
    expect(index.constantRate).toBe(true);
    expect(index.frames).toBe(12 * FPS);
    expect(index.cutFrames).toEqual(Array.from({ length: 13 }, (_, i) => i * FPS));
  });

  it('copies the untouched spans between keyframes and encodes the rest', () => {
    // Clip 1 shows source frames 15… : copy from source frame 30 (output 15) to 120 (output 105; its end
    // at output 126 = source 141). Clip 2 starts at output 126 showing source 213: copy from 240 (output
    // 153) up to the title at output 195 (source 282): the last cut before is 270 (output 183). After the
    // title (output 225 = source 312) copy from 330 (output 243) to 339, too short: encoded.
    expect(segments).toEqual([
      { kind: 'encode', startFrame: 0, endFrame: 15 },
      { kind: 'copy', startFrame: 15, endFrame: 105, src: 'source.mp4', sourceFrame: 30 },
      { kind: 'encode', startFrame: 105, endFrame: 153 },
      { kind: 'copy', startFrame: 153, endFrame: 183, src: 'source.mp4', sourceFrame: 240 },
      { kind: 'encode', startFrame: 183, endFrame: 255 },
    ]);
  });

  it('decodes cleanly, frame-exact, with monotonic timestamps and the audio of the whole edit', async () => {
    const { stderr } = await run('ffmpeg', ['-v', 'error', '-i', smartOut, '-f', 'null', '-']);
    expect(stderr).toBe('');
    expect(await countFrames(smartOut)).toBe(255);
    expect(await countFrames(fullOut)).toBe(255);
    const times = await frameTimes(smartOut);
    expect(times).toHaveLength(255);
    times.forEach((t, i) => expect(t).toBeCloseTo(i / FPS, 3));
    const probe = await ffprobeJson(smartOut);
    const audio = probe.streams.find((s) => s.codec_type === 'audio');
    expect(Number(audio?.duration)).toBeCloseTo(255 / FPS, 1);
  });

  it('copied frames are the source frames bit for bit', async () => {
    for (const seg of segments.filter((s) => s.kind === 'copy')) {
      const n = seg.endFrame - seg.startFrame;
      const got = await frameMd5s(smartOut, seg.startFrame, seg.endFrame);
      const want = await frameMd5s(src, seg.sourceFrame, seg.sourceFrame + n);
      expect(got).toHaveLength(n);
      expect(got).toEqual(want);
    }
  });

  it('every frame, seams included, is within 30 dB PSNR of the full re-encode', async () => {
    const psnr = await psnrPerFrame(fullOut, smartOut);
    expect(psnr).toHaveLength(255);
    // A frame off by one in time (testsrc2 moves every frame) measures well under 25 dB.
    expect(Math.min(...psnr)).toBeGreaterThan(30);
  });

  it('a player seeking into any piece decodes the same pictures (parameter sets before every IDR)', async () => {
    const linear = await frameMd5s(smartOut, 0, 255);
    for (const seg of segments) {
      const f = Math.floor((seg.startFrame + seg.endFrame) / 2);
      const { stdout } = await run('ffmpeg', [
        '-v',
        'error',
        '-ss',
        // The first frame at or after the seek is frame f.
        ((f - 0.25) / FPS).toFixed(4),
        '-i',
        smartOut,
        '-map',
        '0:v:0',
        '-frames:v',
        '1',
        '-f',
        'framemd5',
        '-',
      ]);
      const hash = stdout
        .split('\n')
        .filter((l) => l && !l.startsWith('#'))
        .map((l) => l.split(',').pop()!.trim())[0];
      expect([seg.kind, f, hash]).toEqual([seg.kind, f, linear[f]]);
    }
  });

  it('is off with smart: false (every frame encoded)', async () => {
    const full = await frameMd5s(fullOut, 15, 105);
    const source = await frameMd5s(src, 30, 120);
    expect(full).not.toEqual(source);
  });
});
