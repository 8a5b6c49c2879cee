/**
 * One global model trained across many series of the same frequency (each series normalised on
 * its own: log, seasonal adjustment and each window normalised by its recent level, see
 * `globalWindowNorm`), which is how neural forecasters win on short series. Its ensemble spans two
 * preparations (see `globalPrepSpecs`): every lookback and cell has one member on each; members
 * are seq2seq networks by default (`GLOBAL_AUTO_STRATEGY`) and stop early only after
 * WARMUP_EPOCHS. Split into three pure steps so a caller can run the members on several threads:
 *
 *   const plan = planGlobal(series, config, seed, levels);         // cheap, serialisable
 *   const results = plan.members.map((_, i) => runGlobalMember(plan, i));   // the expensive part
 *   const outcome = finishGlobal(plan, results);                   // combination, intervals
 *
 * For each series the last H points are the validation window: members stop early on it, the
 * combination is chosen on it (the hybrid unless another combination beats it clearly across the
 * series, see `chooseCombination`), and the conformal intervals come from its residuals and those
 * of rolling origins before it (scaled by each series' in-sample seasonal-naive MAE, see
 * `globalCalibrationScores`). Each series gets a note on how its forecast did on
 * its window against seasonal naive. The final forecast is made from the end of each series by the
 * members refitted on all of it.
 *
 * `finishGlobal` also writes the model file (kind "global": the members' weights, the combination,
 * the conformal table and each series' fitted preparation) and makes the final forecasts from it,
 * so `predictFromModel(loadModel(outcome.modelBlob), series)` reproduces them exactly; it also
 * forecasts other series of the same frequency (prepared on their own points).
 * The global model takes no covariates (each series would have different ones).
 */
import { addSteps } from "../series/grid";
import { SEASON_LENGTH, type Frequency } from "../series/frequency";
import { deserializeNetwork, serializeNetwork } from "../nn";
import { resolveModelConfig, type ModelConfig, type ModelConfigInput } from "./config";
import { AUTO_CANDIDATES, chooseCombination, classicalOutliers, combine, statForecasts, usesClassical, usesNetworks, type Combination, type CombinationScore } from "./combination";
import { CELLS, ensembleMedian, featuresFor, memberSeed, trainSettingsFrom } from "./ensemble";
import { cleanSeries, constantValue, type CleanSeries, type SeriesInput } from "./input";
import { buildNote, combinationLabel, CONSTANT_SERIES, constantNote, globalNeuralLabel, globalNote, outlierNote, worseThan } from "./labels";
import { makeVariant } from "./variants";
import { parseConfig, type EpochProgress, type FitOptions, type IntervalSet, type PositionFeatures } from "./engine";
import { ForecastError } from "./errors";
import { globalCalibrationScores } from "./calibration";
import { conformalTable } from "./intervals";
import { memberForecast, trainMember, type MemberSpec, type StrategyKind } from "./member";
import { computeMetrics, maseScale, owa as owaOf, type Metrics } from "./metrics";
import { writeModel, MODEL_FILE_VERSION, type GlobalModelHeader } from "./modelfile";
import { globalSeriesForecast } from "./predict";
import { WARMUP_EPOCHS } from "./selection";
import { fitPrep, type PrepSpec, type WindowNorm } from "./prep";

export interface GlobalPlan {
  config: ModelConfig;
  seed: number;
  levels: number[];
  frequency: Frequency;
  season: number;
  horizon: number;
  series: CleanSeries[];
  /** Future timestamps of each series. */
  futureTimestamps: number[][];
  /** The preparations the members train on (each series fitted on its own values for each). */
  variants: PrepSpec[];
  members: GlobalMember[];
  settings: ReturnType<typeof trainSettingsFrom>;
  refit: boolean;
}

/** A member of a global model and the preparation (index into `GlobalPlan.variants`) it trains on. */
export interface GlobalMember {
  spec: MemberSpec;
  variant: number;
}

export interface GlobalMemberResult {
  index: number;
  /** Forecast from the validation origin (n - H - 1) per series, or null when the series is too short for this member. */
  val: (number[] | null)[];
  /** This member's own forecast from the end of each series, or null (the outcome's forecasts come from the model file). */
  final: (number[] | null)[];
  bestEpoch: number | null;
  epochsRun: number;
  weights: Uint8Array;
}

