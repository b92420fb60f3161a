import type { Edit } from '../edit/schema.js';
import type { VideoIndex } from '../media/video-index.js';
import type { ProbeResult } from '../media/probe.js';
import type { OutputSpec } from './output-spec.js';
import type { ResolvedTimeline, TimedClip } from './timeline.js';
import type { FrameWindow } from './window.js';
import { frameAt } from './window.js';

/**
 * Smart rendering, pure planning: the output frames that are nothing but one source's frames as they are
 * (one video clip alone on screen, full frame, untouched, from a source coded as the output would be) are
 * copied packet for packet between the source's clean cut points; everything else, the heads and tails
 * between a span's edge and its keyframes included, is encoded as usual. engine/smart-render.ts runs it.
 *
 * How strict: the source's first video stream must be H.264, yuv420p, progressive, square pixels (or no
 * aspect stated), unrotated, exactly the output's size, at exactly the output's frame rate with every
 * frame on that grid (constant rate), and the clip must start and trim on whole frames. The clip may say
 * nothing but asset/start/length/fit/position/offset 0/scale 1/opacity 1 and asset src/trim/volume: any
 * effect, filter, transform, crop, speed, chroma key, transition or property this does not know about
 * keeps the clip encoded. The copied frames keep the source's quality (its bitrate and settings), not the
 * output's `quality`: that is the point, and why it can be turned off (CUTLINE_SMART_RENDER=off).
 */

export type SmartSegment =
  | { kind: 'encode'; startFrame: number; endFrame: number }
  | {
      kind: 'copy';
      startFrame: number;
      endFrame: number;
      src: string;
      /** First source frame copied (display order), a clean cut point. */
      sourceFrame: number;
    };

const CLIP_KEYS = new Set(['asset', 'start', 'length', 'fit', 'position', 'offset', 'scale', 'opacity']);
const ASSET_KEYS = new Set(['type', 'src', 'trim', 'volume', 'volumeEffect']);

/** Output formats whose video is H.264 in an MP4/MOV container (the copied packets' codec). */
const COPY_FORMATS = new Set(['mp4', 'mov']);

/** Pure: whether the output itself can take copied H.264 frames at all. */
export function outputAcceptsCopies(spec: OutputSpec): boolean {
  return spec.hasVideo && !spec.still && !spec.scaled && COPY_FORMATS.has(spec.format);
}

/** Pure: whether a clip, by what it says, shows its source's frames unchanged (given a matching source). */
export function clipIsUntouched(timed: TimedClip): boolean {
  const clip = timed.clip;
  const asset = clip.asset as Record<string, unknown> & { type: string };
  if (asset.type !== 'video') return false;
  if (Object.keys(clip).some((k) => !CLIP_KEYS.has(k))) return false;
  if (Object.keys(asset).some((k) => !ASSET_KEYS.has(k))) return false;
  if (clip.scale !== undefined && clip.scale !== 1) return false;
  if (clip.opacity !== undefined && clip.opacity !== 1) return false;
  const off = clip.offset as { x?: unknown; y?: unknown } | undefined;
  if (off && ((off.x !== undefined && off.x !== 0) || (off.y !== undefined && off.y !== 0))) return false;
  return true;
}

/** Pure: why a source cannot be copied into this output, or null when its frames can be. */
export function sourceMismatch(
  index: VideoIndex,
  probe: Pick<ProbeResult, 'rotation'>,
  spec: OutputSpec,
): string | null {
  if (index.codec !== 'h264') return `codec ${index.codec}, not h264`;
  if (index.pixelFormat !== 'yuv420p') return `pixel format ${index.pixelFormat ?? 'unknown'}, not yuv420p`;
  if (index.width !== spec.width || index.height !== spec.height)
    return `size ${index.width}×${index.height}, not ${spec.width}×${spec.height}`;
  if (index.sar && index.sar !== '1:1' && index.sar !== '0:1') return `sample aspect ${index.sar}`;
  if (index.fieldOrder && index.fieldOrder !== 'progressive' && index.fieldOrder !== 'unknown')
    return `interlaced (${index.fieldOrder})`;
  if (probe.rotation) return `rotated ${probe.rotation}°`;
  const f = index.fps;
  if (!f || f.num * spec.fps.den !== spec.fps.num * f.den) return 'a different frame rate';
  if (!index.constantRate) return 'not a constant frame rate';
  if (Math.abs(index.leadSeconds) > 1e-6) return 'its video starts after the file does';
  return null;
}

