/**
 * Classical statistics the baselines and the hybrid's statistical component are built from:
 * autocorrelation, the M4 90% seasonality test, classical multiplicative decomposition
 * (R's `stats::decompose`), simple exponential smoothing, Holt / damped trend and the Theta method
 * (`forecast::thetaf`). Plain numbers in, plain numbers out; no randomness.
 */

export function mean(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i];
  return s / x.length;
}

/** Sample autocorrelations r_1..r_maxLag (R's `acf`: the denominator is the full sum of squares). */
export function acf(x: ArrayLike<number>, maxLag: number): number[] {
  const n = x.length;
  const m = mean(x);
  let den = 0;
  for (let i = 0; i < n; i++) den += (x[i] - m) * (x[i] - m);
  const out: number[] = [];
  for (let k = 1; k <= maxLag; k++) {
    let num = 0;
    for (let i = 0; i + k < n; i++) num += (x[i] - m) * (x[i + k] - m);
    out.push(den > 0 ? num / den : 0);
  }
  return out;
}

/**
 * The M4 benchmarks' 90% seasonality test at lag m:
 * |r_m| > 1.645 * sqrt((1 + 2 * sum_{k<m} r_k^2) / T). Needs at least 3 seasons of data.
 */
export function isSeasonal(x: ArrayLike<number>, m: number): boolean {
  if (m <= 1 || x.length < 3 * m) return false;
  const r = acf(x, m);
  let s = 0;
  for (let k = 0; k < m - 1; k++) s += r[k] * r[k];
  const limit = 1.645 * Math.sqrt((1 + 2 * s) / x.length);
  return Math.abs(r[m - 1]) > limit;
}

/**
 * Seasonal indices of the classical multiplicative decomposition (`stats::decompose(type =
 * "multiplicative")`): a centred moving average of order m (2 x m when m is even) as the trend,
 * x / trend averaged per position in the season, normalised to average 1. Index i belongs to
 * every t with t mod m = i, t counted from the first observation.
 */
export function multiplicativeSeasonalIndices(x: ArrayLike<number>, m: number): number[] {
  const n = x.length;
  const ratios: number[][] = Array.from({ length: m }, () => []);
  const even = m % 2 === 0;
  const half = Math.floor(m / 2);
  for (let t = half; t + half < n; t++) {
    let s = 0;
    if (even) {
      s = 0.5 * x[t - half] + 0.5 * x[t + half];
      for (let j = t - half + 1; j < t + half; j++) s += x[j];
    } else {
      for (let j = t - half; j <= t + half; j++) s += x[j];
    }
    const trend = s / m;
    ratios[t % m].push(x[t] / trend);
  }
  const figure = ratios.map((r) => (r.length ? mean(r) : 1));
  const avg = mean(figure);
  return figure.map((f) => f / avg);
}

export interface Deseasonalized {
  /** The adjusted series (x / index), or x itself when not seasonal. */
  adjusted: Float64Array;
  /** Seasonal indices by position (t mod m), all 1 when not seasonal. */
  indices: number[];
  seasonal: boolean;
  m: number;
}

/** Seasonal adjustment as in the M4 benchmarks: only for positive series that pass the 90% test. */
export function deseasonalize(x: ArrayLike<number>, m: number): Deseasonalized {
  let positive = true;
  for (let i = 0; i < x.length; i++) if (!(x[i] > 0)) positive = false;
  const seasonal = positive && isSeasonal(x, m);
  const indices = seasonal ? multiplicativeSeasonalIndices(x, m) : new Array<number>(Math.max(1, m)).fill(1);
  const adjusted = new Float64Array(x.length);
  for (let t = 0; t < x.length; t++) adjusted[t] = x[t] / indices[t % indices.length];
  return { adjusted, indices, seasonal, m };
}

/** The seasonal index of future step k (1-based) after a series of length n. */
export function futureIndex(d: Deseasonalized, n: number, k: number): number {
  return d.indices[(n + k - 1) % d.indices.length];
}