export interface GlobalSeriesOutcome {
  name: string;
  timestamps: number[];
  forecast: number[];
  intervals: IntervalSet[];
  /** How this series' forecast was made (the chosen combination, or theta when the series was too short for the networks). */
  method: string;
  /** The neural ensemble's own forecast before any combination (null when no member fits the series). */
  neural: number[] | null;
  validation: { model: Metrics; seasonalNaive: Metrics; naive2: Metrics; theta: Metrics } | null;
  /** This series' note: how its forecast did on its validation window (a warning when seasonal naive did better). */
  note: string;
  /** Whether the forecast was at least as accurate as seasonal naive on its validation window (MASE, else sMAPE); null without one. */
  beatsSeasonalNaive: boolean | null;
}

export interface GlobalOutcome {
  config: ModelConfig;
  chosen: { model: string; strategy: StrategyKind; lookbacks: number[]; members: number; combination: Combination; scores: CombinationScore[] };
  series: GlobalSeriesOutcome[];
  note: string;
  /** The model file (kind "global"): `loadModel` + `predictFromModel` reproduce `series` exactly. */
  modelBlob: Uint8Array;
}

export interface GlobalOptions {
  levels?: number[];
  /** Lookbacks of the ensemble (default: 1.5 and 2 seasons, bounded by the series lengths). */
  lookbacks?: number[];
  /** Members per cell and lookback in auto mode, one per preparation in turn (default 2: 8 members). */
  seedsPerCell?: number;
  /** The preparations of the ensemble (default `globalPrepSpecs`); an explicit model uses the first. */
  variants?: PrepSpec[];
  /** Early-stopping patience in epochs (default 6). */
  patience?: number;
  /** Position features of the windows (see `FitOptions.features`). */
  features?: PositionFeatures;
  /**
   * Retrain each member on all windows (the validation window's targets included) for its best
   * number of epochs before the final forecast (default true). Validation forecasts always come
   * from the first fit, which never saw the validation targets.
   */
  refit?: boolean;
}

/**
 * The window reference of a global model: the mean of the window's last season where the season
 * is long (monthly and finer: twelve deseasonalised points give a much steadier level than
 * three), otherwise the median of its last three values (robust to a series that ends on an
 * outlier, and it follows a trend, which a year of quarters would lag). On the M3 development
 * sets (bench:accuracy) the season mean took the monthly networks from OWA 0.838 to 0.805 and
 * 0.849 to 0.808 (seeds 42 and 7) but the quarterly ones from 0.804 to 0.829; yearly is unchanged.
 */
export function globalWindowNorm(season: number): WindowNorm {
  return season >= 12 ? "season" : "recent";
}

/**
 * The two preparations of a global ensemble. Both seasonally adjust and log each series and
 * normalise each window by `globalWindowNorm`; the second also standardises each series' log
 * values by their spread over its training part, so that every series' windows have the same
 * scale (a quiet series' errors then weigh as much in the loss as a volatile one's, as a MASE-like
 * loss would weigh them). Half the members on each beat either alone on every M3 set (networks
 * alone, seed 42, seq2seq members, OWA on the test window: monthly 0.804 / 0.740 alone -> 0.757,
 * quarterly 0.767 / 0.772 -> 0.749, yearly 0.948 / 0.954 -> 0.909; Theta 0.778, 0.796, 0.940):
 * the two scales make different errors and the median cancels part of them. (The standardised
 * one alone is no answer: on M3 monthly it forecasts levels 1-2% lower, which suited the
 * test years and not the validation window before them, where it lost to the first.)
 */
export function globalPrepSpecs(season: number): PrepSpec[] {
  const logSeasonal: PrepSpec = { deseasonalize: season > 1, log: true, scaler: "none", difference: false, windowNorm: globalWindowNorm(season), gapFill: "linear" };
  return [logSeasonal, { ...logSeasonal, scaler: "standard" }];
}

/**
 * The strategy of a global model's members when the config says auto: seq2seq, whose decoder reads
 * the position features of each future step. With the two preparations and the warm-up, networks
 * alone on M3 monthly (seeds 42, 7, 3): direct 0.769, 0.769, 0.770 -> seq2seq 0.746, 0.753, 0.762
 * OWA (Theta 0.778); quarterly 0.769 -> 0.749 (seed 42); yearly 0.901 -> 0.912. It costs about
 * twice the training time of the direct strategy (its decoder runs H more steps per window).
 */
export const GLOBAL_AUTO_STRATEGY: StrategyKind = "seq2seq";

