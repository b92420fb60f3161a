import type { CaptionAsset, Clip, RichCaptionAsset } from '../edit/schema.js';
import type { IssueDetail } from '../errors.js';
import type { Cue, RichCaptionLook } from './captions.js';
import type { Word } from './transcript.js';

export type { RichCaptionLook };

/**
 * Shotstack's rich-caption asset on cutline's caption stack (drawtext, word by word): the base look is
 * `font`, `stroke`, `shadow`, `background`, `padding`, `align`; the word being spoken is redrawn in
 * `active.font.color` (`animation.style` highlight or karaoke, the default). Pure.
 */

/** Shotstack's rich-caption defaults. */
export const RICH_CAPTION_DEFAULTS = {
  family: 'Roboto',
  size: 24,
  color: '#ffffff',
  active: '#ffe600',
} as const;

const HIGHLIGHTS = ['highlight', 'karaoke', 'none'];

/**
 * What the caption stack cannot draw for a rich-caption, as 4xx details at their paths: word animations
 * other than highlight/karaoke, gradients, letter spacing, decorations, borders, a blurred shadow, and an
 * active word that changes more than its colour.
 */
export function richCaptionUnsupported(asset: RichCaptionAsset, at: string): IssueDetail[] {
  const out: IssueDetail[] = [];
  const no = (path: string, what: string) =>
    out.push({
      path: `${at}.${path}`,
      message: `${what} is not supported on rich-caption assets (cutline draws captions with ffmpeg's drawtext); use a rich-text clip per caption for it`,
    });
  const style = asset.animation?.style;
  if (style && !HIGHLIGHTS.includes(style))
    no('animation.style', `the "${style}" word animation (highlight, karaoke and none are drawn)`);
  if (asset.style?.gradient) no('style.gradient', 'a gradient fill');
  if (asset.style?.letterSpacing) no('style.letterSpacing', 'letter spacing');
  if (asset.style?.textDecoration && asset.style.textDecoration !== 'none')
    no('style.textDecoration', 'text decoration');
  if (asset.border?.width) no('border', 'a border');
  if (asset.shadow?.blur) no('shadow.blur', 'a blurred shadow (offset shadows are drawn)');
  const active = asset.active;
  if (active?.font) {
    for (const k of ['family', 'weight', 'size', 'background', 'textDecoration'] as const)
      if (active.font[k] !== undefined) no(`active.font.${k}`, `changing the active word's ${k}`);
  }
  if (active?.stroke && active.stroke !== 'none') no('active.stroke', "a stroke of the active word's own");
  if (active?.shadow && active.shadow !== 'none') no('active.shadow', "a shadow of the active word's own");
  return out;
}

const numericWeight = (w: unknown): number | undefined =>
  w === undefined
    ? undefined
    : w === 'bold' || w === 'bolder'
      ? 700
      : w === 'normal' || w === 'lighter'
        ? 400
        : Number(w);

/** The caption asset (font, background, padding) and look a rich-caption draws with. */
export function richCaptionAsCaption(
  asset: RichCaptionAsset,
  clip: Pick<Clip, 'position'>,
): { caption: CaptionAsset; look: RichCaptionLook } {
  const D = RICH_CAPTION_DEFAULTS;
  const font = asset.font ?? {};
  const pad = asset.padding;
  const padding =
    pad === undefined
      ? undefined
      : typeof pad === 'number'
        ? pad
        : Math.max(pad.left ?? 0, pad.right ?? 0, pad.top ?? 0, pad.bottom ?? 0);
  const bg = asset.background?.color ?? font.background;
  const caption: CaptionAsset = {
    type: 'caption',
    src: asset.src,
    // A box only where the asset asks for one; the outline is the asset's stroke (look.outline).
    style: bg ? 'clean' : 'boldOutline',
    font: {
      family: font.family ?? D.family,
      size: asset.style?.size ?? font.size ?? D.size,
      color: font.color ?? D.color,
      opacity: font.opacity,
      weight: numericWeight(font.weight),
      lineHeight: asset.style?.lineHeight,
    },
    ...(bg || padding !== undefined
      ? { background: { color: bg ?? 'transparent', opacity: asset.background?.opacity, padding } }
      : {}),
  };
  const align = asset.align ?? asset.alignment ?? {};
  const position = clip.position ?? 'center';
  const vertical =
    align.vertical === 'center'
      ? 'middle'
      : (align.vertical ??
        (position.startsWith('top') ? 'top' : position.startsWith('bottom') ? 'bottom' : 'middle'));
  const stroke = asset.stroke;
  const shadow = asset.shadow;
  const animation = asset.animation?.style ?? 'highlight';
  return {
    caption,
    look: {
      outline: stroke?.width ? { color: stroke.color ?? '#000000', width: stroke.width } : undefined,
      shadow:
        shadow && (shadow.offsetX || shadow.offsetY)
          ? {
              color: shadow.color ?? '#000000',
              opacity: shadow.opacity ?? 0.5,
              x: shadow.offsetX ?? 0,
              y: shadow.offsetY ?? 0,
            }
          : undefined,
      highlight: animation === 'none' ? undefined : (asset.active?.font?.color ?? D.active),
      vertical,
      horizontal: align.horizontal ?? 'center',
      textTransform: asset.style?.textTransform,
    },
  };
}

export function transformText(text: string, how: RichCaptionLook['textTransform']): string {
  if (how === 'uppercase') return text.toUpperCase();
  if (how === 'lowercase') return text.toLowerCase();
  if (how === 'capitalize')
    return text.replace(/(^|\s)(\p{L})/gu, (_m, s: string, c: string) => s + c.toUpperCase());
  return text;
}

/**
 * Cues with word timings for highlighting: a transcript's own, else (SRT/VTT) each cue's time shared out
 * among its words in proportion to their length — an estimate, as no timing says more.
 */
export function withWordTimings(cues: readonly Cue[], how?: RichCaptionLook['textTransform']): Cue[] {
  return cues.map((cue) => {
    const text = transformText(cue.text, how);
    const words: Word[] | undefined = cue.words?.map((w) => ({ ...w, text: transformText(w.text, how) }));
    if (words) return { ...cue, text, words };
    const tokens = text.split(/\s+/).filter(Boolean);
    const total = tokens.reduce((s, t) => s + t.length, 0);
    let at = cue.start;
    const span = cue.end - cue.start;
    return {
      ...cue,
      text,
      words: tokens.map((t, i) => {
        const start = at;
        at = i === tokens.length - 1 ? cue.end : at + (span * t.length) / total;
        return { start, end: at, text: t };
      }),
    };
  });
}
