/**
 * `fitForecast`: one series in, a validated forecast with conformal intervals out.
 *
 * Phase A (evaluation) fits the whole procedure on the series without its last `hold` points
 * (training part + validation window, which chooses the number of epochs by early stopping, the
 * strategy, lookback, preparation and the combination) and scores its forecast of the held-out
 * test window against the baselines. Early stopping ignores the first WARMUP_EPOCHS epochs: on one
 * short validation window an undertrained network often scores best by luck. The conformal
 * intervals come from Phase A's out-of-sample residuals over the validation and test windows.
 * Phase B refits each chosen member on all the data (preparations fitted on all of it, no
 * validation split) for a fixed number of epochs, its Phase A best epoch (at least
 * REFIT_MIN_EPOCHS), at Phase A's learning rates, and forecasts the future (as fitGlobal's refit).
 *
 * Covariates (`series.covariates`) are other series fed as lagged inputs of the windows (their
 * values up to each window's last step; future values are never needed or read). An explicit
 * model uses them with the direct and seq2seq strategies; `auto` keeps them only when a member
 * with them beats the best member without them on the validation window (`chosen.covariates`).
 */
import { SEASON_LENGTH } from "../series/frequency";
import { modelConfigSchema, resolveModelConfig, type ModelConfig, type ModelConfigInput } from "./config";
import {
  CELLS,
  cleanSeries,
  combine,
  defaultPrepSpecs,
  extendVariant,
  featuresFor,
  makeVariant,
  memberSeed,
  neuralForecasts,
  scoreCombinations,
  statForecasts,
  trainSettingsFrom,
  usableCovariates,
  type CleanSeries,
  type Combination,
  type MemberRun,
  type SeriesInput,
  type Variant,
} from "./core";
import { ForecastCancelled, ForecastError } from "./errors";
import { applyConformal, conformalTable, type ConformalTable } from "./intervals";
import { memberForecast, refitSchedule, trainMember, type MemberSpec, type StrategyKind, type TrainSettings } from "./member";
import { computeMetrics, owa, type Metrics } from "./metrics";
import { loadModel, writeModel, MODEL_FILE_VERSION, type ModelHeader } from "./modelfile";
import type { FeatureSpec, PrepSpec } from "./prep";
import { predictFromModel, type IntervalSet } from "./predict";
import type { BaselineName } from "./baselines";

export type { SeriesInput, CovariateInput } from "./core";
export type { Metrics } from "./metrics";
export { predictFromModel } from "./predict";
export type { IntervalSet, Prediction } from "./predict";

/** The position features a caller may select (see `FeatureSpec`). */
export type PositionFeatures = Partial<Pick<FeatureSpec, "season" | "step" | "month" | "weekday">>;

export interface EpochProgress {
  member: number;
  members: number;
  epoch: number;
  epochs: number;
  trainLoss: number;
  valLoss: number | null;
  ms: number;
}

export interface FitOptions {
  levels?: number[];
  onEpoch?: (p: EpochProgress) => void;
  shouldStop?: () => boolean;
  /** Optional clock for the `ms` of progress reports (the library itself never reads one). */
  now?: () => number;
  /**
   * Position features of the windows. Default: the season's sin/cos (seasonal frequencies) and the
   * step index; month-of-year (monthly and finer) and day-of-week (daily and finer) sin/cos from
   * the timestamps (UTC) are off unless asked for, and ignored where the frequency has no such cycle.
   */
  features?: PositionFeatures;
}

export interface ForecastOutcome {
  config: ModelConfig;
  chosen: {
    model: string;
    strategy: string;
    lookback: number;
    members: number;
    bestEpoch: number | null;
    epochsRun: number;
    /** Names of the covariates the networks read (empty when none were given, useful or usable). */
    covariates: string[];
    /** auto with covariates: validation MAE of the member with them and of the best member without; null otherwise. */
    covariateValidation: { with: number; without: number } | null;
  };
  timestamps: number[];
  forecast: number[];
  intervals: IntervalSet[];
  /** The neural ensemble's own forecast before any combination with the statistical components. */
  neural: number[] | null;
  holdout: {
    timestamps: number[];
    actual: number[];
    model: number[];
    intervals: IntervalSet[];
    baselines: Record<BaselineName, number[]>;
  };
  metrics: {
    model: Metrics;
    naive: Metrics;
    seasonalNaive: Metrics;
    naive2: Metrics;
    drift: Metrics;
    owa: number | null;
    beatsSeasonalNaive: boolean;
    note: string;
  };
  modelBlob: Uint8Array;
}

