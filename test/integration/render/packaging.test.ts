import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RenderedFile } from '../../../lambdas/core/packaging/types.js';
import { parseMasterPlaylist, parseMediaPlaylist } from '../../../lambdas/core/packaging/playlist.js';
import { parseSpriteVtt } from '../../../lambdas/core/packaging/sprite.js';
import { parseEdit } from '../../../lambdas/core/intake/parse-edit.js';
import { renderOnThisMachine } from '../../../lambdas/core/engine/machine-render.js';
import { prepareRender } from '../../../lambdas/core/engine/prepare.js';
import { LocalSourceResolver } from '../../../lambdas/core/media/sources.js';
import { avClipArgs, FIXTURES, renderEdit } from '../../helpers/fixtures.js';
import { ffmpeg, ffprobeJson, readFrame, regionMean } from '../../helpers/media.js';

const run = promisify(execFile);

/** Integrated loudness (LUFS) as ffmpeg's ebur128 filter measures it: an independent meter from loudnorm. */
async function integratedLoudness(file: string): Promise<number> {
  const { stderr } = await run('ffmpeg', [
    '-hide_banner',
    '-nostdin',
    '-i',
    file,
    '-vn',
    '-af',
    'ebur128',
    '-f',
    'null',
    '-',
  ]);
  const summary = stderr.slice(stderr.lastIndexOf('Summary:'));
  const m = /I:\s+(-?[\d.]+) LUFS/.exec(summary);
  if (!m) throw new Error(`no ebur128 summary for ${file}`);
  return Number(m[1]);
}

const COLORS: Array<[string, [number, number, number]]> = [
  ['red', [255, 0, 0]],
  ['lime', [0, 255, 0]],
  ['blue', [0, 0, 255]],
  ['white', [255, 255, 255]],
  ['yellow', [255, 255, 0]],
  ['black', [0, 0, 0]],
];

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cutline-packaging-'));
  await mkdir(FIXTURES, { recursive: true });
  // 640×360, 6 s, testsrc2 + a 440 Hz tone: the HLS and web source.
  if (!existsSync(join(FIXTURES, 'pack-src.mp4')))
    await ffmpeg(
      avClipArgs('testsrc2=s=640x360:r=25:d=6', 'sine=f=440:r=48000:d=6', join(FIXTURES, 'pack-src.mp4')),
    );
  // One colour per second, so each sprite tile must show the colour of its second.
  if (!existsSync(join(FIXTURES, 'pack-colors.mp4'))) {
    const inputs = COLORS.flatMap(([c]) => ['-f', 'lavfi', '-i', `color=c=${c}:s=320x180:r=25:d=1`]);
    await ffmpeg([
      ...inputs,
      '-filter_complex',
      `${COLORS.map((_, i) => `[${i}:v]`).join('')}concat=n=${COLORS.length}:v=1:a=0[v]`,
      '-map',
      '[v]',
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-pix_fmt',
      'yuv420p',
      join(FIXTURES, 'pack-colors.mp4'),
    ]);
  }
  // Tones 20 dB quieter and 15 dB louder than sine's default (-18 dBFS peak).
  for (const [name, gain] of [
    ['quiet', -20],
    ['loud', 15],
  ] as const) {
    const path = join(FIXTURES, `pack-tone-${name}.wav`);
    if (!existsSync(path))
      await ffmpeg(['-f', 'lavfi', '-i', `sine=f=1000:r=48000:d=6,volume=${gain}dB`, '-ac', '2', path]);
  }
}, 60_000);
afterAll(() => rm(dir, { recursive: true, force: true }));

const videoEdit = (src: string, output: Record<string, unknown>) => ({
  timeline: { tracks: [{ clips: [{ asset: { type: 'video', src }, start: 0, length: 'auto' }] }] },
  output: { format: 'mp4', size: { width: 640, height: 360 }, ...output },
});

const byKind = (files: RenderedFile[], kind: RenderedFile['kind']) => files.filter((f) => f.kind === kind);

