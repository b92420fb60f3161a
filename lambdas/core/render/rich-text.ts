import { createHash } from 'node:crypto';
import type { Clip, RichTextAsset } from '../edit/schema.js';
import type { Size } from './placement.js';
import { htmlKey, type EmbeddedFont, type HtmlDocument } from '../html/document.js';
import { letterAnimation, letterFrameTimes, lettersHtml, type LetterAnimation } from './letters.js';
import type { Rational } from './output-spec.js';

/**
 * Shotstack's rich-text asset as a browser document: every property is a CSS property (stroke, shadow with
 * blur, gradient fill, decoration, rounded background and border), drawn by the html rasterizer into the
 * clip's box (its width/height, default the frame) and composited at that size. The face is the one the
 * font registry resolves (built-in or timeline.fonts), handed to the page as a data: font by the rasterizer,
 * so Chromium draws exactly the file the drawtext text stack would use. Pure.
 */

export const RICH_TEXT_DEFAULTS = {
  size: 24,
  color: '#ffffff',
  lineHeight: 1.2,
  shadowOpacity: 0.5,
  strokeColor: '#000000',
} as const;

/** `#rgb[a]` / `#rrggbb[aa]` and an opacity → CSS rgba(). */
export function rgba(color: string, opacity = 1): string {
  if (color === 'transparent') return 'rgba(0,0,0,0)';
  let h = color.slice(1);
  if (h.length <= 4) h = [...h].map((c) => c + c).join('');
  const a = (h.length === 8 ? parseInt(h.slice(6, 8), 16) / 255 : 1) * opacity;
  const [r, g, b] = [0, 2, 4].map((i) => parseInt(h.slice(i, i + 2), 16));
  return `rgba(${r},${g},${b},${Math.round(a * 1000) / 1000})`;
}

type Weight = NonNullable<RichTextAsset['font']>['weight'];

/** font.weight as a number: "bold" 700, "normal" 400, "600" 600. */
export function weightOf(w: Weight): number {
  if (w === undefined || w === 'normal' || w === 'lighter') return 400;
  if (w === 'bold' || w === 'bolder') return 700;
  return Number(w);
}

const VERTICAL = { top: 'flex-start', middle: 'center', center: 'center', bottom: 'flex-end' } as const;
const HORIZONTAL = { left: 'flex-start', center: 'center', right: 'flex-end' } as const;

const escapeHtml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The box a rich-text clip draws into. */
export function richTextBox(clip: Pick<Clip, 'width' | 'height'>, frame: Size): Size {
  return { width: clip.width ?? frame.width, height: clip.height ?? frame.height };
}

/** The face the registry resolves for the asset's family and weight, under the page's private name. */
export function richTextFace(
  asset: Pick<RichTextAsset, 'font'>,
  fonts: { resolve(family: string | undefined, weight?: number): { path: string; weight: number } },
): EmbeddedFont {
  const face = fonts.resolve(asset.font?.family, weightOf(asset.font?.weight));
  return { family: 'cutline-rich-text', weight: face.weight, path: face.path };
}

