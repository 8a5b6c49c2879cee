/**
 * The forecasting procedure shared by the single-series entry (`fitForecast`) and the global
 * multi-series entry (`fitGlobal`): prepare one or more series on a prefix, train ensemble members,
 * choose how to combine them (and with the statistical components) on the validation window,
 * and forecast from any origin at or after the end of the training part.
 *
 * For every series i: training targets lie in [0, trainEnd[i]), validation targets in
 * [trainEnd[i], end[i]). Nothing at or after end[i] is read while fitting.
 */
import { SEASON_LENGTH, type Frequency } from "../series/frequency";
import { deriveSeed } from "../tensor/random";
import type { CellKind } from "../nn";
import { allBaselines, type BaselineName } from "./baselines";
import { ForecastError } from "./errors";
import { maseScale, smape } from "./metrics";
import {
  calendarOf,
  calendarPhase,
  fillGaps,
  fitPrep,
  resolveFeatures,
  transformSeries,
  MONTH_FREQUENCIES,
  type Calendar,
  type FeatureSpec,
  type FittedPrep,
  type PrepSpec,
  type PreparedSeries,
} from "./prep";
import { combShdForecast, median, thetaForecast } from "./stats";
import { memberForecast, type MemberData, type MemberSpec, type StrategyKind, type TrainSettings } from "./member";
import type { Network } from "../nn";

/** Another series used as an input of the target's windows (see `SeriesInput.covariates`). */
export interface CovariateInput {
  name: string;
  timestamps: Float64Array;
  /** NaN = missing. */
  values: Float64Array;
}

export interface SeriesInput {
  name: string;
  timestamps: Float64Array;
  values: Float64Array;
  frequency: Frequency;
  stepMs: number | null;
  /**
   * Optional covariates (single-series models only). Each is aligned to the target's timestamps by
   * timestamp (a target timestamp the covariate lacks is a gap, filled by the series' gap method),
   * prepared with a scaler fitted on the training part only, and fed as extra inputs of the windows.
   * Their future values are unknown, so they are used only as lagged inputs: a window ending at step
   * t reads covariate values at t and before, and values after the target's last timestamp are never
   * read. Members with the recursive strategy cannot use them (they would need the covariates' future).
   */
  covariates?: CovariateInput[];
}

/** A covariate aligned to its target's (trimmed) timestamps: NaN where it has no value. */
export interface AlignedCovariate {
  name: string;
  raw: Float64Array;
  /** Share of the target's timestamps at which the covariate has a value. */
  coverage: number;
}

/** A series ready for the procedure: gaps filled by the stated method, gaps remembered. */
export interface CleanSeries {
  name: string;
  y: Float64Array;
  missing: Uint8Array;
  phase: number;
  frequency: Frequency;
  positive: boolean;
  /** Timestamps of y (leading and trailing missing values trimmed). */
  timestamps: Float64Array;
  stepMs: number | null;
  covariates: AlignedCovariate[];
}

/** Aligns a covariate to target timestamps by exact timestamp match. */
export function alignCovariate(c: CovariateInput, timestamps: ArrayLike<number>): AlignedCovariate {
  if (c.values.length !== c.timestamps.length) {
    throw new ForecastError("bad-input", `Covariate "${c.name}": ${c.values.length} values but ${c.timestamps.length} timestamps.`);
  }
  const byTime = new Map<number, number>();
  for (let i = 0; i < c.timestamps.length; i++) if (Number.isFinite(c.values[i])) byTime.set(c.timestamps[i], c.values[i]);
  const raw = new Float64Array(timestamps.length);
  let found = 0;
  for (let i = 0; i < timestamps.length; i++) {
    const v = byTime.get(timestamps[i]);
    raw[i] = v ?? NaN;
    if (v !== undefined) found++;
  }
  return { name: c.name, raw, coverage: timestamps.length ? found / timestamps.length : 0 };
}

export function cleanSeries(s: SeriesInput, gapFill: PrepSpec["gapFill"]): CleanSeries {
  const n = s.values.length;
  if (n !== s.timestamps.length) throw new ForecastError("bad-input", `Series "${s.name}": ${n} values but ${s.timestamps.length} timestamps.`);
  // Trailing and leading missing values carry no information: trim them.
  let first = 0;
  while (first < n && !Number.isFinite(s.values[first])) first++;
  let last = n - 1;
  while (last >= first && !Number.isFinite(s.values[last])) last--;
  if (last < first) throw new ForecastError("no-data", `Series "${s.name}" has no values.`);
  const raw = s.values.subarray(first, last + 1);
  const missing = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) if (!Number.isFinite(raw[i])) missing[i] = 1;
  const y = fillGaps(raw, gapFill);
  let positive = true;
  for (let i = 0; i < y.length; i++) if (!(y[i] > 0)) positive = false;
  const season = SEASON_LENGTH[s.frequency];
  const timestamps = s.timestamps.slice(first, last + 1);
  return {
    name: s.name,
    y,
    missing,
    phase: calendarPhase(s.timestamps[first], s.frequency, season),
    frequency: s.frequency,
    positive,
    timestamps,
    stepMs: s.stepMs,
    covariates: (s.covariates ?? []).map((c) => alignCovariate(c, timestamps)),
  };
}

