import type { Focus } from '../edit/schema.js';
import { formatNumber as n } from '../filtergraph/graph.js';

/**
 * Where the `fit: crop` window sits along one axis, for a video asset's `focus` (cutline extension).
 * `scaled` is the source's length after scaling, `layer` the window's; the window is centred on the focus
 * and clamped inside the picture. Keyframes become one flat expression of the frame time `t` (absolute
 * timeline seconds at the crop, see visual.ts):
 *   v(τ) = v₀ + Σᵢ slopeᵢ · clip(τ − tᵢ, 0, tᵢ₊₁ − tᵢ),  τ = t − clipStart
 * a sum rather than nested ifs, so hundreds of keyframes stay shallow for ffmpeg's expression parser.
 * Returns a number when the position does not change over time.
 */
export function focusOffset(
  focus: Focus | undefined,
  axis: 'x' | 'y',
  scaled: number,
  layer: number,
  clipStart: number,
): number | string {
  const free = scaled - layer;
  const centred = Math.round(free / 2);
  if (!focus || free <= 0) return Math.max(0, centred);
  const clampPx = (v: number) => Math.min(free, Math.max(0, Math.round(v * scaled - layer / 2)));
  const keys = Array.isArray(focus) ? focus : [{ time: 0, ...focus }];
  const values = keys.map((k) => k[axis]);
  if (values.every((v) => v === values[0])) return clampPx(values[0]!);
  const terms: string[] = [n(values[0]!)];
  for (let i = 0; i + 1 < keys.length; i++) {
    const dv = values[i + 1]! - values[i]!;
    if (dv === 0) continue;
    const dt = keys[i + 1]!.time - keys[i]!.time;
    terms.push(`${n(dv / dt)}*clip(t-${n(clipStart + keys[i]!.time)},0,${n(dt)})`);
  }
  const v = terms.join('+').replace(/\+-/g, '-');
  return `clip((${v})*${scaled}-${n(layer / 2)},0,${free})`;
}
