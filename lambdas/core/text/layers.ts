import type { Position, TextAsset, TitleAsset } from '../edit/schema.js';
import { ffColor } from '../filtergraph/color.js';
import { filter, type FilterNode } from '../filtergraph/graph.js';
import { drawLine, fillCanvas, rgbaBytes } from './draw.js';
import type { FontRegistry } from './fonts.js';
import { layoutText, type Align, type TextLayout } from './layout.js';

/**
 * A rendered text layer. `filters` are applied to a fully transparent RGBA canvas of width×height (one
 * frame; the compiler loops and positions it). The result is straight (not premultiplied) alpha: the
 * canvas is first tinted with the text colour, so anti-aliased edges keep the text's colour instead of
 * fading to black.
 */
export interface TextLayer {
  width: number;
  height: number;
  filters: FilterNode[];
  position?: Position;
  offset?: { x?: number; y?: number };
}

export interface Viewport {
  width: number;
  height: number;
}

type TitleSize = NonNullable<TitleAsset['size']>;
type TitleStyle = NonNullable<TitleAsset['style']>;

/** Title font size as a fraction of min(viewport width, height), before the style's scale. */
export const TITLE_SIZES: Record<TitleSize, number> = {
  'xx-small': 0.03,
  'x-small': 0.04,
  small: 0.055,
  medium: 0.075,
  large: 0.1,
  'x-large': 0.13,
  'xx-large': 0.17,
};

interface StyleSpec {
  weight: number;
  uppercase: boolean;
  /** Multiplies the size's font size. */
  scale: number;
  /** Letter spacing, in em. */
  tracking: number;
  /** Box behind the text block when the asset sets no `background`; undefined = no box. */
  box?: string;
  /** Text colour when the asset sets no `color`. */
  color: string;
  /** Padding around the text, in em (always at least a little, so glyph overhangs are not clipped). */
  padding: number;
  /** Outline, width in em. */
  stroke?: { color: string; width: number };
  position?: Position;
}

/**
 * Shotstack's named title styles, mapped onto the shipped Open Sans faces (300 to 800; a weight resolves
 * to the nearest face, and a user-supplied "Open Sans" overrides the shipped one):
 *
 * | style       | weight | case   | size × | tracking | box (unless `background`)  | notes                          |
 * |-------------|--------|--------|--------|----------|----------------------------|--------------------------------|
 * | minimal     | 400    | as is  | 1.0    | 0        | none                       | plain white                    |
 * | blockbuster | 700    | UPPER  | 1.5    | 0        | none                       | big and heavy                  |
 * | vogue       | 700    | UPPER  | 1.2    | 0.15em   | none                       | letter-spaced glyph by glyph   |
 * | sketchy     | 400    | as is  | 1.1    | 0        | none                       | thin dark outline (no hand-drawn face shipped) |
 * | skinny      | 300    | as is  | 1.2    | 0.05em   | none                       | lightest face available        |
 * | chunk       | 700    | UPPER  | 1.1    | 0        | #000000, 0.3em padding     | bold on a solid box            |
 * | chunkLight  | 300    | UPPER  | 1.1    | 0        | #000000, 0.3em padding     | light on a solid box           |
 * | marker      | 700    | as is  | 1.0    | 0        | #ffe600 highlight, 0.2em   | text defaults to #000000       |
 * | future      | 400    | UPPER  | 1.0    | 0.1em    | none                       | wide, geometric look           |
 * | subtitle    | 400    | as is  | 0.6    | 0        | #000000 at 60%, 0.3em      | position defaults to bottom    |
 */
