import { deliveredSize } from '../render/output-spec.js';
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { scratchRoot, smartRenderEnabled } from '../config.js';
import { dirname, join } from 'node:path';
import { framesOf } from '../jobs/progress.js';
import { planRender, type PlanLimits, type RenderPlan } from '../plan/planner.js';
import type { CompileInput } from '../render/compile.js';
import { effectiveSignal } from '../media/task-signal.js';
import { renderAacPart, renderAudioPart, renderChunk, stitch, type StitchAudio } from './chunks.js';
import { runPool } from './pool.js';
import { chooseJoin, joinLocalParts } from './reference-join.js';
import type { RenderedFile } from '../packaging/types.js';
import { finishOutput, renderPrepared } from './render.js';
import { copiesAny, renderSmart, smartPlan } from './smart-render.js';
import type { SmartSegment } from '../render/smart.js';

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
  /**
   * Smart rendering (render/smart.ts): copy untouched spans from their sources. Default: on
   * (CUTLINE_SMART_RENDER), unless `chunks` is given (an explicit chunk plan is rendered as asked).
   */
  smart?: boolean;
}

/**
 * Pure but for the core count: the plan renderOnThisMachine renders. Chunks get cores ÷ workers threads
 * each; a single pass is one ffmpeg on every core (no -threads), so it is estimated with all of them.
 */
export function machinePlan(
  input: Pick<CompileInput, 'edit' | 'timeline' | 'spec'>,
  opts: Pick<MachineRenderOptions, 'chunks' | 'concurrency' | 'threadsPerWorker' | 'planLimits'>,
  cores = availableParallelism(),
): RenderPlan {
  const concurrency = Math.max(1, opts.concurrency ?? cores);
  const threads = opts.threadsPerWorker ?? Math.max(1, Math.floor(cores / concurrency));
  const plan = planRender(
    input,
    { maxConcurrency: concurrency, threadsPerWorker: threads, ...opts.planLimits },
    { chunks: opts.chunks, local: true },
  );
  if (plan.chunked || opts.threadsPerWorker !== undefined || threads >= cores) return plan;
  return planRender(
    input,
    { maxConcurrency: 1, threadsPerWorker: cores, ...opts.planLimits },
    { chunks: 1, local: true },
  );
}

/**
 * Renders an edit on this machine's cores, without the state machine: single pass, or planned chunks on
 * a worker pool with the audio in AAC parts beside them (one worker), and a stream-copy stitch. The
 * Fargate task and the CLI's `cutline render` run it; Lambda runs the same chunk, audio-part and stitch
 * functions one per task instead.
 */
