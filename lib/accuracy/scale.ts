/**
 * The MASE denominator of every prefix of a series at once, as the run's holdout metrics scale:
 * the engine cleans a history first (lib/forecast/input.ts `cleanSeries`: leading and trailing
 * missing values trimmed, interior ones filled by linear interpolation) and then takes
 * `maseScale(history, m)` of lib/forecast/metrics.ts, the mean absolute lag-m difference (lag 1
 * while the history is not longer than m). A series with hundreds of stored forecasts needs it for
 * each forecast's origin, so running sums over the interpolated series make each one O(1): an
 * interior value interpolated between two observed neighbours inside a prefix is the same whether
 * the whole series or only the prefix was cleaned.
 */
export type PrefixScale = (length: number) => number | null;

/** Interior missing values filled linearly between their observed neighbours; leading and trailing ones stay NaN. */
function interpolateInterior(values: ArrayLike<number>): Float64Array {
  const out = Float64Array.from(values);
  let prev = -1;
  for (let i = 0; i < out.length; i++) {
    if (!Number.isFinite(out[i])) continue;
    if (prev >= 0 && i - prev > 1) for (let j = prev + 1; j < i; j++) out[j] = out[prev] + ((out[i] - out[prev]) * (j - prev)) / (i - prev);
    prev = i;
  }
  return out;
}

/** sum[t], count[t]: the finite |y[u] - y[u - lag]| for u <= t. */
function runningSums(values: Float64Array, lag: number): { sum: Float64Array; count: Uint32Array } {
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

/** `scaleOf(L)` equals maseScale(cleaned(values.subarray(0, L)), m), null where that is. */
export function prefixScales(values: ArrayLike<number>, m: number): PrefixScale {
  const y = interpolateInterior(values);
  const n = y.length;
  let first = 0;
  while (first < n && !Number.isFinite(y[first])) first++;
  // lastObserved[i]: the index of the last observed value at or before i (-1: none yet).
  const lastObserved = new Int32Array(n);
  for (let i = 0, last = -1; i < n; i++) lastObserved[i] = last = Number.isFinite(values[i]) ? i : last;
  const seasonal = m >= 1 ? runningSums(y, m) : null;
  const lagOne = runningSums(y, 1);
  return (length: number) => {
    const L = Math.min(Math.floor(length), n);
    if (L < 1) return null;
    const end = lastObserved[L - 1]; // the cleaned prefix is y[first..end]
    if (end < first) return null;
    const use = seasonal && end - first + 1 > m ? seasonal : lagOne;
    const s = use.sum[end];
    const c = use.count[end];
    return c === 0 || s === 0 ? null : s / c;
  };
}
