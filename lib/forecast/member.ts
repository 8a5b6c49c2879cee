/**
 * One ensemble member: a recurrent network with its strategy, lookback and features, trained on
 * the windows of one or many prepared series, and its forecast in the original units.
 *
 * Strategies (the input-output shapes of the lecture notes):
 * - recursive: many-to-one with one output; the prediction is fed back as the next input, H times.
 * - direct: many-to-one whose dense head emits all H steps at once (many-to-many).
 * - seq2seq: an encoder over the window and a decoder that runs H steps over future position
 *   features (one-to-many), each step read out by the dense head.
 */
import { createNetwork, type CellKind, type Network, type NetworkConfig } from "../nn";
import { mulberry32 } from "../tensor/random";
import {
  buildWindows,
  inputSize,
  inverseValue,
  modelSpace,
  trainingOrigins,
  futureSize,
  type FeatureSpec,
  type FittedPrep,
  type PreparedSeries,
  type WindowSet,
  type WindowSpec,
  type PrepSpec,
} from "./prep";
import { predictWindows, train, type LossKind, type TrainResult } from "./trainer";
import { ForecastError } from "./errors";

export type StrategyKind = "recursive" | "direct" | "seq2seq";

export interface MemberSpec {
  cell: CellKind;
  strategy: StrategyKind;
  lookback: number;
  hiddenSize: number;
  layers: number;
  seed: number;
  features: FeatureSpec;
}

export interface TrainSettings {
  epochs: number;
  learningRate: number;
  batchSize: number;
  patience: number;
  loss: LossKind;
  dropout: number;
  weightDecay: number;
  /** Epochs before early stopping starts watching the validation loss (see `TrainOptions.warmup`). */
  warmup?: number;
  /** At most this many training windows per epoch (see `TrainOptions.windowsPerEpoch`). */
  windowsPerEpoch?: number;
}

/** The data a member trains on: prepared series, each with the end of its training part and validation part. */
export interface MemberData {
  prepared: PreparedSeries[];
  preps: FittedPrep[];
  /** Fitted preparation of each series' covariates (empty lists when there are none). */
  covPreps?: FittedPrep[][];
  prepSpec: PrepSpec;
  season: number;
  horizon: number;
  /** Training targets lie in [0, trainEnd[i]); validation targets in [trainEnd[i], valEnd[i]). */
  trainEnd: number[];
  valEnd: number[];
}

export function outputsOf(strategy: StrategyKind, horizon: number): number {
  return strategy === "recursive" ? 1 : horizon;
}

export function windowSpecOf(spec: MemberSpec, data: Pick<MemberData, "season" | "horizon" | "prepSpec">): WindowSpec {
  return {
    lookback: spec.lookback,
    outputs: outputsOf(spec.strategy, data.horizon),
    features: spec.features,
    season: data.season,
    windowNorm: data.prepSpec.difference ? "none" : data.prepSpec.windowNorm,
    difference: data.prepSpec.difference,
    seq2seq: spec.strategy === "seq2seq",
    horizon: data.horizon,
  };
}

export function networkConfigOf(spec: MemberSpec, data: Pick<MemberData, "season" | "horizon" | "prepSpec">, dropout: number): NetworkConfig {
  const ws = windowSpecOf(spec, data);
  return {
    kind: spec.strategy === "seq2seq" ? "seq2seq" : "many-to-one",
    cell: spec.cell,
    inputSize: inputSize(spec.features, data.season),
    hiddenSize: spec.hiddenSize,
    numLayers: spec.layers,
    outputSize: ws.outputs,
    futureSize: spec.strategy === "seq2seq" ? futureSize(spec.features, data.season) : undefined,
    dropout: spec.layers > 1 ? dropout : 0,
    forgetBias: spec.cell === "lstm" ? 1 : undefined,
  };
}

/** Training and validation windows of a member. Validation windows have origins in [trainEnd - 1, valEnd - 1 - outputs]. */
export function memberWindows(spec: MemberSpec, data: MemberData): { train: WindowSet; val: WindowSet | null } {
  const ws = windowSpecOf(spec, data);
  const dropGaps = data.prepSpec.gapFill === "drop";
  const trainOrigins: { seriesIndex: number; origin: number }[] = [];
  const valOrigins: { seriesIndex: number; origin: number }[] = [];
  const first = ws.lookback - 1 + (ws.difference ? 1 : 0);
  data.prepared.forEach((ps, i) => {
    for (const o of trainingOrigins(ps, i, ws.lookback, ws.outputs, data.trainEnd[i], dropGaps, ws.difference)) trainOrigins.push(o);
    // Validation windows: their targets all lie in [trainEnd, valEnd).
    for (let t = Math.max(first, data.trainEnd[i] - 1); t + ws.outputs <= data.valEnd[i] - 1; t++) valOrigins.push({ seriesIndex: i, origin: t });
  });
  return {
    train: buildWindows(data.prepared, ws, trainOrigins, true),
    val: valOrigins.length ? buildWindows(data.prepared, ws, valOrigins, true) : null,
  };
}

export interface TrainedMember {
  spec: MemberSpec;
  net: Network;
  result: TrainResult;
}

