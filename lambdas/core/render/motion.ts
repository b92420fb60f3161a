import type { Clip } from '../edit/schema.js';
import { EASINGS, type Easing, type Tween } from '../edit/tween.js';
import { formatNumber as n } from '../filtergraph/graph.js';

/**
 * Transitions and effects as data the compiler turns into filters. Durations follow Shotstack's player:
 * the plain name is 1 s, `Slow` 2 s, `Fast` 0.5 s, `VeryFast` 0.25 s, except slides and carousels, which
 * are quick moves (plain 0.5 s, `Fast` and `VeryFast` 0.25 s, `Slow` 2 s), and zoom (0.4 s whatever its
 * speed); never more than half the clip.
 *
 * Curves, as Shotstack's player draws them (shotstack-studio-sdk, transition presets): a fade's opacity,
 * and the fade of a slide, follow its "smooth" curve; zoom fades in on "easeIn" and out on "easeOut"; the
 * player evaluates a bezier easing in one step, not by solving it (`curveValue`), and so does cutline for
 * these transitions: a fade in is at 41 % opacity a quarter of the way through and 84 % halfway. A
 * crossfade made by overlapping clips on one track, and rich-text's entrance fades, stay linear.
 */
export type ShuffleKind =
  | 'shuffleTopRight'
  | 'shuffleRightTop'
  | 'shuffleRightBottom'
  | 'shuffleBottomRight'
  | 'shuffleBottomLeft'
  | 'shuffleLeftBottom'
  | 'shuffleLeftTop'
  | 'shuffleTopLeft';

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
  | 'zoom'
  | ShuffleKind;

export interface TransitionSpec {
  kind: TransitionKind;
  duration: number;
  /** How its opacity changes (fades): a player easing, else linear. */
  curve?: Easing;
}

/** The nearest supported look for names cutline does not draw literally. */
const ALIASES: Record<string, TransitionKind> = { reveal: 'wipeRight' };

/** Seconds a transition lasts before the half-clip cap. */
function transitionSeconds(kind: TransitionKind, factor: number): number {
  // "fast zoom in": Shotstack's zoom lasts 0.4 s whatever its speed suffix.
  if (kind === 'zoom') return 0.4;
  if (/^(slide|carousel)/.test(kind)) return factor === 2 ? 2 : factor < 1 ? 0.25 : 0.5;
  return factor;
}

function speed(name: string): { base: string; factor: number } {
  if (name.endsWith('VeryFast')) return { base: name.slice(0, -8), factor: 0.25 };
  if (name.endsWith('Slow')) return { base: name.slice(0, -4), factor: 2 };
  if (name.endsWith('Fast')) return { base: name.slice(0, -4), factor: 0.5 };
  return { base: name, factor: 1 };
}

/** The opacity curve of a named transition on its way in or out (see the header). */
function fadeCurve(kind: TransitionKind, entering: boolean): Easing | undefined {
  if (kind === 'fade' || kind.startsWith('slide')) return 'smooth';
  if (kind === 'zoom') return entering ? 'easeIn' : 'easeOut';
  return undefined;
}

export function transitionSpec(
  name: string | undefined,
  clipLength: number,
  entering = true,
): TransitionSpec | undefined {
  if (!name) return undefined;
  const { base, factor } = speed(name);
  const kind = (ALIASES[base] ?? base) as TransitionKind;
  const curve = fadeCurve(kind, entering);
  return {
    kind,
    duration: Math.min(transitionSeconds(kind, factor), clipLength / 2),
    ...(curve ? { curve } : {}),
  };
}

/**
 * Shotstack's player's bezier easing (its curve interpolator): progress p is warped once by
 * p + (3·x1 − 3·x2 + 1)·p·(1 − p) and the curve's y read at that parameter, instead of solving x(t) = p.
 */
export function curveValue(p: number, easing: Easing): number {
  const q = Math.min(1, Math.max(0, p));
  const [x1, y1, x2, y2] = EASINGS[easing];
  const t = q + (3 * x1 - 3 * x2 + 1) * q * (1 - q);
  const u = 1 - t;
  return 3 * u * u * t * y1 + 3 * u * t * t * y2 + t * t * t;
}

/**
 * curveValue as an ffmpeg expression of progress `p` (an expression already clipped to [0, 1]). The warped
 * parameter is kept in register 5 (easeExpr in keyframes.ts uses 0–4), so a per-pixel geq evaluates p once.
 */
export function curveExpr(p: string, easing: Easing): string {
  const [x1, y1, x2, y2] = EASINGS[easing];
  const t = 'ld(5)';
  const terms = [
    y1 ? `3*(1-${t})*(1-${t})*${t}*${n(y1)}` : '',
    y2 ? `3*(1-${t})*${t}*${t}*${n(y2)}` : '',
    `${t}*${t}*${t}`,
  ].filter(Boolean);
  return `(st(5,${p});st(5,ld(5)+${n(3 * x1 - 3 * x2 + 1)}*ld(5)*(1-ld(5)));${terms.join('+')})`;
}

/**
 * Shuffles (Shotstack: "rotate in from top right" …; its player does not draw them, so this is cutline's
 * reading): the clip swings in from off-frame on the side named first, half a frame towards the side named
 * second, turned SHUFFLE_ANGLE degrees (clockwise when it comes from the right), moving and turning on the
 * "smooth" curve; out is the same path backwards.
 */
export const SHUFFLE_ANGLE = 30;
export function shuffleGeometry(kind: ShuffleKind): { x: number; y: number; angle: number } {
  const sides = kind.slice('shuffle'.length).match(/Top|Bottom|Left|Right/g)!;
  const sign = (s: string) => (s === 'Right' || s === 'Bottom' ? 1 : -1);
  const horizontal = (s: string) => s === 'Left' || s === 'Right';
  const [first, second] = sides as [string, string];
  const x = horizontal(first) ? sign(first) : 0.5 * sign(second);
  const y = horizontal(first) ? 0.5 * sign(second) : sign(first);
  const h = horizontal(first) ? first : second;
  return { x, y, angle: SHUFFLE_ANGLE * sign(h) };
}

export const isShuffle = (t?: TransitionSpec): t is TransitionSpec & { kind: ShuffleKind } =>
  !!t && t.kind.startsWith('shuffle');

/**
 * How far along the shuffle's path the clip is at absolute time `tau` (1 = fully away, 0 = in place), as
 * an expression: 1→0 over the way in, 0→1 over the way out, 0 between.
 */
export function shuffleAway(t: TransitionSpec, entering: boolean, start: number, tau: string): string {
  const p = `clip((${tau}-${n(start)})/${n(t.duration)},0,1)`;
  const eased = curveExpr(p, 'smooth');
  return entering
    ? `if(lt(${tau},${n(start + t.duration)}),1-${eased},0)`
    : `if(gte(${tau},${n(start)}),${eased},0)`;
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
