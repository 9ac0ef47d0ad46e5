export type Summary = {
  count: number;
  min: number;
  p50: number;
  p99: number;
  max: number;
  mean: number;
};

/**
 * Nearest-rank percentiles over every sample (no sampling, no
 * interpolation), so p99 of 200 samples is the 198th smallest.
 */
export function summarize(samples: number[]): Summary {
  if (samples.length === 0) throw new Error("no samples to summarize");
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = (p: number) =>
    sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
  const total = sorted.reduce((sum, value) => sum + value, 0);
  return {
    count: sorted.length,
    min: round(sorted[0]!),
    p50: round(rank(50)),
    p99: round(rank(99)),
    max: round(sorted[sorted.length - 1]!),
    mean: round(total / sorted.length),
  };
}

export function median(samples: number[]): number {
  return summarize(samples).p50;
}

/** Two decimals: enough for milliseconds, readable in JSON. */
export function round(value: number): number {
  return Math.round(value * 100) / 100;
}

export function percent(part: number, whole: number): number {
  return whole === 0 ? 0 : round((100 * part) / whole);
}