/** Groups series by frequency: one global model per group. */
export function groupByFrequency(series: SeriesInput[]): Map<Frequency, SeriesInput[]> {
  const groups = new Map<Frequency, SeriesInput[]>();
  for (const s of series) {
    const g = groups.get(s.frequency) ?? [];
    g.push(s);
    groups.set(s.frequency, g);
  }
  return groups;
}

export function planGlobal(series: SeriesInput[], configInput: ModelConfigInput, seed: number | undefined, options: GlobalOptions = {}): GlobalPlan {
  const explicit = parseConfig(configInput);
  if (series.length === 0) throw new ForecastError("no-data", "No series to forecast.");
  const frequency = series[0].frequency;
  if (series.some((s) => s.frequency !== frequency)) throw new ForecastError("bad-input", "A global model needs series of one frequency; group them first.");
  if (series.some((s) => s.covariates?.length)) {
    throw new ForecastError("bad-config", "The global model takes no covariates: fit each series on its own (fitForecast) to use them.");
  }
  const clean = series.map((s) => cleanSeries(s, "linear"));
  const lengths = clean.map((c) => c.y.length).sort((a, b) => a - b);
  const medianLength = lengths[lengths.length >> 1];
  const config = resolveModelConfig({ batchSize: 64, ...explicit }, frequency, medianLength);
  const m = SEASON_LENGTH[frequency];
  const H = config.horizon;
  const maxLen = lengths[lengths.length - 1];
  if (maxLen < H + 4) throw new ForecastError("too-short", `Every series is shorter than ${H + 4} points: too short to validate a horizon of ${H}.`);
  const base = explicit.lookback ?? Math.max(4, Math.round(1.5 * Math.max(m, 4)));
  const lookbacks = options.lookbacks ?? (explicit.lookback ? [explicit.lookback] : [...new Set([base, Math.max(4, 2 * Math.max(m, 4))])]);
  const cells = config.model === "auto" ? CELLS : [config.model as MemberSpec["cell"]];
  const seeds = config.model === "auto" ? (options.seedsPerCell ?? 2) : 1;
  const strategy: StrategyKind = config.strategy === "auto" ? GLOBAL_AUTO_STRATEGY : (config.strategy as StrategyKind);
  const preparations = options.variants ?? globalPrepSpecs(m);
  const variants = config.model === "auto" ? preparations : preparations.slice(0, 1);
  const members: GlobalMember[] = [];
  let index = 0;
  for (const L of lookbacks)
    for (const cell of cells)
      for (let k = 0; k < seeds; k++) {
        // The members take the preparations in turn: with two seeds each lookback and cell has one on each.
        const variant = index % variants.length;
        const spec: MemberSpec = { cell, strategy, lookback: L, hiddenSize: config.hiddenSize, layers: config.layers, seed: memberSeed(seed ?? config.seed, index++), features: featuresFor(frequency, options.features) };
        members.push({ spec, variant });
      }
  const futureTimestamps = series.map((s, i) => {
    let last = s.values.length - 1;
    while (last > 0 && !Number.isFinite(s.values[last])) last--;
    void i;
    return Array.from({ length: H }, (_, k) => addSteps(s.timestamps[last], s.frequency, s.stepMs, k + 1));
  });
  return {
    config: { ...config, seed: seed ?? config.seed },
    seed: seed ?? config.seed,
    levels: [...new Set(options.levels ?? [80, 95])].sort((a, b) => a - b),
    frequency,
    season: m,
    horizon: H,
    series: clean,
    futureTimestamps,
    variants,
    members,
    // Early stopping ignores the first epochs, as a single series' does: on M3 monthly (seeds 42, 7,
    // 3) it took the networks alone from 0.757, 0.779, 0.793 to 0.746, 0.753, 0.762 OWA.
    settings: { ...trainSettingsFrom(config, options.patience ?? 6), warmup: WARMUP_EPOCHS },
    refit: options.refit ?? true,
  };
}

/** Per series, the end of the training part of the members' final fit (all points when refitting). */
function finalTrainEnd(plan: GlobalPlan): number[] {
  return plan.series.map((s) => (plan.refit ? s.y.length : s.y.length - plan.horizon));
}

