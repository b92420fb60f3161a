import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { clipsKind } from '../../../lambdas/core/clips/kind.js';
import { renderOnThisMachine } from '../../../lambdas/core/engine/machine-render.js';
import { prepareRender } from '../../../lambdas/core/engine/prepare.js';
import { localJob } from '../../helpers/jobs.js';
import {
  ffmpeg,
  ffprobeJson,
  litBox,
  readFrame,
  regionMean,
  ssimPerFrame,
  type Frame,
} from '../../helpers/media.js';

let dir: string;
let job: ReturnType<typeof localJob>;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cutline-clips-'));
  job = localJob(dir);
  const x264 = ['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p'];
  await Promise.all([
    // A red square left of centre on blue: its centre is at x = 110/640, y = 180/360.
    ffmpeg([
      '-f',
      'lavfi',
      '-i',
      'color=c=blue:s=640x360:r=25:d=1.2,drawbox=x=60:y=130:w=100:h=100:color=red:t=fill',
      ...x264,
      join(dir, 'focus.mp4'),
    ]),
    // A white square crossing a black frame left to right in 2 s.
    ffmpeg([
      '-f',
      'lavfi',
      '-i',
      'color=c=black:s=640x360:r=25:d=2',
      '-f',
      'lavfi',
      '-i',
      'color=c=white:s=40x40:r=25:d=2',
      '-filter_complex',
      "[0][1]overlay=x='20+t*280':y=160:shortest=1",
      ...x264,
      join(dir, 'moving.mp4'),
    ]),
    ffmpeg(['-f', 'lavfi', '-i', 'color=c=black:s=640x360:r=25:d=4', ...x264, join(dir, 'black.mp4')]),
    // 6 s of a still grey frame in silence, then 6 s of moving test pattern with a loud tone.
    ffmpeg([
      '-f',
      'lavfi',
      '-i',
      'color=c=gray:s=320x180:r=25:d=6',
      '-f',
      'lavfi',
      '-i',
      'testsrc2=s=320x180:r=25:d=6',
      '-f',
      'lavfi',
      '-i',
      "sine=f=440:r=48000:d=12,volume=volume=0:enable='lt(t,6)'",
      '-filter_complex',
      '[0][1]concat=n=2:v=1:a=0[v]',
      '-map',
      '[v]',
      '-map',
      '2:a',
      ...x264,
      '-c:a',
      'aac',
      join(dir, 'talk.mp4'),
    ]),
    writeFile(join(dir, 'cues.srt'), '1\n00:00:01,500 --> 00:00:02,500\nHello there\n'),
    writeFile(
      join(dir, 'words.json'),
      JSON.stringify({
        words: [
          { word: 'Big', start: 1.5, end: 2 },
          { word: 'news', start: 2, end: 2.5 },
        ],
      }),
    ),
  ]);
}, 60_000);

const expand = (body: unknown) => clipsKind.expand(clipsKind.parse(body), job.ctx);
const isRed = ([r, g, b]: number[]) => r! > 180 && g! < 80 && b! < 80;
const isBlue = ([r, g, b]: number[]) => b! > 180 && r! < 80 && g! < 80;

/** Bounding box of pixels matching `test`, as fractions of the frame, or null. */
function boxOf(f: Frame, test: (r: number, g: number, b: number) => boolean) {
  let [x0, y0, x1, y1] = [Infinity, Infinity, -1, -1];
  for (let y = 0; y < f.height; y++)
    for (let x = 0; x < f.width; x++) {
      const i = (y * f.width + x) * 4;
      if (test(f.data[i]!, f.data[i + 1]!, f.data[i + 2]!)) {
        x0 = Math.min(x0, x);
        y0 = Math.min(y0, y);
        x1 = Math.max(x1, x);
        y1 = Math.max(y1, y);
      }
    }
  return x1 < 0
    ? null
    : { x0: x0 / f.width, y0: y0 / f.height, x1: (x1 + 1) / f.width, y1: (y1 + 1) / f.height };
}

