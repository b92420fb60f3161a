/**
 * Picking mix variations, pure. A variation takes one clip per group, in group order; variations are
 * unique. Auto mode draws them with a seeded generator (mulberry32), so the same request and seed always
 * give the same variations in the same order.
 */

/** mulberry32: a small, well-mixed 32-bit generator; returns floats in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Mixed-radix decoding: combination number k → one clip index per group. */
export function decodeCombination(k: number, sizes: readonly number[]): number[] {
  const out = new Array<number>(sizes.length);
  for (let g = sizes.length - 1; g >= 0; g--) {
    out[g] = k % sizes[g]!;
    k = Math.floor(k / sizes[g]!);
  }
  return out;
}

/**
 * `count` distinct combinations of group sizes `sizes`, deterministic for `seed`. When most of the space
 * is wanted, it is shuffled (partial Fisher–Yates); otherwise combinations are drawn and repeats redrawn.
 * The caller has checked count ≤ the number of combinations.
 */
export function pickVariations(sizes: readonly number[], count: number, seed: number): number[][] {
  const total = sizes.reduce((p, n) => p * n, 1);
  if (count > total) throw new Error(`count ${count} exceeds the ${total} combinations`);
  const rand = seededRandom(seed);
  if (total <= 100_000 && count * 4 >= total) {
    const all = Array.from({ length: total }, (_, i) => i);
    for (let i = 0; i < count; i++) {
      const j = i + Math.floor(rand() * (total - i));
      [all[i], all[j]] = [all[j]!, all[i]!];
    }
    return all.slice(0, count).map((k) => decodeCombination(k, sizes));
  }
  const seen = new Set<string>();
  const out: number[][] = [];
  while (out.length < count) {
    const combo = sizes.map((n) => Math.floor(rand() * n));
    const key = combo.join(',');
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(combo);
  }
  return out;
}
