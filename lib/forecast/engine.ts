/**
 * `fitForecast`: one series in, a validated forecast with conformal intervals out.
 *
 * Phase A (evaluation) fits the whole procedure on the series without its last `hold` points
 * (training part + validation window, which chooses the number of epochs by early stopping, the
 * strategy, lookback, preparation and the combination; on a long series the validation region is
 * longer than the test region, see `holdouts`) and scores its forecast of the held-out test window
 * against the baselines. Early stopping ignores the first WARMUP_EPOCHS epochs: on one
 * short validation window an undertrained network often scores best by luck. The conformal
 * intervals come from Phase A's out-of-sample residuals over the test region and as many origins
 * before it, and, where those reach back less than `calibrationReach` (the last 40% of the series,
 * 2H to 8H origins), from the classical stand-in's before them (see `seriesCalibration`).
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
import { classicalOutliers, combine, statForecasts, trimStats, usesClassical, usesNetworks, type StatForecasts } from "./combination";
import { featuresFor, neuralForecasts, trainSettingsFrom, type MemberRun } from "./ensemble";
import { ForecastCancelled, ForecastError } from "./errors";
import { cleanSeries, constantValue, usableCovariates, type CleanSeries, type SeriesInput } from "./input";
import { levelScale, seriesCalibration, seriesCalibrationScores, type OriginForecast } from "./calibration";
import { applyConformal, conformalTable, type ConformalTable } from "./intervals";
import { buildNote, combinationLabel, CONSTANT_SERIES, constantNote, covariateNotes, neuralLabel, outlierNote } from "./labels";
import { trainMember, type TrainSettings } from "./member";
import { computeMetrics, owa, type Metrics } from "./metrics";
import { loadModel, writeModel, MODEL_FILE_VERSION, type ModelHeader } from "./modelfile";
import type { FeatureSpec } from "./prep";
import { predictFromModel, type IntervalSet } from "./predict";
import { hooksFor, runSelection, WINDOWS_PER_EPOCH, type PhaseResult, type Progress } from "./selection";
import { extendVariant, makeVariant } from "./variants";
import type { BaselineName } from "./baselines";

export type { SeriesInput, CovariateInput } from "./input";
export type { Metrics } from "./metrics";
export type { Selection } from "./selection";
export { WARMUP_EPOCHS, REFIT_MIN_EPOCHS } from "./selection";
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
   * Position features of the windows. Default: the season's sin/cos (seasonal frequencies), the
   * step index, and the calendar cycles longer than the season from the timestamps (UTC):
   * month-of-year sin/cos for daily series, day-of-week sin/cos for hourly and finer ones (see
   * `resolveFeatures`). Either may be asked for or turned off; each is ignored where the
   * frequency has no such cycle (month: monthly and finer; weekday: daily and finer).
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

/**
 * Phase B: refits each member Phase A chose on all of the series (preparations fitted on all of
 * it, no validation split) for a fixed number of epochs at Phase A's learning rates (see
 * `refitSchedule`), with the member's own seed.
 */
function refitPhase(s: CleanSeries, config: ModelConfig, phaseA: PhaseResult, progress: Progress): PhaseResult {
  const n = s.y.length;
  const m = SEASON_LENGTH[s.frequency];
  const settings: TrainSettings = { ...trainSettingsFrom(config, 10), windowsPerEpoch: WINDOWS_PER_EPOCH };
  const variants = phaseA.selection.variants.map((spec) => makeVariant(spec, [s], [n], [n], m, config.horizon));
  const runs = phaseA.selection.members.map((mm, i): MemberRun => {
    const schedule = phaseA.lrs[i];
    const t = trainMember(mm.spec, variants[mm.variant].data, settings, hooksFor(progress, schedule.length), schedule);
    return { spec: mm.spec, variant: mm.variant, net: t.net, bestEpoch: phaseA.runs[i].bestEpoch, epochsRun: t.result.epochsRun, bestValLoss: null };
  });
  return { ...phaseA, variants, runs };
}

/** Phase A's combined forecasts from every origin (index of the last point used) in [first, last], over the full horizon, with the classical fits they combined. */
function phaseForecasts(s: CleanSeries, phase: PhaseResult, H: number, first: number, last: number): (OriginForecast & { classical: StatForecasts })[] {
  const origins: number[] = [];
  for (let t = first; t <= last; t++) origins.push(t);
  if (origins.length === 0) return [];
  const m = SEASON_LENGTH[s.frequency];
  const needNeural = usesNetworks(phase.selection.combination);
  const full = phase.variants.map((v) => extendVariant(v, [s]));
  const neural = needNeural ? neuralForecasts(phase.runs, full, origins.map(() => 0), origins) : origins.map(() => null);
  return origins.map((origin, i) => {
    const classical = statForecasts(s.y.subarray(0, origin + 1), H, m);
    return { origin, forecast: combine(phase.selection.combination, neural[i], classical, s.nonNegative), classical };
  });
}

