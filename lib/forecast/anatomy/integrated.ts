/**
 * Integrated gradients (Sundararajan, Taly and Yan, 2017) of a window forecaster:
 *
 *   A_k[t][f] = (x − x')[t][f] · ∫₀¹ ∂f_k(x' + α(x − x'))/∂x[t][f] dα
 *
 * with the integral taken by the trapezoid rule on `points` evenly spaced α in [0, 1], ends
 * included. By the fundamental theorem of calculus along the path, Σ_{t,f} A_k[t][f] =
 * f_k(x) − f_k(x') up to the rule's error (second order in 1/points for a smooth network): the
 * completeness identity. The end points of the path are evaluated in the same batch, so f(x) and
 * f(x') come out of the same passes as the gradients.
 */
import { ForecastError } from "../errors";
import type { WindowForecaster } from "./forecaster";

export interface Attribution {
  /** f(x) [K] and f(baseline) [K] */
  fx: Float64Array;
  fbaseline: Float64Array;
  /** per requested step: [L, F] row-major */
  attributions: Float64Array[];
}

/** Windows per forward/backward pass: the α points go through the network in batches of at most this many. */
const CHUNK = 128;

export function integratedGradients(
  f: WindowForecaster,
  x: ArrayLike<number>,
  baseline: ArrayLike<number>,
  points: number,
  steps: readonly number[],
): Attribution {
  const LF = f.lookback * f.columns, K = f.outputs;
  if (x.length !== LF || baseline.length !== LF) throw new ForecastError("internal", `Windows have ${LF} inputs; got ${x.length} and ${baseline.length}.`);
  if (!Number.isInteger(points) || points < 2) throw new ForecastError("internal", `Integrated gradients need at least 2 points, got ${points}.`);
  const sums = steps.map(() => new Float64Array(LF));
  const fx = new Float64Array(K), fbaseline = new Float64Array(K);
  for (let from = 0; from < points; from += CHUNK) {
    const B = Math.min(CHUNK, points - from);
    const X = new Float64Array(B * LF);
    const w = new Float64Array(B);
    for (let b = 0; b < B; b++) {
      const s = from + b;
      const a = s / (points - 1);
      // a·x + (1 − a)·x' is exactly x' at a = 0 and exactly x at a = 1.
      for (let i = 0; i < LF; i++) X[b * LF + i] = a * x[i] + (1 - a) * baseline[i];
      w[b] = (s === 0 || s === points - 1 ? 0.5 : 1) / (points - 1);
    }
    const { values, grads } = f.evaluate(X, B, w, steps);
    grads.forEach((g, i) => {
      for (let q = 0; q < LF; q++) sums[i][q] += g[q];
    });
    if (from === 0) fbaseline.set(values.subarray(0, K));
    if (from + B === points) fx.set(values.subarray((B - 1) * K, B * K));
  }
  const attributions = sums.map((avg) => {
    const out = new Float64Array(LF);
    for (let q = 0; q < LF; q++) out[q] = (x[q] - baseline[q]) * avg[q];
    return out;
  });
  return { fx, fbaseline, attributions };
}
