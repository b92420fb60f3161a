import type { Clip } from '../edit/schema.js';
import type { Tween } from '../edit/tween.js';
import { formatNumber as n } from '../filtergraph/graph.js';

/**
 * Transitions and effects as data the compiler turns into filters. Durations follow Shotstack's player:
 * the plain name is 1 s, `Slow` 2 s, `Fast` 0.5 s, except slides and carousels, which are quick moves
 * (plain 0.5 s, `Fast` 0.25 s, `Slow` 2 s), and zoom (0.4 s); never more than half the clip.
 */
export type TransitionKind =
  | 'fade'
  | 'wipeLeft'
  | 'wipeRight'
  | 'slideLeft'
  | 'slideRight'
  | 'slideUp'
  | 'slideDown'
  | 'carouselLeft'
  | 'carouselRight'
  | 'carouselUp'
  | 'carouselDown'
  | 'zoom';

export interface TransitionSpec {
  kind: TransitionKind;
  duration: number;
}

/** The nearest supported look for names cutline does not draw literally. */
const ALIASES: Record<string, TransitionKind> = { reveal: 'wipeRight' };

/** Seconds a transition lasts before the half-clip cap. */
function transitionSeconds(kind: TransitionKind, factor: number): number {
  // "fast zoom in": Shotstack's zoom lasts 0.4 s whatever its speed suffix.
  if (kind === 'zoom') return 0.4;
  if (/^(slide|carousel)/.test(kind)) return factor === 2 ? 2 : factor === 0.5 ? 0.25 : 0.5;
  return factor;
}

function speed(name: string): { base: string; factor: number } {
  if (name.endsWith('Slow')) return { base: name.slice(0, -4), factor: 2 };
  if (name.endsWith('Fast')) return { base: name.slice(0, -4), factor: 0.5 };
  return { base: name, factor: 1 };
}

export function transitionSpec(name: string | undefined, clipLength: number): TransitionSpec | undefined {
  if (!name) return undefined;
  const { base, factor } = speed(name);
  const kind = (ALIASES[base] ?? base) as TransitionKind;
  return { kind, duration: Math.min(transitionSeconds(kind, factor), clipLength / 2) };
}

export type EffectKind = 'zoomIn' | 'zoomOut' | 'slideLeft' | 'slideRight' | 'slideUp' | 'slideDown';
export interface EffectSpec {
  kind: EffectKind;
  /** Zoom: extra scale reached over the clip (0.25 → 125%). Slide: travel as a fraction of the layer. */
  amount: number;
}

export function effectSpec(name: Clip['effect']): EffectSpec | undefined {
  if (!name) return undefined;
  const { base, factor } = speed(name);
  const kind = base as EffectKind;
  // Shotstack's player: zooms reach 1.3× over the clip (Slow 1.1×, Fast 1.7×); slides pan 24 % of the
  // layer (Slow 6 %, Fast 40 %).
  const pick = (plain: number, slow: number, fast: number) =>
    factor === 2 ? slow : factor === 0.5 ? fast : plain;
  return { kind, amount: kind.startsWith('zoom') ? pick(0.3, 0.1, 0.7) : pick(0.24, 0.06, 0.4) };
}

/** 0→1 over [start, start+duration] of the time variable `v`, eased (smoothstep). */
export function progress(v: string, start: number, duration: number): string {
  const p = `clip((${v}-${n(start)})/${n(duration)},0,1)`;
  return `(${p}*${p}*(3-2*${p}))`;
}

/** Linear 0→1 over [start, start+duration]. */
export function linear(v: string, start: number, duration: number): string {
  return `clip((${v}-${n(start)})/${n(duration)},0,1)`;
}

/**
 * Shotstack's moving transitions: a carousel pushes the clip a whole frame (vertically 1.05 of the height
 * on the way in, 1.1 on the way out); a slide nudges it 2.5 % while it fades. In moves at constant speed,
 * out eases ("ease").
 */
export function moveTween(t: TransitionSpec, axis: 'x' | 'y', entering: boolean, from: number): Tween[] {
  const name = t.kind.replace(/^(slide|carousel)/, '');
  const horizontal = name === 'Left' || name === 'Right';
  if ((axis === 'x') !== horizontal) return [];
  // Screen direction of travel: Left/Up go towards negative x/y in pixels.
  const sign = name === 'Left' || name === 'Up' ? -1 : 1;
  const carousel = t.kind.startsWith('carousel');
  const span = carousel ? (horizontal ? 1 : entering ? 1.05 : 1.1) : 0.025;
  return entering
    ? [{ from: -sign * span, to: 0, start: from, length: t.duration }]
    : [
        {
          from: 0,
          to: sign * span,
          start: from,
          length: t.duration,
          interpolation: 'bezier',
          easing: 'ease',
        },
      ];
}
