/**
 * Rolling-origin evaluation: the whole procedure (preparation fitted afresh, selection, training,
 * conformal calibration) is rerun on the series cut at each origin, and its forecast of the next
 * H points is scored against what happened. Nothing after an origin is visible to its fit: the
 * cut's gaps are filled from its own points (a gap just before the origin is carried forward,
 * not interpolated towards a later value), and covariates are aligned to the cut's dates only.
 * Actual values that were missing are scored against the series' linear interpolation.
 */
import { SEASON_LENGTH } from "../series/frequency";
import type { ModelConfigInput } from "./config";
import { cleanSeries, type SeriesInput } from "./input";
import { fillGaps } from "./prep";
import { fitForecast, parseConfig, type FitOptions } from "./engine";
import { ForecastError } from "./errors";
import { allBaselines } from "./baselines";
import { computeMetrics, type Metrics } from "./metrics";
import { resolveModelConfig } from "./config";

export interface BacktestOrigin {
  /** Number of points visible at this origin (of the series with leading and trailing gaps trimmed). */
  visible: number;
  /** Timestamp of the last visible point. */
  origin: number;
  /** Timestamps of the forecast steps. */
  timestamps: number[];
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
  const { step: _step, ...fitOptions } = options;
  void _step;
  const levels = options.levels ?? [80, 95];
  const out: BacktestOrigin[] = [];
  // Work on the trimmed values so cut points are simple indices.
  let first = 0;
  while (!Number.isFinite(series.values[first])) first++;
  const ts = series.timestamps.subarray(first, first + clean.y.length);
  const raw = series.values.subarray(first, first + clean.y.length);
  for (let i = origins; i >= 1; i--) {
    const visible = clean.y.length - H - (i - 1) * step;
    if (visible < 2) throw new ForecastError("too-short", `The series is too short for ${origins} backtest origins of ${H} steps.`);
    const cut: SeriesInput = { ...series, timestamps: ts.slice(0, visible), values: fillGaps(raw.subarray(0, visible), "linear") };
    const fit = fitForecast(cut, { ...config, horizon: H }, seed, { ...fitOptions, levels });
    const actual = Array.from(clean.y.subarray(visible, visible + H));
    // The baselines and the MASE scale see the cut too, not the series filled with later values.
    const history = cut.values;
    const b = allBaselines(history, H, m);
    out.push({
      visible,
      origin: ts[visible - 1],
      timestamps: fit.timestamps,
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
