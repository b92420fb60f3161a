import type { CompileInput } from '../render/compile.js';
import { defaultWindow } from '../render/compile.js';
import { fpsValue } from '../render/output-spec.js';
import type { FrameWindow } from '../render/window.js';
import { DEFAULT_TIMEOUT_POLICY, type TimeoutPolicy } from './timeouts.js';
import { audioSeconds, chunkScratchBytes, complexity, secondsPerFrame } from './cost.js';
import { frameSample } from '../render/audio.js';
import {
  audioPartCount,
  MIN_PART_SECONDS,
  partableFormat,
  planAudioParts,
  type AudioPart,
} from '../render/audio-parts.js';

export type Target = 'lambda' | 'fargate' | 'local';

/** Plan limits, a deployment setting (CUTLINE_PLAN_LIMITS), with the task time-limit policy. */
export interface PlanLimits extends TimeoutPolicy {
  /** No chunk shorter than this (process start and seek overhead dominate below it). */
  minChunkSeconds: number;
  maxChunks: number;
  /** Workers that run at once: local cores, or the Map state's MaxConcurrency. */
  maxConcurrency: number;
  /** Threads each worker's ffmpeg may use (1 stands in for one small function). */
  threadsPerWorker: number;
  /** A chunk goes to Lambda only if its estimate fits this share of Lambda's 15 minutes … */
  lambdaSeconds: number;
  /** … and its scratch files this share of Lambda's 10 GB of /tmp. */
  lambdaScratchBytes: number;
  /** No audio part shorter than this (a part's fixed cost is an invocation and an ffmpeg start). */
  minAudioPartSeconds: number;
  /**
   * This machine's render time per second of the cost model (COST, fit on one reference CPU): 1.5 where
   * everything takes 1.5× as long. Measured by `cutline calibrate` (local/cost-calibration.ts); in AWS a
   * deployment setting, from GET /v1/metrics's estimate error. Scales the render and audio estimates, and
   * so the task time limits written into the plan.
   */
  costScale: number;
}

export const DEFAULT_PLAN_LIMITS: Readonly<PlanLimits> = Object.freeze({
  minChunkSeconds: 4,
  maxChunks: 200,
  maxConcurrency: 2,
  threadsPerWorker: 1,
  lambdaSeconds: 900 * 0.5,
  lambdaScratchBytes: 10 * 1024 ** 3 * 0.5,
  minAudioPartSeconds: MIN_PART_SECONDS,
  costScale: 1,
  ...DEFAULT_TIMEOUT_POLICY,
});

export interface PlannedChunk {
  index: number;
  startFrame: number;
  endFrame: number;
  target: Target;
  estimatedSeconds: number;
  estimatedScratchBytes: number;
}

export interface RenderPlan {
  window: FrameWindow;
  /** False for outputs that cannot be cut and stitched by stream copy (GIF, stills, audio only). */
  chunked: boolean;
  chunks: PlannedChunk[];
  /**
   * The chunked render's audio: AAC parts (each mixing only the sources that cross it, joined by stream
   * copy at the stitch), or, with `parts` empty (Opus), one mix of the whole window. estimatedSeconds is
   * the longest part's.
   */
  audio: {
    startFrame: number;
    endFrame: number;
    totalSamples: number;
    parts: AudioPart[];
    estimatedSeconds: number;
  } | null;
  secondsPerFrame: number;
  /** Joining the chunks by stream copy (0 for a single pass). */
  stitchSeconds: number;
  /** Wall-clock estimate with `maxConcurrency` workers, stitch included. */
  estimatedSeconds: number;
}

/**
 * The stitch: in the pipeline a function reads the parts' headers and has S3 join them (a few seconds at
 * most, bench/hour-model.ts); on one machine the reference join copies local files (0.1 s for 4 parts of
 * 60 s of 1080p, 0.6 s for 200 parts).
 */
const STITCH_SECONDS = 1;
const LOCAL_STITCH_SECONDS = 0.2;

/**
 * Pure: splits a render into frame-exact chunks [startFrame, endFrame). With `chunks` omitted the count
 * is chosen so every worker is busy but no chunk is shorter than minChunkSeconds; each chunk goes to
 * Lambda when its estimate fits Lambda's time and scratch budgets with margin, else to Fargate.
 */
