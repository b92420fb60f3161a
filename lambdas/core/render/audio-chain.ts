/**
 * One track's sounds as a chain instead of a mix: an amix over every sound delayed to its place sums
 * silence for each of them over the whole timeline (cost ~ sounds × duration, so the square of a
 * timeline's length when clips are evenly spread); a chain plays each sound once, in order, and sums only
 * where two overlap (a crossfade: each side already carries its fade). Pure planning here; audio.ts builds
 * the filters. Samples are the same as the mix's: a + b where two overlap, a alone elsewhere, 0 in gaps.
 * One ffmpeg process still costs more than linearly in a long timeline's sounds (its filter graph looks
 * over every filter before each step; README, Benchmarks): the chunked path's audio parts are linear.
 */

/** A sound's samples on the mixed window, `[a, b)`. */
export interface ChainSpan {
  a: number;
  b: number;
}

export type ChainPiece =
  | { kind: 'gap'; a: number; b: number }
  | { kind: 'solo'; sound: number; a: number; b: number }
  | { kind: 'overlap'; first: number; second: number; a: number; b: number };

/**
 * Pure: the pieces of a track whose spans are sorted by start, in order, covering [0, last end) of the
 * window; or null when the track does not chain (a sound inside another, or three sounding at once): the
 * caller mixes those as before.
 */
export function planTrackChain(spans: readonly ChainSpan[]): ChainPiece[] | null {
  for (let i = 1; i < spans.length; i++) {
    const [prev, cur] = [spans[i - 1]!, spans[i]!];
    if (cur.a < prev.a || cur.b <= prev.b) return null;
    if (i >= 2 && cur.a < spans[i - 2]!.b) return null;
  }
  const pieces: ChainPiece[] = [];
  let at = 0;
  spans.forEach((s, i) => {
    const next = spans[i + 1];
    const from = Math.max(s.a, at);
    if (s.a > at) pieces.push({ kind: 'gap', a: at, b: s.a });
    const soloEnd = next ? Math.min(s.b, next.a) : s.b;
    if (soloEnd > from) pieces.push({ kind: 'solo', sound: i, a: from, b: soloEnd });
    if (next && next.a < s.b) pieces.push({ kind: 'overlap', first: i, second: i + 1, a: next.a, b: s.b });
    at = s.b;
  });
  return pieces;
}

/** How many pieces take samples from each sound (the split it needs). */
export function usesPerSound(pieces: readonly ChainPiece[], sounds: number): number[] {
  const uses = new Array<number>(sounds).fill(0);
  for (const p of pieces) {
    if (p.kind === 'solo') uses[p.sound]!++;
    if (p.kind === 'overlap') {
      uses[p.first]!++;
      uses[p.second]!++;
    }
  }
  return uses;
}