describe('hls preset', () => {
  it('writes a master listing every variant with its resolution and measured peak bandwidth; segments aligned, ≤ target', async () => {
    const out = join(dir, 'hls', 'clip.mp4');
    const segment = 2;
    const { files } = await renderEdit(
      videoEdit('pack-src.mp4', {
        presets: [{ name: 'hls', ladder: [1080, 360, 240, 180], segmentSeconds: segment }],
      }),
      out,
    );
    const [master] = byKind(files, 'playlist');
    expect(master!.name).toBe('clip-hls/master.m3u8');
    const variants = parseMasterPlaylist(await readFile(master!.path, 'utf8'));
    // 1080 is above the 360-line source: never upscaled.
    expect(variants.map((v) => [v.uri, v.width, v.height])).toEqual([
      ['360p/index.m3u8', 640, 360],
      ['240p/index.m3u8', 426, 240],
      ['180p/index.m3u8', 320, 180],
    ]);
    const companions = new Map(master!.companions!.map((c) => [c.name, c.path]));
    const boundaries: number[][] = [];
    for (const v of variants) {
      const playlistPath = companions.get(`clip-hls/${v.uri}`)!;
      expect(playlistPath).toBeDefined();
      const playlist = parseMediaPlaylist(await readFile(playlistPath, 'utf8'));
      expect(playlist.ended).toBe(true);
      expect(playlist.targetDuration).toBe(segment);
      let peak = 0;
      let bytes = 0;
      let t = 0;
      const starts: number[] = [];
      for (const s of playlist.segments) {
        const path = companions.get(`clip-hls/${v.uri.replace('index.m3u8', s.uri)}`)!;
        const probe = await ffprobeJson(path);
        const video = probe.streams.find((x) => x.codec_type === 'video')!;
        expect([video.codec_name, Number(video.width), Number(video.height)]).toEqual([
          'h264',
          v.width,
          v.height,
        ]);
        expect(probe.streams.some((x) => x.codec_type === 'audio')).toBe(true);
        // Every stream of the segment (video and audio) lasts at most the target plus one frame.
        expect(Number(probe.format.duration)).toBeLessThanOrEqual(segment + 1 / 25 + 1e-6);
        expect(s.duration).toBeLessThanOrEqual(segment + 1e-6);
        const size = (await readFile(path)).length;
        peak = Math.max(peak, (size * 8) / s.duration);
        bytes += size;
        starts.push(Math.round(Number(video.start_time) * 1000));
        t += s.duration;
      }
      expect(t).toBeCloseTo(6, 1);
      boundaries.push(starts);
      // BANDWIDTH = the peak segment bit rate (≥ every segment's), AVERAGE-BANDWIDTH = the whole stream's.
      expect(v.bandwidth).toBeGreaterThanOrEqual(Math.floor(peak));
      expect(v.bandwidth).toBeLessThanOrEqual(Math.ceil(peak));
      expect(v.averageBandwidth).toBe(Math.ceil((bytes * 8) / t));
      expect(v.codecs).toMatch(/^avc1\.6400[0-9a-f]{2},mp4a\.40\.2$/);
    }
    // Aligned: every variant has the same segments starting at the same times.
    expect(boundaries[0]!.length).toBe(3);
    for (const b of boundaries) expect(b).toEqual(boundaries[0]);
    // Bigger frames cost more bits.
    expect(variants[0]!.bandwidth).toBeGreaterThan(variants[2]!.bandwidth);
  }, 120_000);
});

describe('loudness preset', () => {
  for (const [tone, target] of [
    ['quiet', -16],
    ['loud', -14],
  ] as const) {
    it(`brings a ${tone} tone to ${target} LUFS (ebur128, ±1 LU), video stream copied`, async () => {
      const out = join(dir, `loud-${tone}.mp4`);
      const before = await integratedLoudness(join(FIXTURES, `pack-tone-${tone}.wav`));
      expect(Math.abs(before - target)).toBeGreaterThan(5);
      const { files } = await renderEdit(
        {
          timeline: {
            soundtrack: { src: `pack-tone-${tone}.wav` },
            tracks: [{ clips: [{ asset: { type: 'video', src: 'pack-colors.mp4' }, start: 0, length: 6 }] }],
          },
          output: {
            format: 'mp4',
            size: { width: 320, height: 180 },
            // -16 is the default target; -14 given explicitly.
            presets: tone === 'quiet' ? ['loudness'] : [{ name: 'loudness', target }],
          },
        },
        out,
      );
      expect(files[0]!.path).toBe(out);
      const after = await integratedLoudness(out);
      expect(Math.abs(after - target)).toBeLessThanOrEqual(1);
      const probe = await ffprobeJson(out);
      expect(probe.streams.map((s) => [s.codec_type, s.codec_name, s.sample_rate])).toEqual([
        ['video', 'h264', undefined],
        ['audio', 'aac', '48000'],
      ]);
    }, 60_000);
  }
});

