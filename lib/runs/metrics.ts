import type { ForecastOutcome, Metrics } from "../forecast";

/**
 * What a run stores in `Run.metrics` (writeRunResult): the engine's holdout metrics with the chosen
 * model and the holdout backtest. Stored through finiteJson, so a non-finite number reads back as
 * null; the runs API returns this object as is.
 */
export type MetricValues = { [K in keyof Metrics]-?: Metrics[K] | null };

export interface RunHoldout {
  timestamps: number[];
  actual: number[];
  model: number[];
  intervals: { level: number; lo: number[]; hi: number[] }[];
  baselines: Record<string, number[]>;
}

export interface RunMetrics {
  model: MetricValues;
  naive?: MetricValues;
  seasonalNaive?: MetricValues;
  naive2?: MetricValues;
  drift?: MetricValues;
  owa: number | null;
  beatsSeasonalNaive: boolean;
  note: string;
  chosen: ForecastOutcome["chosen"];
  holdout: RunHoldout | null;
}

const isNumberArray = (v: unknown): v is number[] => Array.isArray(v) && v.every((x) => typeof x === "number" || x === null);

/** A stored holdout, or null when the engine wrote none of that shape (the fault tests' fake engine). */
export function holdoutOf(holdout: unknown): RunHoldout | null {
  const h = holdout as Partial<RunHoldout> | null;
  if (!h || typeof h !== "object" || !isNumberArray(h.timestamps) || !isNumberArray(h.actual) || !isNumberArray(h.model)) return null;
  if (h.timestamps.length !== h.actual.length || h.timestamps.length !== h.model.length) return null;
  return { timestamps: h.timestamps, actual: h.actual, model: h.model, intervals: Array.isArray(h.intervals) ? h.intervals : [], baselines: h.baselines ?? {} };
}

/** The holdout figures a run promised (its model row), each null when absent. */
export function promisedOf(metrics: string | null): { mase: number | null; smape: number | null; coverage80: number | null; coverage95: number | null } {
  const none = { mase: null, smape: null, coverage80: null, coverage95: null };
  if (!metrics) return none;
  let parsed: unknown;
  try {
    parsed = JSON.parse(metrics);
  } catch {
    return none;
  }
  const model = (parsed as { model?: Record<string, unknown> } | null)?.model;
  if (!model || typeof model !== "object") return none;
  const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : null);
  return { mase: num(model.mase), smape: num(model.smape), coverage80: num(model.coverage80), coverage95: num(model.coverage95) };
}
