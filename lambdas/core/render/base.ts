import type { Clip } from '../edit/schema.js';
import type { ProbeResult } from '../media/probe.js';
import { isTween } from './keyframes.js';
import type { FrameWindow } from './window.js';

/**
 * The bottom of the picture without a black frame under it: when the bottom track's clips are opaque and
 * fill the frame, the base is their pieces joined in time (concat), and only the frames where two of them
 * overlap (a crossfade) are blended. Pure planning here; visual.ts turns the plan into filters.
 */

/** A bottom-track clip in overlay order (later clips are drawn over earlier ones), frames within the window. */
export interface BaseClip {
  startFrame: number;
  endFrame: number;
  /** Frames [startFrame, fadeEndFrame) fade in (a crossfade); from fadeEndFrame on the clip is opaque. */
  fadeEndFrame: number;
}

/** One span of the base: what is at the bottom (a clip's index, or the background) and what fades in over it. */
export interface BasePiece {
  startFrame: number;
  endFrame: number;
  bottom: number | null;
  fading: number[];
}

/**
 * Pure: the spans in which the visible stack does not change. In each span the bottom is the topmost clip
 * that is opaque there (everything under it is hidden), or the background when none is; the clips above it
 * that are still fading in are blended over it. Neighbouring spans with the same bottom and nothing fading
 * are one piece.
 */
export function planBase(clips: readonly BaseClip[], window: FrameWindow): BasePiece[] {
  const cuts = new Set([window.startFrame, window.endFrame]);
  for (const c of clips)
    for (const f of [c.startFrame, c.endFrame, c.fadeEndFrame])
      if (f > window.startFrame && f < window.endFrame) cuts.add(f);
  const sorted = [...cuts].sort((a, b) => a - b);
  const pieces: BasePiece[] = [];
  for (let k = 0; k + 1 < sorted.length; k++) {
    const [a, b] = [sorted[k]!, sorted[k + 1]!];
    const present = clips.flatMap((c, i) => (c.startFrame <= a && a < c.endFrame ? [i] : []));
    const opaque = present.filter((i) => a >= clips[i]!.fadeEndFrame);
    const bottom = opaque.length ? opaque[opaque.length - 1]! : null;
    const fading = present.filter((i) => (bottom === null || i > bottom) && a < clips[i]!.fadeEndFrame);
    const last = pieces[pieces.length - 1];
    if (last && last.bottom === bottom && !last.fading.length && !fading.length) last.endFrame = b;
    else pieces.push({ startFrame: a, endFrame: b, bottom, fading });
  }
  return pieces;
}

/** Pixel formats without an alpha channel (8–16 bit YUV, grey, packed and planar RGB). */
const OPAQUE_PIXELS = /^(yuvj?\d|nv\d|p0\d\d|gray\d*(le|be)?$|rgb24$|bgr24$|rgb48|bgr48|gbrp\d*(le|be)?$)/;

export const isOpaquePixelFormat = (f: string | undefined): boolean => !!f && OPAQUE_PIXELS.test(f);

/** Clip and asset properties that leave an opaque full-frame layer opaque and full-frame. */
const CLIP_KEYS = new Set([
  'asset',
  'start',
  'length',
  'fit',
  'scale',
  'position',
  'offset',
  'effect',
  'filter',
  'transform',
  'transition',
  'opacity',
  'width',
  'height',
]);
const ASSET_KEYS = new Set(['type', 'src', 'trim', 'volume', 'volumeEffect', 'crop', 'focus']);

/**
 * Pure: whether a bottom-track clip can be a piece of the base: a video or image with no alpha, drawn at
 * the frame's size at (0, 0), with nothing that makes it transparent (opacity, rotation, keying, its own
 * transitions; a crossfade into it is the plan's fading), and a video long enough for every frame it is
 * on screen. Anything this does not know about (a property added later) keeps the layered path, and so
 * does anything that moves over time (a tweened scale, offset, opacity or rotation; a skew) or a clip that
 * a luma matte on its track masks (`masked`).
 */
export function isOpaqueFullFrame(
  clip: Clip,
  probe: Pick<ProbeResult, 'pixelFormat' | 'durationSeconds' | 'hasVideo'>,
  layer: { width: number; height: number; x: number; y: number },
  viewport: { width: number; height: number },
  length: number,
  masked = false,
): boolean {
  if (masked) return false;
  const asset = clip.asset as Record<string, unknown> & { type: string };
  if (asset.type !== 'video' && asset.type !== 'image') return false;
  if (Object.keys(clip).some((k) => !CLIP_KEYS.has(k))) return false;
  if (Object.keys(asset).some((k) => !ASSET_KEYS.has(k))) return false;
  if (clip.transition?.in || clip.transition?.out) return false;
  if (clip.opacity !== undefined && clip.opacity !== 1) return false;
  // Tweens: the layout was measured at one state; a moving scale or offset leaves the frame on others.
  if (isTween(clip.scale) || isTween(clip.offset?.x) || isTween(clip.offset?.y)) return false;
  if (clip.transform && Object.keys(clip.transform).some((k) => k !== 'flip')) return false;
  if (!probe.hasVideo || !isOpaquePixelFormat(probe.pixelFormat)) return false;
  if (layer.x !== 0 || layer.y !== 0) return false;
  if (layer.width !== viewport.width || layer.height !== viewport.height) return false;
  if (asset.type === 'video') {
    const trim = typeof asset.trim === 'number' ? asset.trim : 0;
    if (probe.durationSeconds === null || probe.durationSeconds + 1e-6 < trim + length) return false;
  }
  return true;
}