/** Nelder-Mead minimisation (small problems: smoothing parameters). */
export function nelderMead(f: (p: number[]) => number, start: number[], step: number[], iterations = 200): number[] {
  const dim = start.length;
  let simplex: number[][] = [start.slice()];
  for (let i = 0; i < dim; i++) {
    const p = start.slice();
    p[i] += step[i];
    simplex.push(p);
  }
  let values = simplex.map(f);
  for (let it = 0; it < iterations; it++) {
    const order = values.map((v, i) => i).sort((a, b) => values[a] - values[b]);
    simplex = order.map((i) => simplex[i]);
    values = order.map((i) => values[i]);
    if (Math.abs(values[dim] - values[0]) <= 1e-10 * (Math.abs(values[0]) + 1e-12)) break;
    const centroid = new Array<number>(dim).fill(0);
    for (let i = 0; i < dim; i++) for (let j = 0; j < dim; j++) centroid[j] += simplex[i][j] / dim;
    const worst = simplex[dim];
    const at = (c: number) => centroid.map((v, j) => v + c * (worst[j] - v));
    const reflected = at(-1);
    const fr = f(reflected);
    if (fr < values[0]) {
      const expanded = at(-2);
      const fe = f(expanded);
      if (fe < fr) {
        simplex[dim] = expanded;
        values[dim] = fe;
      } else {
        simplex[dim] = reflected;
        values[dim] = fr;
      }
    } else if (fr < values[dim - 1]) {
      simplex[dim] = reflected;
      values[dim] = fr;
    } else {
      const contracted = fr < values[dim] ? at(-0.5) : at(0.5);
      const fc = f(contracted);
      if (fc < Math.min(fr, values[dim])) {
        simplex[dim] = contracted;
        values[dim] = fc;
      } else {
        for (let i = 1; i <= dim; i++) {
          simplex[i] = simplex[i].map((v, j) => simplex[0][j] + 0.5 * (v - simplex[0][j]));
          values[i] = f(simplex[i]);
        }
      }
    }
  }
  let best = 0;
  for (let i = 1; i <= dim; i++) if (values[i] < values[best]) best = i;
  return simplex[best];
}

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

/**
 * Simple exponential smoothing with alpha and the initial level chosen by least squares of the
 * one-step errors (what `ets(model = "ANN")` maximises). For a fixed alpha the best initial level
 * has a closed form, so only alpha is searched.
 */
export function fitSes(x: ArrayLike<number>): { alpha: number; level: number } {
  const n = x.length;
  const sse = (alpha: number): { sse: number; l0: number } => {
    // one-step error e_t = x_t - l_{t-1}; l_{t-1} = a_t + b_t * l0 with b_t = (1 - alpha)^(t)
    let a = 0;
    let b = 1;
    let sxx = 0;
    let sxy = 0;
    for (let t = 0; t < n; t++) {
      const r = x[t] - a; // e_t = r - b * l0
      sxx += b * b;
      sxy += b * r;
      a = alpha * x[t] + (1 - alpha) * a;
      b = (1 - alpha) * b;
    }
    const l0 = sxx > 1e-300 ? sxy / sxx : x[0];
    let level = l0;
    let s = 0;
    for (let t = 0; t < n; t++) {
      const e = x[t] - level;
      s += e * e;
      level += alpha * e;
    }
    return { sse: s, l0 };
  };
  // golden-section search on alpha after a coarse grid
  let bestA = 0.5;
  let bestS = Infinity;
  for (let g = 1; g <= 19; g++) {
    const a = g / 20;
    const s = sse(a).sse;
    if (s < bestS) {
      bestS = s;
      bestA = a;
    }
  }
  let lo = clamp(bestA - 0.05, 1e-4, 0.9999);
  let hi = clamp(bestA + 0.05, 1e-4, 0.9999);
  const phi = (Math.sqrt(5) - 1) / 2;
  for (let it = 0; it < 40; it++) {
    const c = hi - phi * (hi - lo);
    const d = lo + phi * (hi - lo);
    if (sse(c).sse < sse(d).sse) hi = d;
    else lo = c;
  }
  const alpha = (lo + hi) / 2;
  const { l0 } = sse(alpha);
  let level = l0;
  for (let t = 0; t < n; t++) level += alpha * (x[t] - level);
  return { alpha, level };
}

/** Theta method (`forecast::thetaf`) on an already seasonally adjusted series: SES plus half the OLS drift. */
export function thetaAdjusted(x: ArrayLike<number>, h: number): number[] {
  const n = x.length;
  const { alpha, level } = fitSes(x);
  // OLS slope of x on 0..n-1
  const tm = (n - 1) / 2;
  const xm = mean(x);
  let num = 0;
  let den = 0;
  for (let t = 0; t < n; t++) {
    num += (t - tm) * (x[t] - xm);
    den += (t - tm) * (t - tm);
  }
  const b = den > 0 ? num / den / 2 : 0;
  const a = Math.max(1e-10, alpha);
  const out: number[] = [];
  for (let k = 0; k < h; k++) out.push(level + b * (k + (1 - Math.pow(1 - a, n)) / a));
  return out;
}

/**
 * Damped (phi < 1) or linear (phi = 1) Holt trend (ETS(A,Ad,N) / (A,A,N) recursions) with the
 * smoothing parameters and the initial level and trend chosen by least squares (Nelder-Mead),
 * starting from an OLS line through the first two seasons.
 */
