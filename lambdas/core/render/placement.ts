import type { Clip, Position } from '../edit/schema.js';

/** Pure geometry: how big a layer is drawn and where, in output pixels. */
export interface Size {
  width: number;
  height: number;
}

export const even = (n: number): number => Math.max(2, Math.round(n / 2) * 2);

export interface FittedLayer {
  /** Size the source is scaled to before any crop. */
  scaled: Size;
  /** Final layer size (after the centred crop of `fit: crop`). */
  layer: Size;
}

/**
 * Shotstack's fit modes: crop (default) fills the viewport keeping the aspect ratio and cuts the overflow;
 * cover stretches to the viewport; contain fits inside it; none keeps the native size. `scale` then sizes
 * the fitted layer as a fraction of that.
 */
export function fitLayer(source: Size, viewport: Size, fit: Clip['fit'] = 'crop', scale = 1): FittedLayer {
  const { width: sw, height: sh } = source;
  const { width: W, height: H } = viewport;
  switch (fit) {
    case 'crop': {
      const c = Math.max(W / sw, H / sh) * scale;
      const layer = { width: even(W * scale), height: even(H * scale) };
      const scaled = {
        width: Math.max(layer.width, even(sw * c)),
        height: Math.max(layer.height, even(sh * c)),
      };
      return { scaled, layer };
    }
    case 'cover': {
      const layer = { width: even(W * scale), height: even(H * scale) };
      return { scaled: layer, layer };
    }
    case 'contain': {
      const c = Math.min(W / sw, H / sh) * scale;
      const layer = { width: even(sw * c), height: even(sh * c) };
      return { scaled: layer, layer };
    }
    case 'none': {
      const layer = { width: even(sw * scale), height: even(sh * scale) };
      return { scaled: layer, layer };
    }
  }
}

export interface CropSides {
  left?: number;
  right?: number;
  top?: number;
  bottom?: number;
}

const column = (position: Position) =>
  /Left$|^left$/.test(position) ? 0 : /Right$|^right$/.test(position) ? 1 : 0.5;
const row = (position: Position) => (/^top/.test(position) ? 0 : /^bottom/.test(position) ? 1 : 0.5);

/** Where a position anchors a layer: 0 = left/top edge, 0.5 = centre, 1 = right/bottom edge. */
export const anchor = (position: Position = 'center') => ({ col: column(position), row: row(position) });

/**
 * Shotstack's asset crop: fractions of the fitted layer cut from each side, the rest staying where it was
 * on screen (a split screen is two full-frame clips, each cropped to its half). Returns the crop rectangle
 * inside the layer and how far the smaller layer must move from where `placeLayer` would put it for its
 * own size, so that the kept part does not shift.
 */
export function cropLayer(
  layer: Size,
  crop: CropSides,
  position: Position = 'center',
): { rect: Size & { x: number; y: number }; shift: { x: number; y: number } } {
  const l = Math.round(layer.width * (crop.left ?? 0));
  const r = Math.round(layer.width * (crop.right ?? 0));
  const t = Math.round(layer.height * (crop.top ?? 0));
  const b = Math.round(layer.height * (crop.bottom ?? 0));
  const width = even(Math.max(2, layer.width - l - r));
  const height = even(Math.max(2, layer.height - t - b));
  return {
    rect: { x: l, y: t, width, height },
    // The full layer's corner is at free·col; the kept part starts l further in; placeLayer puts the kept
    // part at (free + cut)·col, so the difference is l − (l + r)·col.
    shift: {
      x: Math.round(l - (layer.width - width) * column(position)),
      y: Math.round(t - (layer.height - height) * row(position)),
    },
  };
}

/** Top-left corner of a layer for one of the nine positions, plus an offset in fractions of the viewport (y up). */
export function placeLayer(
  layer: Size,
  viewport: Size,
  position: Position = 'center',
  offset: { x?: number; y?: number } = {},
): { x: number; y: number } {
  const freeX = viewport.width - layer.width;
  const freeY = viewport.height - layer.height;
  return {
    x: Math.round(freeX * column(position) + (offset.x ?? 0) * viewport.width),
    y: Math.round(freeY * row(position) - (offset.y ?? 0) * viewport.height),
  };
}

/** Bounding box of a w×h layer rotated by `degrees`, made even. */
export function rotatedSize(size: Size, degrees: number): Size {
  const a = (degrees * Math.PI) / 180;
  const c = Math.abs(Math.cos(a));
  const s = Math.abs(Math.sin(a));
  return { width: even(size.width * c + size.height * s), height: even(size.width * s + size.height * c) };
}

/**
 * A title's own offset (asset.offset), kept so its text stays inside the frame. Shotstack draws a title
 * into a frame-sized picture at its position and offset, and its published captions example puts
 * "subtitle" titles at position bottom with offset y −0.4 and shows them at the bottom of the frame:
 * an offset moves the text from its anchor only as far as the frame's edge. Returns the offset (fractions
 * of the viewport, y up) that placeLayer turns into the clamped corner.
 */
export function titleOffsetInFrame(
  layer: Size,
  viewport: Size,
  position: Position = 'center',
  offset: { x?: number; y?: number } = {},
): { x: number; y: number } {
  const at = placeLayer(layer, viewport, position, offset);
  const freeX = viewport.width - layer.width;
  const freeY = viewport.height - layer.height;
  const x = Math.min(Math.max(at.x, Math.min(0, freeX)), Math.max(0, freeX));
  const y = Math.min(Math.max(at.y, Math.min(0, freeY)), Math.max(0, freeY));
  return {
    x: (x - freeX * column(position)) / viewport.width,
    y: (freeY * row(position) - y) / viewport.height,
  };
}
