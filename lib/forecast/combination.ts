/**
 * How a final point forecast is made from its components, and how `auto` chooses.
 *
 * The components of one forecast are the neural ensemble's forecast and three classical methods
 * on the same history, each on the seasonally adjusted series (Theta, the M4 "Comb" of SES, Holt
 * and damped Holt, and the damped trend alone), plus the benchmarks. The default is the hybrid,
 * the equal-weight mean of the networks and the three classical methods: equal-weight
 * combinations of diverse methods are what won M3 and M4 and are hard to beat by choosing one
 * method per series (the "forecast combination puzzle": selection on a short validation window
 * mostly selects noise). `chooseCombination` therefore keeps the hybrid unless another
 * combination beats it clearly on the validation windows of many series (a paired t-statistic
 * below -2 across series).
 */
import { allBaselines, type BaselineName } from "./baselines";
import { maseScale } from "./metrics";
import { isolatedOutliers, withoutOutliers } from "./outliers";
import { classicalForecasts } from "./stats";

/**
 * The combinations. `legacyHybrid` is the hybrid of model files up to version 2 (the mean of the
 * networks, Theta and Comb); new fits never choose it.
 */
export const COMBINATIONS = ["hybrid", "neural", "classical", "theta", "seasonalNaive", "naive2", "legacyHybrid"] as const;
export type Combination = (typeof COMBINATIONS)[number];

/** What auto may choose, the default first. */
export const AUTO_CANDIDATES: Combination[] = ["hybrid", "neural", "classical", "theta", "seasonalNaive", "naive2"];

/** The statistical components and benchmarks of one forecast. */
export interface StatForecasts {
  theta: number[];
  comb: number[];
  damped: number[];
  baselines: Record<BaselineName, number[]>;
}

/**
 * The classical methods read at most this many of the latest points: ample for their few
 * parameters (and for a seasonal decomposition of anything up to hourly data), and it bounds their
 * cost on long series, whose forecasts are computed from dozens of origins for calibration.
 */
export const CLASSICAL_HISTORY = 2000;

export function statForecasts(history: ArrayLike<number>, h: number, m: number): StatForecasts {
  const n = history.length;
  const recent = n > CLASSICAL_HISTORY ? Array.prototype.slice.call(history, n - CLASSICAL_HISTORY) : history;
  // The classical methods read the history without its isolated outliers; the benchmarks as given.
  return { ...classicalForecasts(withoutOutliers(recent, m), h, m), baselines: allBaselines(history, h, m) };
}

/**
 * The values of `history` the classical methods read as isolated outliers (see outliers.ts), with
 * the value they used instead; indices into `history`.
 */
export function classicalOutliers(history: ArrayLike<number>, m: number): { index: number; value: number; expected: number }[] {
  const from = Math.max(0, history.length - CLASSICAL_HISTORY);
  const recent = from > 0 ? Array.prototype.slice.call(history, from) : history;
  return isolatedOutliers(recent, m).map((o) => ({ index: o.index + from, value: history[o.index + from], expected: o.expected }));
}

/** The first `steps` of every component. */
export function trimStats(stats: StatForecasts, steps: number): StatForecasts {
  const t = (a: number[]) => a.slice(0, steps);
  const baselines = Object.fromEntries(Object.entries(stats.baselines).map(([k, v]) => [k, t(v)])) as Record<BaselineName, number[]>;
  return { theta: t(stats.theta), comb: t(stats.comb), damped: t(stats.damped), baselines };
}

export const usesNetworks = (kind: Combination): boolean => kind === "hybrid" || kind === "neural" || kind === "legacyHybrid";

/** Whether the combination reads the classical methods (Theta, Comb, the damped trend), not just the networks or a benchmark. */
export const usesClassical = (kind: Combination): boolean => kind === "hybrid" || kind === "classical" || kind === "theta" || kind === "legacyHybrid";

/**
 * The point forecast of a combination. A combination that needs the networks falls back to the
 * classical one when there is no neural forecast (a series shorter than every member's lookback).
 */
export function combine(kind: Combination, neural: number[] | null, stats: StatForecasts, nonNegative: boolean): number[] {
  const k: Combination = usesNetworks(kind) && !neural ? "classical" : kind;
  const mean = (...parts: number[][]) => parts[0].map((_, i) => parts.reduce((s, p) => s + p[i], 0) / parts.length);
  let out: number[];
  switch (k) {
    case "neural":
      out = neural!;
      break;
    case "hybrid":
      out = mean(neural!, stats.theta, stats.comb, stats.damped);
      break;
    case "legacyHybrid":
      out = mean(neural!, stats.theta, stats.comb);
      break;
    case "classical":
      out = mean(stats.theta, stats.comb, stats.damped);
      break;
    case "seasonalNaive":
      out = stats.baselines.seasonalNaive;
      break;
    case "naive2":
      out = stats.baselines.naive2;
      break;
    default:
      out = stats.theta;
  }
  return nonNegative ? out.map((v) => Math.max(0, v)) : out;
}