/** What Phase A decides and Phase B repeats. */
export interface Selection {
  variants: PrepSpec[];
  members: { spec: MemberSpec; variant: number }[];
  combination: Combination;
}

interface Progress {
  done: number;
  planned: number;
  options: FitOptions;
  epochs: number;
}

/**
 * Early stopping ignores the first epochs (never more than the config's): a validation score this
 * early is mostly luck. Chosen on bench/single-series.ts (M3 sMAPE of lstm 24.1 -> 19.7).
 */
export const WARMUP_EPOCHS = 10;
/**
 * Fewest epochs of the final refit, whatever Phase A's best epoch (never more than the config's
 * epochs): the refit has more windows than Phase A, and 20 beat 10 on bench/single-series.ts.
 */
export const REFIT_MIN_EPOCHS = 20;

function hooksFor(p: Progress, epochs = p.epochs) {
  const member = ++p.done;
  let last = p.options.now?.() ?? 0;
  return {
    shouldStop: p.options.shouldStop,
    onEpoch: (epoch: number, trainLoss: number, valLoss: number | null) => {
      const t = p.options.now?.() ?? 0;
      p.options.onEpoch?.({ member, members: Math.max(member, p.planned), epoch, epochs, trainLoss, valLoss, ms: t - last });
      last = t;
    },
  };
}

function validateLevels(levels: number[]): number[] {
  for (const l of levels)
    if (!(l > 0 && l < 100)) throw new ForecastError("bad-config", `Interval level ${l} must be between 0 and 100 (exclusive).`);
  return [...new Set(levels)].sort((a, b) => a - b);
}

export function parseConfig(input: ModelConfigInput): ModelConfigInput {
  const r = modelConfigSchema.safeParse(input);
  if (!r.success) {
    const first = r.error.issues[0];
    throw new ForecastError("bad-config", `Invalid model config${first.path.length ? ` (${first.path.join(".")})` : ""}: ${first.message}`);
  }
  return r.data;
}

interface PhaseResult {
  selection: Selection;
  variants: Variant[];
  runs: MemberRun[];
  /** Learning rates of each member's fit (Phase A), replayed by the refit. */
  lrs: number[][];
  /** What became of the covariates, for the user (empty when there are none). */
  covariateNote: string;
  covariateValidation: { with: number; without: number } | null;
}

const covariatesOf = (spec: MemberSpec) => spec.features.covariates ?? 0;

/** The features with (k > 0) or without covariate inputs. */
function withCovariates(features: FeatureSpec, k: number): FeatureSpec {
  const { covariates: _drop, ...rest } = features;
  void _drop;
  return k > 0 ? { ...rest, covariates: k } : rest;
}

function valMae(forecast: number[], actual: ArrayLike<number>, from: number, steps: number): number {
  let s = 0;
  for (let k = 0; k < steps; k++) s += Math.abs(actual[from + k] - forecast[k]);
  return s / steps;
}

/**
 * Phase A: fits the procedure on series prefix [0, end): training targets in [0, end - hold),
 * validation in [end - hold, end). Members stop early on the validation windows (after the
 * warm-up); auto mode screens strategies, lookbacks and preparations, and chooses the combination,
 * on the validation window.
 */
