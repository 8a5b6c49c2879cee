/**
 * Phase A of `fitForecast`: what the procedure trains and chooses on one series prefix [0, end)
 * (training targets in [0, end - hold), validation in [end - hold, end)).
 *
 * `planSelection` decides everything that does not depend on a result before anything is trained:
 * the strategies to screen, the lookbacks, the preparation variants, whether covariates are tried,
 * the ensemble's extra members, the combination candidates and the training budget (windows per
 * epoch, bounded so that long series cost about as much per epoch as a few hundred windows). Each
 * selection step is then one function over that plan, trained members scored by their validation
 * MAE:
 *
 *   selectStrategy -> selectLookback -> selectPreparation -> selectCovariates -> growEnsemble -> selectCombination
 *
 * An explicit model (lstm, gru, rnn) skips the auto-only steps and is used as asked (no combination).
 */
import { SEASON_LENGTH } from "../series/frequency";
import type { CellKind } from "../nn";
import type { ModelConfig, ModelConfigInput } from "./config";
import { AUTO_CANDIDATES, chooseCombination, statForecasts, trimStats, type Combination, type CombinationChoice } from "./combination";
import { CELLS, memberSeed, neuralForecasts, trainSettingsFrom, type MemberRun } from "./ensemble";
import { ForecastError } from "./errors";
import type { CleanSeries } from "./input";
import { covariateNotes } from "./labels";
import { memberForecast, refitSchedule, trainMember, type MemberSpec, type StrategyKind, type TrainSettings } from "./member";
import type { FeatureSpec, PrepSpec } from "./prep";
import { defaultPrepSpecs, makeVariant, type Variant } from "./variants";
import type { EpochProgress, FitOptions } from "./engine";

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
/**
 * Training windows per epoch, at most: a series with more draws this many afresh each epoch. M3-
 * sized series have fewer and train on all of them; a 10,000-point hourly series trains about 20
 * times faster per epoch, every window still seen over the epochs.
 */
export const WINDOWS_PER_EPOCH = 512;

/** What Phase A decides and Phase B repeats. */
export interface Selection {
  variants: PrepSpec[];
  members: { spec: MemberSpec; variant: number }[];
  combination: Combination;
}

/** Counts trainings for the progress reports: `planned` is known before the first one starts. */
export interface Progress {
  done: number;
  planned: number;
  options: FitOptions;
  epochs: number;
}

export function hooksFor(p: Progress, epochs = p.epochs) {
  const member = ++p.done;
  let last = p.options.now?.() ?? 0;
  return {
    shouldStop: p.options.shouldStop,
    onEpoch: (epoch: number, trainLoss: number, valLoss: number | null) => {
      const t = p.options.now?.() ?? 0;
      const report: EpochProgress = { member, members: Math.max(member, p.planned), epoch, epochs, trainLoss, valLoss, ms: t - last };
      p.options.onEpoch?.(report);
      last = t;
    },
  };
}

export interface SelectionPlan {
  auto: boolean;
  /** Training targets in [0, trainEnd); validation targets in [trainEnd, end). */
  trainEnd: number;
  end: number;
  /** Validation steps scored (min(horizon, hold)). */
  steps: number;
  season: number;
  /** Screened at `lookback` on the default preparation. */
  strategies: StrategyKind[];
  lookback: number;
  /** auto: a shorter lookback (about one season) tried on the best strategy. */
  altLookback: number | null;
  /** The default preparation first; auto screens the others on the best member. */
  variants: PrepSpec[];
  /** try: auto tries the covariates once; explicit: an explicit model reads them where it can; tooShort / none. */
  covariates: "try" | "explicit" | "tooShort" | "none";
  /** The members the ensemble adds to the chosen one. */
  ensemble: { cell: CellKind; seedIndex: number }[];
  /** Combinations auto chooses among (the default first); an explicit model is "neural". */
  candidates: Combination[];
  settings: TrainSettings;
  /** Phase A's trainings. */
  trainings: number;
  /**
   * Whether Phase B refits the members on all the data. A long series' training part already has
   * REFIT_WINDOWS_FACTOR times the windows of an epoch: the held-out regions would add a few per
   * cent of data, so its Phase A members forecast from the end directly and the time goes into them.
   */
  refit: boolean;
}