/** One validation window: the actual values, the history before them and the components' forecasts of them. */
export interface ValidationCase {
  actual: number[];
  history: ArrayLike<number>;
  neural: number[] | null;
  stats: StatForecasts;
  nonNegative: boolean;
}

export interface CombinationScore {
  kind: Combination;
  /** Mean sMAPE over the cases. */
  smape: number;
  /** Mean MASE over the cases. */
  relMase: number;
  /** OWA-like: ½ (sMAPE / sMAPE of naive2 + MASE / MASE of naive2) on the means; lower is better. */
  score: number;
}

/** The pooled score of a combination and each case's share of it (the units the t-test pairs). */
function unitScores(kind: Combination, cases: ValidationCase[], m: number): { units: number[]; score: CombinationScore } | null {
  const perCase = cases.map((c) => {
    const h = c.actual.length;
    const f = combine(kind, c.neural, c.stats, c.nonNegative).slice(0, h);
    const n2 = c.stats.baselines.naive2.slice(0, h);
    const scale = maseScale(c.history, m) ?? 1;
    const sm = (a: number, b: number) => (Math.abs(a) + Math.abs(b) > 0 ? (200 * Math.abs(a - b)) / (Math.abs(a) + Math.abs(b)) : 0);
    return {
      smape: c.actual.map((a, k) => sm(a, f[k])),
      mase: c.actual.map((a, k) => Math.abs(a - f[k]) / scale),
      smapeN2: c.actual.map((a, k) => sm(a, n2[k])),
      maseN2: c.actual.map((a, k) => Math.abs(a - n2[k]) / scale),
    };
  });
  if (perCase.length === 0) return null;
  const avg = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;
  const caseMean = (f: (p: (typeof perCase)[number]) => number[]) => avg(perCase.map((p) => avg(f(p))));
  const s = caseMean((p) => p.smape);
  const r = caseMean((p) => p.mase);
  const sN2 = caseMean((p) => p.smapeN2);
  const rN2 = caseMean((p) => p.maseN2);
  const ws = sN2 > 0 ? 0.5 / sN2 : 0;
  const wr = rN2 > 0 ? 0.5 / rN2 : 0;
  const score = (sN2 > 0 ? ws * s : 0.5) + (rN2 > 0 ? wr * r : 0.5);
  const units = perCase.map((p) => ws * avg(p.smape) + wr * avg(p.mase));
  return { units, score: { kind, smape: s, relMase: r, score } };
}

/** Scores of the candidates on the validation cases (cases without a neural forecast count only for the classical candidates). */
export function scoreCombinations(candidates: Combination[], cases: ValidationCase[], m: number): CombinationScore[] {
  return candidates.map((kind) => {
    const usable = usesNetworks(kind) ? cases.filter((c) => c.neural) : cases;
    return unitScores(kind, usable, m)?.score ?? { kind, smape: Infinity, relMase: Infinity, score: Infinity };
  });
}

/** A paired t-statistic below this is a clear win over the default. */
export const SWITCH_T = -2;

export interface CombinationChoice {
  kind: Combination;
  scores: CombinationScore[];
  /** The default's paired t-statistic against the chosen combination (null when the default was kept or unavailable). */
  t: number | null;
}

/**
 * Keeps `preferred` (the hybrid) unless another candidate beats it on the validation cases (one per
 * series) with a paired t-statistic below SWITCH_T; among those the lowest score wins. One series'
 * window is never enough to switch: the steps of one window are too correlated to count as
 * evidence. Cases without a neural forecast are compared on
 * the classical candidates only; without any neural forecast the preferred is "classical".
 */
export function chooseCombination(candidates: Combination[], cases: ValidationCase[], m: number, preferred: Combination = "hybrid"): CombinationChoice {
  const scores = scoreCombinations(candidates, cases, m);
  const withNeural = cases.filter((c) => c.neural);
  const base: Combination = usesNetworks(preferred) && withNeural.length === 0 ? "classical" : preferred;
  // Paired comparisons run on the cases every compared candidate can score.
  const pool = (kind: Combination) => (usesNetworks(kind) || usesNetworks(base) ? withNeural : cases);
  let best: { kind: Combination; score: number; t: number } | null = null;
  for (const kind of candidates) {
    if (kind === base) continue;
    const cs = pool(kind);
    const a = unitScores(kind, cs, m);
    const b = unitScores(base, cs, m);
    if (!a || !b || a.units.length < 2) continue;
    const d = a.units.map((v, i) => v - b.units[i]);
    const mean = d.reduce((s, x) => s + x, 0) / d.length;
    const sd = Math.sqrt(d.reduce((s, x) => s + (x - mean) * (x - mean), 0) / (d.length - 1));
    const t = sd > 0 ? mean / (sd / Math.sqrt(d.length)) : mean < 0 ? -Infinity : 0;
    if (t < SWITCH_T && (!best || a.score.score < best.score)) best = { kind, score: a.score.score, t };
  }
  return { kind: best?.kind ?? base, scores, t: best?.t ?? null };
}