export const TITLE_STYLES: Record<TitleStyle, StyleSpec> = {
  minimal: { weight: 400, uppercase: false, scale: 1, tracking: 0, color: '#ffffff', padding: 0.1 },
  blockbuster: { weight: 700, uppercase: true, scale: 1.5, tracking: 0, color: '#ffffff', padding: 0.1 },
  vogue: { weight: 700, uppercase: true, scale: 1.2, tracking: 0.15, color: '#ffffff', padding: 0.1 },
  sketchy: {
    weight: 400,
    uppercase: false,
    scale: 1.1,
    tracking: 0,
    color: '#ffffff',
    padding: 0.1,
    stroke: { color: '#000000b3', width: 0.04 },
  },
  skinny: { weight: 300, uppercase: false, scale: 1.2, tracking: 0.05, color: '#ffffff', padding: 0.1 },
  chunk: {
    weight: 700,
    uppercase: true,
    scale: 1.1,
    tracking: 0,
    box: '#000000',
    color: '#ffffff',
    padding: 0.3,
  },
  chunkLight: {
    weight: 300,
    uppercase: true,
    scale: 1.1,
    tracking: 0,
    box: '#000000',
    color: '#ffffff',
    padding: 0.3,
  },
  marker: {
    weight: 700,
    uppercase: false,
    scale: 1,
    tracking: 0,
    box: '#ffe600',
    color: '#000000',
    padding: 0.2,
  },
  future: { weight: 400, uppercase: true, scale: 1, tracking: 0.1, color: '#ffffff', padding: 0.1 },
  subtitle: {
    weight: 400,
    uppercase: false,
    scale: 0.6,
    tracking: 0,
    box: '#00000099',
    color: '#ffffff',
    padding: 0.3,
    position: 'bottom',
  },
};

/** Padding (em) when a style without a box gets one from the asset's `background`. */
const BACKGROUND_PADDING = 0.25;
/** Titles wrap to this fraction of the viewport width. */
const TITLE_WRAP = 0.9;

interface Paint {
  layout: TextLayout;
  /** Shift of the text block inside the canvas (vertical alignment). */
  dy: number;
  align: Align;
  face: ReturnType<FontRegistry['resolve']>;
  sizePx: number;
  color: string;
  opacity: number;
  stroke?: { color: string; width: number };
  letterSpacing: number;
  background?: { color: string; opacity: number; radius?: number };
}

/** Rounded corners: pixels outside a radius-r quarter circle in each corner become transparent. */
function roundCorners(radius: number): FilterNode {
  const r = `min(${radius},min(W,H)/2)`;
  const dx = `max(max(${r}-X-0.5,X+0.5-(W-${r})),0)`;
  const dy = `max(max(${r}-Y-0.5,Y+0.5-(H-${r})),0)`;
  return filter('geq', {
    r: 'r(X,Y)',
    g: 'g(X,Y)',
    b: 'b(X,Y)',
    a: `if(gt(${dx}*${dx}+${dy}*${dy},${r}*${r}),0,alpha(X,Y))`,
  });
}

/** Canvas fill (background, or a transparent tint in the ink colour), then one drawtext per line. */
function paint(width: number, p: Paint): FilterNode[] {
  const ink = p.stroke && p.stroke.width > 0 ? p.stroke.color : p.color;
  const bg = p.background ? rgbaBytes(p.background.color, p.background.opacity) : undefined;
  const [r, g, b] = bg && bg[3] > 0 ? bg : rgbaBytes(ink);
  const filters: FilterNode[] = [
    filter('format', { pix_fmts: 'rgba' }),
    fillCanvas([r, g, b, bg ? bg[3] : 0]),
  ];
  const { padding } = p.layout;
  const inner = width - 2 * padding;
  // An empty text is a plain panel (its background): nothing to draw on it.
  for (const line of p.layout.lines.filter((l) => l.text.length > 0)) {
    // Centre and right alignment use drawtext's own measured width (tw), so hinting cannot shift them.
    const x =
      p.letterSpacing || p.align === 'left'
        ? line.x
        : p.align === 'center'
          ? `${padding}+(${inner}-tw)/2`
          : `${padding + inner}-tw`;
    filters.push(
      ...drawLine({
        text: line.text,
        x,
        baseline: line.baseline + p.dy,
        face: p.face,
        sizePx: p.sizePx,
        color: ffColor(p.color, p.opacity),
        stroke:
          p.stroke && p.stroke.width > 0
            ? { color: ffColor(p.stroke.color), width: p.stroke.width }
            : undefined,
        letterSpacing: p.letterSpacing,
      }),
    );
  }
  if (p.background?.radius) filters.push(roundCorners(p.background.radius));
  return filters;
}