function runPhase(
  s: CleanSeries,
  config: ModelConfig,
  explicit: ModelConfigInput,
  end: number,
  hold: number,
  seed: number,
  progress: Progress,
  features: FeatureSpec,
): PhaseResult {
  const m = SEASON_LENGTH[s.frequency];
  const H = config.horizon;
  const trainEnd = end - hold;
  const settings: TrainSettings = { ...trainSettingsFrom(config, 10), warmup: WARMUP_EPOCHS };
  const steps = Math.min(H, hold);
  const positive = (() => {
    for (let i = 0; i < trainEnd; i++) if (!(s.y[i] > 0)) return false;
    return true;
  })();
  const mk = (spec: PrepSpec) => makeVariant(spec, [s], [trainEnd], [end], m, H);
  const valForecast = (run: MemberRun, variants: Variant[]) =>
    memberForecast(run.net, run.spec, variants[run.variant].data, [0], [trainEnd - 1])[0];
  const lrsOf = new Map<MemberRun, number[]>();
  const trainRun = (spec: MemberSpec, variant: number, variants: Variant[]): MemberRun => {
    const t = trainMember(spec, variants[variant].data, settings, hooksFor(progress));
    const run: MemberRun = { spec, variant, net: t.net, bestEpoch: t.result.bestEpoch, epochsRun: t.result.epochsRun, bestValLoss: t.result.bestValLoss };
    lrsOf.set(run, refitSchedule(t.result, Math.min(REFIT_MIN_EPOCHS, config.epochs)));
    return run;
  };

  const isAuto = config.model === "auto";
  const baseCell: MemberSpec["cell"] = config.model === "auto" ? "lstm" : config.model;
  const feasible = (strategy: StrategyKind, L: number) => trainEnd - L - (strategy === "recursive" ? 1 : H) >= 4;
  let lookback = config.lookback;
  const strategies: StrategyKind[] =
    config.strategy === "auto" ? (["direct", "recursive", "seq2seq"] as StrategyKind[]) : [config.strategy as StrategyKind];
  // Shrink the lookback until at least one strategy has training windows.
  while (lookback > 2 && !strategies.some((st) => feasible(st, lookback))) lookback--;
  const usable = strategies.filter((st) => feasible(st, lookback));
  if (usable.length === 0) {
    throw new ForecastError(
      "too-short",
      `Series "${s.name}" is too short: ${s.y.length} points leave ${trainEnd} for training after holding out ${2 * hold} for validation and testing; ` +
        `a ${strategies.join("/")} forecaster with horizon ${H} needs at least ${2 + (strategies.includes("recursive") ? 1 : H) + 4 + 2 * hold} points.`,
    );
  }
  const variantSpecs: PrepSpec[] = defaultPrepSpecs(positive, m);
  if (isAuto && positive && m > 1) variantSpecs.push({ ...variantSpecs[0], deseasonalize: false });
  if (isAuto && !positive) variantSpecs.push({ ...variantSpecs[0], scaler: "robust", windowNorm: "mean" });
  const variants = variantSpecs.map(mk);
  // Covariates: an explicit model reads them wherever the strategy can (not recursive);
  // auto screens without them and then tries them once (step 3b).
  const K = s.covariates.length;
  const names = s.covariates.map((c) => `"${c.name}"`).join(", ");
  const explicitCov = (strategy: StrategyKind) => (!isAuto && strategy !== "recursive" ? K : 0);
  const specOf = (strategy: StrategyKind, L: number, cell = baseCell, index = 0): MemberSpec => ({
    cell,
    strategy,
    lookback: L,
    hiddenSize: config.hiddenSize,
    layers: config.layers,
    seed: memberSeed(seed, index),
    features: withCovariates(features, explicitCov(strategy)),
  });
  const actual = s.y;
  const score = (run: MemberRun) => valMae(valForecast(run, variants), actual, trainEnd, steps);
  // Where auto tries the covariates: the chosen strategy, or direct when recursive was chosen.
  const covStrategy = (st: StrategyKind, L: number): StrategyKind | null =>
    st !== "recursive" ? st : feasible("direct", L) ? "direct" : null;
  // strategies + (auto: one lookback, the other preparations, covariates, three more members) + Phase B's members
  progress.planned += usable.length + (isAuto ? 1 + (variants.length - 1) + (K > 0 ? 1 : 0) + 3 + 4 : 1);

  // 1. Strategy (on the default preparation and lookback).
  let best: { run: MemberRun; err: number } | null = null;
  for (const st of usable) {
    const run = trainRun(specOf(st, lookback), 0, variants);
    const err = score(run);
    if (!best || err < best.err) best = { run, err };
  }
  if (!best) throw new ForecastError("internal", "No strategy could be trained.");
  if (isAuto) {
    // 2. Lookback: a shorter alternative of about one season.
    if (explicit.lookback === undefined) {
      const alt = Math.max(2, Math.min(lookback - 1, Math.max(m, Math.ceil(lookback / 2))));
      if (alt < lookback && feasible(best.run.spec.strategy, alt)) {
        const run = trainRun(specOf(best.run.spec.strategy, alt), 0, variants);
        const err = score(run);
        if (err < best.err) best = { run, err };
      } else progress.planned--;
    } else progress.planned--;
    // 3. Preparation.
    for (let v = 1; v < variants.length; v++) {
      const run = trainRun(best.run.spec, v, variants);
      const err = score(run);
      if (err < best.err) best = { run, err };
    }
  }
  let covariateNote = "";
  let covariateValidation: PhaseResult["covariateValidation"] = null;
  const lagged = `as lagged inputs (their values up to each forecast's origin)`;
  if (isAuto && K > 0) {
    // 3b. Covariates: kept only when they beat the best member without them on validation.
    const st = covStrategy(best.run.spec.strategy, best.run.spec.lookback);
    if (st) {
      const spec = { ...best.run.spec, strategy: st, features: withCovariates(best.run.spec.features, K) };
      const run = trainRun(spec, best.run.variant, variants);
      const err = score(run);
      covariateValidation = { with: err, without: best.err };
      if (err < best.err) {
        covariateNote = `The networks read the covariates ${names} ${lagged}: they lowered the validation MAE from ${fmtNum(best.err)} to ${fmtNum(err)}.`;
        best = { run, err };
      } else {
        covariateNote = `The covariates ${names} were tried and did not improve the validation forecast (MAE ${fmtNum(err)} with them, ${fmtNum(best.err)} without), so the model uses the series alone.`;
      }
    } else {
      progress.planned--;
      covariateNote = `The covariates ${names} were not used: the series is too short for a direct forecaster, and the recursive strategy cannot read covariates.`;
    }
  } else if (K > 0) {
    covariateNote =
      covariatesOf(best.run.spec) > 0
        ? `The networks read the covariates ${names} ${lagged}.`
        : `The covariates ${names} were not used: the recursive strategy feeds its own forecasts back and would need their unknown future values; use the direct or seq2seq strategy.`;
  }
  const chosen = best.run;
  const runs: MemberRun[] = [chosen];
  if (isAuto) {
    // 4. The ensemble: LSTM and GRU, two seeds each, median combination.
    let index = 1;
    for (const cell of CELLS)
      for (let k = 0; k < 2; k++) {
        if (cell === chosen.spec.cell && k === 0) continue;
        runs.push(trainRun({ ...chosen.spec, cell, seed: memberSeed(seed, index++) }, chosen.variant, variants));
      }
  }
  // 5. Combination, chosen on the validation window (auto only; an explicit model is used as asked).
  let combination: Combination = "neural";
  if (isAuto) {
    const neural = neuralForecasts(runs, variants, [0], [trainEnd - 1])[0];
    const history = s.y.subarray(0, trainEnd);
    const stats = statForecasts(history, H, m);
    const scores = scoreCombinations(
      ["neural", "hybrid", "theta", "seasonalNaive", "naive2"],
      [{ actual: Array.from(s.y.subarray(trainEnd, trainEnd + steps)), history, neural: neural.slice(0, steps), stats: trim(stats, steps), nonNegative: s.positive }],
      m,
    );
    scores.sort((a, b) => a.score - b.score);
    combination = scores[0].kind;
  }
  // Keep only the variants the members use.
  const used = [...new Set(runs.map((r) => r.variant))];
  const remap = new Map(used.map((v, i) => [v, i]));
  const sel: Selection = {
    variants: used.map((v) => variantSpecs[v]),
    members: runs.map((r) => ({ spec: r.spec, variant: remap.get(r.variant) ?? 0 })),
    combination,
  };
  return {
    selection: sel,
    variants: used.map((v) => variants[v]),
    runs: runs.map((r) => ({ ...r, variant: remap.get(r.variant) ?? 0 })),
    lrs: runs.map((r) => lrsOf.get(r) ?? []),
    covariateNote,
    covariateValidation,
  };
}

