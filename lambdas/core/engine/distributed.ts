import { mkdtemp, rm, stat } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { planRender, type PlanLimits, type RenderPlan } from '../plan/planner.js';
import type { CompileInput } from '../render/compile.js';
import { renderAudioPart, renderChunk, stitch } from './chunks.js';
import { runPool } from './pool.js';
import { finishOutput, renderPrepared, type RenderedFile } from './render.js';

export interface LocalRenderOptions {
  output: string;
  /** Chunk count; omitted: the planner decides; 1: the single-pass path. */
  chunks?: number;
  /** Workers at once; default: the number of cores. */
  concurrency?: number;
  /** ffmpeg threads per worker; default: cores / concurrency. */
  threadsPerWorker?: number;
  /** Attempts after the first for a failed chunk. */
  retries?: number;
  onProgress?: (fraction: number) => void;
  signal?: AbortSignal;
  planLimits?: Partial<PlanLimits>;
  /** Keep chunk files (for inspection); default: removed. */
  keepWork?: boolean;
  /** See PackageOptions: the pipeline packages MediaConvert HLS in its own state. */
  deferMediaConvert?: boolean;
}

/**
 * Renders an edit on this machine: single pass, or planned chunks on a worker pool, audio once, and a
 * stream-copy stitch. The same chunk and stitch functions run in Lambda and on Fargate.
 */
export async function renderLocal(
  input: CompileInput,
  opts: LocalRenderOptions,
): Promise<{ plan: RenderPlan; files: RenderedFile[] }> {
  const cores = availableParallelism();
  const concurrency = Math.max(1, opts.concurrency ?? cores);
  const threads = opts.threadsPerWorker ?? Math.max(1, Math.floor(cores / concurrency));
  const plan = planRender(
    input,
    { maxConcurrency: concurrency, threadsPerWorker: threads, ...opts.planLimits },
    { chunks: opts.chunks, local: true },
  );
  if (!plan.chunked) {
    const { files } = await renderPrepared(input, {
      output: opts.output,
      window: plan.window,
      threads: opts.threadsPerWorker,
      onProgress: opts.onProgress,
      signal: opts.signal,
      deferMediaConvert: opts.deferMediaConvert,
    });
    return { plan, files };
  }

  const workDir = await mkdtemp(join(tmpdir(), 'cutline-chunks-'));
  try {
    const total = plan.window.endFrame - plan.window.startFrame;
    const done = new Map<number, number>();
    let audioDone = 0;
    const report = () => {
      if (!opts.onProgress) return;
      let frames = 0;
      for (const [i, f] of done) frames += f * (plan.chunks[i]!.endFrame - plan.chunks[i]!.startFrame);
      // Chunks are ~95% of the work, audio and stitch the rest.
      opts.onProgress(Math.min(0.99, (0.95 * frames) / total + 0.04 * audioDone));
    };
    const audio = plan.audio
      ? renderAudioPart(input, plan, workDir, {
          threads: 1,
          signal: opts.signal,
          onProgress: (f) => {
            audioDone = f;
            report();
          },
        })
      : Promise.resolve(null);
    // If the chunks fail first, the audio's own failure must not surface as an unhandled rejection.
    audio.catch(() => undefined);
    const chunkFiles = await runPool(
      plan.chunks,
      concurrency,
      // renderChunk names the chunk and its frames in its error.
      (chunk) =>
        renderChunk(input, chunk, workDir, {
          threads,
          signal: opts.signal,
          onProgress: (f) => {
            done.set(chunk.index, f);
            report();
          },
        }),
      { retries: opts.retries ?? 1, signal: opts.signal },
    );
    const audioFile = await audio;
    await stitch(input, chunkFiles, audioFile, opts.output, workDir, { signal: opts.signal });
    const { spec } = input;
    const main: RenderedFile = {
      kind: 'video',
      path: opts.output,
      bytes: (await stat(opts.output)).size,
      durationSeconds: (total * spec.fps.den) / spec.fps.num,
      width: spec.width,
      height: spec.height,
    };
    const files = await finishOutput(input, main, dirname(opts.output), {
      signal: opts.signal,
      deferMediaConvert: opts.deferMediaConvert,
    });
    opts.onProgress?.(1);
    return { plan, files };
  } finally {
    if (!opts.keepWork) await rm(workDir, { recursive: true, force: true });
  }
}
