import { mkdir, stat, writeFile } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';
import { runFfmpeg } from '../media/ffmpeg.js';
import { defaultWindow, type CompileInput } from '../render/compile.js';
import { fpsValue } from '../render/output-spec.js';
import { windowSeconds } from '../render/window.js';
import type { RenderedFile } from './types.js';
import { previewGifArgs, spriteArgs, webArgs } from './derived.js';
import { writeHls } from './hls.js';
import { selectLadder } from './ladder.js';
import { mediaConvertHlsNaming } from './mediaconvert.js';
import { hlsPackager } from './packager.js';
import { normaliseLoudness } from './loudness.js';
import { DEFAULTS, findPreset } from './options.js';
import { spriteGrid, spriteVtt } from './sprite.js';

export interface PackageOptions {
  signal?: AbortSignal;
  /**
   * The pipeline packages MediaConvert HLS in a state of its own (createJob.sync) after the render:
   * render tasks pass true and leave it out. The CLI leaves it false and renders the same job itself.
   */
  deferMediaConvert?: boolean;
}

/** `dir/a/b.x` → `a/b.x`, with forward slashes (it becomes an object key). */
const keyIn = (dir: string, path: string) => relative(dir, path).split('\\').join('/');

/**
 * Post-processing presets on a finished main file, writing under `dir` (the main file's folder locally,
 * a scratch folder in the pipeline). Returns the main file (replaced in place when loudness is asked)
 * followed by the extra files, each `name`d relative to `dir` so that storing every name under the job's
 * output prefix reproduces the same tree (a playable HLS folder, a VTT beside its sprite):
 *
 * - `loudness`: two-pass EBU R128 on the main file itself (see normaliseLoudness); first, so every
 *   derived file carries the normalised sound.
 * - `web`: `<stem>.webm` beside an MP4 main (or `<stem>.mp4` beside a WebM main).
 * - `hls`: `<stem>-hls/master.m3u8`, its variant playlists and segments as companions.
 * - `preview-gif`: `<stem>-preview.gif`.
 * - `thumbnails`: `<stem>-sprite.jpg` and `<stem>-thumbnails.vtt`, which names the sprite relatively.
 *
 * `social` is a composition preset (renditions, see expandPresets) and has nothing to do here.
 */
export async function packageOutput(
  input: CompileInput,
  main: RenderedFile,
  dir: string,
  opts: PackageOptions = {},
): Promise<RenderedFile[]> {
  const { edit, spec } = input;
  const presets = edit.output.presets;
  if (!presets?.length) return [main];
  const signal = opts.signal;
  const stem = basename(main.name ?? main.path).replace(/\.[^.]+$/, '');
  const duration = main.durationSeconds ?? windowSeconds(defaultWindow(input), spec.fps).duration;
  const fps = fpsValue(spec.fps);
  await mkdir(dir, { recursive: true });

  let primary = main;
  const loudness = findPreset(presets, 'loudness');
  if (loudness && spec.hasAudio) {
    const { bytes } = await normaliseLoudness(
      main.path,
      spec.format,
      {
        target: loudness.target ?? DEFAULTS.loudnessTarget,
        truePeak: loudness.truePeak ?? DEFAULTS.truePeak,
      },
      signal,
    );
    primary = { ...main, bytes };
  }
  const out: RenderedFile[] = [primary];
  const file = async (
    kind: RenderedFile['kind'],
    path: string,
    extra: Partial<RenderedFile> = {},
  ): Promise<RenderedFile> => ({
    kind,
    path,
    name: keyIn(dir, path),
    bytes: (await stat(path)).size,
    ...extra,
  });

  if (findPreset(presets, 'web')) {
    const format = spec.format === 'webm' ? 'mp4' : 'webm';
    const path = join(dir, `${stem}.${format}`);
    await runFfmpeg(webArgs(main.path, path, spec, format, edit.output.quality), {
      durationSeconds: duration,
      signal,
    });
    out.push(
      await file('video', path, { durationSeconds: duration, width: spec.width, height: spec.height }),
    );
  }

  const hls = findPreset(presets, 'hls');
  const mediaConvert = hls && hlsPackager(hls) === 'mediaconvert';
  if (hls && !(mediaConvert && opts.deferMediaConvert)) {
    const variants = selectLadder(spec, hls.ladder ?? DEFAULTS.hlsLadder);
    const tree = await writeHls(
      {
        input: main.path,
        folder: join(dir, `${stem}-hls`),
        variants,
        segmentSeconds: hls.segmentSeconds ?? DEFAULTS.hlsSegmentSeconds,
        fps: spec.fps,
        hasAudio: spec.hasAudio,
        // MediaConvert's file names, so a job's HLS tree looks the same from the CLI and from AWS.
        ...(mediaConvert ? { naming: mediaConvertHlsNaming() } : {}),
      },
      signal,
    );
    const top = variants[0]!;
    out.push({
      ...(await file('playlist', tree.master, {
        durationSeconds: duration,
        width: top.width,
        height: top.height,
      })),
      companions: tree.files.map((f) => ({ path: f.path, name: keyIn(dir, f.path) })),
    });
  }

  const gif = findPreset(presets, 'preview-gif');
  if (gif) {
    const start = Math.min(gif.start ?? DEFAULTS.gifStart, Math.max(0, duration - 1 / fps));
    const length = Math.min(gif.length ?? DEFAULTS.gifLength, duration - start);
    const width = Math.min(gif.width ?? DEFAULTS.gifWidth, spec.width);
    const path = join(dir, `${stem}-preview.gif`);
    await runFfmpeg(
      previewGifArgs(main.path, path, { start, length, width, fps: gif.fps ?? DEFAULTS.gifFps }),
      {
        signal,
      },
    );
    // scale=W:-2 keeps the aspect ratio with an even height.
    const height = Math.max(2, Math.round((width * spec.height) / spec.width / 2) * 2);
    out.push(await file('preview', path, { durationSeconds: length, width, height }));
  }

  const thumbs = findPreset(presets, 'thumbnails');
  if (thumbs) {
    const grid = spriteGrid({ width: spec.width, height: spec.height, duration }, thumbs);
    const sprite = join(dir, `${stem}-sprite.jpg`);
    const vtt = join(dir, `${stem}-thumbnails.vtt`);
    await runFfmpeg(spriteArgs(main.path, sprite, grid, fps), { signal });
    // Both sit in the same folder, so the bare file name is the relative reference.
    await writeFile(vtt, spriteVtt(grid, duration, basename(sprite)));
    out.push(
      await file('sprite', sprite, {
        width: grid.columns * grid.tileWidth,
        height: grid.rows * grid.tileHeight,
      }),
      await file('vtt', vtt),
    );
  }
  return out;
}