/** A whole number of frames at `fps`, or null when `seconds` is not on the frame grid. */
function wholeFrames(seconds: number, spec: OutputSpec): number | null {
  const x = (seconds * spec.fps.num) / spec.fps.den;
  return Math.abs(x - Math.round(x)) < 1e-6 ? Math.round(x) : null;
}

/** A span of output frames that only one clip covers. */
interface Sole {
  timed: TimedClip;
  startFrame: number;
  endFrame: number;
}

/** Pure: the spans of the window in which exactly one clip (of any track and kind) is on screen. */
export function soleSpans(timeline: ResolvedTimeline, spec: OutputSpec, window: FrameWindow): Sole[] {
  const clips = timeline.tracks
    .flat()
    .filter((c) => c.clip.asset.type !== 'audio')
    .map((timed) => ({
      timed,
      a: Math.max(frameAt(timed.start, spec.fps), window.startFrame),
      b: Math.min(frameAt(timed.end, spec.fps), window.endFrame),
    }))
    .filter((c) => c.b > c.a);
  const cuts = [...new Set([window.startFrame, window.endFrame, ...clips.flatMap((c) => [c.a, c.b])])]
    .filter((f) => f >= window.startFrame && f <= window.endFrame)
    .sort((x, y) => x - y);
  const out: Sole[] = [];
  for (let k = 0; k + 1 < cuts.length; k++) {
    const [a, b] = [cuts[k]!, cuts[k + 1]!];
    const on = clips.filter((c) => c.a <= a && a < c.b);
    if (on.length !== 1) continue;
    const last = out[out.length - 1];
    if (last && last.timed === on[0]!.timed && last.endFrame === a) last.endFrame = b;
    else out.push({ timed: on[0]!.timed, startFrame: a, endFrame: b });
  }
  return out;
}

export interface SmartInput {
  edit: Pick<Edit, 'output'>;
  timeline: ResolvedTimeline;
  spec: OutputSpec;
  window: FrameWindow;
}

/** Pure: the sources worth indexing: those of untouched video clips that are alone on screen somewhere. */
export function copyCandidates(input: SmartInput): string[] {
  if (!outputAcceptsCopies(input.spec)) return [];
  const srcs = soleSpans(input.timeline, input.spec, input.window)
    .filter((s) => clipIsUntouched(s.timed))
    .map((s) => (s.timed.clip.asset as { src: string }).src);
  return [...new Set(srcs)];
}

export interface SmartOptions {
  /** Copies shorter than this many frames are encoded instead (each piece costs a process and a seam). */
  minCopyFrames: number;
}

/**
 * Pure: the window as encode and copy segments in order, covering it exactly. `sources` has the index and
 * probe of each candidate source; a source without one (or one that does not match) is encoded. Returns
 * only encode segments when nothing can be copied.
 */
export function planSmart(
  input: SmartInput,
  sources: ReadonlyMap<string, { index: VideoIndex; probe: Pick<ProbeResult, 'rotation'> }>,
  opts: SmartOptions,
): SmartSegment[] {
  const { spec, window } = input;
  const copies: Array<Extract<SmartSegment, { kind: 'copy' }>> = [];
  if (outputAcceptsCopies(spec)) {
    for (const sole of soleSpans(input.timeline, spec, window)) {
      if (!clipIsUntouched(sole.timed)) continue;
      const asset = sole.timed.clip.asset as { src: string; trim?: number };
      const source = sources.get(asset.src);
      if (!source || sourceMismatch(source.index, source.probe, spec) !== null) continue;
      const startF = wholeFrames(sole.timed.start, spec);
      const trimF = wholeFrames(asset.trim ?? 0, spec);
      if (startF === null || trimF === null) continue;
      // Output frame f shows source frame trimF + (f - startF).
      const shift = trimF - startF;
      const from = sole.startFrame + shift;
      const to = Math.min(sole.endFrame + shift, source.index.frames);
      const cuts = source.index.cutFrames;
      const a = cuts.find((c) => c >= from);
      const b = [...cuts].reverse().find((c) => c <= to);
      if (a === undefined || b === undefined || b - a < opts.minCopyFrames) continue;
      copies.push({
        kind: 'copy',
        startFrame: a - shift,
        endFrame: b - shift,
        src: asset.src,
        sourceFrame: a,
      });
    }
  }
  const segments: SmartSegment[] = [];
  let at = window.startFrame;
  for (const c of copies) {
    if (c.startFrame > at) segments.push({ kind: 'encode', startFrame: at, endFrame: c.startFrame });
    segments.push(c);
    at = c.endFrame;
  }
  if (at < window.endFrame) segments.push({ kind: 'encode', startFrame: at, endFrame: window.endFrame });
  return segments;
}