/** Covariates with values at fewer than this share of the target's timestamps are left out. */
export const MIN_COVARIATE_COVERAGE = 0.5;

/** The covariates a fit can use, and those left out (with the reason, for the user). */
export function usableCovariates(s: CleanSeries): { kept: AlignedCovariate[]; dropped: string[] } {
  const kept: AlignedCovariate[] = [];
  const dropped: string[] = [];
  for (const c of s.covariates) {
    if (c.coverage >= MIN_COVARIATE_COVERAGE) kept.push(c);
    else dropped.push(`"${c.name}" (values at ${Math.round(100 * c.coverage)}% of the series' dates)`);
  }
  return { kept, dropped };
}

/**
 * How a covariate is prepared for the variant `spec`: log when the target is logged and the
 * covariate's training part is positive, then standardised; window normalisation as the target's.
 */
export function covariatePrepSpec(spec: PrepSpec): PrepSpec {
  return { deseasonalize: false, log: spec.log, scaler: "standard", difference: false, windowNorm: spec.windowNorm, gapFill: spec.gapFill };
}

/**
 * A covariate's values on [0, end), gaps filled from those values only (nothing at or after `end`
 * is read). A covariate with no value at all there is a constant, uninformative input.
 */
export function filledCovariate(raw: Float64Array, end: number, gapFill: PrepSpec["gapFill"]): Float64Array {
  const part = raw.subarray(0, end);
  for (let i = 0; i < part.length; i++) if (Number.isFinite(part[i])) return fillGaps(part, gapFill === "previous" ? "previous" : "linear");
  return new Float64Array(part.length);
}

/** The calendar a prepared series needs (month/weekday features), or undefined when the frequency has none. */
export function seriesCalendar(s: Pick<CleanSeries, "timestamps" | "frequency" | "stepMs">, length: number): Calendar | undefined {
  if (!MONTH_FREQUENCIES.includes(s.frequency) || s.timestamps.length === 0) return undefined;
  return calendarOf(s.timestamps, s.frequency, s.stepMs, length);
}

/** A preparation variant fitted on the training part of every series. */
export interface Variant {
  spec: PrepSpec;
  data: MemberData;
}

export function makeVariant(spec: PrepSpec, series: CleanSeries[], trainEnd: number[], end: number[], season: number, horizon: number): Variant {
  const preps: FittedPrep[] = [];
  const covPreps: FittedPrep[][] = [];
  const prepared: PreparedSeries[] = [];
  const covSpec = covariatePrepSpec(spec);
  series.forEach((s, i) => {
    const prep = fitPrep(spec, s.y.subarray(0, trainEnd[i]), season);
    preps.push(prep);
    // Only the prefix [0, end) is transformed: nothing later can reach the model.
    const ps: PreparedSeries = { z: transformSeries(prep, s.y.subarray(0, end[i])), phase: s.phase, missing: s.missing.subarray(0, end[i]) };
    ps.calendar = seriesCalendar(s, end[i] + horizon);
    if (s.covariates.length) {
      const cp: FittedPrep[] = [];
      ps.cov = s.covariates.map((c) => {
        const filled = filledCovariate(c.raw, end[i], spec.gapFill);
        const p = fitPrep(covSpec, filled.subarray(0, trainEnd[i]), 1);
        cp.push(p);
        return transformSeries(p, filled);
      });
      covPreps.push(cp);
    } else covPreps.push([]);
    prepared.push(ps);
  });
  return { spec, data: { prepared, preps, covPreps, prepSpec: spec, season, horizon, trainEnd, valEnd: end } };
}

/** Prepares a whole series with preparations already fitted (target and covariates). */
export function preparedWith(s: CleanSeries, prep: FittedPrep, covPreps: FittedPrep[], spec: PrepSpec, horizon: number): PreparedSeries {
  const n = s.y.length;
  const ps: PreparedSeries = { z: transformSeries(prep, s.y), phase: s.phase, missing: s.missing, calendar: seriesCalendar(s, n + horizon) };
  if (covPreps.length) ps.cov = s.covariates.map((c, j) => transformSeries(covPreps[j], filledCovariate(c.raw, n, spec.gapFill)));
  return ps;
}

/** Re-transforms the full series with preparations already fitted (for forecasting from later origins). */
export function extendVariant(v: Variant, series: CleanSeries[]): Variant {
  const prepared = series.map((s, i) => preparedWith(s, v.data.preps[i], v.data.covPreps?.[i] ?? [], v.spec, v.data.horizon));
  return { spec: v.spec, data: { ...v.data, prepared } };
}

export function defaultPrepSpecs(positive: boolean, season: number): PrepSpec[] {
  if (positive) {
    const main: PrepSpec = { deseasonalize: season > 1, log: true, scaler: "none", difference: false, windowNorm: "last", gapFill: "linear" };
    return [main];
  }
  return [{ deseasonalize: false, log: false, scaler: "standard", difference: false, windowNorm: "last", gapFill: "linear" }];
}

