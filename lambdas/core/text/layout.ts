import type { Font } from 'opentype.js';
import type { FontFace } from './fonts.js';

export type Align = 'left' | 'center' | 'right';

export interface LayoutOptions {
  text: string;
  face: Pick<FontFace, 'font'>;
  sizePx: number;
  /** Line advance as a multiple of the font size. */
  lineHeight?: number;
  /** Wrap lines to this many pixels of text (padding not included). */
  maxWidth?: number;
  align: Align;
  /** Pixels on every side of the text block. */
  padding?: number;
  /** Extra pixels between characters (tracking); drawn glyph by glyph. */
  letterSpacing?: number;
  /** A fixed block width (padding included) to align within, instead of the widest line. */
  width?: number;
}

export interface LayoutLine {
  text: string;
  /** Left edge of the line's pen position. */
  x: number;
  /** Top of the line box (one line advance tall). */
  top: number;
  /** Measured advance width. */
  width: number;
  /** Where the glyphs sit: `top` plus half the leading plus the font's ascender. */
  baseline: number;
}

export interface TextLayout {
  /** Block size including padding, whole pixels. */
  width: number;
  height: number;
  lines: LayoutLine[];
  /** Pixels from one line's top to the next's (unrounded). */
  lineAdvance: number;
  padding: number;
}

// Advance widths in font units, per font and character. drawtext (FreeType, no shaping, no kerning: the
// shipped fonts have no `kern` table and FreeType does not read GPOS) advances by whole pixels per glyph,
// so widths are rounded glyph by glyph to match it.
const advances = new WeakMap<Font, Map<string, number>>();

function advanceUnits(font: Font, ch: string): number {
  let cache = advances.get(font);
  if (!cache) advances.set(font, (cache = new Map()));
  let adv = cache.get(ch);
  if (adv === undefined) {
    adv = font.charToGlyph(ch).advanceWidth ?? font.unitsPerEm / 2;
    cache.set(ch, adv);
  }
  return adv;
}

/** Characters as drawtext will see them: code points, no control characters (tabs become spaces). */
export function cleanLine(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\t/g, ' ').replace(/[\u0000-\u001f\u007f\u2028\u2029]/g, '');
}

/** Measured advance width in pixels of one line of text. */
export function measureText(
  face: Pick<FontFace, 'font'>,
  text: string,
  sizePx: number,
  letterSpacing = 0,
): number {
  const scale = sizePx / face.font.unitsPerEm;
  let w = 0;
  let n = 0;
  for (const ch of text) {
    w += Math.round(advanceUnits(face.font, ch) * scale);
    n++;
  }
  return w + (n > 1 ? letterSpacing * (n - 1) : 0);
}

/** Pen offsets of each character of a line (for letter-spaced lines drawn glyph by glyph). */
export function glyphOffsets(
  face: Pick<FontFace, 'font'>,
  text: string,
  sizePx: number,
  letterSpacing = 0,
): Array<{ ch: string; dx: number }> {
  const scale = sizePx / face.font.unitsPerEm;
  const out: Array<{ ch: string; dx: number }> = [];
  let x = 0;
  for (const ch of text) {
    out.push({ ch, dx: x });
    x += Math.round(advanceUnits(face.font, ch) * scale) + letterSpacing;
  }
  return out;
}

/** Splits one paragraph into lines no wider than maxWidth; words longer than a line break between characters. */
function wrap(paragraph: string, fits: (s: string) => boolean): string[] {
  const words = paragraph.split(/ +/).filter(Boolean);
  if (!words.length) return [''];
  const lines: string[] = [];
  let current = '';
  for (const word of words) {
    const candidate = current ? `${current} ${word}` : word;
    if (fits(candidate)) {
      current = candidate;
      continue;
    }
    if (current) lines.push(current);
    if (fits(word)) {
      current = word;
      continue;
    }
    // An overlong word: as many characters per line as fit, at least one.
    let piece = '';
    for (const ch of word) {
      if (piece && !fits(piece + ch)) {
        lines.push(piece);
        piece = '';
      }
      piece += ch;
    }
    current = piece;
  }
  lines.push(current);
  return lines;
}

/**
 * Lays out text as drawtext will draw it: explicit `\n` breaks, greedy word wrap, whole-pixel positions.
 * Line boxes are `lineHeight × size` tall with the font's ascender/descender centred in them (CSS half-leading).
 */
export function layoutText(opts: LayoutOptions): TextLayout {
  const { face, sizePx, align } = opts;
  const lineHeight = opts.lineHeight ?? 1.2;
  const padding = Math.max(0, Math.round(opts.padding ?? 0));
  const spacing = opts.letterSpacing ?? 0;
  const font = face.font;
  const measure = (s: string) => measureText(face, s, sizePx, spacing);
  const maxWidth = opts.maxWidth;
  const fits = maxWidth === undefined ? () => true : (s: string) => measure(s) <= maxWidth;

  const texts = opts.text
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .flatMap((p) => wrap(cleanLine(p).trim(), fits));
  const widths = texts.map(measure);
  const widest = Math.max(0, ...widths);
  const width = Math.max(1, Math.round(opts.width ?? Math.ceil(widest) + 2 * padding));
  const inner = width - 2 * padding;

  const lineAdvance = sizePx * lineHeight;
  const scale = sizePx / font.unitsPerEm;
  const ascender = font.ascender * scale;
  const descender = -font.descender * scale;
  const baselineInLine = Math.round((lineAdvance - (ascender + descender)) / 2 + ascender);

  const lines = texts.map((text, i): LayoutLine => {
    const w = widths[i]!;
    const free = inner - w;
    const x = padding + (align === 'left' ? 0 : align === 'center' ? Math.round(free / 2) : free);
    const top = padding + Math.round(i * lineAdvance);
    return { text, x, top, width: w, baseline: top + baselineInLine };
  });
  const height = Math.max(1, Math.round(texts.length * lineAdvance) + 2 * padding);
  return { width, height, lines, lineAdvance, padding };
}
