import { describe, expect, it } from 'vitest';
import {
  autoFocus,
  frameCentres,
  simplify,
  smoothPath,
  type GrayFrames,
} from '../../../lambdas/core/clips/reframe.js';

/** 64×36 black frames with an 6×6 white square whose left edge moves to x(i). */
function moving(n: number, x: (i: number) => number, y = 15): GrayFrames {
  const width = 64;
  const height = 36;
  const frames = Array.from({ length: n }, (_, i) => {
    const f = new Uint8Array(width * height);
    const x0 = Math.round(x(i));
    for (let yy = y; yy < y + 6; yy++) for (let xx = x0; xx < x0 + 6; xx++) f[yy * width + xx] = 255;
    return f;
  });
  return { width, height, step: 0.25, frames };
}

describe('auto reframe (pure)', () => {
  it('finds the moving subject in each frame', () => {
    const g = moving(9, (i) => 4 + i * 6);
    const centres = frameCentres(g);
    centres.forEach((c, i) => {
      if (i === 0) return;
      // Between the previous and the current square (motion), pulled to the current one (contrast).
      expect(c.x * 64).toBeGreaterThan(4 + (i - 1) * 6);
      expect(c.x * 64).toBeLessThan(4 + i * 6 + 6);
      expect(c.y * 36).toBeCloseTo(18, 0);
    });
  });

  it('a still frame with a bright subject is found by contrast', () => {
    const g = moving(3, () => 50);
    for (const c of frameCentres(g)) expect(c.x * 64).toBeCloseTo(53, 0);
  });

  it('smoothing removes jitter without lag and bounds the speed', () => {
    const jitter = Array.from({ length: 40 }, (_, i) => 0.5 + (i % 2 ? 0.1 : -0.1));
    const s = smoothPath(jitter, 0.25);
    for (const v of s.slice(5, 35)) expect(Math.abs(v - 0.5)).toBeLessThan(0.05);
    const jump = Array.from({ length: 40 }, (_, i) => (i < 20 ? 0.1 : 0.9));
    const j = smoothPath(jump, 0.25);
    for (let i = 1; i < j.length; i++)
      expect(Math.abs(j[i]! - j[i - 1]!)).toBeLessThanOrEqual(0.6 * 0.25 + 1e-9);
    // Zero phase: the path is halfway at the jump, not a time constant after it.
    expect(j[19]! + j[20]!).toBeGreaterThan(0.8);
    expect(j[19]! + j[20]!).toBeLessThan(1.2);
  });

  it('frames with nothing in them hold the previous position', () => {
    expect(smoothPath([0.2, null, null, null], 0.25)).toEqual(smoothPath([0.2, 0.2, 0.2, 0.2], 0.25));
    expect(smoothPath([null, 0.7], 0.25)[0]).toBeCloseTo(0.7);
  });

  it('simplify keeps only keyframes a straight line does not explain', () => {
    const keys = [0, 1, 2, 3, 4].map((t) => ({ time: t, x: t < 3 ? t * 0.1 : 0.2, y: 0.5 }));
    expect(simplify(keys, 0.01).map((k) => k.time)).toEqual([0, 2, 4]);
  });

  it('autoFocus follows a subject across the frame with times from the clip start', () => {
    const keys = autoFocus(moving(17, (i) => 2 + i * 3.5));
    expect(keys[0]!.time).toBe(0);
    expect(keys.at(-1)!.time).toBe(4);
    expect(keys[0]!.x).toBeLessThan(0.25);
    expect(keys.at(-1)!.x).toBeGreaterThan(0.75);
    for (let i = 1; i < keys.length; i++) expect(keys[i]!.x).toBeGreaterThanOrEqual(keys[i - 1]!.x - 0.01);
  });
});