describe('thumbnails preset', () => {
  it('VTT xywh matches the sprite grid and each tile is the frame at its time', async () => {
    const out = join(dir, 'thumbs', 'colors.mp4');
    const { files } = await renderEdit(
      {
        timeline: {
          tracks: [
            { clips: [{ asset: { type: 'video', src: 'pack-colors.mp4' }, start: 0, length: 'auto' }] },
          ],
        },
        output: {
          format: 'mp4',
          size: { width: 320, height: 180 },
          presets: [{ name: 'thumbnails', interval: 1, width: 96, columns: 4 }],
        },
      },
      out,
    );
    const [sprite] = byKind(files, 'sprite');
    const [vtt] = byKind(files, 'vtt');
    expect(sprite!.name).toBe('colors-sprite.jpg');
    expect(vtt!.name).toBe('colors-thumbnails.vtt');
    const cues = parseSpriteVtt(await readFile(vtt!.path, 'utf8'));
    expect(cues).toHaveLength(6);
    const sheet = await readFrame(sprite!.path);
    // 4 columns × 2 rows of 96×54 tiles.
    expect([sheet.width, sheet.height]).toEqual([4 * 96, 2 * 54]);
    cues.forEach((c, i) => {
      expect(c.image).toBe('colors-sprite.jpg');
      expect([c.start, c.end]).toEqual([i, i + 1]);
      expect([c.x, c.y, c.w, c.h]).toEqual([(i % 4) * 96, Math.floor(i / 4) * 54, 96, 54]);
      // The middle of the tile has the colour of second i.
      const mean = regionMean(
        sheet,
        (c.x + c.w * 0.3) / sheet.width,
        (c.y + c.h * 0.3) / sheet.height,
        (c.x + c.w * 0.7) / sheet.width,
        (c.y + c.h * 0.7) / sheet.height,
      );
      const expected = COLORS[i]![1];
      for (let ch = 0; ch < 3; ch++) expect(Math.abs(mean[ch]! - expected[ch]!)).toBeLessThan(40);
    });
  }, 60_000);
});

describe('web and preview-gif presets', () => {
  it('web writes an H.264 MP4 and a VP9 WebM; preview-gif a small looping GIF', async () => {
    const out = join(dir, 'web', 'promo.mp4');
    // VP9 is slow: a tiny frame and the realtime encoder (quality low → -deadline realtime -cpu-used 8).
    const { files } = await renderEdit(
      videoEdit('pack-src.mp4', {
        size: { width: 320, height: 180 },
        quality: 'low',
        range: { start: 0, length: 2 },
        presets: ['web', { name: 'preview-gif', length: 1, width: 160, fps: 5 }],
      }),
      out,
    );
    expect(files.map((f) => [f.kind, f.name ?? null])).toEqual([
      ['video', null],
      ['video', 'promo.webm'],
      ['preview', 'promo-preview.gif'],
    ]);
    const mp4 = await ffprobeJson(files[0]!.path);
    expect(mp4.streams.map((s) => s.codec_name)).toEqual(['h264', 'aac']);
    const webm = await ffprobeJson(files[1]!.path);
    expect(webm.format.format_name).toMatch(/webm/);
    expect(webm.streams.map((s) => [s.codec_name, s.width ?? null])).toEqual([
      ['vp9', 320],
      ['opus', null],
    ]);
    expect(Number(webm.format.duration)).toBeCloseTo(2, 1);
    expect([files[2]!.width, files[2]!.height]).toEqual([160, 90]);
    const gif = await ffprobeJson(files[2]!.path);
    expect(gif.streams[0]!.codec_name).toBe('gif');
    expect([gif.streams[0]!.width, gif.streams[0]!.height]).toEqual([160, 90]);
    expect(Number(gif.streams[0]!.nb_frames ?? 5)).toBeLessThanOrEqual(6);
  }, 120_000);
});

describe('the chunked local path', () => {
  it('finishes the stitched file the same way: loudness and packaging after the stitch', async () => {
    const edit = parseEdit({
      timeline: {
        soundtrack: { src: 'pack-tone-loud.wav' },
        tracks: [{ clips: [{ asset: { type: 'video', src: 'pack-colors.mp4' }, start: 0, length: 6 }] }],
      },
      output: { format: 'mp4', size: { width: 320, height: 180 }, presets: ['loudness', 'thumbnails'] },
    });
    const resolver = new LocalSourceResolver({ mediaRoot: FIXTURES, baseDir: FIXTURES, maxSourceBytes: 1e8 });
    const input = await prepareRender(edit, { resolver });
    const out = join(dir, 'chunked', 'long.mp4');
    const { plan, files } = await renderOnThisMachine(input, {
      output: out,
      chunks: 2,
      concurrency: 2,
      threadsPerWorker: 1,
    });
    expect(plan.chunked).toBe(true);
    expect(files.map((f) => f.kind)).toEqual(['video', 'sprite', 'vtt']);
    expect(Math.abs((await integratedLoudness(out)) + 16)).toBeLessThanOrEqual(1);
    expect(parseSpriteVtt(await readFile(files[2]!.path, 'utf8'))).toHaveLength(6);
  }, 120_000);
});
