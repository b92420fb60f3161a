import { describe, expect, it } from 'vitest';
import { parseEdit } from '../../../lambdas/core/intake/parse-edit.js';
import { metadataArgs } from '../../../lambdas/core/render/encode.js';
import { focusOffset } from '../../../lambdas/core/render/focus.js';

/** Evaluates an ffmpeg expression of t that uses only + - * / ( ) and clip(). */
function evalExpr(expr: string, t: number): number {
  const js = expr.replace(/\bt\b/g, `(${t})`);
  return new Function('clip', `return ${js};`)((v: number, lo: number, hi: number) =>
    Math.min(hi, Math.max(lo, v)),
  ) as number;
}

describe('video focus (crop window position)', () => {
  it('a fixed focus centres the window on it, clamped inside the picture', () => {
    // 16:9 source scaled to 3413×1920, 1080-wide window.
    expect(focusOffset({ x: 0.5, y: 0.5 }, 'x', 3414, 1080, 0)).toBe(1167);
    expect(focusOffset({ x: 0.25, y: 0.5 }, 'x', 3414, 1080, 0)).toBe(Math.round(0.25 * 3414 - 540));
    expect(focusOffset({ x: 0.02, y: 0.5 }, 'x', 3414, 1080, 0)).toBe(0);
    expect(focusOffset({ x: 0.99, y: 0.5 }, 'x', 3414, 1080, 0)).toBe(3414 - 1080);
    // No room to move on this axis: 0.
    expect(focusOffset({ x: 0.3, y: 0.9 }, 'y', 1920, 1920, 0)).toBe(0);
    expect(focusOffset(undefined, 'x', 3414, 1080, 0)).toBe(1167);
  });

  it('keyframes become one expression of timeline time, linear between keys and held outside', () => {
    const keys = [
      { time: 0, x: 0.2, y: 0.5 },
      { time: 1, x: 0.6, y: 0.5 },
      { time: 3, x: 0.6, y: 0.5 },
      { time: 4, x: 0.3, y: 0.5 },
    ];
    const expr = focusOffset(keys, 'x', 1000, 200, 10);
    expect(typeof expr).toBe('string');
    const px = (v: number) => Math.min(800, Math.max(0, v * 1000 - 100));
    const at = (tau: number) => evalExpr(expr as string, 10 + tau);
    expect(at(-1)).toBeCloseTo(px(0.2));
    expect(at(0)).toBeCloseTo(px(0.2));
    expect(at(0.5)).toBeCloseTo(px(0.4));
    expect(at(2)).toBeCloseTo(px(0.6));
    expect(at(3.5)).toBeCloseTo(px(0.45));
    expect(at(9)).toBeCloseTo(px(0.3));
    // y never changes: a plain number.
    expect(focusOffset(keys, 'y', 1000, 200, 10)).toBe(400);
  });

  it('the schema takes a point or increasing keyframes, with paths on errors', () => {
    const edit = (focus: unknown) => ({
      timeline: {
        tracks: [{ clips: [{ asset: { type: 'video', src: 'a.mp4', focus }, start: 0, length: 1 }] }],
      },
      output: { format: 'mp4' },
    });
    expect(() => parseEdit(edit({ x: 0.1, y: 0.9 }))).not.toThrow();
    expect(() =>
      parseEdit(
        edit([
          { time: 0, x: 0.1, y: 0.9 },
          { time: 1, x: 0.2, y: 0.9 },
        ]),
      ),
    ).not.toThrow();
    expect(() =>
      parseEdit(
        edit([
          { time: 1, x: 0.1, y: 0.9 },
          { time: 1, x: 0.2, y: 0.9 },
        ]),
      ),
    ).toThrow(/timeline\.tracks\[0\]\.clips\[0\]\.asset\.focus/);
  });
});

describe('output.metadata', () => {
  it('becomes -metadata arguments after the encoder tag', () => {
    expect(metadataArgs({ metadata: { title: 'A: "b" = c', comment: 'x\ny' } })).toEqual([
      '-metadata',
      'encoder=cutline',
      '-metadata',
      'title=A: "b" = c',
      '-metadata',
      'comment=x\ny',
    ]);
    expect(metadataArgs({})).toEqual(['-metadata', 'encoder=cutline']);
  });
});
