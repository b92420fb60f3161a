/** Small statistics shared by the metrics endpoint, the estimate reports and the bench. */

/** The q-quantile (0…1) with linear interpolation between closest ranks; null for no values. */
export function quantile(values: readonly number[], q: number): number | null {
  const xs = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (!xs.length) return null;
  const pos = (xs.length - 1) * Math.min(1, Math.max(0, q));
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return xs[lo]! + (xs[hi]! - xs[lo]!) * (pos - lo);
}

export interface EstimateErrorSummary {
  /** Pairs with a finite estimate and a positive actual. */
  count: number;
  /** Median of |estimate − actual| / actual; null with no pairs. */
  medianAbsRelativeError: number | null;
  p90AbsRelativeError: number | null;
  /** Median of (estimate − actual) / actual: > 0 means the model overestimates. */
  medianRelativeError: number | null;
}

/** How far estimates were from what was measured, over many jobs or renders. */
export function estimateErrorSummary(
  pairs: ReadonlyArray<{
    estimatedSeconds: number | null | undefined;
    actualSeconds: number | null | undefined;
  }>,
): EstimateErrorSummary {
  const rel = pairs
    .filter(
      (p): p is { estimatedSeconds: number; actualSeconds: number } =>
        typeof p.estimatedSeconds === 'number' &&
        Number.isFinite(p.estimatedSeconds) &&
        typeof p.actualSeconds === 'number' &&
        p.actualSeconds > 0,
    )
    .map((p) => (p.estimatedSeconds - p.actualSeconds) / p.actualSeconds);
  const abs = rel.map(Math.abs);
  return {
    count: rel.length,
    medianAbsRelativeError: quantile(abs, 0.5),
    p90AbsRelativeError: quantile(abs, 0.9),
    medianRelativeError: quantile(rel, 0.5),
  };
}
