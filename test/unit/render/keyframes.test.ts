import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { EASINGS, type Tween } from '../../../lambdas/core/edit/tween.js';
import { filter, printFilter } from '../../../lambdas/core/filtergraph/graph.js';
import { easeValue, tweenExpr, tweenRange, tweenValueAt } from '../../../lambdas/core/render/keyframes.js';

/** ffmpeg's own evaluation of an expression of `t` at 100 samples a second, for `seconds`. */
function ffmpegValues(expr: string, seconds: number): number[] {
  const out = execFileSync(
    'ffmpeg',
    [
      '-v',
      'error',
      '-f',
      'lavfi',
      '-i',
      printFilter(filter('aevalsrc', { exprs: expr, s: 100, d: seconds })),
      '-f',
      'f32le',
      '-',
    ],
    { maxBuffer: 1 << 24 },
  );
  return Array.from(new Float32Array(out.buffer, out.byteOffset, out.length / 4));
}

const keys: Tween[] = [
  { from: 0, to: 1, start: 0.5, length: 1 },
  { from: 1, to: 3, start: 1.5, length: 1, interpolation: 'bezier', easing: 'easeInOutBack' },
  { from: 2, to: -1, start: 3, length: 0.5, interpolation: 'constant' },
  { from: 0, to: 4, start: 4, length: 1, interpolation: 'bezier' },
];

describe('tweenValueAt', () => {
  it('holds the first from before the first keyframe, the previous to in gaps, the last to after', () => {
    expect(tweenValueAt(keys, 0)).toBe(0);
    expect(tweenValueAt(keys, 1)).toBeCloseTo(0.5, 9);
    expect(tweenValueAt(keys, 2.7)).toBe(3);
    expect(tweenValueAt(keys, 3.2)).toBe(2); // constant: from for the whole segment
    expect(tweenValueAt(keys, 3.7)).toBe(-1);
    expect(tweenValueAt(keys, 9)).toBe(4);
    expect(tweenValueAt(0.3, 5)).toBe(0.3);
  });

  it('bezier without an easing is CSS "ease"; the named curves keep their end points', () => {
    expect(tweenValueAt(keys, 4.5)).toBeCloseTo(easeValue(0.5, 'ease') * 4, 9);
    expect(easeValue(0.5, 'ease')).toBeCloseTo(0.8024, 3); // CSS ease at 50 %
    for (const name of Object.keys(EASINGS) as Array<keyof typeof EASINGS>) {
      expect(easeValue(0, name)).toBe(0);
      expect(easeValue(1, name)).toBe(1);
    }
    expect(easeValue(0.5, 'easeInOut')).toBeCloseTo(0.5, 3);
  });

  it('the range covers overshoot', () => {
    const r = tweenRange([keys[1]!]);
    expect(r.max).toBeGreaterThan(3);
    expect(r.min).toBeLessThan(1);
    expect(tweenRange(2)).toEqual({ min: 2, max: 2 });
  });
});

describe('tweenExpr', () => {
  it('ffmpeg evaluates the expression to the same values as the JS model, at every sample', () => {
    const clipStart = 0.7;
    const values = ffmpegValues(tweenExpr(keys, clipStart, 't'), 6);
    expect(values).toHaveLength(600);
    values.forEach((v, i) => expect(v).toBeCloseTo(tweenValueAt(keys, i / 100 - clipStart), 3));
  });

  it('a plain number prints as itself', () => {
    expect(tweenExpr(0.25, 3)).toBe('0.25');
  });
});
