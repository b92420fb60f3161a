import type { CaptionAsset } from '../edit/schema.js';
import { CutlineError } from '../errors.js';
import { ffColor } from '../render/color.js';
import { formatNumber, type FilterNode } from '../render/graph.js';
import { drawLine, fillBox } from './draw.js';
import type { FontRegistry } from './fonts.js';
import { layoutText } from './layout.js';
import type { Viewport } from './layers.js';

/** One caption: seconds from the start of the caption clip. `text` lines are joined with `\n`. */
export interface Cue {
  start: number;
  end: number;
  text: string;
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
 * Default caption look, each overridable by the asset:
 * - font: Open Sans 400, white, size round(5% of min(width, height)) px (at least 8), line height 1.2;
 * - background: one box per line, #000000 at 60% (an asset colour is used as given, opacity 1 unless set),
 *   padding 0.4em left/right and 0.15em top/bottom (`background.padding` sets all four);
 * - layout: centred, wrapped to 90% of the width, the last box's bottom edge `margin.bottom` (default 8%) of
 *   the height above the bottom.
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

/**
 * drawbox + drawtext filters for the composite (no alpha), each enabled only while its cue shows: cue times
 * count from the clip's start, are cut to [clipStart, clipEnd) and to the window, and are written in
 * window-relative time (frame time t = timeline time t + t0). Cues outside produce no filters.
 */
export function captionFilters(
  cues: readonly Cue[],
  opts: CaptionFilterOptions,
  fonts: FontRegistry,
): FilterNode[] {
  const { viewport, asset, t0 } = opts;
  const D = CAPTION_DEFAULTS;
  const font = asset.font ?? {};
  const sizePx = Math.max(
    1,
    Math.round(font.size ?? Math.max(D.minSize, D.sizeFraction * Math.min(viewport.width, viewport.height))),
  );
  const face = fonts.resolve(font.family, font.weight ?? 400);
  const color = ffColor(font.color ?? D.color, font.opacity ?? 1);
  const bg = asset.background ?? {};
  const boxColor = bg.color
    ? ffColor(bg.color, bg.opacity ?? 1)
    : ffColor(D.background, bg.opacity ?? D.backgroundOpacity);
  const boxVisible = !/@0$/.test(boxColor);
  const padX = Math.round(bg.padding ?? D.padX * sizePx);
  const padY = Math.round(bg.padding ?? D.padY * sizePx);
  const bottom = viewport.height - Math.round((asset.margin?.bottom ?? D.marginBottom) * viewport.height);
  const maxWidth = Math.max(1, Math.floor(viewport.width * D.wrap) - 2 * padX);

  // Clip the cues to the clip and the window, then cut time into segments with a constant set of cues on
  // screen; cues that overlap in time are stacked (earlier cue on top) instead of drawn over each other.
  const lo = Math.max(opts.clipStart, t0);
  const hi = Math.min(opts.clipEnd, opts.windowEnd ?? Infinity);
  const shown = cues
    .map((cue) => ({
      start: Math.max(opts.clipStart + cue.start, lo),
      end: Math.min(opts.clipStart + cue.end, hi),
      text: cue.text.trim(),
    }))
    .filter((c) => c.text && c.end > c.start);
  const cuts = [...new Set(shown.flatMap((c) => [c.start, c.end]))].sort((a, b) => a - b);
  const segments: Array<{ start: number; end: number; text: string }> = [];
  for (let i = 0; i + 1 < cuts.length; i++) {
    const [start, end] = [cuts[i]!, cuts[i + 1]!];
    const text = shown
      .filter((c) => c.start <= start && c.end >= end)
      .map((c) => c.text)
      .join('\n');
    if (!text) continue;
    const prev = segments.at(-1);
    if (prev && prev.end === start && prev.text === text) prev.end = end;
    else segments.push({ start, end, text });
  }

  const filters: FilterNode[] = [];
  for (const seg of segments) {
    // Window-relative time, half-open [start, end); adjacent segments share the exact boundary constant.
    const enable = [
      seg.start > t0 ? `gte(t,${formatNumber(seg.start - t0)})` : '',
      `lt(t,${formatNumber(seg.end - t0)})`,
    ]
      .filter(Boolean)
      .join('*');
    const layout = layoutText({
      text: seg.text,
      face,
      sizePx,
      lineHeight: font.lineHeight ?? 1.2,
      maxWidth,
      align: 'center',
    });
    const top = bottom - padY - layout.height;
    layout.lines.forEach((line, i) => {
      if (!line.text) return;
      const lineTop = top + line.top;
      const lineBottom = top + (layout.lines[i + 1]?.top ?? layout.height);
      if (boxVisible) {
        const y0 = lineTop - (i === 0 ? padY : 0);
        const y1 = lineBottom + (i === layout.lines.length - 1 ? padY : 0);
        const x0 = Math.round((viewport.width - line.width) / 2) - padX;
        filters.push(fillBox(x0, y0, line.width + 2 * padX, y1 - y0, boxColor, enable));
      }
      filters.push(
        ...drawLine({
          text: line.text,
          x: '(W-tw)/2',
          baseline: top + line.baseline,
          face,
          sizePx,
          color,
          enable,
        }),
      );
    });
  }
  return filters;
}
