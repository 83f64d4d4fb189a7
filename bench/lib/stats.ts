// Order statistics for the bench: percentiles by nearest rank, medians of rounds, ratios.

/** The p-th percentile (0–100) by nearest rank; NaN for no samples. */
export function percentile(samples: ArrayLike<number>, p: number): number {
  const n = samples.length;
  if (n === 0) return Number.NaN;
  const sorted = Float64Array.from(samples).sort();
  const rank = Math.min(n, Math.max(1, Math.ceil((p / 100) * n)));
  return sorted[rank - 1]!;
}

export function median(samples: ArrayLike<number>): number {
  return percentile(samples, 50);
}

export interface Spread {
  n: number;
  p50: number;
  p99: number;
}

export function spread(samples: ArrayLike<number>): Spread {
  return { n: samples.length, p50: percentile(samples, 50), p99: percentile(samples, 99) };
}

/** a / b, NaN when either is missing. */
export function ratio(a: number, b: number): number {
  return Number.isFinite(a) && Number.isFinite(b) && b !== 0 ? a / b : Number.NaN;
}

/** Rounds for display and JSON: 3 significant figures below 100, whole numbers above. */
export function round(x: number): number {
  if (!Number.isFinite(x)) return x;
  if (Math.abs(x) >= 100) return Math.round(x);
  return Number(x.toPrecision(3));
}