/**
 * Test windows of H points a series of n points holds out (and validation windows, but on a long
 * series, see `selectionWindows`): one, and more for long series (one per 25 horizons of data, at
 * most 4), so that choosing the combination on a long series rests on several windows rather than one.
 */
export function validationWindows(n: number, H: number): number {
  return Math.max(1, Math.min(4, Math.floor(n / (25 * H))));
}

/** See `selectionWindows`. */
export const SELECTION_WINDOWS = 8;

/**
 * Validation windows the selection scores on a long series: one per 25 horizons of data as above,
 * but up to SELECTION_WINDOWS. The selection is what reads them: early stopping (on four windows,
 * four days of an hourly series, it stopped the networks after a pass or two over the data, on
 * noise) and the combination's paired t-test (with four windows it has three degrees of freedom
 * and kept the hybrid where the networks were far better). The test region and the calibration
 * keep `validationWindows`: the intervals and their cost do not change.
 */
export function selectionWindows(n: number, H: number): number {
  return Math.max(validationWindows(n, H), Math.min(SELECTION_WINDOWS, Math.floor(n / (25 * H))));
}

/**
 * The points Phase A holds out at the end of a series: `test` (the test region, scored against
 * the baselines) and before it `validation` (what the selection scores on). Whole windows of H
 * when the series allows it (the validation region longer on a long series, see
 * `selectionWindows`); otherwise two shorter regions of one length.
 */
export function holdouts(n: number, H: number, lookback: number): { test: number; validation: number } {
  if (n - 2 * H >= Math.min(lookback, 12) + H + 4) return { test: H * validationWindows(n, H), validation: H * selectionWindows(n, H) };
  const hold = Math.max(1, Math.min(H, Math.floor((n - Math.min(lookback, 6) - 5) / 2)));
  return { test: hold, validation: hold };
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
  const { test: hold, validation: valHold } = holdouts(n, H, config.lookback);
  if (n - hold - valHold < 7) {
    throw new ForecastError("too-short", `Series "${s.name}" has ${n} points; at least ${hold + valHold + 7} are needed to train, validate and test a forecaster (horizon ${H}).`);
  }
  const constant = config.model === "auto" ? constantValue(s.y) : null;
  if (constant !== null) return fitConstant(series, s, { ...config, seed }, levels, hold, constant);
  const progress: Progress = { done: 0, planned: 0, options, epochs: config.epochs };
  const features = featuresFor(s.frequency, options.features);
  const endA = n - hold;

  // Phase A: fit without the test window, choose, and score on the test window.
  const phaseA = runSelection(s, config, explicit, endA, valHold, seed, progress, features);
  const testSteps = Math.min(H, hold);
  // Calibration: Phase A's forecasts from every origin of the test region and of as many points
  // before it (the whole validation region, or its last `hold` points on a long series); the
  // holdout's intervals use those whose targets lie before the test region.
  // A short series' windows reach back further with the classical stand-in (see calibration.ts).
  // The test forecast is the calibration's own from the test origin (endA - 1 lies in that range),
  // and the baselines it is scored against come from that origin's classical fits.
  const own = phaseForecasts(s, phaseA, H, endA - hold - 1, n - 2);
  const calibration = seriesCalibration(s, own, phaseA.selection.combination, H);
  const valTable = conformalTable(seriesCalibrationScores(s, calibration, H, endA), levels);
  const fullTable = conformalTable(seriesCalibrationScores(s, calibration, H, n), levels);
  const testOrigin = own.find((f) => f.origin === endA - 1)!;
  const testFc = testOrigin.forecast.slice(0, testSteps);
  const history = s.y.subarray(0, endA);
  const stats = trimStats(testOrigin.classical, testSteps);
  const actual = Array.from(s.y.subarray(endA, endA + testSteps));
  const testIntervals = applyConformal(valTable, testFc, levelScale(s, endA - 1), s.nonNegative);
  const { metrics, ow } = scoreHoldout(actual, history, m, testFc, testIntervals, stats);

  // Phase B: refit the chosen procedure on all the data and forecast the future.
  const phaseB = phaseA.refit ? refitPhase(s, config, phaseA, progress) : phaseA;
  const usesCovariates = phaseB.selection.members.some((mm) => (mm.spec.features.covariates ?? 0) > 0);
  const covariateNames = usesCovariates ? s.covariates.map((c) => c.name) : [];
  const label = combinationLabel(
    phaseB.selection.combination,
    neuralLabel(phaseB.selection.members.map((mm) => mm.spec.cell), phaseB.runs.length, covariateNames),
  );
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
    intervalScale: levelScale(s, n - 1),
    seriesLength: n,
    seriesName: s.name,
    nonNegative: s.nonNegative,
    label,
    ...(usesCovariates ? { covariates: { names: covariateNames, preps: phaseB.variants.map((v) => v.data.covPreps?.[0] ?? []) } } : {}),
  };
  const modelBlob = writeModel(header, phaseB.runs.map((r) => r.net));
  // The forecast is made from the stored model, exactly as `predictFromModel` will.
  const pred = predictFromModel(loadModel(modelBlob), series);
  const best = phaseB.runs[0];
  // bestEpoch: Phase A's early-stopping choice; epochsRun: the longest refit.
  const ts = s.timestamps;
  const covariateNote = [dropped.length ? covariateNotes.dropped(dropped) : "", phaseA.covariateNote].filter(Boolean);
  const outliers = usesClassical(phaseB.selection.combination) ? outlierNote(classicalOutliers(s.y, m).map((o) => ({ ...o, timestamp: ts[o.index] }))) : "";
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
    metrics: { ...metrics, owa: ow, beatsSeasonalNaive: beats(metrics.model, metrics.seasonalNaive), note: [buildNote(label, phaseB.selection.combination, metrics.model, metrics.seasonalNaive, metrics.naive2, ow), ...covariateNote, outliers].filter(Boolean).join(" ") },
    modelBlob,
  };
}

