import type { CaptionAsset } from '../edit/schema.js';
import { CutlineError } from '../errors.js';
import { ffColor } from '../filtergraph/color.js';
import { formatNumber, type FilterNode } from '../filtergraph/graph.js';
import { drawLine, fillBox } from './draw.js';
import type { FontRegistry } from './fonts.js';
import type { Viewport } from './layers.js';
import { layoutText, measureText } from './layout.js';
import { groupWords, parseTranscript, type Word } from './transcript.js';

/** One caption: seconds from the start of the caption clip. `text` lines are joined with `\n`. */
export interface Cue {
  start: number;
  end: number;
  text: string;
  /** Word timings (same clock), when the source was a word-level transcript: drives wordHighlight. */
  words?: Word[];
}

const TIME = String.raw`(?:(\d+):)?(\d{1,2}):(\d{2})(?:[.,](\d{1,9}))?`;
const TIMING = new RegExp(String.raw`^\s*${TIME}\s*-->\s*${TIME}(?:[ \t]+.*)?$`);

const malformed = (line: number, message: string) =>
  new CutlineError('VALIDATION_FAILED', `captions line ${line}: ${message}`, [
    { path: 'asset.src', message: `line ${line}: ${message}` },
  ]);

function seconds(
  h: string | undefined,
  m: string,
  s: string,
  frac: string | undefined,
  line: number,
): number {
  const min = Number(m);
  const sec = Number(s);
  if (min > 59 || sec > 59) throw malformed(line, `invalid time ${h ? `${h}:` : ''}${m}:${s}`);
  return Number(h ?? 0) * 3600 + min * 60 + sec + (frac ? Number(`0.${frac}`) : 0);
}

const ENTITIES: Record<string, string> = {
  '&amp;': '&',
  '&lt;': '<',
  '&gt;': '>',
  '&nbsp;': ' ',
  '&quot;': '"',
  '&apos;': "'",
  '&lrm;': '',
  '&rlm;': '',
};

/** Cue text without markup: <i>, <b>, <u>, <c.class>, <v Speaker>, <font …>, <00:00:01.000>, {\an8}. */
export function stripCueMarkup(text: string): string {
  return text
    .replace(/\{\\[^}]*\}/g, '')
    .replace(/<\/?[a-zA-Z][a-zA-Z0-9]*(?:[.\s][^<>]*)?>/g, '')
    .replace(/<\d{1,2}:\d{2}(?::\d{2})?[.,]\d{1,3}>/g, '')
    .replace(/&(?:amp|lt|gt|nbsp|quot|apos|lrm|rlm);/g, (e) => ENTITIES[e]!);
}

/**
 * Parses SRT or WebVTT (told apart by a `WEBVTT` first line): BOM, CRLF, NOTE/STYLE/REGION blocks, cue
 * identifiers and settings, `hh:mm:ss,ttt` / `mm:ss.ttt` times, multi-line cues, simple markup. Anything
 * else throws VALIDATION_FAILED naming the line.
 */
