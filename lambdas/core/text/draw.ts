import { filter, type FilterNode } from '../filtergraph/graph.js';
import type { FontFace } from './fonts.js';
import { glyphOffsets } from './layout.js';

/**
 * The drawing primitives shared by text layers and captions, as FilterNode data (graph.ts escapes them).
 *
 * Where drawtext (ffmpeg 5.1) puts a line: its `y` is the top of the tallest glyph *of that text* — glyph
 * tops are placed at `y + ascent - bitmap_top`, `ascent` being the largest glyph yMax in the string. The
 * baseline therefore moves with the text ("acme" vs "ÁGjy"). Giving `y` as the expression
 * `<baseline>-ascent` cancels that out: every line's baseline lands exactly on the layout's baseline.
 */

export interface DrawLine {
  text: string;
  /** Pen x: a number, or an expression using drawtext's `tw` (the text width it measured). */
  x: number | string;
  baseline: number;
  face: FontFace;
  sizePx: number;
  /** ffmpeg colour (ffColor). */
  color: string;
  stroke?: { color: string; width: number };
  /** Extra pixels between characters; draws one drawtext per glyph. */
  letterSpacing?: number;
  /** Timeline expression (drawtext's `enable`). */
  enable?: string;
}

/** drawtext nodes for one line: one node, or one per glyph when letter-spaced. Empty text draws nothing. */
export function drawLine(line: DrawLine): FilterNode[] {
  if (!line.text.trim()) return [];
  const node = (text: string, x: number | string) =>
    filter('drawtext', {
      fontfile: line.face.path,
      text,
      expansion: 'none',
      fontsize: line.sizePx,
      fontcolor: line.color,
      x,
      y: `${line.baseline}-ascent`,
      borderw: line.stroke && line.stroke.width > 0 ? Math.round(line.stroke.width) : undefined,
      bordercolor: line.stroke && line.stroke.width > 0 ? line.stroke.color : undefined,
      enable: line.enable,
    });
  if (!line.letterSpacing || typeof line.x !== 'number') return [node(line.text, line.x)];
  const x0 = line.x;
  return glyphOffsets(line.face, line.text, line.sizePx, line.letterSpacing)
    .filter((g) => g.ch.trim())
    .map((g) => node(g.ch, x0 + g.dx));
}

/** A filled rectangle blended onto the frame (use on frames without alpha: drawbox leaves an alpha plane alone). */
export function fillBox(
  x: number,
  y: number,
  w: number,
  h: number,
  color: string,
  enable?: string,
): FilterNode {
  return filter('drawbox', { x, y, w, h, color, t: 'fill', enable });
}

/** `#rgb[a]`, `#rrggbb[aa]` or `transparent` with an opacity factor → 0–255 channels, alpha as ffColor rounds it. */
export function rgbaBytes(color: string, opacity = 1): [number, number, number, number] {
  if (color === 'transparent') return [0, 0, 0, 0];
  let h = color.slice(1);
  if (h.length === 3 || h.length === 4) h = [...h].map((c) => c + c).join('');
  const alpha = (h.length === 8 ? parseInt(h.slice(6, 8), 16) / 255 : 1) * opacity;
  const a = Math.round(Math.min(1, Math.max(0, alpha)) * 1000) / 1000;
  return [
    parseInt(h.slice(0, 2), 16),
    parseInt(h.slice(2, 4), 16),
    parseInt(h.slice(4, 6), 16),
    Math.round(a * 255),
  ];
}

/**
 * Sets every pixel of an RGBA canvas to one colour, alpha included. This is the background of a text layer:
 * on RGBA, drawbox blends the colour channels but never writes alpha (and `replace=1` crashes ffmpeg 5.1),
 * so a drawbox background on a transparent canvas would stay invisible.
 */
export function fillCanvas([r, g, b, a]: [number, number, number, number]): FilterNode {
  return filter('lutrgb', { r, g, b, a });
}
