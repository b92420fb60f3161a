import { EASINGS, type Easing, type Tween, type Tweenable } from '../edit/tween.js';
import { formatNumber as n } from '../filtergraph/graph.js';

/**
 * Pure: tweens → ffmpeg expressions of the absolute timeline time (frames are stamped with their timeline
 * frame number, so `t` is exact and every render window draws the same value for the same frame), and
 * the same value computed in JS for geometry and tests. Semantics as edit/tween.ts describes them.
 */

export const isTween = (v: Tweenable | undefined): v is Tween[] => Array.isArray(v);

const sorted = (tweens: readonly Tween[]): Tween[] => [...tweens].sort((a, b) => a.start - b.start);

/** One axis of a cubic bezier with end points 0 and 1. */
const bezierAxis = (t: number, a: number, b: number): number =>
  3 * (1 - t) * (1 - t) * t * a + 3 * (1 - t) * t * t * b + t * t * t;

/** Bisection steps solving x(t) = p; 2⁻¹⁸ is far below one frame of any motion. */
const BISECTION_STEPS = 18;

/** CSS cubic-bezier timing: y at the parameter where x = p (x1, x2 in [0, 1] keep x monotonic). */
export function easeValue(p: number, easing: Easing = 'ease'): number {
  if (p <= 0) return 0;
  if (p >= 1) return 1;
  const [x1, y1, x2, y2] = EASINGS[easing];
  let lo = 0;
  let hi = 1;
  for (let i = 0; i < BISECTION_STEPS; i++) {
    const mid = (lo + hi) / 2;
    if (bezierAxis(mid, x1, x2) < p) lo = mid;
    else hi = mid;
  }
  return bezierAxis((lo + hi) / 2, y1, y2);
}

function segmentValue(k: Tween, clipTime: number): number {
  const p = Math.min(1, Math.max(0, (clipTime - k.start) / k.length));
  switch (k.interpolation ?? 'linear') {
    case 'constant':
      return k.from;
    case 'bezier':
      return k.from + (k.to - k.from) * easeValue(p, k.easing);
    default:
      return k.from + (k.to - k.from) * p;
  }
}

/** The value at `clipTime` seconds from the clip's start. */
export function tweenValueAt(value: Tweenable, clipTime: number): number {
  if (!isTween(value)) return value;
  const ks = sorted(value);
  if (clipTime < ks[0]!.start) return ks[0]!.from;
  let held = ks[0]!.from;
  for (const k of ks) {
    if (clipTime < k.start) return held;
    if (clipTime < k.start + k.length) return segmentValue(k, clipTime);
    held = k.to;
  }
  return held;
}

/**
 * Every value the property takes (a bezier with overshoot, such as easeInOutBack, leaves [from, to]:
 * its extremes are sampled), for sizing canvases that must hold the largest state.
 */
export function tweenRange(value: Tweenable): { min: number; max: number } {
  if (!isTween(value)) return { min: value, max: value };
  const samples: number[] = [];
  for (const k of value) {
    samples.push(k.from, k.to);
    if ((k.interpolation ?? 'linear') === 'bezier')
      for (let i = 1; i < 64; i++) samples.push(segmentValue(k, k.start + (k.length * i) / 64));
  }
  return { min: Math.min(...samples), max: Math.max(...samples) };
}

/** The eased fraction for progress `p` (an expression in [0, 1]) by bisection in ffmpeg's own expression language. */
function easeExpr(p: string, easing: Easing = 'ease'): string {
  const [x1, y1, x2, y2] = EASINGS[easing].map(n) as [string, string, string, string];
  const axis = (t: string, a: string, b: string) =>
    `(3*(1-${t})*(1-${t})*${t}*${a}+3*(1-${t})*${t}*${t}*${b}+${t}*${t}*${t})`;
  // Registers: 0 target x, 1 low, 2 high, 3 mid, 4 step counter.
  const mid = 'ld(3)';
  return (
    `(st(0,${p});st(1,0);st(2,1);st(4,0);` +
    `while(lt(ld(4),${BISECTION_STEPS}),st(3,(ld(1)+ld(2))/2);` +
    `if(lt(${axis(mid, x1, x2)},ld(0)),st(1,${mid}),st(2,${mid}));st(4,ld(4)+1));` +
    `st(3,(ld(1)+ld(2))/2);${axis(mid, y1, y2)})`
  );
}

function segmentExpr(k: Tween, c: string): string {
  const from = n(k.from);
  const delta = n(k.to - k.from);
  const p = `clip((${c}-${n(k.start)})/${n(k.length)},0,1)`;
  switch (k.interpolation ?? 'linear') {
    case 'constant':
      return from;
    case 'bezier':
      return `(${from}+${delta}*${easeExpr(p, k.easing)})`;
    default:
      return `(${from}+${delta}*${p})`;
  }
}

/**
 * An ffmpeg expression for the property at absolute timeline time `tau` (an expression such as `t` or
 * `(t+2.4)`), for a clip that starts at `clipStart` seconds. A plain number prints as itself.
 */
export function tweenExpr(value: Tweenable, clipStart: number, tau = 't'): string {
  if (!isTween(value)) return n(value);
  const ks = sorted(value);
  const c = `(${tau}-${n(clipStart)})`;
  let expr = n(ks[ks.length - 1]!.to);
  for (let i = ks.length - 1; i >= 0; i--) {
    const k = ks[i]!;
    expr = `if(lt(${c},${n(k.start + k.length)}),${segmentExpr(k, c)},${expr})`;
    const before = i === 0 ? k.from : ks[i - 1]!.to;
    if (i === 0 || ks[i - 1]!.start + ks[i - 1]!.length < k.start)
      expr = `if(lt(${c},${n(k.start)}),${n(before)},${expr})`;
  }
  return expr;
}

/** The value when it does not move (a number), else undefined. */
export const staticValue = (value: Tweenable | undefined): number | undefined =>
  value === undefined || isTween(value) ? undefined : value;

/** The scale a layer is laid out at: a tweened scale is drawn at its largest and shrunk per frame, so it stays sharp. */
export const layoutScale = (scale: Tweenable | undefined): number | undefined =>
  isTween(scale) ? Math.max(0.001, tweenRange(scale).max) : scale;

type Offsets = { x?: Tweenable; y?: Tweenable };
const shift = (v: Tweenable | undefined, by = 0): Tweenable | undefined =>
  v === undefined
    ? by || undefined
    : isTween(v)
      ? v.map((k) => ({ ...k, from: k.from + by, to: k.to + by }))
      : v + by;

/** A fixed offset (a title's own) added to a clip's offset, which may be tweened. */
export function addOffsets(
  fixed: { x?: number; y?: number } | undefined,
  clip: Offsets | undefined,
): Offsets | undefined {
  if (!fixed) return clip;
  return { x: shift(clip?.x, fixed.x), y: shift(clip?.y, fixed.y) };
}
