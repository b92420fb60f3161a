import { deliveredSize } from '../render/output-spec.js';
import { stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { filterGraphThreads } from '../plan/threads.js';
import { dirname } from 'node:path';
import { runFfmpeg } from '../media/ffmpeg.js';
import type { FfmpegStats } from '../media/ffmpeg-progress.js';
import { compileRender, type CompileInput, type CompiledRender } from '../render/compile.js';
import type { FrameWindow } from '../render/window.js';
import { packageOutput, type PackageOptions } from '../packaging/package.js';
import type { RenderedFile } from '../packaging/types.js';

export interface RenderOptions {
  output: string;
  window?: FrameWindow;
  threads?: number;
  onProgress?: (fraction: number) => void;
  /** ffmpeg's progress blocks of the main render (frame counts). */
  onStats?: (stats: FfmpegStats) => void;
  signal?: AbortSignal;
  /** See PackageOptions: the pipeline packages MediaConvert HLS in its own state. */
  deferMediaConvert?: boolean;
}

const extra = (output: string, suffix: string) => output.replace(/(\.[^./]+)?$/, `-${suffix}.jpg`);

/**
 * The extra images an edit asks for, taken from the finished render; `from` picks another file to take
 * a capture from and where in it (the stitch's reference join: the chunk part that holds that frame).
 */
export function extraImageArgs(
  input: CompileInput,
  output: string,
  from?: (capture: number) => { file: string; seek: number },
): Array<{ kind: 'poster' | 'thumbnail'; path: string; args: string[] }> {
  const { poster, thumbnail } = input.edit.output;
  const jobs: Array<{ kind: 'poster' | 'thumbnail'; path: string; args: string[] }> = [];
  if (!input.spec.hasVideo || input.spec.still) return jobs;
  const grab = (capture: number, path: string, scale = 1) => [
    '-hide_banner',
    '-nostdin',
    '-y',
    '-ss',
    String(from ? from(capture).seek : capture),
    '-i',
    from ? from(capture).file : output,
    '-frames:v',
    '1',
    ...(scale < 1 ? ['-vf', `scale=trunc(iw*${scale}/2)*2:-2`] : []),
    '-q:v',
    '3',
    '-update',
    '1',
    path,
  ];
  if (poster)
    jobs.push({
      kind: 'poster',
      path: extra(output, 'poster'),
      args: grab(poster.capture, extra(output, 'poster')),
    });
  if (thumbnail) {
    const path = extra(output, 'thumbnail');
    jobs.push({ kind: 'thumbnail', path, args: grab(thumbnail.capture, path, thumbnail.scale ?? 0.25) });
  }
  return jobs;
}

/**
 * Everything made from a finished main file, in one place for every path that renders one (single pass,
 * local chunks, the pipeline's stitch and single-render tasks): packaging presets first (loudness may
 * replace the main file, the rest read it), then the poster and thumbnail images the output asks for.
 * Returns the main file first; extra files carry `name`s relative to `dir`.
 */
export async function finishOutput(
  input: CompileInput,
  main: RenderedFile,
  dir: string,
  opts: PackageOptions = {},
): Promise<RenderedFile[]> {
  const [primary, ...packaged] = await packageOutput(input, main, dir, opts);
  const images: RenderedFile[] = [];
  for (const job of extraImageArgs(input, primary!.path)) {
    await runFfmpeg(job.args, { signal: opts.signal });
    images.push({ kind: job.kind, path: job.path, bytes: (await stat(job.path)).size });
  }
  return [primary!, ...images, ...packaged];
}

/** Compiles and runs one render on this machine, then makes what the output asks for from it (finishOutput). */
export async function renderPrepared(
  input: CompileInput,
  opts: RenderOptions,
): Promise<{ compiled: CompiledRender; files: RenderedFile[] }> {
  const compiled = compileRender(input, {
    output: opts.output,
    window: opts.window,
    threads: opts.threads,
    filterThreads: filterGraphThreads(opts.threads ?? availableParallelism()),
  });
  await runFfmpeg(compiled.args, {
    durationSeconds: compiled.durationSeconds,
    onProgress: opts.onProgress,
    onStats: opts.onStats,
    signal: opts.signal,
  });
  const { spec } = input;
  const kind: RenderedFile['kind'] = spec.still ? 'image' : spec.hasVideo ? 'video' : 'audio';
  const main: RenderedFile = {
    kind,
    path: opts.output,
    bytes: (await stat(opts.output)).size,
    ...(spec.still ? {} : { durationSeconds: compiled.durationSeconds }),
    ...(spec.hasVideo ? deliveredSize(spec) : {}),
  };
  const files = await finishOutput(input, main, dirname(opts.output), {
    signal: opts.signal,
    deferMediaConvert: opts.deferMediaConvert,
  });
  return { compiled, files };
}