/** See `SelectionPlan.refit`. */
export const REFIT_WINDOWS_FACTOR = 10;

const feasible = (trainEnd: number, H: number, strategy: StrategyKind, L: number) => trainEnd - L - (strategy === "recursive" ? 1 : H) >= 4;

/** Decides everything Phase A will train, before training anything. */
export function planSelection(s: CleanSeries, config: ModelConfig, explicit: ModelConfigInput, end: number, hold: number): SelectionPlan {
  const m = SEASON_LENGTH[s.frequency];
  const H = config.horizon;
  const trainEnd = end - hold;
  const auto = config.model === "auto";
  const wanted: StrategyKind[] = config.strategy === "auto" ? ["direct", "recursive", "seq2seq"] : [config.strategy as StrategyKind];
  let lookback = config.lookback;
  // Shrink the lookback until at least one strategy has training windows.
  while (lookback > 2 && !wanted.some((st) => feasible(trainEnd, H, st, lookback))) lookback--;
  const strategies = wanted.filter((st) => feasible(trainEnd, H, st, lookback));
  if (strategies.length === 0) {
    throw new ForecastError(
      "too-short",
      `Series "${s.name}" is too short: ${s.y.length} points leave ${trainEnd} for training after holding out ${2 * hold} for validation and testing; ` +
        `a ${wanted.join("/")} forecaster with horizon ${H} needs at least ${2 + (wanted.includes("recursive") ? 1 : H) + 4 + 2 * hold} points.`,
    );
  }
  let positive = true;
  for (let i = 0; i < trainEnd; i++) if (!(s.y[i] > 0)) positive = false;
  const variants = defaultPrepSpecs(positive, m);
  if (auto && positive && m > 1) variants.push({ ...variants[0], deseasonalize: false });
  if (auto && !positive) variants.push({ ...variants[0], scaler: "robust", windowNorm: "mean" });
  const alt = Math.max(2, Math.min(lookback - 1, Math.max(m, Math.ceil(lookback / 2))));
  // A shorter lookback is feasible wherever the longer one is.
  const altLookback = auto && explicit.lookback === undefined && alt < lookback ? alt : null;
  const K = s.covariates.length;
  const covariates: SelectionPlan["covariates"] =
    K === 0 ? "none" : !auto ? "explicit" : feasible(trainEnd, H, "direct", lookback) ? "try" : "tooShort";
  // LSTM and GRU, two seeds each: the chosen member is the first LSTM.
  const ensemble: SelectionPlan["ensemble"] = [];
  if (auto) {
    let index = 1;
    for (const cell of CELLS) for (let k = 0; k < 2; k++) if (!(cell === "lstm" && k === 0)) ensemble.push({ cell, seedIndex: index++ });
  }
  const settings: TrainSettings = { ...trainSettingsFrom(config, 10), warmup: WARMUP_EPOCHS, windowsPerEpoch: WINDOWS_PER_EPOCH };
  const refit = trainEnd - lookback - H < REFIT_WINDOWS_FACTOR * WINDOWS_PER_EPOCH;
  const trainings = strategies.length + (altLookback !== null ? 1 : 0) + (auto ? variants.length - 1 : 0) + (covariates === "try" ? 1 : 0) + ensemble.length;
  return {
    auto,
    trainEnd,
    end,
    steps: Math.min(H, hold),
    season: m,
    strategies,
    lookback,
    altLookback,
    variants,
    covariates,
    ensemble,
      // auto keeps the hybrid unless several validation windows (a long series) clearly prefer another.
    candidates: auto ? AUTO_CANDIDATES : ["neural"],
    settings,
    trainings,
    refit,
  };
}

/** A trained member with its validation MAE and the learning rates its refit replays. */
interface Candidate {
  run: MemberRun;
  err: number;
  lrs: number[];
}

/** What the selection steps share: the series, the plan, the fitted variants and how to train and score a member. */
interface SelectionContext {
  s: CleanSeries;
  plan: SelectionPlan;
  config: ModelConfig;
  seed: number;
  features: FeatureSpec;
  variants: Variant[];
  progress: Progress;
}