export function richTextDocument(
  asset: RichTextAsset,
  clip: Pick<Clip, 'width' | 'height'>,
  frame: Size,
  face: EmbeddedFont,
  /** Letter by letter: the animation and the moment of it this page shows. */
  at?: { anim: LetterAnimation; t: number },
): HtmlDocument {
  const D = RICH_TEXT_DEFAULTS;
  const box = richTextBox(clip, frame);
  const font = asset.font ?? {};
  const style = asset.style ?? {};
  const align = asset.align ?? asset.alignment ?? {};
  const size = style.size ?? font.size ?? D.size;
  const stroke = asset.stroke ?? font.stroke;
  const pad = asset.padding;
  const padding =
    pad === undefined
      ? '0'
      : typeof pad === 'number'
        ? `${pad}px`
        : `${pad.top ?? 0}px ${pad.right ?? 0}px ${pad.bottom ?? 0}px ${pad.left ?? 0}px`;
  const bg = asset.background;
  const border = asset.border;
  const radius = border?.radius ?? bg?.borderRadius ?? 0;
  const text: string[] = [
    `font-family:'${face.family}'`,
    `font-size:${size}px`,
    `font-weight:${face.weight}`,
    `font-style:${font.style ?? 'normal'}`,
    `line-height:${style.lineHeight ?? font.lineHeight ?? D.lineHeight}`,
    `letter-spacing:${style.letterSpacing ?? 0}px`,
    `word-spacing:${style.wordSpacing ?? 0}px`,
    `text-transform:${style.textTransform ?? 'none'}`,
    `text-decoration:${style.textDecoration ?? 'none'}`,
    `text-align:${align.horizontal ?? 'center'}`,
    'white-space:pre-wrap',
    'overflow-wrap:break-word',
    // The outline sits outside the glyphs (Shotstack's look), not over half of each stroke.
    'paint-order:stroke fill',
  ];
  const fill = rgba(font.color ?? D.color, font.opacity ?? 1);
  if (style.gradient) {
    const stops = style.gradient.stops.map((s) => `${rgba(s.color, font.opacity ?? 1)} ${s.offset * 100}%`);
    const g =
      style.gradient.type === 'radial'
        ? `radial-gradient(circle,${stops.join(',')})`
        : `linear-gradient(${style.gradient.angle ?? 0}deg,${stops.join(',')})`;
    text.push(
      `background-image:${g}`,
      '-webkit-background-clip:text',
      'background-clip:text',
      'color:transparent',
    );
  } else text.push(`color:${fill}`);
  if (stroke?.width)
    text.push(
      `-webkit-text-stroke:${stroke.width * 2}px ${rgba(stroke.color ?? D.strokeColor, stroke.opacity ?? 1)}`,
    );
  const shadow = asset.shadow;
  if (shadow)
    text.push(
      `text-shadow:${shadow.offsetX ?? 0}px ${shadow.offsetY ?? 0}px ${shadow.blur ?? 0}px ${rgba(shadow.color ?? '#000000', shadow.opacity ?? D.shadowOpacity)}`,
    );
  if (font.background) text.push(`background-color:${rgba(font.background)}`);
  const area: string[] = [
    'box-sizing:border-box',
    `width:${box.width}px`,
    `height:${box.height}px`,
    'display:flex',
    'flex-direction:column',
    `justify-content:${VERTICAL[align.vertical ?? 'middle']}`,
    `align-items:${HORIZONTAL[align.horizontal ?? 'center']}`,
    `padding:${padding}`,
    'overflow:hidden',
    `border-radius:${radius}px`,
  ];
  if (bg?.color) area.push(`background-color:${rgba(bg.color, bg.opacity ?? 1)}`);
  if (border?.width)
    area.push(`border:${border.width}px solid ${rgba(border.color ?? '#000000', border.opacity ?? 1)}`);
  return {
    html: `<div class="rt-area"><div class="rt-text">${at ? lettersHtml(asset.text, at.anim, at.t) : escapeHtml(asset.text)}</div></div>`,
    css: `.rt-area{${area.join(';')}}.rt-text{max-width:100%;${text.join(';')}}`,
    width: box.width,
    height: box.height,
    background: 'transparent',
    position: 'topLeft',
    fonts: [face],
  };
}

/**
 * A rich-text clip animated letter by letter (render/letters.ts): the page at every output frame of the
 * animation, first to last; undefined when it is one still (whole-block animations move the layer).
 */
export function richTextFrames(
  asset: RichTextAsset,
  clip: Pick<Clip, 'width' | 'height'>,
  frame: Size,
  face: EmbeddedFont,
  fps: Rational,
  clipLength: number,
): HtmlDocument[] | undefined {
  const anim = letterAnimation(asset, clipLength);
  if (!anim) return undefined;
  return letterFrameTimes(anim, fps).map((t) => richTextDocument(asset, clip, frame, face, { anim, t }));
}

/** The key the image sequence of those pages is known by (the same pages, the same sequence). */
export const richTextSequenceKey = (docs: readonly HtmlDocument[]): string =>
  `rich-text-seq:${createHash('sha256').update(docs.map(htmlKey).join(',')).digest('hex').slice(0, 32)}`;
