import { describe, expect, it } from 'vitest';
import { frameRate } from '../../../lambdas/core/render/output-spec.js';
import { frameAt, frameSeconds, windowSeconds } from '../../../lambdas/core/render/window.js';

const f25 = frameRate(25);
const ntsc = frameRate(29.97);
const film = frameRate(23.976);
/** frameAt(0) is -0 (ceil of a tiny negative); it prints as "0" everywhere, so compare as numbers. */
const at = (s: number, fps = f25) => frameAt(s, fps) + 0;

describe('frameAt: the first frame shown at or after a time', () => {
  it.each([
    [0, 0],
    [0.4, 10],
    [0.39, 10],
    [0.41, 11],
    [0.04, 1],
    [1, 25],
    [1.5, 38],
    [0.5, 13],
  ])('%s s at 25 fps → frame %s', (s, f) => {
    expect(at(s)).toBe(f);
  });

  it('float noise does not push a boundary to the next frame', () => {
    expect(frameAt(0.1 + 0.2, frameRate(10))).toBe(3);
    expect(frameAt(0.7, frameRate(10))).toBe(7);
    expect(frameAt(3 * 0.04, f25)).toBe(3);
  });

  it('29.97 fps: frames land on 1001/30000 s', () => {
    expect(frameAt(1001 / 30000, ntsc)).toBe(1);
    expect(frameAt(1001 / 30000 + 1e-4, ntsc)).toBe(2);
    expect(frameAt(1, ntsc)).toBe(30);
    expect(frameAt(10.01, ntsc)).toBe(300);
    expect(frameAt(0.4, ntsc)).toBe(12);
  });

  it('frameSeconds and frameAt round-trip every frame (NTSC included)', () => {
    for (const fps of [f25, ntsc, film, frameRate(59.94)]) {
      for (let f = 0; f < 20000; f += 7) expect(at(frameSeconds(f, fps), fps)).toBe(f);
    }
  });
});

describe('frameSeconds and windowSeconds', () => {
  it('convert frames to seconds exactly', () => {
    expect(frameSeconds(25, f25)).toBe(1);
    expect(frameSeconds(300, ntsc)).toBeCloseTo(10.01, 12);
    expect(frameSeconds(24, film)).toBeCloseTo(1.001, 12);
  });

  it('a window is its start time and its length in seconds', () => {
    expect(windowSeconds({ startFrame: 25, endFrame: 50 }, f25)).toEqual({ start: 1, duration: 1 });
    expect(windowSeconds({ startFrame: 10, endFrame: 20 }, f25)).toEqual({ start: 0.4, duration: 0.4 });
    const w = windowSeconds({ startFrame: 30, endFrame: 90 }, ntsc);
    expect(w.start).toBeCloseTo(1.001, 12);
    expect(w.duration).toBeCloseTo(2.002, 12);
  });
});
