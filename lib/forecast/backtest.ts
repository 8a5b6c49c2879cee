/**
 * Rolling-origin evaluation: the whole procedure (preparation fitted afresh, selection, training,
 * conformal calibration) is rerun on the series cut at each origin, and its forecast of the next
 * H points is scored against what happened. Nothing after an origin is visible to its fit.
 */
import { SEASON_LENGTH } from "../series/frequency";
import type { ModelConfigInput } from "./config";
import { cleanSeries, type SeriesInput } from "./core";
import { fitForecast, parseConfig, type FitOptions } from "./engine";
import { ForecastError } from "./errors";
import { allBaselines } from "./baselines";
import { computeMetrics, type Metrics } from "./metrics";
import { resolveModelConfig } from "./config";

export interface BacktestOrigin {
  /** Number of points visible at this origin. */
  visible: number;
  actual: number[];
  forecast: number[];
  intervals: { level: number; lo: number[]; hi: number[] }[];
  model: Metrics;
  seasonalNaive: Metrics;
  naive2: Metrics;
}

export interface BacktestResult {
  origins: BacktestOrigin[];
  /** Means over origins. */
  summary: { smape: number; mase: number | null; seasonalNaiveSmape: number; seasonalNaiveMase: number | null; coverage: Record<number, number> };
}

/** `origins` windows of `horizon` points, stepping back `step` points each (default: the horizon). */
export function backtest(
  series: SeriesInput,
  config: ModelConfigInput,
  origins: number,
  seed?: number,
  options: FitOptions & { step?: number } = {},
): BacktestResult {
  const clean = cleanSeries(series, "linear");
  const resolved = resolveModelConfig(parseConfig(config), series.frequency, clean.y.length);
  const H = resolved.horizon;
  const step = options.step ?? H;
  const m = SEASON_LENGTH[series.frequency];
  const levels = options.levels ?? [80, 95];
  const out: BacktestOrigin[] = [];
  // Work on the trimmed, gap-filled values so cut points are simple indices.
  let first = 0;
  while (!Number.isFinite(series.values[first])) first++;
  const ts = series.timestamps.subarray(first, first + clean.y.length);
  for (let i = origins; i >= 1; i--) {
    const visible = clean.y.length - H - (i - 1) * step;
    if (visible < 2) throw new ForecastError("too-short", `The series is too short for ${origins} backtest origins of ${H} steps.`);
    const cut: SeriesInput = { ...series, timestamps: ts.slice(0, visible), values: clean.y.slice(0, visible) };
    const fit = fitForecast(cut, { ...config, horizon: H }, seed, { ...options, levels });
    const actual = Array.from(clean.y.subarray(visible, visible + H));
    const history = clean.y.subarray(0, visible);
    const b = allBaselines(history, H, m);
    out.push({
      visible,
      actual,
      forecast: fit.forecast,
      intervals: fit.intervals,
      model: computeMetrics(actual, fit.forecast, history, m, fit.intervals),
      seasonalNaive: computeMetrics(actual, b.seasonalNaive, history, m),
      naive2: computeMetrics(actual, b.naive2, history, m),
    });
  }
  const meanOf = (f: (o: BacktestOrigin) => number | null): number | null => {
    const v = out.map(f);
    return v.some((x) => x === null) ? null : (v as number[]).reduce((a, c) => a + c, 0) / v.length;
  };
  const coverage: Record<number, number> = {};
  for (const level of levels) {
    let inside = 0;
    let total = 0;
    for (const o of out) {
      const band = o.intervals.find((b) => b.level === level);
      if (!band) continue;
      o.actual.forEach((a, k) => {
        total++;
        if (a >= band.lo[k] && a <= band.hi[k]) inside++;
      });
    }
    coverage[level] = total ? inside / total : NaN;
  }
  return {
    origins: out,
    summary: {
      smape: meanOf((o) => o.model.smape) ?? NaN,
      mase: meanOf((o) => o.model.mase),
      seasonalNaiveSmape: meanOf((o) => o.seasonalNaive.smape) ?? NaN,
      seasonalNaiveMase: meanOf((o) => o.seasonalNaive.mase),
      coverage,
    },
  };
}
