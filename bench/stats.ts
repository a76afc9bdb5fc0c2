/** Percentiles over recorded latencies (ms). */
export function percentiles(samples: number[], points = [50, 95, 99]): Record<string, number> {
  const sorted = [...samples].sort((a, b) => a - b);
  const out: Record<string, number> = {};
  for (const p of points) {
    const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
    out[`p${p}`] = Number((sorted[index] ?? NaN).toFixed(2));
  }
  return out;
}

export const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