/**
 * Phase B: refits each member Phase A chose on all of the series (preparations fitted on all of
 * it, no validation split) for a fixed number of epochs at Phase A's learning rates (see
 * `refitSchedule`), with the member's own seed.
 */
function refitPhase(s: CleanSeries, config: ModelConfig, phaseA: PhaseResult, progress: Progress): PhaseResult {
  const n = s.y.length;
  const m = SEASON_LENGTH[s.frequency];
  const settings: TrainSettings = trainSettingsFrom(config, 10);
  const variants = phaseA.selection.variants.map((spec) => makeVariant(spec, [s], [n], [n], m, config.horizon));
  const runs = phaseA.selection.members.map((mm, i): MemberRun => {
    const schedule = phaseA.lrs[i];
    const t = trainMember(mm.spec, variants[mm.variant].data, settings, hooksFor(progress, schedule.length), schedule);
    return { spec: mm.spec, variant: mm.variant, net: t.net, bestEpoch: phaseA.runs[i].bestEpoch, epochsRun: t.result.epochsRun, bestValLoss: null };
  });
  return { ...phaseA, variants, runs };
}

function trim(stats: ReturnType<typeof statForecasts>, steps: number): ReturnType<typeof statForecasts> {
  const t = (a: number[]) => a.slice(0, steps);
  return {
    theta: t(stats.theta),
    comb: t(stats.comb),
    baselines: {
      naive: t(stats.baselines.naive),
      seasonalNaive: t(stats.baselines.seasonalNaive),
      naive2: t(stats.baselines.naive2),
      drift: t(stats.baselines.drift),
    },
  };
}