export function planRender(
  input: Pick<CompileInput, 'edit' | 'timeline' | 'spec'>,
  limits: Partial<PlanLimits> = {},
  requested?: { chunks?: number; window?: FrameWindow; local?: boolean },
): RenderPlan {
  const l = { ...DEFAULT_PLAN_LIMITS, ...limits };
  const { spec } = input;
  const window = requested?.window ?? defaultWindow(input);
  const frames = window.endFrame - window.startFrame;
  const c = complexity(input.edit, input.timeline);
  const scale = l.costScale > 0 && Number.isFinite(l.costScale) ? l.costScale : 1;
  const spf =
    (scale * secondsPerFrame(spec, c, input.edit.output.quality)) / Math.max(1, l.threadsPerWorker) ** 0.8;
  const chunkable = spec.hasVideo && !spec.still && spec.format !== 'gif';
  const minFrames = Math.max(1, Math.round(l.minChunkSeconds * fpsValue(spec.fps)));

  let count: number;
  if (!chunkable) count = 1;
  else if (requested?.chunks) count = requested.chunks;
  else count = Math.min(l.maxChunks, l.maxConcurrency, Math.floor(frames / minFrames));
  count = Math.max(1, Math.min(count, l.maxChunks, frames));

  const chunks: PlannedChunk[] = [];
  for (let i = 0; i < count; i++) {
    // Even split on whole frames: chunk sizes differ by at most one frame.
    const startFrame = window.startFrame + Math.floor((frames * i) / count);
    const endFrame = window.startFrame + Math.floor((frames * (i + 1)) / count);
    const estimatedSeconds = (endFrame - startFrame) * spf;
    const estimatedScratchBytes = chunkScratchBytes(spec, endFrame - startFrame);
    const fits = estimatedSeconds <= l.lambdaSeconds && estimatedScratchBytes <= l.lambdaScratchBytes;
    chunks.push({
      index: i,
      startFrame,
      endFrame,
      target: requested?.local ? 'local' : fits ? 'lambda' : 'fargate',
      estimatedSeconds,
      estimatedScratchBytes,
    });
  }
  const seconds = frames / fpsValue(spec.fps);
  const totalSamples = frameSample(window.endFrame, spec.fps) - frameSample(window.startFrame, spec.fps);
  const parts =
    chunkable && count > 1 && partableFormat(spec.format)
      ? planAudioParts(totalSamples, audioPartCount(totalSamples, count, l.minAudioPartSeconds, l.maxChunks))
      : [];
  // Sources a part opens: those playing in its share of the timeline, roughly.
  const share = parts.length ? 1 / parts.length : 1;
  const partSeconds = seconds * share;
  // The base silence, plus the sources crossing one part: its share of them and one straddling its start.
  const mixSeconds =
    scale * audioSeconds(partSeconds, 1 + Math.min(c.audioSources, Math.ceil(c.audioSources * share) + 1));
  const audio =
    chunkable && spec.hasAudio ? { ...window, totalSamples, parts, estimatedSeconds: mixSeconds } : null;
  const singleAudio = spec.hasAudio ? scale * audioSeconds(seconds, c.audioSources + 1) : 0;
  const longest = Math.max(...chunks.map((ch) => ch.estimatedSeconds));
  const waves = Math.ceil(count / Math.max(1, l.maxConcurrency));
  // Audio parts run beside the chunks: their own Map in the pipeline, one worker after another locally.
  const audioWall = !audio
    ? 0
    : requested?.local
      ? Math.max(1, parts.length) * mixSeconds
      : Math.ceil(Math.max(1, parts.length) / Math.max(1, l.maxConcurrency)) * mixSeconds;
  const stitchSeconds = requested?.local ? LOCAL_STITCH_SECONDS : STITCH_SECONDS;
  const estimatedSeconds =
    chunkable && count > 1
      ? Math.max(longest * waves, audioWall) + stitchSeconds
      : frames * spf + singleAudio;
  return {
    window,
    chunked: chunkable && count > 1,
    chunks,
    audio,
    secondsPerFrame: spf,
    stitchSeconds: chunkable && count > 1 ? stitchSeconds : 0,
    estimatedSeconds,
  };
}
