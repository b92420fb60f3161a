import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { scratchRoot } from '../config.js';
import { dirname, join } from 'node:path';
import { framesOf } from '../jobs/progress.js';
import { planRender, type PlanLimits, type RenderPlan } from '../plan/planner.js';
import type { CompileInput } from '../render/compile.js';
import { effectiveSignal } from '../media/task-signal.js';
import { renderAudioPart, renderChunk, stitch } from './chunks.js';
import { runPool } from './pool.js';
import type { RenderedFile } from '../packaging/types.js';
import { finishOutput, renderPrepared } from './render.js';

export interface MachineRenderOptions {
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
  /** Video frames written so far of the plan's window, and its total (throttle it yourself). */
  onFrames?: (done: number, total: number) => void;
  signal?: AbortSignal;
  planLimits?: Partial<PlanLimits>;
  /** Keep chunk files (for inspection); default: removed. */
  keepWork?: boolean;
  /** See PackageOptions: the pipeline packages MediaConvert HLS in its own state. */
  deferMediaConvert?: boolean;
}

/**
 * Renders an edit on this machine's cores, without the state machine: single pass, or planned chunks on
 * a worker pool, audio once, and a stream-copy stitch. The Fargate task and the CLI's `cutline render`
 * run it; Lambda runs the same chunk and stitch functions one per task instead.
 */
export async function renderOnThisMachine(
  input: CompileInput,
  opts: MachineRenderOptions,
): Promise<{ plan: RenderPlan; files: RenderedFile[] }> {
  const cores = availableParallelism();
  const concurrency = Math.max(1, opts.concurrency ?? cores);
  const threads = opts.threadsPerWorker ?? Math.max(1, Math.floor(cores / concurrency));
  const plan = planRender(
    input,
    { maxConcurrency: concurrency, threadsPerWorker: threads, ...opts.planLimits },
    { chunks: opts.chunks, local: true },
  );
  const total = plan.window.endFrame - plan.window.startFrame;
  const fps = input.spec.fps.num / input.spec.fps.den;
  if (!plan.chunked) {
    const { files } = await renderPrepared(input, {
      output: opts.output,
      window: plan.window,
      threads: opts.threadsPerWorker,
      onProgress: opts.onProgress,
      onStats: opts.onFrames && ((s) => opts.onFrames!(Math.min(total, framesOf(s, fps)), total)),
      signal: opts.signal,
      deferMediaConvert: opts.deferMediaConvert,
    });
    opts.onFrames?.(total, total);
    return { plan, files };
  }

  await mkdir(scratchRoot(), { recursive: true });
  const workDir = await mkdtemp(join(scratchRoot(), 'chunks-'));
  try {
    // Frames written per chunk (a retried chunk starts again from 0, so its best count is kept).
    const done = new Map<number, number>();
    let audioDone = 0;
    const report = () => {
      let frames = 0;
      for (const n of done.values()) frames += n;
      opts.onFrames?.(frames, total);
      // Chunks are ~95% of the work, audio and stitch the rest.
      opts.onProgress?.(Math.min(0.99, (0.95 * frames) / total + 0.04 * audioDone));
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
          onStats: (s) => {
            const n = Math.min(chunk.endFrame - chunk.startFrame, framesOf(s, fps));
            if (n > (done.get(chunk.index) ?? 0)) done.set(chunk.index, n);
            report();
          },
        }),
      // The task's signal too: a stopped job's killed chunks are not retried.
      { retries: opts.retries ?? 1, signal: effectiveSignal(opts.signal) },
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