/** The combined forecast from each origin (index of the last point used), over the full horizon. */
function forecastsFrom(
  s: CleanSeries,
  phase: PhaseResult,
  origins: number[],
  H: number,
): number[][] {
  const m = SEASON_LENGTH[s.frequency];
  const needNeural = phase.selection.combination === "neural" || phase.selection.combination === "hybrid";
  const full = phase.variants.map((v) => extendVariant(v, [s]));
  const neural = needNeural ? neuralForecasts(phase.runs, full, origins.map(() => 0), origins) : origins.map(() => null);
  return origins.map((o, i) => combine(phase.selection.combination, neural[i], statForecasts(s.y.subarray(0, o + 1), H, m), s.positive));
}

/** Absolute residuals of the forecasts from origins, per horizon step, for targets in [from, to). */
function residualScores(s: CleanSeries, phase: PhaseResult, H: number, firstOrigin: number, to: number): number[][] {
  const origins: number[] = [];
  for (let t = firstOrigin; t <= to - 2; t++) origins.push(t);
  const scores: number[][] = Array.from({ length: H }, () => []);
  if (origins.length === 0) return scores;
  const fc = forecastsFrom(s, phase, origins, H);
  origins.forEach((o, i) => {
    for (let k = 1; k <= H && o + k < to; k++) scores[k - 1].push(Math.abs(s.y[o + k] - fc[i][k - 1]));
  });
  return scores;
}

