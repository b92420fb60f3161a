import { describe, expect, it } from 'vitest';
import type { Clip } from '../../../lambdas/core/edit/schema.js';
import { affinePhase } from '../../../lambdas/core/render/affine.js';
import { lumaTargets } from '../../../lambdas/core/render/luma.js';
import type { TimedClip } from '../../../lambdas/core/render/timeline.js';

const timed = (clipIndex: number, asset: Clip['asset'], start: number, length: number): TimedClip => ({
  trackIndex: 0,
  clipIndex,
  at: `timeline.tracks[0].clips[${clipIndex}]`,
  clip: { asset, start, length },
  start,
  length,
  end: start + length,
});

describe('lumaTargets', () => {
  it('a luma masks every picture clip it overlaps on its track, and nothing else', () => {
    const luma = timed(0, { type: 'luma', src: 'm.mp4' }, 3.6, 1.4);
    const before = timed(1, { type: 'video', src: 'a.mp4' }, 0, 5);
    const after = timed(2, { type: 'image', src: 'b.png' }, 4.5, 2);
    const later = timed(3, { type: 'image', src: 'c.png' }, 5, 2);
    const sound = timed(4, { type: 'audio', src: 't.wav' }, 0, 9);
    const map = lumaTargets([luma, before, after, later, sound]);
    expect(map.get(before)).toEqual([luma]);
    expect(map.get(after)).toEqual([luma]);
    expect(map.has(later)).toBe(false); // touches at 5 s, does not overlap
    expect(map.has(sound)).toBe(false);
    expect(map.has(luma)).toBe(false);
  });

  it('a luma that overlaps nothing is a validation error at its path', () => {
    const luma = timed(0, { type: 'luma', src: 'm.mp4' }, 6, 1);
    expect(() => lumaTargets([luma, timed(1, { type: 'image', src: 'b.png' }, 0, 5)])).toThrow(
      expect.objectContaining({
        code: 'VALIDATION_FAILED',
        details: [expect.objectContaining({ path: luma.at })],
      }),
    );
  });
});

describe('affinePhase', () => {
  const fps = { num: 25, den: 1 };
  it('nothing to do without skew or a tweened scale', () => {
    expect(affinePhase({ scale: 0.5 }, { width: 100, height: 50 }, 0, 0, fps)).toBeUndefined();
  });

  it('a static skew pads the canvas by the shear and maps its corners once', () => {
    const a = affinePhase({ transform: { skew: { x: 0.5 } } }, { width: 100, height: 50 }, 0, 0, fps)!;
    expect(a.canvas).toEqual({ width: 130, height: 54 });
    expect(a.moving).toBe(false);
    const p = a.nodes.find((f) => f.name === 'perspective')!.args as Record<string, string>;
    expect(p.eval).toBe('init');
    // Top-left corner (y above the centre) moves right by 0.5 × 27.
    expect(p.x0).toBe('65+1*(-65-(0.5)*(-27))');
  });

  it('a tweened scale is evaluated per frame from the absolute frame number', () => {
    const a = affinePhase(
      { scale: [{ from: 0.5, to: 1, start: 0, length: 1 }] },
      { width: 100, height: 50 },
      2,
      60,
      fps,
    )!;
    expect(a.moving).toBe(true);
    const p = a.nodes.find((f) => f.name === 'perspective')!.args as Record<string, string>;
    expect(p.eval).toBe('frame');
    expect(p.x0).toContain('((in+60)*1/25)');
  });
});