/** Trains member `index` on every series and forecasts from the validation origin and from the end. */
export function runGlobalMember(
  plan: GlobalPlan,
  index: number,
  hooks: { onEpoch?: (epoch: number, trainLoss: number, valLoss: number | null) => void; shouldStop?: () => boolean } = {},
): GlobalMemberResult {
  const { spec, variant: vi } = plan.members[index];
  const prepSpec = plan.variants[vi];
  const H = plan.horizon;
  const n = plan.series.map((s) => s.y.length);
  // A series no longer than the horizon has no training part here (see makeVariant).
  const trainEnd = n.map((l) => Math.max(0, l - H));
  const variant = makeVariant(prepSpec, plan.series, trainEnd, n, plan.season, H);
  const t = trainMember(spec, variant.data, plan.settings, hooks);
  const valIdx: number[] = [];
  const finalIdx: number[] = [];
  n.forEach((l, i) => {
    if (trainEnd[i] >= spec.lookback) valIdx.push(i);
    if (l >= spec.lookback) finalIdx.push(i);
  });
  const val: (number[] | null)[] = n.map(() => null);
  const final: (number[] | null)[] = n.map(() => null);
  if (valIdx.length) {
    const f = memberForecast(t.net, spec, variant.data, valIdx, valIdx.map((i) => trainEnd[i] - 1));
    valIdx.forEach((i, j) => (val[i] = f[j]));
  }
  let net = t.net;
  let finalData = variant.data;
  if (plan.refit) {
    // Same member, same seed, every window: the most recent targets matter most for the future.
    const full = makeVariant(prepSpec, plan.series, finalTrainEnd(plan), n, plan.season, H);
    const epochs = Math.max(2, t.result.bestEpoch ?? t.result.epochsRun);
    net = trainMember(spec, full.data, { ...plan.settings, epochs }, hooks).net;
    finalData = full.data;
  }
  if (finalIdx.length) {
    const f = memberForecast(net, spec, finalData, finalIdx, finalIdx.map((i) => n[i] - 1));
    finalIdx.forEach((i, j) => (final[i] = f[j]));
  }
  return { index, val, final, bestEpoch: t.result.bestEpoch, epochsRun: t.result.epochsRun, weights: serializeNetwork(net) };
}

function medianOf(paths: (number[] | null)[]): number[] | null {
  const ok = paths.filter((p): p is number[] => p !== null);
  return ok.length ? ensembleMedian(ok) : null;
}

