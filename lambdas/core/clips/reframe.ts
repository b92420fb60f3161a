import type { FocusKeyframe } from '../edit/schema.js';

/**
 * Auto reframing, pure: small grayscale frames in, a smooth path of the region of interest out, as focus
 * keyframes for the edit format (video asset `focus`, fractions of the source frame).
 *
 * The heuristic, per sampled frame: every pixel weighs
 *   max(0, |frame − previous frame| − 6)        (motion: what moves is what people watch)
 * + 0.25 · max(0, |pixel − frame mean| − 32)     (contrast: stands in for saliency when nothing moves)
 * and the centre is the weighted centroid. A frame with (almost) no weight keeps the previous centre.
 * The path is then smoothed with a forward-backward exponential average (zero phase: no lag behind the
 * subject) and its speed bounded, so the crop glides instead of jittering; keyframes that a straight line
 * between their neighbours already explains (within `tolerance`) are dropped.
 */
export interface GrayFrames {
  width: number;
  height: number;
  /** Seconds between frames. */
  step: number;
  frames: Uint8Array[];
}

export interface Centre {
  x: number;
  y: number;
  weight: number;
}

export const REFRAME = {
  motionNoise: 6,
  contrastFloor: 32,
  contrastWeight: 0.25,
  /** Weight per pixel below which a frame says nothing (keeps the previous centre). */
  minWeightPerPixel: 0.05,
  /** Smoothing time constant, seconds. */
  tau: 0.4,
  /** Fastest the focus may move, in frame widths (or heights) per second. */
  maxSpeed: 0.6,
  tolerance: 0.01,
} as const;

/** Motion + contrast centroid of each frame (fractions of the frame), weight = mean pixel weight. */
export function frameCentres(g: GrayFrames): Centre[] {
  const { width: w, height: h } = g;
  return g.frames.map((f, i) => {
    const prev = g.frames[i - 1] ?? g.frames[i + 1] ?? f;
    let mean = 0;
    for (let k = 0; k < f.length; k++) mean += f[k]!;
    mean /= f.length;
    let sum = 0;
    let sx = 0;
    let sy = 0;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const k = y * w + x;
        const v = f[k]!;
        const weight =
          Math.max(0, Math.abs(v - prev[k]!) - REFRAME.motionNoise) +
          REFRAME.contrastWeight * Math.max(0, Math.abs(v - mean) - REFRAME.contrastFloor);
        sum += weight;
        sx += weight * (x + 0.5);
        sy += weight * (y + 0.5);
      }
    }
    return sum > 0
      ? { x: sx / sum / w, y: sy / sum / h, weight: sum / (w * h) }
      : { x: 0.5, y: 0.5, weight: 0 };
  });
}

/** Zero-phase smoothing with bounded speed; frames without weight hold the previous value. */
export function smoothPath(values: readonly (number | null)[], step: number, opts = REFRAME): number[] {
  if (!values.length) return [];
  const first = values.find((v) => v !== null) ?? 0.5;
  const held: number[] = [];
  let last = first;
  for (const v of values) held.push((last = v ?? last));
  const a = 1 - Math.exp(-step / opts.tau);
  // Odd reflection at both ends (as filtfilt pads): a subject moving steadily at the clip's start or end
  // is not pulled towards the middle by the filter's warm-up.
  const pad = Math.min(held.length - 1, Math.ceil((3 * opts.tau) / step));
  const n = held.length;
  const ext = [
    ...Array.from({ length: pad }, (_, k) => 2 * held[0]! - held[pad - k]!),
    ...held,
    ...Array.from({ length: pad }, (_, k) => 2 * held[n - 1]! - held[n - 2 - k]!),
  ];
  const fwd = ext.slice();
  for (let i = 1; i < fwd.length; i++) fwd[i] = fwd[i - 1]! + a * (ext[i]! - fwd[i - 1]!);
  const back = fwd.slice();
  for (let i = back.length - 2; i >= 0; i--) back[i] = back[i + 1]! + a * (fwd[i]! - back[i + 1]!);
  const both = back.slice(pad, pad + n);
  const max = opts.maxSpeed * step;
  for (let i = 1; i < both.length; i++) {
    const d = both[i]! - both[i - 1]!;
    if (Math.abs(d) > max) both[i] = both[i - 1]! + Math.sign(d) * max;
  }
  return both.map((v) => Math.min(1, Math.max(0, v)));
}

/** Drops keyframes within `tolerance` of the line through their kept neighbours (greedy, in order). */
export function simplify(keys: FocusKeyframe[], tolerance: number): FocusKeyframe[] {
  if (keys.length <= 2) return keys;
  const out = [keys[0]!];
  for (let i = 1; i < keys.length - 1; i++) {
    const a = out.at(-1)!;
    const c = keys[i + 1]!;
    const b = keys[i]!;
    const f = (b.time - a.time) / (c.time - a.time);
    const off = Math.max(Math.abs(a.x + f * (c.x - a.x) - b.x), Math.abs(a.y + f * (c.y - a.y) - b.y));
    if (off > tolerance) out.push(b);
  }
  out.push(keys.at(-1)!);
  return out;
}

/** The focus path for frames sampled from a clip's start: keyframes with times from the clip's start. */
export function autoFocus(g: GrayFrames, opts = REFRAME): FocusKeyframe[] {
  const centres = frameCentres(g);
  const quiet = (c: Centre) => c.weight < opts.minWeightPerPixel;
  const xs = smoothPath(
    centres.map((c) => (quiet(c) ? null : c.x)),
    g.step,
    opts,
  );
  const ys = smoothPath(
    centres.map((c) => (quiet(c) ? null : c.y)),
    g.step,
    opts,
  );
  const r = (v: number) => Math.round(v * 1000) / 1000;
  const keys = xs.map((x, i) => ({ time: r(i * g.step), x: r(x), y: r(ys[i]!) }));
  return simplify(keys, opts.tolerance);
}
