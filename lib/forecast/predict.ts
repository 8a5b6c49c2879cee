/**
 * Forecasting with a stored model (a single-series or a global model file). `fitForecast` and
 * `finishGlobal` make their own final forecasts through these functions, from the blob they just
 * wrote, so loading a model and forecasting the same series reproduces their forecasts exactly.
 */
import { addSteps } from "../series/grid";
import { maseScale } from "./metrics";
import { combine, statForecasts, usesNetworks } from "./combination";
import { ensembleMedian } from "./ensemble";
import { cleanSeries, constantValue, type AlignedCovariate, type CleanSeries, type SeriesInput } from "./input";
import { CONSTANT_SERIES, TOO_SHORT_FOR_NETWORKS } from "./labels";
import { preparedWith } from "./variants";
import { ForecastError } from "./errors";
import { applyConformal } from "./intervals";
import { memberForecast } from "./member";
import { fitPrep } from "./prep";
import type { GlobalModelHeader, LoadedModel, ModelHeader } from "./modelfile";
import type { Network } from "../nn";

export interface IntervalSet {
  level: number;
  lo: number[];
  hi: number[];
}

export interface Prediction {
  timestamps: number[];
  forecast: number[];
  intervals: IntervalSet[];
  label: string;
  /** The neural ensemble's own forecast (median of the members), before any combination; null when no member could forecast. */
  neural: number[] | null;
}

/** The H timestamps after the last observed value of a series. */
export function futureTimestamps(series: Pick<SeriesInput, "timestamps" | "values" | "frequency" | "stepMs">, H: number): number[] {
  let lastIdx = series.values.length - 1;
  while (lastIdx > 0 && !Number.isFinite(series.values[lastIdx])) lastIdx--;
  const last = series.timestamps[lastIdx];
  const out: number[] = [];
  for (let k = 1; k <= H; k++) out.push(addSteps(last, series.frequency, series.stepMs, k));
  return out;
}

/**
 * Forecasts with a stored model. Given the series it was fitted on, it reproduces the fitted
 * forecast exactly; given the same series with newer points appended, it forecasts from the new
 * end with the stored weights and preparation (no refit). A model with covariates needs them in
 * `series.covariates` (matched by name). A global model forecasts any series of its frequency:
 * a series it was trained on keeps its stored preparation, another is prepared on its own points.
 */
export function predictFromModel(model: LoadedModel, series: SeriesInput): Prediction {
  const h = model.header;
  const s = cleanSeries(series, "linear");
  const p = h.kind === "global" ? globalSeriesForecast(h, model.nets, s) : seriesModelForecast(h, model.nets, s);
  return { timestamps: futureTimestamps(series, h.horizon), ...p };
}

function medianPaths(paths: number[][]): number[] | null {
  return paths.length ? ensembleMedian(paths) : null;
}

/** The covariates a model reads, in its input order, from those given with the series. */
function modelCovariates(names: string[], s: CleanSeries): AlignedCovariate[] {
  return names.map((name) => {
    const c = s.covariates.find((x) => x.name === name);
    if (!c) throw new ForecastError("bad-input", `This model uses the covariate "${name}": pass its values with the series.`);
    if (c.coverage === 0) throw new ForecastError("bad-input", `The covariate "${name}" has no values at the series' dates.`);
    return c;
  });
}

function seriesModelForecast(h: ModelHeader, nets: Network[], s: CleanSeries): Omit<Prediction, "timestamps"> {
  const n = s.y.length;
  const H = h.horizon;
  const stats = statForecasts(s.y, H, h.season);
  let neural: number[] | null = null;
  if (h.members.length > 0) {
    const cs: CleanSeries = { ...s, covariates: modelCovariates(h.covariates?.names ?? [], s) };
    const data = (vi: number) => ({
      prepared: [preparedWith(cs, h.preps[vi], h.covariates?.preps[vi] ?? [], h.variants[vi], H)],
      preps: [h.preps[vi]],
      season: h.season,
      horizon: H,
      prepSpec: h.variants[vi],
    });
    neural = medianPaths(h.members.map((mm, i) => memberForecast(nets[i], mm.spec, data(mm.variant), [0], [n - 1])[0]));
  }
  const forecast = combine(h.combination, neural, stats, h.nonNegative);
  const intervals = applyConformal(h.conformal, forecast, h.intervalScale, h.nonNegative);
  return { forecast, intervals, label: h.label, neural };
}

/**
 * A series prepared by each variant of a global model: a training series with its stored
 * preparations, another series with preparations fitted on its own points.
 */
export function globalVariantData(h: GlobalModelHeader, s: CleanSeries) {
  const stored = h.series.find((x) => x.name === s.name)?.preps;
  return h.variants.map((spec, vi) => {
    const prep = stored?.[vi] ?? fitPrep(spec, s.y, h.season);
    return { prepared: [preparedWith({ ...s, covariates: [] }, prep, [], spec, h.horizon)], preps: [prep], season: h.season, horizon: h.horizon, prepSpec: spec };
  });
}

/**
 * A global model's forecast of one series: the median of the members whose lookback fits the
 * series, combined as the model says (the classical combination when no member fits), with conformal intervals scaled
 * by the series' in-sample seasonal-naive MAE.
 */
export function globalSeriesForecast(h: GlobalModelHeader, nets: Network[], s: CleanSeries): Omit<Prediction, "timestamps"> {
  const n = s.y.length;
  const H = h.horizon;
  // auto on a constant series: its value, with bands of no width (see constantValue; its MASE scale is zero).
  const constant = h.config.model === "auto" ? constantValue(s.y) : null;
  if (constant !== null) {
    const forecast = new Array<number>(H).fill(constant);
    return { forecast, intervals: applyConformal(h.conformal, forecast, 0, s.nonNegative), label: CONSTANT_SERIES, neural: null };
  }
  let neural: number[] | null = null;
  {
    const data = globalVariantData(h, s);
    const paths: number[][] = [];
    h.members.forEach((mm, i) => {
      if (n >= mm.spec.lookback) paths.push(memberForecast(nets[i], mm.spec, data[mm.variant], [0], [n - 1])[0]);
    });
    neural = medianPaths(paths);
  }
  // A series shorter than every member's lookback: the classical combination (Theta in files of version 2 and older).
  const tooShort = usesNetworks(h.combination) && !neural;
  const kind = tooShort ? (h.version <= 2 ? "theta" : "classical") : h.combination;
  const forecast = combine(kind, neural, statForecasts(s.y, H, h.season), s.nonNegative);
  const intervals = applyConformal(h.conformal, forecast, maseScale(s.y, h.season) ?? 1, s.nonNegative);
  const label = !tooShort ? h.label : h.version <= 2 ? "theta (series too short for the networks' lookback)" : TOO_SHORT_FOR_NETWORKS;
  return { forecast, intervals, label, neural };
}
