import { describe, expect, it } from 'vitest';
import { planTrackChain, usesPerSound } from '../../../lambdas/core/render/audio-chain.js';

describe('audio chain planner', () => {
  it('plays sounds in order, sums only the overlaps and fills gaps with silence', () => {
    // 0–15, 14–29 (1 s crossfade), a gap, 31–40.
    const pieces = planTrackChain([
      { a: 0, b: 15 },
      { a: 14, b: 29 },
      { a: 31, b: 40 },
    ]);
    expect(pieces).toEqual([
      { kind: 'solo', sound: 0, a: 0, b: 14 },
      { kind: 'overlap', first: 0, second: 1, a: 14, b: 15 },
      { kind: 'solo', sound: 1, a: 15, b: 29 },
      { kind: 'gap', a: 29, b: 31 },
      { kind: 'solo', sound: 2, a: 31, b: 40 },
    ]);
    expect(usesPerSound(pieces!, 3)).toEqual([2, 2, 1]);
  });

  it('starts with silence when the first sound starts late; pieces tile [0, last end) exactly', () => {
    const spans = [
      { a: 5, b: 20 },
      { a: 19, b: 34 },
      { a: 33, b: 48 },
    ];
    const pieces = planTrackChain(spans)!;
    expect(pieces[0]).toEqual({ kind: 'gap', a: 0, b: 5 });
    pieces.forEach((p, i) => i > 0 && expect(p.a).toBe(pieces[i - 1]!.b));
    expect(pieces[pieces.length - 1]!.b).toBe(48);
  });

  it('a sound that ends inside the previous one, or three at once, does not chain', () => {
    expect(
      planTrackChain([
        { a: 0, b: 15 },
        { a: 5, b: 10 },
      ]),
    ).toBeNull();
    expect(
      planTrackChain([
        { a: 0, b: 15 },
        { a: 10, b: 20 },
        { a: 12, b: 30 },
      ]),
    ).toBeNull();
  });
});