export function parseCaptions(content: string): Cue[] {
  // A word-level transcript (cutline extension): JSON, grouped into cues that keep their words.
  if (/^\uFEFF?\s*[[{]/.test(content)) return groupWords(parseTranscript(content.replace(/^\uFEFF/, '')));
  const lines = content.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  const vtt = /^WEBVTT(?:[ \t].*)?$/.test(lines[0] ?? '');
  if (!vtt && !lines.some((l) => l.trim())) throw malformed(1, 'the caption file is empty');
  const cues: Cue[] = [];
  let current: { cue: Cue; text: string[] } | undefined;
  let skipping = vtt; // the WEBVTT header block runs to the first blank line
  const finish = () => {
    if (!current) return;
    current.cue.text = current.text
      .map((l) => stripCueMarkup(l).trim())
      .filter(Boolean)
      .join('\n');
    cues.push(current.cue);
    current = undefined;
  };
  const timing = (raw: string, n: number): Cue => {
    const m = TIMING.exec(raw);
    if (!m)
      throw malformed(n, `malformed cue timing "${raw.trim()}"; expected 00:00:01,000 --> 00:00:02,500`);
    const start = seconds(m[1], m[2]!, m[3]!, m[4], n);
    const end = seconds(m[5], m[6]!, m[7]!, m[8], n);
    if (end < start) throw malformed(n, `cue ends (${end}s) before it starts (${start}s)`);
    return { start, end, text: '' };
  };

  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    const n = i + 1;
    if (!raw.trim()) {
      finish();
      skipping = false;
      continue;
    }
    if (skipping) continue;
    if (current) {
      if (raw.includes('-->')) {
        // A missing blank line before the next cue: its index (if any) was taken for text.
        if (/^\d+$/.test(current.text.at(-1)?.trim() ?? '')) current.text.pop();
        finish();
        current = { cue: timing(raw, n), text: [] };
      } else {
        current.text.push(raw);
      }
      continue;
    }
    if (vtt && /^(?:NOTE|STYLE|REGION)(?:[ \t]|$)/.test(raw)) {
      skipping = true;
      continue;
    }
    if (raw.includes('-->')) {
      current = { cue: timing(raw, n), text: [] };
      continue;
    }
    // A cue identifier (SRT's index, VTT's optional id) must be followed by the timing line.
    const next = lines[i + 1];
    if (next === undefined || !next.trim()) {
      throw malformed(
        n,
        `expected a cue timing such as 00:00:01,000 --> 00:00:02,500, found "${raw.trim()}"`,
      );
    }
    if (!next.includes('-->')) {
      throw malformed(n + 1, `malformed cue timing "${next.trim()}"; expected 00:00:01,000 --> 00:00:02,500`);
    }
  }
  finish();
  return cues;
}

/**
 * Default caption look (the `clean` style), each overridable by the asset:
 * - font: Open Sans 400, white, size round(5% of min(width, height)) px (at least 8), line height 1.2;
 * - background: one box per line, #000000 at 60% (an asset colour is used as given, opacity 1 unless set),
 *   padding 0.4em left/right and 0.15em top/bottom (`background.padding` sets all four);
 * - layout: centred, wrapped to 90% of the width (`margin.horizontal` per side, default 5%), the last box's
 *   bottom edge `margin.bottom` (default 8%) of the height above the bottom.
 */
export const CAPTION_DEFAULTS = {
  sizeFraction: 0.05,
  minSize: 8,
  color: '#ffffff',
  background: '#000000',
  backgroundOpacity: 0.6,
  padX: 0.4,
  padY: 0.15,
  wrap: 0.9,
  marginBottom: 0.08,
} as const;

interface CaptionStyleSpec {
  sizeFraction: number;
  weight: number;
  /** Box behind each line unless the asset sets `background.color`. */
  box: boolean;
  /** Outline width in em (drawtext borderw), black. */
  outline: number;
  /** Colour of the word being spoken (word-level transcripts only). */
  highlight?: string;
}

/**
 * Caption style presets (cutline extension), over CAPTION_DEFAULTS:
 * | style         | size  | weight | box            | outline      | spoken word                     |
 * |---------------|-------|--------|----------------|--------------|---------------------------------|
 * | clean         | 5 %   | 400    | black 60 %     | none         | —                               |
 * | boldOutline   | 6.5 % | 700    | none           | 0.08em black | —                               |
 * | wordHighlight | 6.5 % | 700    | none           | 0.08em black | `highlight` (default #ffe600)   |
 * Without word timings (SRT/VTT), wordHighlight looks like boldOutline.
 */
export const CAPTION_STYLES: Record<NonNullable<CaptionAsset['style']>, CaptionStyleSpec> = {
  clean: { sizeFraction: 0.05, weight: 400, box: true, outline: 0 },
  boldOutline: { sizeFraction: 0.065, weight: 700, box: false, outline: 0.08 },
  wordHighlight: { sizeFraction: 0.065, weight: 700, box: false, outline: 0.08, highlight: '#ffe600' },
};

export interface CaptionFilterOptions {
  viewport: Viewport;
  /** Timeline seconds where the caption clip starts and ends; cue times count from clipStart. */
  clipStart: number;
  clipEnd: number;
  /** Timeline seconds of the window's first frame: frame time t is timeline time t + t0. */
  t0: number;
  /** Timeline seconds where the window ends (exclusive); cues starting at or after it are left out. */
  windowEnd?: number;
  asset: CaptionAsset;
}

interface Shown {
  start: number;
  end: number;
  text: string;
  words?: Word[];
}

/**
 * drawbox + drawtext filters for the composite (no alpha), each enabled only while its cue shows: cue times
 * count from the clip's start minus the asset's `trim`, are cut to [clipStart, clipEnd) and to the window,
 * and are written in window-relative time (frame time t = timeline time t + t0). Cues outside produce no
 * filters. With word timings and the wordHighlight style, each word is drawn again in the highlight colour
 * while it is spoken (at the x the font's metrics give it, so it may sit a pixel off the line's glyphs).
 */
export function captionFilters(
  cues: readonly Cue[],
  opts: CaptionFilterOptions,
  fonts: FontRegistry,
): FilterNode[] {
  const { viewport, asset, t0 } = opts;
  const D = CAPTION_DEFAULTS;
  const style = CAPTION_STYLES[asset.style ?? 'clean'];
  const font = asset.font ?? {};
  const sizePx = Math.max(
    1,
    Math.round(
      font.size ?? Math.max(D.minSize, style.sizeFraction * Math.min(viewport.width, viewport.height)),
    ),
  );
  const face = fonts.resolve(font.family, font.weight ?? style.weight);
  const color = ffColor(font.color ?? D.color, font.opacity ?? 1);
  const bg = asset.background ?? {};
  const boxColor = bg.color
    ? ffColor(bg.color, bg.opacity ?? 1)
    : style.box
      ? ffColor(D.background, bg.opacity ?? D.backgroundOpacity)
      : undefined;
  const boxVisible = !!boxColor && !/@0$/.test(boxColor);
  const outline = style.outline
    ? { color: ffColor('#000000'), width: Math.max(1, Math.round(style.outline * sizePx)) }
    : undefined;
  const highlightColor = asset.highlight ?? style.highlight;
  const padX = Math.round(bg.padding ?? D.padX * sizePx);
  const padY = Math.round(bg.padding ?? D.padY * sizePx);
  const bottom = viewport.height - Math.round((asset.margin?.bottom ?? D.marginBottom) * viewport.height);
  const wrap = asset.margin?.horizontal !== undefined ? 1 - 2 * asset.margin.horizontal : D.wrap;
  const maxWidth = Math.max(1, Math.floor(viewport.width * wrap) - 2 * padX - 2 * (outline?.width ?? 0));

  // Clip the cues to the clip and the window, then cut time into segments with a constant set of cues on
  // screen; cues that overlap in time are stacked (earlier cue on top) instead of drawn over each other.
  const lo = Math.max(opts.clipStart, t0);
  const hi = Math.min(opts.clipEnd, opts.windowEnd ?? Infinity);
  const shift = opts.clipStart - (asset.trim ?? 0);
  const shown: Shown[] = cues
    .map((cue) => ({
      start: Math.max(shift + cue.start, lo),
      end: Math.min(shift + cue.end, hi),
      text: cue.text.trim(),
      words: cue.words?.map((w) => ({ start: shift + w.start, end: shift + w.end, text: w.text })),
    }))
    .filter((c) => c.text && c.end > c.start);
  const cuts = [...new Set(shown.flatMap((c) => [c.start, c.end]))].sort((a, b) => a - b);
  const segments: Array<{ start: number; end: number; text: string; words?: Word[] }> = [];
  for (let i = 0; i + 1 < cuts.length; i++) {
    const [start, end] = [cuts[i]!, cuts[i + 1]!];
    const on = shown.filter((c) => c.start <= start && c.end >= end);
    const text = on.map((c) => c.text).join('\n');
    if (!text) continue;
    const words = on.length === 1 ? on[0]!.words : undefined;
    const prev = segments.at(-1);
    if (prev && prev.end === start && prev.text === text) prev.end = end;
    else segments.push({ start, end, text, words });
  }
  const between = (a: number, b: number) =>
    [a > t0 ? `gte(t,${formatNumber(a - t0)})` : '', `lt(t,${formatNumber(b - t0)})`]
      .filter(Boolean)
      .join('*');

  const filters: FilterNode[] = [];
  for (const seg of segments) {
    // Window-relative time, half-open [start, end); adjacent segments share the exact boundary constant.
    const enable = between(seg.start, seg.end);
    const layout = layoutText({
      text: seg.text,
      face,
      sizePx,
      lineHeight: font.lineHeight ?? 1.2,
      maxWidth,
      align: 'center',
    });
    const top = bottom - padY - layout.height;
    // Words in reading order, matched to the laid-out lines' tokens (only when they correspond exactly).
    const words = highlightColor ? seg.words?.slice() : undefined;
    const tokens = layout.lines.flatMap((l) => l.text.split(/\s+/).filter(Boolean));
    const highlight =
      !!words && tokens.length === words.length && tokens.every((t, i) => t === words[i]!.text);
    let w = 0;
    layout.lines.forEach((line, i) => {
      if (!line.text) return;
      const lineTop = top + line.top;
      const lineBottom = top + (layout.lines[i + 1]?.top ?? layout.height);
      const x0 = Math.round((viewport.width - line.width) / 2);
      if (boxVisible) {
        const y0 = lineTop - (i === 0 ? padY : 0);
        const y1 = lineBottom + (i === layout.lines.length - 1 ? padY : 0);
        filters.push(fillBox(x0 - padX, y0, line.width + 2 * padX, y1 - y0, boxColor!, enable));
      }
      const baseline = top + line.baseline;
      filters.push(
        ...drawLine({
          text: line.text,
          x: highlight ? x0 : '(W-tw)/2',
          baseline,
          face,
          sizePx,
          color,
          stroke: outline,
          enable,
        }),
      );
      if (!highlight) return;
      // Redraw each word in the highlight colour while it is spoken, inside this segment.
      let prefix = '';
      for (const token of line.text.split(/(\s+)/)) {
        if (token.trim()) {
          const word = words![w++]!;
          const a = Math.max(word.start, seg.start);
          const b = Math.min(word.end, seg.end);
          if (b > a)
            filters.push(
              ...drawLine({
                text: token,
                x: x0 + Math.round(measureText(face, prefix, sizePx)),
                baseline,
                face,
                sizePx,
                color: ffColor(highlightColor!),
                stroke: outline,
                enable: between(a, b),
              }),
            );
        }
        prefix += token;
      }
    });
  }
  return filters;
}