export const COMBINATIONS = ["neural", "hybrid", "theta", "seasonalNaive", "naive2"] as const;
export type Combination = (typeof COMBINATIONS)[number];

export interface StatForecasts {
  theta: number[];
  comb: number[];
  baselines: Record<BaselineName, number[]>;
}

export function statForecasts(history: ArrayLike<number>, h: number, m: number): StatForecasts {
  return { theta: thetaForecast(history, h, m), comb: combShdForecast(history, h, m), baselines: allBaselines(history, h, m) };
}

/**
 * The final point forecast of a combination. The hybrid is the equal-weight mean of the neural
 * ensemble, Theta and the SES/Holt/damped comb (forecast combination, as the M4 winners did).
 */
export function combine(kind: Combination, neural: number[] | null, stats: StatForecasts, nonNegative: boolean): number[] {
  let out: number[];
  if (kind === "neural" && neural) out = neural;
  else if (kind === "hybrid" && neural) out = neural.map((v, k) => (v + stats.theta[k] + stats.comb[k]) / 3);
  else if (kind === "seasonalNaive") out = stats.baselines.seasonalNaive;
  else if (kind === "naive2") out = stats.baselines.naive2;
  else out = stats.theta;
  return nonNegative ? out.map((v) => Math.max(0, v)) : out;
}

/** One member after training, with its forecasts from the origins the procedure needs. */
export interface MemberRun {
  spec: MemberSpec;
  variant: number;
  net: Network;
  bestEpoch: number | null;
  epochsRun: number;
  bestValLoss: number | null;
}

export interface CombinationScore {
  kind: Combination;
  smape: number;
  relMase: number;
  score: number;
}

/**
 * Scores candidate combinations on the validation windows of many series: mean sMAPE and mean
 * relative MASE against naive2 (OWA-like), lower is better.
 */
export function scoreCombinations(
  candidates: Combination[],
  perSeries: { actual: number[]; history: ArrayLike<number>; neural: number[] | null; stats: StatForecasts; nonNegative: boolean }[],
  m: number,
): CombinationScore[] {
  return candidates.map((kind) => {
    let s = 0;
    let r = 0;
    let sN2 = 0;
    let rN2 = 0;
    let c = 0;
    for (const p of perSeries) {
      if ((kind === "neural" || kind === "hybrid") && !p.neural) continue;
      const h = p.actual.length;
      const f = combine(kind, p.neural, p.stats, p.nonNegative).slice(0, h);
      const n2 = p.stats.baselines.naive2.slice(0, h);
      const scale = maseScale(p.history, m) ?? 1;
      let mae = 0;
      let maeN2 = 0;
      for (let k = 0; k < h; k++) {
        mae += Math.abs(p.actual[k] - f[k]);
        maeN2 += Math.abs(p.actual[k] - n2[k]);
      }
      s += smape(p.actual, f);
      sN2 += smape(p.actual, n2);
      r += mae / h / scale;
      rN2 += maeN2 / h / scale;
      c++;
    }
    if (c === 0) return { kind, smape: Infinity, relMase: Infinity, score: Infinity };
    const score = 0.5 * (sN2 > 0 ? s / sN2 : 1) + 0.5 * (rN2 > 0 ? r / rN2 : 1);
    return { kind, smape: s / c, relMase: r / c, score };
  });
}

/** Median of the members' forecasts, step by step. */
export function ensembleMedian(paths: number[][]): number[] {
  const H = paths[0].length;
  const out: number[] = [];
  for (let k = 0; k < H; k++) out.push(median(paths.map((p) => p[k])));
  return out;
}

/** Forecasts of every member for the given series and origins, combined by the median. */
export function neuralForecasts(
  runs: MemberRun[],
  variants: Variant[],
  seriesIdx: number[],
  origins: number[],
): number[][] {
  if (runs.length === 0) return seriesIdx.map(() => []);
  const perMember = runs.map((r) => memberForecast(r.net, r.spec, variants[r.variant].data, seriesIdx, origins));
  return seriesIdx.map((_, i) => ensembleMedian(perMember.map((p) => p[i])));
}

export interface EnsemblePlan {
  members: { spec: MemberSpec; variant: number }[];
  strategy: StrategyKind;
  lookbacks: number[];
}

export function defaultFeatures(season: number): FeatureSpec {
  return { season: season > 1, step: true };
}

/** The position features of a fit: the defaults, or those the caller selected (see `resolveFeatures`). */
export function featuresFor(frequency: Frequency, requested?: Partial<Pick<FeatureSpec, "season" | "step" | "month" | "weekday">>): FeatureSpec {
  return resolveFeatures(frequency, SEASON_LENGTH[frequency], requested);
}

export function memberSeed(seed: number, index: number): number {
  return deriveSeed(seed, index);
}

export const CELLS: CellKind[] = ["lstm", "gru"];

export function trainSettingsFrom(config: { epochs: number; learningRate: number; batchSize: number }, patience: number): TrainSettings {
  return {
    epochs: config.epochs,
    learningRate: config.learningRate,
    batchSize: config.batchSize,
    patience,
    loss: "mae",
    dropout: 0.1,
    weightDecay: 0,
  };
}
