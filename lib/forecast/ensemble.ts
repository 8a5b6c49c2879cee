/**
 * The neural ensemble: its members after training, their median forecast, and the defaults every
 * member shares (cells, seeds, position features, training settings).
 */
import { SEASON_LENGTH, type Frequency } from "../series/frequency";
import { deriveSeed } from "../tensor/random";
import type { CellKind, Network } from "../nn";
import { memberForecast, type MemberSpec, type TrainSettings } from "./member";
import { resolveFeatures, type FeatureSpec } from "./prep";
import { median } from "./stats";
import type { Variant } from "./variants";

/** One member after training. */
export interface MemberRun {
  spec: MemberSpec;
  variant: number;
  net: Network;
  bestEpoch: number | null;
  epochsRun: number;
  bestValLoss: number | null;
}

/** Median of the members' forecasts, step by step. */
export function ensembleMedian(paths: number[][]): number[] {
  const H = paths[0].length;
  const out: number[] = [];
  for (let k = 0; k < H; k++) out.push(median(paths.map((p) => p[k])));
  return out;
}

/** Forecasts of every member for the given series and origins, combined by the median. */
export function neuralForecasts(runs: MemberRun[], variants: Variant[], seriesIdx: number[], origins: number[]): number[][] {
  if (runs.length === 0) return seriesIdx.map(() => []);
  const perMember = runs.map((r) => memberForecast(r.net, r.spec, variants[r.variant].data, seriesIdx, origins));
  return seriesIdx.map((_, i) => ensembleMedian(perMember.map((p) => p[i])));
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
