import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, renderEdit } from '../../helpers/fixtures.js';
import { ffmpeg, ffprobeJson, meanVolume, readFrame, regionMean } from '../../helpers/media.js';

// asset.speed (video and audio), length "auto" at speed, output.scaleTo, rendered by ffmpeg and read back.
let dir: string;
const STEPS = join(FIXTURES, 'steps-rgbw.mp4');
const HALF_TONE = join(FIXTURES, 'tone-then-silence.wav');
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cutline-longtail-'));
  await mkdir(FIXTURES, { recursive: true });
  // One colour per source second: red, green, blue, white (so a frame tells which source second it shows).
  if (!existsSync(STEPS))
    await ffmpeg([
      '-f',
      'lavfi',
      '-i',
      'color=c=red:s=160x90:r=25:d=1',
      '-f',
      'lavfi',
      '-i',
      'color=c=lime:s=160x90:r=25:d=1',
      '-f',
      'lavfi',
      '-i',
      'color=c=blue:s=160x90:r=25:d=1',
      '-f',
      'lavfi',
      '-i',
      'color=c=white:s=160x90:r=25:d=1',
      '-filter_complex',
      '[0][1][2][3]concat=n=4:v=1:a=0',
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-pix_fmt',
      'yuv420p',
      STEPS,
    ]);
  // 2 s of tone, then 2 s of silence.
  if (!existsSync(HALF_TONE))
    await ffmpeg([
      '-f',
      'lavfi',
      '-i',
      'sine=f=440:r=48000:d=2',
      '-af',
      'apad=whole_dur=4',
      '-ac',
      '2',
      HALF_TONE,
    ]);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const colour = ([r, g, b]: number[]) =>
  r! > 200 && g! > 200 && b! > 200
    ? 'white'
    : r! > 180 && g! < 80 && b! < 80
      ? 'red'
      : g! > 180 && r! < 80 && b! < 80
        ? 'green'
        : b! > 180 && r! < 80 && g! < 80
          ? 'blue'
          : `rgb(${r!.toFixed(0)},${g!.toFixed(0)},${b!.toFixed(0)})`;

describe('asset.speed', () => {
  it('a video at speed 2 plays its 4 s in 2 s ("auto" length); at 0.5 its first 1 s lasts 2 s', async () => {
    const out = join(dir, 'fast.mp4');
    await renderEdit(
      {
        timeline: {
          tracks: [
            {
              clips: [
                { asset: { type: 'video', src: 'steps-rgbw.mp4', speed: 2 }, start: 0, length: 'auto' },
              ],
            },
          ],
        },
        output: { format: 'mp4', size: { width: 160, height: 90 } },
      },
      out,
    );
    const probe = await ffprobeJson(out);
    expect(Number(probe.format.duration)).toBeCloseTo(2, 1);
    const seen = [];
    for (const t of [0.2, 0.7, 1.2, 1.7])
      seen.push(colour(regionMean(await readFrame(out, t), 0.2, 0.2, 0.8, 0.8)));
    expect(seen).toEqual(['red', 'green', 'blue', 'white']);

    const slow = join(dir, 'slow.mp4');
    await renderEdit(
      {
        timeline: {
          tracks: [
            {
              clips: [
                {
                  asset: { type: 'video', src: 'steps-rgbw.mp4', speed: 0.5, trim: 1 },
                  start: 0,
                  length: 2.4,
                },
              ],
            },
          ],
        },
        output: { format: 'mp4', size: { width: 160, height: 90 } },
      },
      slow,
    );
    const slowSeen = [];
    for (const t of [0.2, 1.8, 2.2])
      slowSeen.push(colour(regionMean(await readFrame(slow, t), 0.2, 0.2, 0.8, 0.8)));
    // trim 1 → green for source 1–2 s = timeline 0–2 s, then blue.
    expect(slowSeen).toEqual(['green', 'green', 'blue']);
  });

  it('audio at speed 2: 2 s of tone then silence become 1 s of tone then silence, 2 s in all', async () => {
    const out = join(dir, 'audio-fast.mp4');
    await renderEdit(
      {
        timeline: {
          background: '#000000',
          tracks: [
            {
              clips: [
                {
                  asset: { type: 'audio', src: 'tone-then-silence.wav', speed: 2 },
                  start: 0,
                  length: 'auto',
                },
              ],
            },
          ],
        },
        output: { format: 'mp4', size: { width: 160, height: 90 } },
      },
      out,
    );
    expect(Number((await ffprobeJson(out)).format.duration)).toBeCloseTo(2, 1);
    expect(await meanVolume(out, 0.1, 0.8)).toBeGreaterThan(-30);
    expect(await meanVolume(out, 1.15, 0.8)).toBeLessThan(-60);
  });
});

describe('output.scaleTo', () => {
  it('lays out at the edit’s size and delivers the named resolution: a half-width box stays half', async () => {
    const out = join(dir, 'scaled.mp4');
    const { files } = await renderEdit(
      {
        timeline: {
          background: '#000000',
          tracks: [
            {
              clips: [
                {
                  asset: {
                    type: 'shape',
                    shape: 'rectangle',
                    rectangle: { width: 640, height: 720 },
                    fill: { color: '#ffffff' },
                  },
                  start: 0,
                  length: 1,
                  position: 'left',
                  fit: 'none',
                },
              ],
            },
          ],
        },
        output: { format: 'mp4', resolution: 'hd', scaleTo: 'preview' },
      },
      out,
    );
    const f = await readFrame(out, 0.5);
    expect([f.width, f.height]).toEqual([512, 288]);
    expect(colour(regionMean(f, 0.05, 0.1, 0.45, 0.9))).toBe('white');
    expect(regionMean(f, 0.55, 0.1, 0.95, 0.9)[0]).toBeLessThan(30);
    expect(files[0]).toMatchObject({ width: 512, height: 288 });
  });
});