/** The test forecast's metrics, the baselines' on the same window, and OWA against naive2. */
function scoreHoldout(actual: number[], history: ArrayLike<number>, m: number, testFc: number[], testIntervals: IntervalSet[], stats: StatForecasts) {
  const mb = (name: BaselineName) => computeMetrics(actual, stats.baselines[name], history, m);
  const metrics = { model: computeMetrics(actual, testFc, history, m, testIntervals), naive: mb("naive"), seasonalNaive: mb("seasonalNaive"), naive2: mb("naive2"), drift: mb("drift") };
  return { metrics, ow: owa(metrics.model, metrics.naive2) };
}

/**
 * `auto` on a constant series (see `constantValue`): seasonal naive, which repeats its value, with
 * bands of no width, and no network trained. Their forecast of a constant history is noise around
 * it (42 came out as 41.996 with an 80% band of ±0.12), and training them is most of a fit's cost.
 * The model file has no members; it is scored on the test window like any fit.
 */
function fitConstant(series: SeriesInput, s: CleanSeries, config: ModelConfig, levels: number[], hold: number, value: number): ForecastOutcome {
  const n = s.y.length, m = SEASON_LENGTH[s.frequency], H = config.horizon;
  const endA = n - hold, testSteps = Math.min(H, hold);
  const history = s.y.subarray(0, endA);
  const stats = trimStats(statForecasts(history, H, m), testSteps);
  const actual = Array.from(s.y.subarray(endA, endA + testSteps));
  const noWidth: ConformalTable = { levels, halfWidth: levels.map(() => new Array<number>(H).fill(0)), counts: new Array<number>(H).fill(0) };
  const testFc = stats.baselines.seasonalNaive;
  const testIntervals = applyConformal(noWidth, testFc, 1, s.nonNegative);
  const { metrics, ow } = scoreHoldout(actual, history, m, testFc, testIntervals, stats);
  const header: ModelHeader = {
    version: MODEL_FILE_VERSION, kind: "series", config, frequency: s.frequency, season: m, horizon: H, levels,
    combination: "seasonalNaive", variants: [], members: [], preps: [], conformal: noWidth, intervalScale: 1,
    seriesLength: n, seriesName: s.name, nonNegative: s.nonNegative, label: CONSTANT_SERIES,
  };
  const modelBlob = writeModel(header, []);
  const pred = predictFromModel(loadModel(modelBlob), series);
  return {
    config,
    chosen: { model: CONSTANT_SERIES, strategy: "none", lookback: 0, members: 0, bestEpoch: null, epochsRun: 0, covariates: [], covariateValidation: null },
    timestamps: pred.timestamps,
    forecast: pred.forecast,
    intervals: pred.intervals,
    neural: null,
    holdout: { timestamps: Array.from(s.timestamps.subarray(endA, endA + testSteps)), actual, model: testFc, intervals: testIntervals, baselines: stats.baselines },
    metrics: { ...metrics, owa: ow, beatsSeasonalNaive: beats(metrics.model, metrics.seasonalNaive), note: constantNote(value, "not trained") },
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
