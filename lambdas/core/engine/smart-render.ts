import { join } from 'node:path';
import { CutlineError } from '../errors.js';
import { runFfmpeg, type RunOptions } from '../media/ffmpeg.js';
import { sourceInputOptions } from '../media/source-input.js';
import { countVideoPackets, videoIndex, type VideoIndex } from '../media/video-index.js';
import type { ProbeResult } from '../media/probe.js';
import { compileRender, type CompileInput } from '../render/compile.js';
import { copyCandidates, planSmart, type SmartSegment } from '../render/smart.js';
import { frameSeconds, type FrameWindow } from '../render/window.js';
import { runPool } from './pool.js';
import { stitch } from './chunks.js';

/**
 * Smart rendering on this machine: the planner's copy segments are the source's packets copied as they
 * are, its encode segments rendered like chunks (each opens on an IDR frame), every piece an MPEG-TS file
 * with its H.264 parameter sets in the stream (copied pieces keep the source's SPS/PPS, encoded ones carry
 * x264's before every IDR), joined by the stitch's stream copy at exact durations with the audio mixed once.
 */

/** Copies of at least a second: a shorter one saves less than its process and seam cost. */
export const MIN_COPY_SECONDS = 1;

/** Reads the candidate sources' indexes (cached per file) and plans the window's segments. */
export async function smartPlan(input: CompileInput, window: FrameWindow): Promise<SmartSegment[]> {
  const smartInput = { edit: input.edit, timeline: input.timeline, spec: input.spec, window };
  const sources = new Map<string, { index: VideoIndex; probe: Pick<ProbeResult, 'rotation'> }>();
  for (const src of copyCandidates(smartInput)) {
    const media = input.media.get(src);
    if (!media || !media.probe.hasVideo || media.probe.isImage) continue;
    sources.set(src, { index: await videoIndex(media.path, media.probe.format), probe: media.probe });
  }
  const fps = input.spec.fps;
  return planSmart(smartInput, sources, {
    minCopyFrames: Math.ceil((MIN_COPY_SECONDS * fps.num) / fps.den),
  });
}

/** Whether a plan copies anything (otherwise the usual single pass or chunks are the better path). */
export const copiesAny = (segments: readonly SmartSegment[]): boolean =>
  segments.some((s) => s.kind === 'copy');

/**
 * Pure: ffmpeg's arguments for a copy piece. The demuxer seeks to the last keyframe at or before `-ss`,
 * so the seek is the cut point's own time rounded up to the microsecond (`-ss` resolution; rounding down
 * would land on the keyframe before, and a stream copy keeps what it lands on). `-frames:v` counts
 * packets in decode order, and a clean cut point has exactly the span's frames before the next one.
 */
export function copyPieceArgs(
  media: { path: string; probe: Pick<ProbeResult, 'format'> },
  seg: Extract<SmartSegment, { kind: 'copy' }>,
  fps: { num: number; den: number },
  output: string,
): string[] {
  const seek = Math.ceil(frameSeconds(seg.sourceFrame, fps) * 1e6 - 1e-6) / 1e6;
  return [
    '-hide_banner',
    '-nostdin',
    '-y',
    ...(seek > 0 ? ['-ss', seek.toFixed(6)] : []),
    ...sourceInputOptions(media.path, media.probe.format),
    '-i',
    media.path,
    '-map',
    '0:v:0',
    '-frames:v',
    String(seg.endFrame - seg.startFrame),
    '-c:v',
    'copy',
    // Parameter sets in-band before every IDR, as the encoded pieces have theirs.
    '-bsf:v',
    'h264_mp4toannexb',
    '-f',
    'mpegts',
    output,
  ];
}

export interface SmartRenderOptions extends RunOptions {
  concurrency: number;
  threads: number;
  retries?: number;
  /** Frames written per segment (index into the plan) as ffmpeg reports them. */
  onSegmentFrames?: (index: number, frames: number) => void;
}

/** Renders a smart plan's pieces on a pool, mixes the audio once beside them, and joins them into `output`. */
export async function renderSmart(
  input: CompileInput,
  window: FrameWindow,
  segments: readonly SmartSegment[],
  output: string,
  workDir: string,
  opts: SmartRenderOptions,
): Promise<void> {
  const { spec } = input;
  const fps = spec.fps;
  const pieces = segments.map((s, i) => ({
    seg: s,
    index: i,
    path: join(workDir, `piece-${String(i).padStart(4, '0')}.ts`),
  }));
  const audioPath = join(workDir, 'audio.m4a');
  const audio = spec.hasAudio
    ? runFfmpeg(
        compileRender(input, { output: audioPath, window, streams: 'audio', threads: 1, part: true }).args,
        { signal: opts.signal },
      )
    : Promise.resolve();
  audio.catch(() => undefined);
  await runPool(
    pieces,
    opts.concurrency,
    async ({ seg, index, path }) => {
      const frames = seg.endFrame - seg.startFrame;
      try {
        if (seg.kind === 'copy') {
          const media = input.media.get(seg.src);
          if (!media) throw new CutlineError('SOURCE_NOT_FOUND', `smart render: ${seg.src} was not resolved`);
          await runFfmpeg(copyPieceArgs(media, seg, fps, path), { signal: opts.signal });
          // A short copy (a source cut off since it was indexed) would shift every later piece: refused.
          const copied = await countVideoPackets(path);
          if (copied !== frames)
            throw new CutlineError(
              'RENDER_FAILED',
              `copied ${copied} frames of ${seg.src}, expected ${frames}`,
            );
        } else {
          const compiled = compileRender(input, {
            output: path,
            window: { startFrame: seg.startFrame, endFrame: seg.endFrame },
            streams: 'video',
            threads: opts.threads,
            part: true,
            inBandHeaders: true,
          });
          await runFfmpeg(compiled.args, {
            signal: opts.signal,
            durationSeconds: compiled.durationSeconds,
            onStats: (s) => opts.onSegmentFrames?.(index, Math.min(frames, s.frame)),
          });
        }
      } catch (err) {
        const reason = err instanceof Error ? err.message : String(err);
        throw new CutlineError(
          err instanceof CutlineError && (err.code === 'FFMPEG_UNAVAILABLE' || err.code === 'STORAGE_FULL')
            ? err.code
            : 'RENDER_FAILED',
          `smart render: ${seg.kind} piece ${index} (frames ${seg.startFrame}–${seg.endFrame}) failed: ${reason}`,
          [],
          err instanceof CutlineError ? err.retryable : false,
        );
      }
      opts.onSegmentFrames?.(index, frames);
      return path;
    },
    { retries: opts.retries ?? 1, signal: opts.signal },
  );
  await audio;
  await stitch(
    input,
    pieces.map((p) => p.path),
    spec.hasAudio ? { file: audioPath } : null,
    output,
    workDir,
    {
      signal: opts.signal,
      durations: segments.map((s) => frameSeconds(s.endFrame - s.startFrame, fps)),
    },
  );
}
