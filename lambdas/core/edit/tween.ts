import { z } from 'zod';

/**
 * Shotstack's tweens: a property given as an array of keyframe segments instead of one number. Each
 * segment runs `from` → `to` over [start, start + length] seconds of the clip (not the timeline).
 * `interpolation` is linear (the default), bezier (eased by `easing`, "ease" when none is named) or
 * constant (holds `from` for the segment). Between segments and after the last one the value is held,
 * as Shotstack's player does; before the first segment it is the first segment's `from`.
 */

/**
 * The easing curves Shotstack's player names, as CSS cubic-bezier handles [x1, y1, x2, y2] (the Penner
 * curves as easings.net approximates them).
 */
export const EASINGS = {
  ease: [0.25, 0.1, 0.25, 1],
  easeIn: [0.42, 0, 1, 1],
  easeOut: [0, 0, 0.58, 1],
  easeInOut: [0.42, 0, 0.58, 1],
  smooth: [0.5, 0, 0.5, 1],
  easeInQuad: [0.55, 0.085, 0.68, 0.53],
  easeInCubic: [0.55, 0.055, 0.675, 0.19],
  easeInQuart: [0.895, 0.03, 0.685, 0.22],
  easeInQuint: [0.755, 0.05, 0.855, 0.06],
  easeInSine: [0.47, 0, 0.745, 0.715],
  easeInExpo: [0.95, 0.05, 0.795, 0.035],
  easeInCirc: [0.6, 0.04, 0.98, 0.335],
  easeInBack: [0.6, -0.28, 0.735, 0.045],
  easeOutQuad: [0.25, 0.46, 0.45, 0.94],
  easeOutCubic: [0.215, 0.61, 0.355, 1],
  easeOutQuart: [0.165, 0.84, 0.44, 1],
  easeOutQuint: [0.23, 1, 0.32, 1],
  easeOutSine: [0.39, 0.575, 0.565, 1],
  easeOutExpo: [0.19, 1, 0.22, 1],
  easeOutCirc: [0.075, 0.82, 0.165, 1],
  easeOutBack: [0.175, 0.885, 0.32, 1.275],
  easeInOutQuad: [0.455, 0.03, 0.515, 0.955],
  easeInOutCubic: [0.645, 0.045, 0.355, 1],
  easeInOutQuart: [0.77, 0, 0.175, 1],
  easeInOutQuint: [0.86, 0, 0.07, 1],
  easeInOutSine: [0.445, 0.05, 0.55, 0.95],
  easeInOutExpo: [1, 0, 0, 1],
  easeInOutCirc: [0.785, 0.135, 0.15, 0.86],
  easeInOutBack: [0.68, -0.55, 0.265, 1.55],
} as const satisfies Record<string, readonly [number, number, number, number]>;
export type Easing = keyof typeof EASINGS;
const easingNames = Object.keys(EASINGS) as [Easing, ...Easing[]];

/** Most segments one property may have: each becomes a branch of an ffmpeg expression. */
export const MAX_TWEENS = 50;

const segment = (min: number, max: number) =>
  z.strictObject({
    from: z.number().min(min).max(max),
    to: z.number().min(min).max(max),
    start: z.number().min(0, 'start must be 0 or more (seconds from the clip start)'),
    length: z.number().positive('length must be more than 0'),
    interpolation: z
      .enum(['linear', 'bezier', 'constant'], { error: 'interpolation must be linear, bezier or constant' })
      .optional(),
    easing: z.enum(easingNames, { error: `easing must be one of ${easingNames.join(', ')}` }).optional(),
  });

export type Tween = z.infer<ReturnType<typeof segment>>;

/** A number in [min, max], or an array of tweens between such numbers that do not overlap in time. */
export function tweenable(
  min: number,
  max: number,
  number: z.ZodType<number> = z.number().min(min).max(max),
) {
  return z.union(
    [
      number,
      z
        .array(segment(min, max))
        .min(1, 'a tween array needs at least one keyframe')
        .max(MAX_TWEENS, `at most ${MAX_TWEENS} keyframes`)
        .superRefine((tweens, ctx) => {
          const order = tweens.map((t, i) => ({ t, i })).sort((a, b) => a.t.start - b.t.start);
          for (let k = 1; k < order.length; k++) {
            const prev = order[k - 1]!;
            const cur = order[k]!;
            const end = prev.t.start + prev.t.length;
            // A hair of float slack so 0.1 + 0.2 meeting 0.3 is "touching", not "overlapping".
            if (cur.t.start < end - 1e-9)
              ctx.addIssue({
                code: 'custom',
                path: [cur.i, 'start'],
                message: `overlaps keyframe ${prev.i}, which runs until ${+end.toFixed(6)} s`,
              });
          }
        }),
    ],
    {
      error: `must be a number between ${min} and ${max} or an array of {from, to, start, length} keyframes`,
    },
  );
}

export type Tweenable = number | Tween[];