function trainCandidate(ctx: SelectionContext, spec: MemberSpec, variant: number): Candidate {
  const { plan, variants, s } = ctx;
  const t = trainMember(spec, variants[variant].data, plan.settings, hooksFor(ctx.progress));
  const run: MemberRun = { spec, variant, net: t.net, bestEpoch: t.result.bestEpoch, epochsRun: t.result.epochsRun, bestValLoss: t.result.bestValLoss };
  // Validation MAE over every validation window.
  const origins = validationOrigins(plan, ctx.config.horizon);
  const fc = memberForecast(run.net, spec, variants[variant].data, origins.map(() => 0), origins);
  let err = 0;
  fc.forEach((f, i) => {
    for (let k = 0; k < plan.steps; k++) err += Math.abs(s.y[origins[i] + 1 + k] - f[k]);
  });
  return { run, err: err / (plan.steps * origins.length), lrs: refitSchedule(t.result, Math.min(REFIT_MIN_EPOCHS, ctx.config.epochs)) };
}

/** The origins of the validation windows: one per horizon of the validation region. */
function validationOrigins(plan: SelectionPlan, H: number): number[] {
  const origins: number[] = [];
  for (let o = plan.trainEnd - 1; o + plan.steps < plan.end; o += H) origins.push(o);
  return origins;
}

const better = (a: Candidate, b: Candidate | null) => (b === null || a.err < b.err ? a : b);

/** The features with (k > 0) or without covariate inputs. */
function withCovariates(features: FeatureSpec, k: number): FeatureSpec {
  const { covariates: _drop, ...rest } = features;
  void _drop;
  return k > 0 ? { ...rest, covariates: k } : rest;
}

function memberSpec(ctx: SelectionContext, strategy: StrategyKind, lookback: number): MemberSpec {
  const cell: CellKind = ctx.config.model === "auto" ? "lstm" : ctx.config.model;
  const k = ctx.plan.covariates === "explicit" && strategy !== "recursive" ? ctx.s.covariates.length : 0;
  const { hiddenSize, layers } = ctx.config;
  return { cell, strategy, lookback, hiddenSize, layers, seed: memberSeed(ctx.seed, 0), features: withCovariates(ctx.features, k) };
}

/** 1. The strategy, on the default preparation and lookback. */
export function selectStrategy(ctx: SelectionContext): Candidate {
  let best: Candidate | null = null;
  for (const st of ctx.plan.strategies) best = better(trainCandidate(ctx, memberSpec(ctx, st, ctx.plan.lookback), 0), best);
  return best!;
}

/** 2. The lookback: the shorter alternative on the best strategy. */
export function selectLookback(ctx: SelectionContext, best: Candidate): Candidate {
  if (ctx.plan.altLookback === null) return best;
  return better(trainCandidate(ctx, memberSpec(ctx, best.run.spec.strategy, ctx.plan.altLookback), 0), best);
}

/** 3. The preparation: the other variants on the best member. */
export function selectPreparation(ctx: SelectionContext, best: Candidate): Candidate {
  if (!ctx.plan.auto) return best;
  for (let v = 1; v < ctx.variants.length; v++) best = better(trainCandidate(ctx, best.run.spec, v), best);
  return best;
}

export interface CovariateChoice {
  best: Candidate;
  note: string;
  validation: { with: number; without: number } | null;
}

/** 4. Covariates: auto keeps them only when they beat the best member without them on validation. */
export function selectCovariates(ctx: SelectionContext, best: Candidate): CovariateChoice {
  const K = ctx.s.covariates.length;
  const names = ctx.s.covariates.map((c) => `"${c.name}"`).join(", ");
  switch (ctx.plan.covariates) {
    case "none":
      return { best, note: "", validation: null };
    case "explicit":
      return { best, note: (best.run.spec.features.covariates ?? 0) > 0 ? covariateNotes.read(names) : covariateNotes.recursive(names), validation: null };
    case "tooShort":
      return { best, note: covariateNotes.tooShort(names), validation: null };
  }
  // Where auto tries them: the chosen strategy, or direct when recursive was chosen (feasible: see planSelection).
  const spec = best.run.spec;
  const strategy: StrategyKind = spec.strategy !== "recursive" ? spec.strategy : "direct";
  const tried = trainCandidate(ctx, { ...spec, strategy, features: withCovariates(spec.features, K) }, best.run.variant);
  const validation = { with: tried.err, without: best.err };
  return tried.err < best.err
    ? { best: tried, note: covariateNotes.kept(names, tried.err, best.err), validation }
    : { best, note: covariateNotes.rejected(names, tried.err, best.err), validation };
}