export async function renderOnThisMachine(
  input: CompileInput,
  opts: MachineRenderOptions,
): Promise<{ plan: RenderPlan; files: RenderedFile[]; smart?: SmartSegment[] }> {
  const cores = availableParallelism();
  const concurrency = Math.max(1, opts.concurrency ?? cores);
  const threads = opts.threadsPerWorker ?? Math.max(1, Math.floor(cores / concurrency));
  const plan = machinePlan(input, opts);
  const total = plan.window.endFrame - plan.window.startFrame;
  const fps = input.spec.fps.num / input.spec.fps.den;
  const smart =
    (opts.smart ?? (opts.chunks === undefined && smartRenderEnabled()))
      ? await smartPlan(input, plan.window)
      : [];
  if (copiesAny(smart)) return { plan, smart, files: await renderSmartHere(input, smart, plan, opts) };
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
    // AAC parts run in the pool beside the chunks; an Opus mix (no parts) runs once, next to them.
    const parts = plan.audio?.parts ?? [];
    const partsDone = new Map<number, number>();
    const audioProgress = (index: number, f: number) => {
      partsDone.set(index, f);
      let sum = 0;
      for (const v of partsDone.values()) sum += v;
      audioDone = sum / Math.max(1, parts.length);
      report();
    };
    const whole =
      plan.audio && !parts.length
        ? renderAudioPart(input, plan, workDir, {
            threads: 1,
            signal: opts.signal,
            onProgress: (f) => audioProgress(0, f),
          })
        : Promise.resolve(null);
    // If the chunks fail first, the audio's own failure must not surface as an unhandled rejection.
    whole.catch(() => undefined);
    const partFiles = parts.length
      ? runPool(
          parts,
          1,
          (part) =>
            renderAacPart(input, plan, part, workDir, {
              threads: 1,
              signal: opts.signal,
              onProgress: (f) => audioProgress(part.index, f),
            }),
          { retries: opts.retries ?? 1, signal: effectiveSignal(opts.signal) },
        )
      : Promise.resolve([]);
    partFiles.catch(() => undefined);
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
    const wholeFile = await whole;
    const partPaths = await partFiles;
    const audio: StitchAudio | null = wholeFile
      ? { file: wholeFile }
      : partPaths.length
        ? { parts: partPaths, totalSamples: plan.audio!.totalSamples }
        : null;
    // MP4 parts are joined by reference (header rebuilt, video bytes copied); the rest by ffmpeg.
    const join = chooseJoin({
      format: input.spec.format,
      audio: !audio ? null : 'file' in audio ? 'file' : 'parts',
    });
    if (join.method === 'reference') {
      opts.signal?.throwIfAborted();
      await joinLocalParts(
        chunkFiles,
        audio && 'parts' in audio ? audio : null,
        opts.output,
        input.edit.output.metadata,
      );
    } else await stitch(input, chunkFiles, audio, opts.output, workDir, { signal: opts.signal });
    const files = await finishHere(input, total, opts);
    return { plan, files };
  } finally {
    if (!opts.keepWork) await rm(workDir, { recursive: true, force: true });
  }
}

/** The joined file of `total` frames at opts.output, packaged like a single pass (posters, presets). */
async function finishHere(
  input: CompileInput,
  total: number,
  opts: MachineRenderOptions,
): Promise<RenderedFile[]> {
  const { spec } = input;
  const main: RenderedFile = {
    kind: 'video',
    path: opts.output,
    bytes: (await stat(opts.output)).size,
    durationSeconds: (total * spec.fps.den) / spec.fps.num,
    ...deliveredSize(spec),
  };
  const files = await finishOutput(input, main, dirname(opts.output), {
    signal: opts.signal,
    deferMediaConvert: opts.deferMediaConvert,
  });
  opts.onProgress?.(1);
  return files;
}

/** The smart path of renderOnThisMachine: pieces on the pool (encode pieces share the cores), then finishOutput. */
async function renderSmartHere(
  input: CompileInput,
  segments: SmartSegment[],
  plan: RenderPlan,
  opts: MachineRenderOptions,
): Promise<RenderedFile[]> {
  const cores = availableParallelism();
  const concurrency = Math.max(1, opts.concurrency ?? cores);
  const threads = opts.threadsPerWorker ?? Math.max(1, Math.floor(cores / concurrency));
  const total = plan.window.endFrame - plan.window.startFrame;
  await mkdir(scratchRoot(), { recursive: true });
  const workDir = await mkdtemp(join(scratchRoot(), 'smart-'));
  try {
    const done = new Map<number, number>();
    await renderSmart(input, plan.window, segments, opts.output, workDir, {
      concurrency,
      threads,
      retries: opts.retries,
      signal: opts.signal,
      onSegmentFrames: (index, frames) => {
        done.set(index, Math.max(frames, done.get(index) ?? 0));
        let sum = 0;
        for (const n of done.values()) sum += n;
        opts.onFrames?.(sum, total);
        opts.onProgress?.(Math.min(0.99, sum / total));
      },
    });
    return await finishHere(input, total, opts);
  } finally {
    if (!opts.keepWork) await rm(workDir, { recursive: true, force: true });
  }
}
