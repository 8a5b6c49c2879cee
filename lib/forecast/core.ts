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
import { calendarPhase, fillGaps, fitPrep, transformSeries, type FeatureSpec, type FittedPrep, type PrepSpec, type PreparedSeries } from "./prep";
import { combShdForecast, median, thetaForecast } from "./stats";
import { memberForecast, type MemberData, type MemberSpec, type StrategyKind, type TrainSettings } from "./member";
import type { Network } from "../nn";

export interface SeriesInput {
  name: string;
  timestamps: Float64Array;
  values: Float64Array;
  frequency: Frequency;
  stepMs: number | null;
}

/** A series ready for the procedure: gaps filled by the stated method, gaps remembered. */
export interface CleanSeries {
  name: string;
  y: Float64Array;
  missing: Uint8Array;
  phase: number;
  frequency: Frequency;
  positive: boolean;
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
  return { name: s.name, y, missing, phase: calendarPhase(s.timestamps[first], s.frequency, season), frequency: s.frequency, positive };
}

/** A preparation variant fitted on the training part of every series. */
export interface Variant {
  spec: PrepSpec;
  data: MemberData;
}

export function makeVariant(spec: PrepSpec, series: CleanSeries[], trainEnd: number[], end: number[], season: number, horizon: number): Variant {
  const preps: FittedPrep[] = [];
  const prepared: PreparedSeries[] = [];
  series.forEach((s, i) => {
    const prep = fitPrep(spec, s.y.subarray(0, trainEnd[i]), season);
    preps.push(prep);
    // Only the prefix [0, end) is transformed: nothing later can reach the model.
    prepared.push({ z: transformSeries(prep, s.y.subarray(0, end[i])), phase: s.phase, missing: s.missing.subarray(0, end[i]) });
  });
  return { spec, data: { prepared, preps, prepSpec: spec, season, horizon, trainEnd, valEnd: end } };
}

/** Re-transforms the full series with preparations already fitted (for forecasting from later origins). */
export function extendVariant(v: Variant, series: CleanSeries[]): Variant {
  const prepared = series.map((s, i) => ({ z: transformSeries(v.data.preps[i], s.y), phase: s.phase, missing: s.missing }));
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