/** 5. The ensemble: the chosen member and the plan's other cells and seeds on the same spec (median combination). */
export function growEnsemble(ctx: SelectionContext, chosen: Candidate): Candidate[] {
  return [chosen, ...ctx.plan.ensemble.map((e) => trainCandidate(ctx, { ...chosen.run.spec, cell: e.cell, seed: memberSeed(ctx.seed, e.seedIndex) }, chosen.run.variant))];
}

/**
 * 6. The combination of the ensemble with the classical methods (auto), on the validation windows:
 * one per horizon of the validation region, each forecast from its own origin. With one window
 * the hybrid stays (see `chooseCombination`); a long series has several.
 */
export function selectCombination(ctx: SelectionContext, members: Candidate[]): CombinationChoice {
  const { plan, s } = ctx;
  if (!plan.auto) return { kind: "neural", scores: [], t: null };
  const H = ctx.config.horizon;
  const origins = validationOrigins(plan, H);
  const neural = neuralForecasts(members.map((c) => c.run), ctx.variants, origins.map(() => 0), origins);
  const cases = origins.map((o, i) => {
    const history = s.y.subarray(0, o + 1);
    const stats = trimStats(statForecasts(history, H, plan.season), plan.steps);
    return { actual: Array.from(s.y.subarray(o + 1, o + 1 + plan.steps)), history, neural: neural[i].slice(0, plan.steps), stats, nonNegative: s.nonNegative };
  });
  return chooseCombination(plan.candidates, cases, plan.season);
}

export interface PhaseResult {
  selection: Selection;
  variants: Variant[];
  runs: MemberRun[];
  /** Learning rates of each member's fit (Phase A), replayed by the refit. */
  lrs: number[][];
  /** What became of the covariates, for the user (empty when there are none). */
  covariateNote: string;
  covariateValidation: { with: number; without: number } | null;
  combination: CombinationChoice;
  /** Whether Phase B refits the members (see `SelectionPlan.refit`). */
  refit: boolean;
}

/** Phase A: plans, then runs the selection steps in order. */
export function runSelection(
  s: CleanSeries,
  config: ModelConfig,
  explicit: ModelConfigInput,
  end: number,
  hold: number,
  seed: number,
  progress: Progress,
  features: FeatureSpec,
): PhaseResult {
  const plan = planSelection(s, config, explicit, end, hold);
  // Phase B refits every member once more (unless the series is long enough not to).
  progress.planned += plan.trainings + (plan.refit ? plan.ensemble.length + 1 : 0);
  const variants = plan.variants.map((spec) => makeVariant(spec, [s], [plan.trainEnd], [end], plan.season, config.horizon));
  const ctx: SelectionContext = { s, plan, config, seed, features, variants, progress };
  let best = selectStrategy(ctx);
  best = selectLookback(ctx, best);
  best = selectPreparation(ctx, best);
  const cov = selectCovariates(ctx, best);
  const members = growEnsemble(ctx, cov.best);
  const combination = selectCombination(ctx, members);
  // Keep only the variants the members use.
  const used = [...new Set(members.map((c) => c.run.variant))];
  const remap = new Map(used.map((v, i) => [v, i]));
  const runs = members.map((c) => ({ ...c.run, variant: remap.get(c.run.variant) ?? 0 }));
  return {
    selection: { variants: used.map((v) => plan.variants[v]), members: runs.map((r) => ({ spec: r.spec, variant: r.variant })), combination: combination.kind },
    variants: used.map((v) => variants[v]),
    runs,
    lrs: members.map((c) => c.lrs),
    covariateNote: cov.note,
    covariateValidation: cov.validation,
    combination,
    refit: plan.refit,
  };
}
