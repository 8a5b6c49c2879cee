import { smape } from "../forecast/metrics";

/**
 * Realised accuracy: how a stored forecast did against the actual values that arrived for its
 * dates. The definitions are the run's holdout metrics' (lib/forecast/metrics.ts): sMAPE as in the
 * M3/M4 competitions, MASE as the absolute error over the in-sample seasonal-naive MAE of the
 * history the forecast was made from, interval coverage as the share of actuals inside the band.
 * Bias is the mean of forecast − actual: positive when the forecast ran high.
 */
export interface ScoredPair {
  ts: number;
  actual: number;
  value: number;
  lo80: number | null;
  hi80: number | null;
  lo95: number | null;
  hi95: number | null;
  /** The MASE denominator of the forecast this pair belongs to (null: undefined, no MASE). */
  scale: number | null;
}

export interface Accuracy {
  /** Forecast dates with an actual value. */
  points: number;
  mae: number | null;
  rmse: number | null;
  smape: number | null;
  mase: number | null;
  /** Share of actuals inside the 80% / 95% interval (fractions), null without bands. */
  coverage80: number | null;
  coverage95: number | null;
  bias: number | null;
}

export const NO_ACCURACY: Accuracy = { points: 0, mae: null, rmse: null, smape: null, mase: null, coverage80: null, coverage95: null, bias: null };

/** Whether the actual lies inside a band; null when the band is missing. */
export function inside(actual: number, lo: number | null, hi: number | null): boolean | null {
  if (lo === null || hi === null) return null;
  return actual >= lo && actual <= hi;
}

/**
 * The accuracy of a set of forecast/actual pairs. Over pairs of several forecasts, MASE is the
 * mean of each error scaled by its own forecast's denominator (pairs without one are left out of
 * MASE only), as multi-origin MASE is usually pooled.
 */
export function accuracyOf(pairs: readonly ScoredPair[]): Accuracy {
  const n = pairs.length;
  if (n === 0) return NO_ACCURACY;
  let abs = 0;
  let sq = 0;
  let signed = 0;
  let scaled = 0;
  let scaledCount = 0;
  const banded = [0, 0]; // pairs with an 80% / 95% band
  const hits = [0, 0];
  const actual = new Float64Array(n);
  const forecast = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const p = pairs[i];
    const e = p.value - p.actual;
    actual[i] = p.actual;
    forecast[i] = p.value;
    abs += Math.abs(e);
    sq += e * e;
    signed += e;
    if (p.scale !== null && p.scale > 0) {
      scaled += Math.abs(e) / p.scale;
      scaledCount++;
    }
    const in80 = inside(p.actual, p.lo80, p.hi80);
    const in95 = inside(p.actual, p.lo95, p.hi95);
    if (in80 !== null) {
      banded[0]++;
      if (in80) hits[0]++;
    }
    if (in95 !== null) {
      banded[1]++;
      if (in95) hits[1]++;
    }
  }
  return {
    points: n,
    mae: abs / n,
    rmse: Math.sqrt(sq / n),
    smape: smape(actual, forecast),
    mase: scaledCount === 0 ? null : scaled / scaledCount,
    coverage80: banded[0] === 0 ? null : hits[0] / banded[0],
    coverage95: banded[1] === 0 ? null : hits[1] / banded[1],
    bias: signed / n,
  };
}