export function holtAdjusted(x: ArrayLike<number>, h: number, damped: boolean): number[] {
  const n = x.length;
  if (n < 4) return new Array<number>(h).fill(x[n - 1]);
  const scale = Math.max(1e-12, mean(Array.from(x, Math.abs)));
  // initial state from an OLS line over the first min(n, 24) points
  const k0 = Math.min(n, 24);
  const tm = (k0 - 1) / 2;
  let xm = 0;
  for (let t = 0; t < k0; t++) xm += x[t] / k0;
  let num = 0;
  let den = 0;
  for (let t = 0; t < k0; t++) {
    num += (t - tm) * (x[t] - xm);
    den += (t - tm) * (t - tm);
  }
  const b0 = den > 0 ? num / den : 0;
  const l0 = xm - b0 * tm - b0; // level one step before the first observation
  const run = (p: number[], forecast: boolean): number | number[] => {
    const alpha = clamp(p[0], 1e-4, 0.9999);
    const beta = clamp(p[1], 1e-4, alpha);
    const phi = damped ? clamp(p[2], 0.8, 0.98) : 1;
    const o = damped ? 3 : 2;
    let l = l0 + p[o] * scale;
    let b = b0 + p[o + 1] * scale * 0.1;
    let sse = 0;
    for (let t = 0; t < n; t++) {
      const f = l + phi * b;
      const e = x[t] - f;
      sse += (e / scale) * (e / scale);
      l = f + alpha * e;
      b = phi * b + alpha * beta * e;
    }
    if (!forecast) {
      let pen = 0;
      const bounds: [number, number, number][] = [
        [p[0], 1e-4, 0.9999],
        [p[1], 1e-4, clamp(p[0], 1e-4, 0.9999)],
      ];
      if (damped) bounds.push([p[2], 0.8, 0.98]);
      for (const [v, lo, hi] of bounds) if (v < lo || v > hi) pen += 1e3 * (1 + Math.abs(v - clamp(v, lo, hi)));
      return sse + pen;
    }
    const out: number[] = [];
    let damp = 0;
    let pw = 1;
    for (let k = 1; k <= h; k++) {
      pw *= phi;
      damp += pw;
      out.push(l + damp * b);
    }
    return out;
  };
  const start = damped ? [0.3, 0.05, 0.95, 0, 0] : [0.3, 0.05, 0, 0];
  const step = damped ? [0.2, 0.05, 0.02, 0.05, 0.05] : [0.2, 0.05, 0.05, 0.05];
  const best = nelderMead((p) => run(p, false) as number, start, step, 600);
  return run(best, true) as number[];
}

/** Seasonally adjust, forecast the adjusted series with `fn`, and put the season back. */
export function withSeasonalAdjustment(
  x: ArrayLike<number>,
  h: number,
  m: number,
  fn: (adjusted: Float64Array, h: number) => number[],
): number[] {
  const d = deseasonalize(x, m);
  const f = fn(d.adjusted, h);
  return f.map((v, k) => v * futureIndex(d, x.length, k + 1));
}

export function thetaForecast(x: ArrayLike<number>, h: number, m: number): number[] {
  return withSeasonalAdjustment(x, h, m, thetaAdjusted);
}

/** The M4 "Comb" benchmark: the mean of SES, Holt and damped Holt on the seasonally adjusted series. */
export function combShdForecast(x: ArrayLike<number>, h: number, m: number): number[] {
  return withSeasonalAdjustment(x, h, m, (a, hh) => {
    const s = fitSes(a);
    const holt = holtAdjusted(a, hh, false);
    const damped = holtAdjusted(a, hh, true);
    return holt.map((v, k) => (s.level + v + damped[k]) / 3);
  });
}

/** The classical components of a combined forecast, all on one seasonal adjustment of the history. */
export interface ClassicalForecasts {
  theta: number[];
  /** The M4 "Comb": mean of SES, Holt and damped Holt. */
  comb: number[];
  /** Damped Holt trend. */
  damped: number[];
}

/** Theta, Comb and the damped trend of `x` for h steps, sharing one seasonal adjustment and one damped fit. */
export function classicalForecasts(x: ArrayLike<number>, h: number, m: number): ClassicalForecasts {
  const d = deseasonalize(x, m);
  const a = d.adjusted;
  const reseason = (f: number[]) => f.map((v, k) => v * futureIndex(d, x.length, k + 1));
  const ses = fitSes(a);
  const holt = holtAdjusted(a, h, false);
  const damped = holtAdjusted(a, h, true);
  return {
    theta: reseason(thetaAdjusted(a, h)),
    comb: reseason(holt.map((v, k) => (ses.level + v + damped[k]) / 3)),
    damped: reseason(damped),
  };
}

/** Damped trend on the seasonally adjusted series (a robust ETS-like component). */
export function dampedForecast(x: ArrayLike<number>, h: number, m: number): number[] {
  return withSeasonalAdjustment(x, h, m, (a, hh) => holtAdjusted(a, hh, true));
}

export function median(values: number[]): number {
  return medianOfSorted([...values].sort((p, q) => p - q));
}

/** The median of values already in ascending order. */
export function medianOfSorted(sorted: ArrayLike<number>): number {
  const k = sorted.length >> 1;
  return sorted.length % 2 ? sorted[k] : (sorted[k - 1] + sorted[k]) / 2;
}

export function quantile(values: ArrayLike<number>, q: number): number {
  const b = Array.from(values).sort((p, r) => p - r);
  if (b.length === 0) return NaN;
  const pos = (b.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return b[lo] + (b[hi] - b[lo]) * (pos - lo);
}
