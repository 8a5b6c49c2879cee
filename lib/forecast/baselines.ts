import { deseasonalize, futureIndex } from "./stats";

/** The baselines every model is compared with. `x` is the history (no NaN), `h` the horizon. */
export const BASELINES = ["naive", "seasonalNaive", "naive2", "drift"] as const;
export type BaselineName = (typeof BASELINES)[number];

/** Naive: the last value repeated. */
export function naive(x: ArrayLike<number>, h: number): number[] {
  return new Array<number>(h).fill(x[x.length - 1]);
}

/** Seasonal naive: the value one season earlier (falls back to naive when the history is shorter than a season). */
export function seasonalNaive(x: ArrayLike<number>, h: number, m: number): number[] {
  const n = x.length;
  if (m <= 1 || n < m) return naive(x, h);
  const out: number[] = [];
  for (let k = 1; k <= h; k++) out.push(x[n - m + ((k - 1) % m)]);
  return out;
}

/** Drift: the line through the first and last values, extended. */
export function drift(x: ArrayLike<number>, h: number): number[] {
  const n = x.length;
  const slope = n > 1 ? (x[n - 1] - x[0]) / (n - 1) : 0;
  const out: number[] = [];
  for (let k = 1; k <= h; k++) out.push(x[n - 1] + slope * k);
  return out;
}

/**
 * Naive2, the M4 benchmark: when the series is positive and passes the 90% seasonality test at
 * lag m it is adjusted by classical multiplicative decomposition, the last adjusted value is
 * repeated and multiplied back by the seasonal indices; otherwise it is naive.
 */
export function naive2(x: ArrayLike<number>, h: number, m: number): number[] {
  const d = deseasonalize(x, m);
  if (!d.seasonal) return naive(x, h);
  const last = d.adjusted[x.length - 1];
  const out: number[] = [];
  for (let k = 1; k <= h; k++) out.push(last * futureIndex(d, x.length, k));
  return out;
}

export function allBaselines(x: ArrayLike<number>, h: number, m: number): Record<BaselineName, number[]> {
  return { naive: naive(x, h), seasonalNaive: seasonalNaive(x, h, m), naive2: naive2(x, h, m), drift: drift(x, h) };
}