function describe(selection: Selection, members: number, covariates: string[]): string {
  const cells = [...new Set(selection.members.map((mm) => mm.spec.cell))].join("+");
  const withCov = covariates.length ? ` with covariate${covariates.length > 1 ? "s" : ""} ${covariates.join(", ")}` : "";
  const neural = (members > 1 ? `${cells} ensemble of ${members} (median)` : cells) + withCov;
  switch (selection.combination) {
    case "neural":
      return neural;
    case "hybrid":
      return `hybrid: mean of the ${neural}, Theta and an SES/Holt/damped comb`;
    case "theta":
      return `theta (fallback: the ${neural} was worse on validation)`;
    case "seasonalNaive":
      return `seasonal naive (fallback: the ${neural} was worse on validation)`;
    case "naive2":
      return `naive2 (fallback: the ${neural} was worse on validation)`;
  }
}

function buildNote(label: string, model: Metrics, sn: Metrics, n2: Metrics, ow: number | null, selection: Selection): string {
  const worse = (a: Metrics, b: Metrics) => (a.mase !== null && b.mase !== null ? a.mase > b.mase : a.smape > b.smape);
  const parts: string[] = [];
  const fallback = selection.combination === "theta" || selection.combination === "seasonalNaive" || selection.combination === "naive2";
  if (fallback) parts.push(`On the validation window the neural models were less accurate than ${selection.combination === "theta" ? "the Theta method" : selection.combination === "naive2" ? "naive2" : "seasonal naive"}, so the forecast uses it (${label}).`);
  if (worse(model, sn)) parts.push(`Warning: on the held-out test window this forecast was less accurate than seasonal naive (MASE ${fmt(model.mase)} vs ${fmt(sn.mase)}, sMAPE ${model.smape.toFixed(1)}% vs ${sn.smape.toFixed(1)}%); prefer the seasonal naive forecast or more history.`);
  else parts.push(`On the held-out test window this forecast beat seasonal naive (MASE ${fmt(model.mase)} vs ${fmt(sn.mase)}, sMAPE ${model.smape.toFixed(1)}% vs ${sn.smape.toFixed(1)}%).`);
  if (ow !== null) parts.push(ow < 1 ? `OWA ${ow.toFixed(3)}: better than the naive2 benchmark.` : `OWA ${ow.toFixed(3)}: not better than the naive2 benchmark${worse(model, n2) ? "" : " on both measures"}.`);
  return parts.join(" ");
}

const fmt = (v: number | null) => (v === null ? "n/a" : v.toFixed(3));
const fmtNum = (v: number) => Number(v.toPrecision(4)).toString();

function holdLength(n: number, H: number, lookback: number): number {
  // Two windows of H (validation, test) when the series allows it; otherwise shorter ones.
  if (n - 2 * H >= Math.min(lookback, 12) + H + 4) return H;
  return Math.max(1, Math.min(H, Math.floor((n - Math.min(lookback, 6) - 5) / 2)));
}

