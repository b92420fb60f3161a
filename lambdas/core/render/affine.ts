import type { Clip } from '../edit/schema.js';
import type { Tweenable } from '../edit/tween.js';
import { filter, formatNumber as n, type FilterNode } from '../filtergraph/graph.js';
import { isTween, layoutScale, tweenExpr, tweenRange } from './keyframes.js';
import type { Rational } from './output-spec.js';
import { even, type Size } from './placement.js';

/**
 * Skew and tweened scale, as one affine map about the layer's centre drawn by ffmpeg's perspective filter
 * on a transparent canvas big enough for the largest state. Pure: returns the filters, the canvas size
 * and the visible width/height as expressions (for placement by the overlay).
 */

export interface AffinePhase {
  nodes: FilterNode[];
  canvas: Size;
  /** The layer's own (unsheared) size at time `tau` (an overlay expression), for placement. */
  visible: (tau: string) => { width: string; height: string };
  moving: boolean;
}

const maxAbs = (v: Tweenable | undefined) => {
  if (v === undefined) return 0;
  const r = tweenRange(v);
  return Math.max(Math.abs(r.min), Math.abs(r.max));
};

/** Undefined when the clip neither skews nor tweens its scale (the usual case: no extra filters). */
export function affinePhase(
  clip: Pick<Clip, 'scale' | 'transform'>,
  size: Size,
  clipStart: number,
  firstFrame: number,
  fps: Rational,
): AffinePhase | undefined {
  const skew = clip.transform?.skew;
  const scaled = isTween(clip.scale);
  if (!scaled && !maxAbs(skew?.x) && !maxAbs(skew?.y)) return undefined;
  // 2 px of transparent margin: perspective repeats edge pixels outward, and those must be clear.
  const canvas = {
    width: even(size.width + maxAbs(skew?.x) * size.height + 4),
    height: even(size.height + maxAbs(skew?.y) * size.width + 4),
  };
  const tau = `((in+${firstFrame})*${fps.den}/${fps.num})`;
  const expr = (v: Tweenable | undefined, fallback: number) =>
    v === undefined ? n(fallback) : tweenExpr(v, clipStart, tau);
  const ratioAt = (at: string) =>
    scaled ? `(${tweenExpr(clip.scale!, clipStart, at)}/${n(layoutScale(clip.scale)!)})` : '1';
  const ratio = ratioAt(tau);
  const kx = expr(skew?.x, 0);
  const ky = expr(skew?.y, 0);
  const cx = canvas.width / 2;
  const cy = canvas.height / 2;
  const corners: Record<string, string> = {};
  [
    [0, 0],
    [canvas.width, 0],
    [0, canvas.height],
    [canvas.width, canvas.height],
  ].forEach(([X, Y], i) => {
    const dx = n(X! - cx);
    const dy = n(Y! - cy);
    // Scale about the centre, then shear: x moves against y (top edge right for x > 0), y against x.
    corners[`x${i}`] = `${n(cx)}+${ratio}*(${dx}-(${kx})*(${dy}))`;
    corners[`y${i}`] = `${n(cy)}+${ratio}*(${dy}-(${ky})*(${dx}))`;
  });
  const moving = scaled || isTween(skew?.x) || isTween(skew?.y);
  return {
    nodes: [
      filter('format', { pix_fmts: 'yuva420p' }),
      filter('pad', {
        w: canvas.width,
        h: canvas.height,
        x: (canvas.width - size.width) / 2,
        y: (canvas.height - size.height) / 2,
        color: 'black@0',
      }),
      filter('perspective', { ...corners, sense: 'destination', eval: moving ? 'frame' : 'init' }),
    ],
    canvas,
    visible: (at) => ({
      width: `(${n(size.width)}*${ratioAt(at)})`,
      height: `(${n(size.height)}*${ratioAt(at)})`,
    }),
    moving,
  };
}
