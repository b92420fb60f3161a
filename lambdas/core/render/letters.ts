import type { RichTextAsset } from '../edit/schema.js';
import { DEFAULT_SECONDS } from './entrance.js';
import { curveValue } from './motion.js';

/**
 * rich-text animations drawn letter by letter (or word by word) in the page itself: pure, time → the
 * text as HTML spans with each unit's opacity and drift at that moment. The compiler shows the pages drawn
 * at every output frame of the animation as an image sequence, then holds the last one.
 *
 * - `typewriter`: characters appear one after another over `duration`, each at once (typed).
 * - `movingLetters`: characters (or words, with style "word") fade in one after another while drifting
 *   half an em into place along `direction` (default left).
 * - `fadeIn`, `ascend`, `shift` with `style` given: the units fade in one after another (ascend and shift
 *   drifting as movingLetters does, ascend up by default); without `style` they move the whole block
 *   (render/entrance.ts).
 * Each unit's own fade lasts half the duration; their starts are spread over the other half. `slideIn`
 * always moves the block.
 */
export type LetterUnit = 'character' | 'word';
export interface LetterAnimation {
  unit: LetterUnit;
  /** Typed: a unit is absent, then whole. Else it fades (and drifts) on the smooth curve. */
  typed: boolean;
  /** Drift start in em, as [x, y] in screen directions (y down), eased to 0. */
  drift: [number, number];
  duration: number;
}

const DRIFT_EM = 0.5;

export function letterAnimation(asset: RichTextAsset, clipLength: number): LetterAnimation | undefined {
  const a = asset.animation;
  if (!a) return undefined;
  const duration = Math.min(a.duration ?? DEFAULT_SECONDS, clipLength / 2);
  // It starts opposite to where it travels.
  const drift = (d: 'left' | 'right' | 'up' | 'down'): [number, number] =>
    d === 'left'
      ? [DRIFT_EM, 0]
      : d === 'right'
        ? [-DRIFT_EM, 0]
        : d === 'up'
          ? [0, DRIFT_EM]
          : [0, -DRIFT_EM];
  switch (a.preset) {
    case 'typewriter':
      return { unit: a.style ?? 'character', typed: true, drift: [0, 0], duration };
    case 'movingLetters':
      return { unit: a.style ?? 'character', typed: false, drift: drift(a.direction ?? 'left'), duration };
    case 'fadeIn':
      return a.style ? { unit: a.style, typed: false, drift: [0, 0], duration } : undefined;
    case 'ascend':
      return a.style
        ? { unit: a.style, typed: false, drift: drift(a.direction === 'down' ? 'down' : 'up'), duration }
        : undefined;
    case 'shift':
      return a.style
        ? { unit: a.style, typed: false, drift: drift(a.direction ?? 'left'), duration }
        : undefined;
    default:
      return undefined;
  }
}

const escapeHtml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** How far unit i of n is at time t (0 hidden … 1 in place). */
export function unitProgress(anim: LetterAnimation, i: number, n: number, t: number): number {
  if (anim.typed) return t >= (anim.duration * i) / n ? 1 : 0;
  const span = anim.duration / 2;
  const start = n > 1 ? (i / (n - 1)) * (anim.duration - span) : 0;
  return curveValue((t - start) / span, 'smooth');
}

/**
 * The text at time t as HTML: words kept unbreakable (nowrap spans, so units never split a word across
 * lines), spaces and line breaks as they are, each unit in a span with its opacity and drift.
 */
export function lettersHtml(text: string, anim: LetterAnimation, t: number): string {
  const tokens = text.split(/(\s+)/).filter((s) => s.length > 0);
  const words = tokens.filter((s) => !/^\s+$/.test(s));
  const n = anim.unit === 'word' ? words.length : words.reduce((k, w) => k + [...w].length, 0);
  let i = 0;
  const unit = (content: string) => {
    const p = unitProgress(anim, i++, n, t);
    const [dx, dy] = anim.drift;
    const moving = (dx || dy) && p < 1;
    const style = [
      `opacity:${Math.round(p * 1000) / 1000}`,
      ...(moving
        ? [
            'display:inline-block',
            `transform:translate(${Math.round(dx * (1 - p) * 1000) / 1000}em,${Math.round(dy * (1 - p) * 1000) / 1000}em)`,
          ]
        : []),
    ].join(';');
    return `<span style="${style}">${escapeHtml(content)}</span>`;
  };
  return tokens
    .map((tok) => {
      if (/^\s+$/.test(tok)) return escapeHtml(tok);
      const inner = anim.unit === 'word' ? unit(tok) : [...tok].map(unit).join('');
      return `<span style="white-space:nowrap">${inner}</span>`;
    })
    .join('');
}

/** The frame times the animation is drawn at: every output frame from 0 to its end, inclusive. */
export function letterFrameTimes(anim: LetterAnimation, fps: { num: number; den: number }): number[] {
  const frames = Math.ceil((anim.duration * fps.num) / fps.den);
  return Array.from({ length: frames + 1 }, (_, k) => (k * fps.den) / fps.num);
}
