/**
 * Point and interval accuracy. Definitions follow the M3/M4 competitions:
 * sMAPE = 200/h * sum |y - f| / (|y| + |f|) (a term is 0 when both are 0); MASE divides the MAE by
 * the in-sample seasonal-naive MAE of the history (lag m, or lag 1 when the history is shorter
 * than m + 1); OWA = 1/2 (sMAPE / sMAPE_naive2 + MASE / MASE_naive2).
 */
export interface Metrics {
  mae: number;
  rmse: number;
  /** null when an actual value is 0. */
  mape: number | null;
  smape: number;
  /** null when the history has no in-sample variation to scale by. */
  mase: number | null;
  coverage80?: number;
  coverage95?: number;
}

export interface IntervalBand {
  level: number;
  lo: number[];
  hi: number[];
}

/** The in-sample seasonal-naive MAE of the history: the MASE denominator. */
export function maseScale(history: ArrayLike<number>, m: number): number | null {
  const lag = m >= 1 && history.length > m ? m : 1;
  let s = 0;
  let c = 0;
  for (let t = lag; t < history.length; t++) {
    const d = history[t] - history[t - lag];
    if (Number.isFinite(d)) {
      s += Math.abs(d);
      c++;
    }
  }
  if (c === 0 || s === 0) return null;
  return s / c;
}

export function smape(actual: ArrayLike<number>, forecast: ArrayLike<number>): number {
  let s = 0;
  for (let k = 0; k < actual.length; k++) {
    const den = Math.abs(actual[k]) + Math.abs(forecast[k]);
    if (den > 0) s += Math.abs(actual[k] - forecast[k]) / den;
  }
  return (200 * s) / actual.length;
}

/** Share of actual values inside [lo, hi]. */
export function coverage(actual: ArrayLike<number>, lo: ArrayLike<number>, hi: ArrayLike<number>): number {
  let inside = 0;
  for (let k = 0; k < actual.length; k++) if (actual[k] >= lo[k] && actual[k] <= hi[k]) inside++;
  return actual.length ? inside / actual.length : NaN;
}

export function computeMetrics(
  actual: ArrayLike<number>,
  forecast: ArrayLike<number>,
  history: ArrayLike<number>,
  m: number,
  intervals: IntervalBand[] = [],
): Metrics {
  const h = actual.length;
  let abs = 0;
  let sq = 0;
  let pct = 0;
  let pctOk = true;
  for (let k = 0; k < h; k++) {
    const e = actual[k] - forecast[k];
    abs += Math.abs(e);
    sq += e * e;
    if (actual[k] === 0) pctOk = false;
    else pct += Math.abs(e / actual[k]);
  }
  const mae = abs / h;
  const scale = maseScale(history, m);
  const out: Metrics = {
    mae,
    rmse: Math.sqrt(sq / h),
    mape: pctOk ? (100 * pct) / h : null,
    smape: smape(actual, forecast),
    mase: scale === null ? null : mae / scale,
  };
  for (const band of intervals) {
    if (band.level === 80) out.coverage80 = coverage(actual, band.lo, band.hi);
    if (band.level === 95) out.coverage95 = coverage(actual, band.lo, band.hi);
  }
  return out;
}

/** OWA of one forecast against naive2 on the same window; null when naive2 is perfect or MASE undefined. */
export function owa(model: Metrics, naive2: Metrics): number | null {
  if (model.mase === null || naive2.mase === null || naive2.smape === 0 || naive2.mase === 0) return null;
  return 0.5 * (model.smape / naive2.smape + model.mase / naive2.mase);
}
