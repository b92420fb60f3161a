import { filter, type FilterGraph, type FilterNode } from '../filtergraph/graph.js';
import { fpsString, type Rational } from './output-spec.js';
import type { Size } from './placement.js';

/**
 * Alpha masks: grey streams of a layer's size, one frame per timeline frame of the layer's window and
 * stamped like it (pts = absolute frame), multiplied into the layer's own alpha. Luma mattes and opacity
 * tweens are masks; white leaves the layer as it was, black hides it.
 */

export interface MaskWindow {
  /** The layer's first and end (exclusive) absolute frame in this render window. */
  vs: number;
  ve: number;
  fps: Rational;
}

const stamp = (w: MaskWindow): FilterNode[] => [
  filter('settb', { expr: `${w.fps.den}/${w.fps.num}` }),
  filter('setpts', [`N+${w.vs}`]),
];

/** A mask whose grey level is `expr` (0–1, an expression of the absolute time `T`) on every pixel. */
export function levelMask(graph: FilterGraph, size: Size, w: MaskWindow, expr: string): string {
  return graph.chain(
    [],
    [
      // Evaluated on a 2×2 frame, then scaled: the expression runs 4 times a frame, not once per pixel.
      filter('color', { c: 'white', s: '2x2', r: fpsString(w.fps) }),
      filter('format', { pix_fmts: 'gray' }),
      filter('trim', { end_frame: w.ve - w.vs }),
      ...stamp(w),
      filter('geq', { lum: `255*clip(${expr},0,1)` }),
      filter('scale', { w: size.width, h: size.height, flags: 'neighbor' }),
    ],
  );
}

/**
 * A luma matte: `source` is the matte's frames over [from, to) (absolute frames inside the layer's
 * window, already stamped), stretched to the layer; outside that span the mask is white. A matte shorter
 * than its clip holds its last frame.
 */
export function matteMask(
  graph: FilterGraph,
  source: string,
  size: Size,
  w: MaskWindow,
  span: { from: number; to: number },
): string {
  const frames = span.to - span.from;
  return graph.chain(source, [
    filter('setpts', ['PTS-STARTPTS']),
    filter('tpad', { stop_mode: 'clone', stop: -1 }),
    filter('trim', { end_frame: frames }),
    filter('scale', { w: size.width, h: size.height }),
    // gray from yuv expands the range: black is 0 and white 255, so a matte hides and shows fully.
    filter('format', { pix_fmts: 'gray' }),
    filter('tpad', { start: span.from - w.vs, stop: w.ve - span.to, color: 'white' }),
    ...stamp(w),
  ]);
}

/** The layer with its alpha multiplied by every mask (same size, same frames). */
export function applyMasks(graph: FilterGraph, layer: string, masks: readonly string[]): string {
  if (!masks.length) return layer;
  const [pic, alpha] = [graph.pad('m'), graph.pad('m')];
  graph.chainMany(layer, [filter('format', { pix_fmts: 'yuva420p' }), filter('split')], [pic, alpha]);
  let product = graph.chain(alpha, [filter('alphaextract')]);
  for (const mask of masks)
    product = graph.chain([product, mask], [filter('blend', { all_mode: 'multiply' })]);
  return graph.chain([pic, product], [filter('alphamerge')]);
}