export function finishGlobal(plan: GlobalPlan, memberResults: GlobalMemberResult[]): GlobalOutcome {
  const H = plan.horizon;
  const m = plan.season;
  const results = [...memberResults].sort((a, b) => a.index - b.index);
  if (results.length !== plan.members.length || results.some((r, i) => r.index !== i)) {
    throw new ForecastError("internal", `finishGlobal needs the results of all ${plan.members.length} members, once each.`);
  }
  const perSeries = plan.series.map((s, i) => {
    const n = s.y.length;
    const cut = Math.max(0, n - H);
    const history = s.y.subarray(0, cut);
    const valNeural = medianOf(results.map((r) => r.val[i]));
    const valStats = cut >= 2 ? statForecasts(history, H, m) : null;
    // auto forecasts a constant history as its value (see globalSeriesForecast).
    const constant = plan.config.model === "auto" ? constantValue(history) : null;
    return { s, n, history, valNeural, valStats, constant, actual: Array.from(s.y.subarray(cut)) };
  });
  // The choice and the calibration measure errors in each history's MASE scale: a history with
  // none (constant) cannot take part. Counted with a scale of 1, one constant series at 10⁶ took
  // every other series' 80% band from ±10% of its level to ±40 times it.
  const scorable = perSeries.filter((p) => p.valStats && maseScale(p.history, m) !== null);
  const cases = scorable.map((p) => ({ actual: p.actual, history: p.history, neural: p.valNeural, stats: p.valStats!, nonNegative: p.s.nonNegative }));
  const candidates: Combination[] = plan.config.model === "auto" ? AUTO_CANDIDATES : ["neural"];
  const choice = chooseCombination(candidates, cases, m, candidates[0]);
  const combination = choice.kind;
  const scores = choice.scores;
  // What each series' validation forecast was (the classical combination where no member fits it).
  const validationForecast = (p: (typeof perSeries)[number]) =>
    p.constant !== null ? new Array<number>(p.actual.length).fill(p.constant) : combine(combination, p.valNeural, p.valStats!, p.s.nonNegative);
  // Conformal scores: the chosen combination's validation residuals and rolling origins before them (see calibration.ts).
  const calibration = scorable.map((p) => ({ y: p.s.y, nonNegative: p.s.nonNegative, validation: validationForecast(p), neural: usesNetworks(combination) && p.valNeural !== null }));
  const table = conformalTable(globalCalibrationScores(calibration, combination, H, m).scoresByStep, plan.levels);
  const lookbacks = [...new Set(plan.members.map((mm) => mm.spec.lookback))];
  const label = combinationLabel(combination, globalNeuralLabel(plan.members.map((mm) => mm.spec.cell), plan.members.length, lookbacks));
  // The model file, and the final forecasts made from it exactly as predictFromModel will.
  const trainEnd = finalTrainEnd(plan);
  const header: GlobalModelHeader = {
    version: MODEL_FILE_VERSION,
    kind: "global",
    config: plan.config,
    frequency: plan.frequency,
    season: m,
    horizon: H,
    levels: plan.levels,
    combination,
    variants: plan.variants,
    members: plan.members,
    series: plan.series.map((s, i) => ({ name: s.name, preps: plan.variants.map((v) => fitPrep(v, s.y.subarray(0, trainEnd[i]), m)) })),
    conformal: table,
    label,
  };
  const modelBlob = writeModel(header, results.map((r) => r.weights));
  const nets = results.map((r) => deserializeNetwork(r.weights));
  const series: GlobalSeriesOutcome[] = perSeries.map((p, i) => {
    const final = globalSeriesForecast(header, nets, p.s);
    let validation: GlobalSeriesOutcome["validation"] = null;
    let note = "No validation window: the series is too short to hold out its last points.";
    if (p.valStats) {
      const metric = (f: number[]) => computeMetrics(p.actual, f, p.history, m);
      validation = {
        model: metric(validationForecast(p)),
        seasonalNaive: metric(p.valStats.baselines.seasonalNaive),
        naive2: metric(p.valStats.baselines.naive2),
        theta: metric(p.valStats.theta),
      };
      const ow = owaOf(validation.model, validation.naive2);
      note = buildNote(final.label, usesNetworks(combination) && !p.valNeural ? "classical" : combination, validation.model, validation.seasonalNaive, validation.naive2, ow, "validation window");
    }
    if (final.label === CONSTANT_SERIES) note = constantNote(p.s.y[0], "not used");
    else if (usesClassical(usesNetworks(combination) && !final.neural ? "classical" : combination)) {
      const outliers = outlierNote(classicalOutliers(p.s.y, m).map((o) => ({ ...o, timestamp: p.s.timestamps[o.index] })));
      if (outliers) note = `${note} ${outliers}`;
    }
    return {
      name: p.s.name,
      timestamps: plan.futureTimestamps[i],
      forecast: final.forecast,
      intervals: final.intervals,
      method: final.label,
      neural: final.neural,
      validation,
      note,
      beatsSeasonalNaive: validation ? !worseThan(validation.model, validation.seasonalNaive) : null,
    };
  });
  const snScore = scores.find((x) => x.kind === "seasonalNaive");
  const chosenScore = scores.find((x) => x.kind === combination);
  const losers = series.filter((x) => x.beatsSeasonalNaive === false).map((x) => x.name);
  const note = globalNote(label, H, scorable.length, chosenScore?.score ?? null, snScore?.score ?? null, losers);
  return {
    config: plan.config,
    chosen: { model: label, strategy: plan.members[0]?.spec.strategy ?? GLOBAL_AUTO_STRATEGY, lookbacks, members: plan.members.length, combination, scores },
    series,
    note,
    modelBlob,
  };
}

/** All three steps in one synchronous call (tests, the worker). */
export function fitGlobal(series: SeriesInput[], configInput: ModelConfigInput, seed?: number, options: FitOptions & GlobalOptions = {}): GlobalOutcome {
  const plan = planGlobal(series, configInput, seed, options);
  const results = plan.members.map((_, i) => {
    let last = options.now?.() ?? 0;
    return runGlobalMember(plan, i, {
      shouldStop: options.shouldStop,
      onEpoch: (epoch, trainLoss, valLoss) => {
        const t = options.now?.() ?? 0;
        const p: EpochProgress = { member: i + 1, members: plan.members.length, epoch, epochs: plan.config.epochs, trainLoss, valLoss, ms: t - last };
        last = t;
        options.onEpoch?.(p);
      },
    });
  });
  return finishGlobal(plan, results);
}