describe('clips: reframing', () => {
  it('16:9 → 9:16 with a focus gives 1080×1920 with the focus region in frame, plus poster and thumbnail', async () => {
    const [r, ...rest] = await expand({
      src: 'focus.mp4',
      clips: [{ start: 0, end: 1, title: 'Red' }],
      aspectRatios: ['9:16'],
      reframe: { mode: 'focus', focus: { x: 110 / 640, y: 0.5 } },
      output: { resolution: '1080' },
    });
    expect(rest).toHaveLength(0);
    expect(r!.name).toBe('clip-01-9x16');
    expect(r!.meta).toMatchObject({ clip: 1, start: 0, end: 1, title: 'Red', aspectRatio: '9:16' });
    const { output, files } = await job.render(r!);
    const v = (await ffprobeJson(output)).streams.find((s) => s.codec_type === 'video')!;
    expect([v.width, v.height]).toEqual([1080, 1920]);
    const f = await readFrame(output, 0.5);
    expect(isRed(regionMean(f, 0.4, 0.45, 0.6, 0.55))).toBe(true);
    // The square (100 source px → 533 output px) sits around the centre with blue on both sides.
    expect(isBlue(regionMean(f, 0.0, 0.45, 0.03, 0.55))).toBe(true);
    expect(isBlue(regionMean(f, 0.9, 0.45, 1, 0.55))).toBe(true);
    expect(files.map((x) => x.kind)).toEqual(['video', 'poster', 'thumbnail']);
  }, 60_000);

  it('center framing of the same source shows no red: the focus is what moved the window', async () => {
    const [r] = await expand({
      src: 'focus.mp4',
      clips: [{ start: 0, end: 1 }],
      output: { resolution: 'preview' },
    });
    const { output } = await job.render(r!);
    const f = await readFrame(output, 0.5);
    expect(boxOf(f, (r, g, b) => r > 180 && g < 80 && b < 80)).toBeNull();
  }, 60_000);

  it('auto reframe keeps a moving bright object in frame; center framing loses it', async () => {
    const body = { src: 'moving.mp4', clips: [{ start: 0, end: 2 }], output: { resolution: 'preview' } };
    const [auto] = await expand({ ...body, reframe: { mode: 'auto' } });
    const focus = (auto!.edit.timeline.tracks[0]!.clips[0]!.asset as { focus: Array<{ x: number }> }).focus;
    expect(focus[0]!.x).toBeLessThan(0.25);
    expect(focus.at(-1)!.x).toBeGreaterThan(0.75);
    const { output } = await job.render(auto!);
    for (const t of [0.1, 0.5, 1, 1.5, 1.9]) {
      const f = await readFrame(output, t);
      const box = litBox(f, 128);
      expect(box, `object in frame at ${t} s`).not.toBeNull();
      const cx = (box!.x0 + box!.x1) / 2 / f.width;
      expect(cx, `object centre at ${t} s`).toBeGreaterThan(0.1);
      expect(cx).toBeLessThan(0.9);
    }
    // Chunks render the same moving crop: the focus path is a function of timeline time.
    const chunked = join(dir, 'moving-chunked.mp4');
    await renderOnThisMachine(await prepareRender(auto!.edit, { resolver: job.resolver }), {
      output: chunked,
      chunks: 3,
      concurrency: 2,
    });
    const ssim = await ssimPerFrame(output, chunked);
    expect(ssim).toHaveLength(50);
    expect(Math.min(...ssim)).toBeGreaterThan(0.97);
    const [center] = await expand(body);
    const still = await job.render({ ...center!, name: 'moving-center' });
    expect(litBox(await readFrame(still.output, 0.1), 128)).toBeNull();
  }, 90_000);
});

describe('clips: captions', () => {
  it('light pixels in the caption band only during their cue (cue times follow the clip start)', async () => {
    // The cue is at 1.5–2.5 s of the source; the clip starts at 1 s, so it shows at 0.5–1.5 s.
    const [r] = await expand({
      src: 'black.mp4',
      clips: [{ start: 1, end: 3 }],
      captions: { src: 'cues.srt' },
      output: { resolution: 'preview' },
    });
    const { output } = await job.render(r!);
    const during = litBox(await readFrame(output, 1), 128);
    expect(during).not.toBeNull();
    const f = await readFrame(output, 1);
    // 9:16 safe area: the text's bottom is 20 % above the bottom edge, and it stays off the sides.
    expect(during!.y0 / f.height).toBeGreaterThan(0.6);
    expect(during!.y1 / f.height).toBeLessThan(0.8);
    expect(during!.x0 / f.width).toBeGreaterThan(0.08);
    expect(during!.x1 / f.width).toBeLessThan(0.92);
    for (const t of [0.25, 1.75]) expect(litBox(await readFrame(output, t), 128), `at ${t} s`).toBeNull();
  }, 60_000);

  it('word-by-word highlight colours the word being spoken', async () => {
    const [r] = await expand({
      src: 'black.mp4',
      clips: [{ start: 1, end: 3 }],
      captions: { src: 'words.json', style: 'wordHighlight' },
      output: { resolution: 'preview' },
    });
    const { output } = await job.render(r!);
    const yellow = (r: number, g: number, b: number) => r > 180 && g > 180 && b < 90;
    const white = (r: number, g: number, b: number) => r > 200 && g > 200 && b > 200;
    const first = await readFrame(output, 0.75); // "Big" is spoken
    const second = await readFrame(output, 1.25); // "news" is spoken
    const y1 = boxOf(first, yellow);
    const y2 = boxOf(second, yellow);
    expect(y1).not.toBeNull();
    expect(y2).not.toBeNull();
    expect(y1!.x1).toBeLessThan(y2!.x0 + 0.02);
    // The other word stays white.
    expect(boxOf(first, white)!.x1).toBeGreaterThan(y1!.x1);
    expect(litBox(await readFrame(output, 0.25), 128)).toBeNull();
  }, 60_000);
});

describe('clips: auto mode', () => {
  it('picks the loud, moving part of the source and says why', async () => {
    const rs = await expand({
      src: 'talk.mp4',
      mode: 'auto',
      count: 1,
      length: 4,
      aspectRatios: ['9:16', '1:1'],
    });
    expect(rs.map((r) => r.name)).toEqual(['clip-01-9x16', 'clip-01-1x1']);
    const meta = rs[0]!.meta as {
      start: number;
      end: number;
      score: number;
      why: { loud: number; motion: number };
    };
    expect(meta.start).toBeGreaterThanOrEqual(5.5);
    expect(meta.end - meta.start).toBeGreaterThanOrEqual(3);
    expect(meta.why.loud).toBeGreaterThan(0.5);
    expect(meta.why.motion).toBeGreaterThan(0.3);
  }, 60_000);

  it('refuses clips past the end of the source at their path', async () => {
    await expect(expand({ src: 'black.mp4', clips: [{ start: 1, end: 9 }] })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      details: [{ path: 'clips[0].end' }],
    });
  });
});