/** Shotstack "title": a named style at a viewport-relative size, on a tight canvas the compiler positions. */
export function titleLayer(asset: TitleAsset, viewport: Viewport, fonts: FontRegistry): TextLayer {
  const style = TITLE_STYLES[asset.style ?? 'minimal'];
  const base = TITLE_SIZES[asset.size ?? 'medium'] * Math.min(viewport.width, viewport.height);
  const sizePx = Math.max(1, Math.round(base * style.scale));
  const face = fonts.resolve(undefined, style.weight);
  const boxColor = asset.background ?? style.box;
  const strokeWidth = style.stroke ? Math.max(1, Math.round(style.stroke.width * sizePx)) : 0;
  const padding =
    Math.round((asset.background && !style.box ? BACKGROUND_PADDING : style.padding) * sizePx) + strokeWidth;
  const letterSpacing = Math.round(style.tracking * sizePx);
  const text = style.uppercase ? asset.text.toUpperCase() : asset.text;
  const layout = layoutText({
    text,
    face,
    sizePx,
    align: 'center',
    padding,
    letterSpacing,
    maxWidth: Math.max(1, Math.floor(viewport.width * TITLE_WRAP) - 2 * padding),
  });
  const filters = paint(layout.width, {
    layout,
    dy: 0,
    align: 'center',
    face,
    sizePx,
    color: asset.color ?? style.color,
    opacity: 1,
    stroke: style.stroke ? { color: style.stroke.color, width: strokeWidth } : undefined,
    letterSpacing,
    background: boxColor ? { color: boxColor, opacity: 1 } : undefined,
  });
  const position = asset.position ?? style.position;
  return {
    width: layout.width,
    height: layout.height,
    filters,
    ...(position ? { position } : {}),
    ...(asset.offset ? { offset: { ...asset.offset } } : {}),
  };
}

/** Default `font.size` of a text asset, in pixels. */
export const TEXT_DEFAULT_SIZE = 48;

/**
 * Shotstack "text": text aligned inside a box of `width`×`height` pixels. Without `width` the text wraps to
 * the viewport width and the box is as wide as the widest line (never wider than the viewport); without
 * `height` the box is as tall as the text. Text that does not fit the box is clipped by it.
 */
export function textLayer(asset: TextAsset, viewport: Viewport, fonts: FontRegistry): TextLayer {
  const font = asset.font ?? {};
  const sizePx = Math.max(1, Math.round(font.size ?? TEXT_DEFAULT_SIZE));
  const face = fonts.resolve(font.family, font.weight ?? 400);
  const padding = Math.round(asset.background?.padding ?? 0);
  const align = asset.alignment?.horizontal ?? 'center';
  const vertical = asset.alignment?.vertical ?? 'center';
  const boxWidth = asset.width ?? viewport.width;
  const layout = layoutText({
    text: asset.text,
    face,
    sizePx,
    lineHeight: font.lineHeight ?? 1.2,
    align,
    padding,
    maxWidth: Math.max(1, boxWidth - 2 * padding),
    width: asset.width,
  });
  const width = asset.width ?? Math.min(viewport.width, layout.width);
  const height = asset.height ?? layout.height;
  const free = height - layout.height;
  const dy = vertical === 'top' ? 0 : vertical === 'bottom' ? free : Math.round(free / 2);
  const stroke = asset.stroke?.width
    ? { color: asset.stroke.color ?? '#000000', width: asset.stroke.width }
    : undefined;
  const bg = asset.background;
  const filters = paint(width, {
    layout,
    dy,
    align,
    face,
    sizePx,
    color: font.color ?? '#ffffff',
    opacity: font.opacity ?? 1,
    stroke,
    letterSpacing: 0,
    background: bg?.color
      ? { color: bg.color, opacity: bg.opacity ?? 1, radius: bg.borderRadius }
      : undefined,
  });
  return { width, height, filters };
}
