import type { ModelConfig, ModelConfigInput } from "../forecast/config";
import type { EpochProgress, FitOptions, SeriesInput } from "../forecast";

/**
 * The training engine's contract as the worker uses it: the real engine (lib/forecast) in
 * production, a deterministic fake in the fault tests. The outcome is declared structurally
 * (only what the worker stores), so a fake need not build a whole ForecastOutcome.
 */
export type { EpochProgress, FitOptions, SeriesInput };

export interface EngineOutcome {
  config: ModelConfig;
  chosen: { model: string; strategy: string; lookback: number; members: number; bestEpoch: number | null; epochsRun: number };
  timestamps: number[];
  forecast: number[];
  intervals: { level: number; lo: number[]; hi: number[] }[];
  holdout: unknown;
  metrics: Record<string, unknown>;
  modelBlob: Uint8Array;
}

export interface EngineModule {
  fitForecast(series: SeriesInput, config: ModelConfigInput, rngSeed?: number, options?: FitOptions): EngineOutcome;
}

/** The first non-finite number in an outcome's forecast, intervals or timestamps, or null. */
export function firstNonFinite(outcome: EngineOutcome): { where: string; step: number; value: number } | null {
  const check = (where: string, xs: readonly number[]) => {
    for (let i = 0; i < xs.length; i++) if (typeof xs[i] !== "number" || !Number.isFinite(xs[i])) return { where, step: i + 1, value: xs[i] };
    return null;
  };
  const found = check("forecast", outcome.forecast) ?? check("timestamps", outcome.timestamps);
  if (found) return found;
  for (const band of outcome.intervals) {
    const hit = check(`${band.level}% interval (lower)`, band.lo) ?? check(`${band.level}% interval (upper)`, band.hi);
    if (hit) return hit;
  }
  return null;
}