export function fitForecast(series: SeriesInput, configInput: ModelConfigInput, rngSeed?: number, options: FitOptions = {}): ForecastOutcome {
  const explicit = parseConfig(configInput);
  const levels = validateLevels(options.levels ?? [80, 95]);
  const cleaned = cleanSeries(series, "linear");
  const { kept, dropped } = usableCovariates(cleaned);
  const s: CleanSeries = { ...cleaned, covariates: kept };
  const n = s.y.length;
  const m = SEASON_LENGTH[s.frequency];
  const config = resolveModelConfig(explicit, s.frequency, n);
  const seed = rngSeed ?? config.seed;
  const H = config.horizon;
  const hold = holdLength(n, H, config.lookback);
  if (n - 2 * hold < 7) {
    throw new ForecastError("too-short", `Series "${s.name}" has ${n} points; at least ${2 * hold + 7} are needed to train, validate and test a forecaster (horizon ${H}).`);
  }
  const progress: Progress = { done: 0, planned: 0, options, epochs: config.epochs };
  const features = featuresFor(s.frequency, options.features);
  const endA = n - hold;
  const trainEndA = endA - hold;

  // Phase A: fit without the test window, choose, and score on the test window.
  const phaseA = runPhase(s, config, explicit, endA, hold, seed, progress, features);
  const testSteps = Math.min(H, hold);
  const valScores = residualScores(s, phaseA, H, trainEndA - 1, endA);
  const allScores = residualScores(s, phaseA, H, trainEndA - 1, n);
  const valTable = conformalTable(valScores, levels);
  const fullTable = conformalTable(allScores, levels);
  const testFc = forecastsFrom(s, phaseA, [endA - 1], H)[0].slice(0, testSteps);
  const history = s.y.subarray(0, endA);
  const stats = statForecasts(history, testSteps, m);
  const actual = Array.from(s.y.subarray(endA, endA + testSteps));
  const testIntervals = applyConformal(valTable, testFc, 1, s.positive);
  const metricsModel = computeMetrics(actual, testFc, history, m, testIntervals);
  const mb = (name: BaselineName) => computeMetrics(actual, stats.baselines[name], history, m);
  const metrics = { model: metricsModel, naive: mb("naive"), seasonalNaive: mb("seasonalNaive"), naive2: mb("naive2"), drift: mb("drift") };
  const ow = owa(metrics.model, metrics.naive2);

  // Phase B: refit the chosen procedure on all the data and forecast the future.
  const phaseB = refitPhase(s, config, phaseA, progress);
  const usesCovariates = phaseB.selection.members.some((mm) => covariatesOf(mm.spec) > 0);
  const covariateNames = usesCovariates ? s.covariates.map((c) => c.name) : [];
  const label = describe(phaseB.selection, phaseB.runs.length, covariateNames);
  const header: ModelHeader = {
    version: MODEL_FILE_VERSION,
    kind: "series",
    config: { ...config, seed },
    frequency: s.frequency,
    season: m,
    horizon: H,
    levels,
    combination: phaseB.selection.combination,
    variants: phaseB.selection.variants,
    members: phaseB.selection.members,
    preps: phaseB.variants.map((v) => v.data.preps[0]),
    conformal: fullTable,
    intervalScale: 1,
    seriesLength: n,
    seriesName: s.name,
    nonNegative: s.positive,
    label,
    ...(usesCovariates ? { covariates: { names: covariateNames, preps: phaseB.variants.map((v) => v.data.covPreps?.[0] ?? []) } } : {}),
  };
  const modelBlob = writeModel(header, phaseB.runs.map((r) => r.net));
  // The forecast is made from the stored model, exactly as `predictFromModel` will.
  const pred = predictFromModel(loadModel(modelBlob), series);
  const best = phaseB.runs[0];
  // bestEpoch: Phase A's early-stopping choice; epochsRun: the longest refit.
  const ts = s.timestamps;
  const covariateNote = [
    dropped.length ? `Covariates left out for lack of values at the series' dates: ${dropped.join(", ")}.` : "",
    phaseA.covariateNote,
  ].filter(Boolean);
  return {
    config: { ...config, seed },
    chosen: {
      model: label,
      strategy: best.spec.strategy,
      lookback: best.spec.lookback,
      members: phaseB.runs.length,
      bestEpoch: best.bestEpoch,
      epochsRun: Math.max(...phaseB.runs.map((r) => r.epochsRun)),
      covariates: covariateNames,
      covariateValidation: phaseA.covariateValidation,
    },
    timestamps: pred.timestamps,
    forecast: pred.forecast,
    intervals: pred.intervals,
    neural: pred.neural,
    holdout: {
      timestamps: Array.from(ts.subarray(endA, endA + testSteps)),
      actual,
      model: testFc,
      intervals: testIntervals,
      baselines: stats.baselines,
    },
    metrics: { ...metrics, owa: ow, beatsSeasonalNaive: beats(metrics.model, metrics.seasonalNaive), note: [buildNote(label, metrics.model, metrics.seasonalNaive, metrics.naive2, ow, phaseB.selection), ...covariateNote].join(" ") },
    modelBlob,
  };
}

function beats(a: Metrics, b: Metrics): boolean {
  if (a.mase !== null && b.mase !== null) return a.mase <= b.mase;
  return a.smape <= b.smape;
}

export function isCancelled(e: unknown): e is ForecastCancelled {
  return e instanceof ForecastCancelled;
}

export type { ConformalTable };
