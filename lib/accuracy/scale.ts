/**
 * The MASE denominator of every prefix of a series at once. `maseScale(history, m)` of
 * lib/forecast/metrics.ts is the mean absolute lag-m difference of the history (lag 1 while the
 * history is not longer than m), pairs with a missing value skipped; a series with hundreds of
 * stored forecasts needs it for each forecast's origin, so running sums make each one O(1).
 */
export type PrefixScale = (length: number) => number | null;

function runningSums(values: ArrayLike<number>, lag: number): { sum: Float64Array; count: Uint32Array } {
  const n = values.length;
  const sum = new Float64Array(n);
  const count = new Uint32Array(n);
  let s = 0;
  let c = 0;
  for (let t = 0; t < n; t++) {
    if (t >= lag) {
      const d = values[t] - values[t - lag];
      if (Number.isFinite(d)) {
        s += Math.abs(d);
        c++;
      }
    }
    sum[t] = s;
    count[t] = c;
  }
  return { sum, count };
}

/** `scaleOf(L)` equals maseScale(values.subarray(0, L), m). */
export function prefixScales(values: ArrayLike<number>, m: number): PrefixScale {
  const seasonal = m >= 1 ? runningSums(values, m) : null;
  const first = runningSums(values, 1);
  return (length: number) => {
    const L = Math.min(Math.floor(length), values.length);
    if (L < 2) return null;
    const use = seasonal && L > m ? seasonal : first;
    const s = use.sum[L - 1];
    const c = use.count[L - 1];
    return c === 0 || s === 0 ? null : s / c;
  };
}