/**
 * The learning rates of a fixed-length refit after a validated fit: the validated fit's own rates
 * up to its best epoch, for at least `minEpochs` epochs (the last rate repeated).
 */
export function refitSchedule(result: TrainResult, minEpochs: number): number[] {
  const lrs = result.history.map((h) => h.lr);
  const epochs = Math.max(minEpochs, result.bestEpoch ?? result.epochsRun, 1);
  return Array.from({ length: epochs }, (_, i) => lrs[Math.min(i, lrs.length - 1)]);
}

/**
 * Trains a member. With `schedule` it runs exactly those epochs at those learning rates and keeps
 * the last weights (the refit on all the data, which has no validation windows).
 */
export function trainMember(
  spec: MemberSpec,
  data: MemberData,
  settings: TrainSettings,
  hooks: { onEpoch?: (epoch: number, trainLoss: number, valLoss: number | null) => void; shouldStop?: () => boolean } = {},
  schedule?: number[],
): TrainedMember {
  if (spec.strategy === "recursive" && (spec.features.covariates ?? 0) > 0) {
    // Fed back one step at a time, it would need the covariates' unknown future values.
    throw new ForecastError("bad-config", "The recursive strategy cannot use covariates; use the direct or seq2seq strategy.");
  }
  const rng = mulberry32(spec.seed);
  const { train: trainSet, val } = memberWindows(spec, data);
  if (trainSet.count < 2) {
    throw new ForecastError(
      "too-short",
      `Too few training windows (${trainSet.count}) for a lookback of ${spec.lookback} and a horizon of ${data.horizon}: the series needs more history.`,
    );
  }
  const net = createNetwork(networkConfigOf(spec, data, settings.dropout), rng, "float32");
  const result = train(net, trainSet, val, {
    epochs: settings.epochs,
    learningRate: settings.learningRate,
    batchSize: settings.batchSize,
    patience: settings.patience,
    plateau: Math.max(2, Math.floor(settings.patience / 2)),
    minLearningRate: settings.learningRate / 32,
    clipNorm: 1,
    weightDecay: settings.weightDecay,
    loss: settings.loss,
    rng,
    onEpoch: hooks.onEpoch,
    shouldStop: hooks.shouldStop,
    warmup: settings.warmup,
    schedule,
    windowsPerEpoch: settings.windowsPerEpoch,
  });
  return { spec, net, result };
}

/**
 * Forecasts H steps after `origin[i]` (index of the last observed point used) for each series,
 * in original units. Only z[0..origin] is read.
 */
export function memberForecast(
  net: Network,
  spec: MemberSpec,
  data: Pick<MemberData, "prepared" | "preps" | "season" | "horizon" | "prepSpec">,
  seriesIdx: number[],
  origins: number[],
): number[][] {
  const H = data.horizon;
  const ws = windowSpecOf(spec, data);
  const count = seriesIdx.length;
  const zPaths: number[][] = [];
  if (spec.strategy === "recursive") {
    // Extend each series' z with its own predictions, one step at a time.
    const ext: PreparedSeries[] = seriesIdx.map((si, i) => {
      const ps = data.prepared[si];
      const z = new Float64Array(origins[i] + 1 + H);
      z.set(ps.z.subarray(0, origins[i] + 1));
      // The calendar already covers the H future steps; covariates are never extended (see trainMember).
      return { z, phase: ps.phase, missing: new Uint8Array(z.length), calendar: ps.calendar };
    });
    for (let i = 0; i < count; i++) zPaths.push([]);
    for (let k = 0; k < H; k++) {
      const o = ext.map((_, i) => ({ seriesIndex: i, origin: origins[i] + k }));
      const set = buildWindows(ext, ws, o, false);
      const pred = predictWindows(net, set);
      for (let i = 0; i < count; i++) {
        const t = origins[i] + k;
        const z = ext[i].z;
        const v = ws.difference ? z[t] + pred[i] + set.ref[i] : pred[i] + set.ref[i];
        z[t + 1] = v;
        zPaths[i].push(v);
      }
    }
  } else {
    const o = seriesIdx.map((si, i) => ({ seriesIndex: si, origin: origins[i] }));
    const set = buildWindows(data.prepared, ws, o, false);
    const pred = predictWindows(net, set);
    for (let i = 0; i < count; i++) {
      const path: number[] = [];
      const z = data.prepared[seriesIdx[i]].z;
      let acc = z[origins[i]];
      for (let k = 0; k < H; k++) {
        const d = pred[i * H + k] + set.ref[i];
        if (ws.difference) {
          acc += d;
          path.push(acc);
        } else path.push(d);
      }
      zPaths.push(path);
    }
  }
  return zPaths.map((path, i) => {
    const prep = data.preps[seriesIdx[i]];
    return path.map((z, k) => {
      const v = inverseValue(prep, z, origins[i] + 1 + k);
      if (!Number.isFinite(v)) {
        throw new ForecastError("diverged", "The network produced a non-finite forecast; training diverged. Try a lower learning rate.");
      }
      return v;
    });
  });
}

/** Keeps only the prefix of the model space that a window at `origin` may read (for leakage tests). */
export function visiblePrefix(ps: PreparedSeries, origin: number, difference: boolean): Float64Array {
  return modelSpace(ps.z, difference).subarray(0, origin + 1);
}
