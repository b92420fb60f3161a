import type { Clip } from '../edit/schema.js';
import { formatNumber as n } from '../filtergraph/graph.js';

/**
 * Transitions and effects as data the compiler turns into filters. Durations follow the names: the plain
 * name is 1 s, `Slow` 2 s, `Fast` 0.5 s, never more than half the clip.
 */
export type TransitionKind =
  'fade' | 'wipeLeft' | 'wipeRight' | 'slideLeft' | 'slideRight' | 'slideUp' | 'slideDown' | 'zoom';

export interface TransitionSpec {
  kind: TransitionKind;
  duration: number;
}

/** The nearest supported look for names cutline does not draw literally. */
const ALIASES: Record<string, TransitionKind> = {
  reveal: 'wipeRight',
  carouselLeft: 'slideLeft',
  carouselRight: 'slideRight',
  carouselUp: 'slideUp',
  carouselDown: 'slideDown',
};

function speed(name: string): { base: string; factor: number } {
  if (name.endsWith('Slow')) return { base: name.slice(0, -4), factor: 2 };
  if (name.endsWith('Fast')) return { base: name.slice(0, -4), factor: 0.5 };
  return { base: name, factor: 1 };
}

export function transitionSpec(name: string | undefined, clipLength: number): TransitionSpec | undefined {
  if (!name) return undefined;
  const { base, factor } = speed(name);
  const kind = (ALIASES[base] ?? base) as TransitionKind;
  return { kind, duration: Math.min(factor, clipLength / 2) };
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
  // Slow moves cover half the distance over the clip, Fast twice.
  const rate = factor === 2 ? 0.5 : factor === 0.5 ? 2 : 1;
  const kind = base as EffectKind;
  return { kind, amount: (kind.startsWith('zoom') ? 0.25 : 0.1) * rate };
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
