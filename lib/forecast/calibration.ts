/**
 * The conformity scores that intervals are calibrated on: a global model's, pooled over its series
 * and over rolling origins in the training part of each one (`globalCalibrationScores`), and a
 * single series' (`seriesCalibrationScores`).
 *
 * A global model has one out-of-sample forecast per series from its networks: the validation
 * window (the last H points), which the first fit never trained on. Scores from that one window
 * alone make every band depend on what happened in those few calendar periods across all series
 * at once (on M3 yearly, whose validation windows mostly span 1982-1989, the classical
 * combination's bands calibrated on them covered 86% / 97% of the test years; calibrated one
 * horizon earlier they covered 75% / 89%). So the scores also come from the H origins before the
 * validation origin, each forecasting H points that all lie in the series: there the networks'
 * own forecasts would be in-sample, so the classical combination stands in for them, its scores
 * multiplied by how the chosen combination's validation errors compare with the classical ones
 * on the same window (`proxyRatio`). A forecast that uses no networks is its own stand-in.
 *
 * Each score is |actual - forecast| divided by the series' in-sample MASE scale of the history
 * before its origin, as the final forecast's bands are scaled by that of the whole series.
 */
import { SEASON_LENGTH } from "../series/frequency";
import { combine, statForecasts, usesNetworks, type Combination, type StatForecasts } from "./combination";
import type { CleanSeries } from "./input";
import { maseScale } from "./metrics";

/** An earlier origin is used only when its history holds two seasons and at least this many points. */
export const MIN_CALIBRATION_HISTORY = 6;

export interface CalibrationSeries {
  /** Every point the model was given (the validation window is its last H points). */
  y: ArrayLike<number>;
  /** Whether forecasts stop at zero (see CleanSeries.nonNegative). */
  nonNegative: boolean;
  /** The chosen combination's forecast of the validation window. */
  validation: number[];
  /** Whether that forecast used the networks (false: it is the classical stand-in itself). */
  neural: boolean;
}

export interface CalibrationScores {
  /** scoresByStep[k]: conformity scores at horizon step k (0-based), for `conformalTable`. */
  scoresByStep: number[][];
  /** The factor the stand-in's scores were multiplied by (1 when no forecast used the networks). */
  ratio: number;
}

/** The forecast that stands in for `kind` where the networks cannot forecast out of sample. */
export function proxyKind(kind: Combination): Combination {
  return usesNetworks(kind) ? "classical" : kind;
}

/** |actual - forecast| / scale for the steps whose actual value exists. */
function scoresOf(y: ArrayLike<number>, origin: number, forecast: number[], scale: number): number[] {
  const out: number[] = [];
  for (let k = 0; k < forecast.length && origin + k < y.length; k++) out.push(Math.abs(y[origin + k] - forecast[k]) / scale);
  return out;
}

/**
 * The most proxyRatio scales the stand-in's scores by, either way. On the dev sets the ratio lies
 * between 0.69 and 1.08. On a noise-free series (an exact sine: the classical methods' validation
 * errors are rounding, 10⁻¹⁰ of the level, the networks' 10⁻⁴) it came to 6·10¹¹, and the one
 * earlier origin where the stand-in did err, times that, made a 95% band of [0, 2·10¹²].
 */
export const PROXY_RATIO_BOUND = 4;

/**
 * The ratio of the total validation scores of the forecasts to those of their stand-ins, over the
 * series whose forecast used the networks (1 when none did, or the stand-ins made no error),
 * within [1/PROXY_RATIO_BOUND, PROXY_RATIO_BOUND].
 */
export function proxyRatio(forecastScores: number[][], proxyScores: number[][]): number {
  let a = 0;
  let b = 0;
  forecastScores.forEach((f, i) => {
    for (let k = 0; k < f.length; k++) {
      a += f[k];
      b += proxyScores[i][k];
    }
  });
  return a > 0 && b > 0 ? Math.min(PROXY_RATIO_BOUND, Math.max(1 / PROXY_RATIO_BOUND, a / b)) : 1;
}

/**
 * Scores at horizon steps 1..H of the validation origin (the chosen forecast's own) and of the H
 * origins before it (the stand-in's, times the ratio), over all series. A series needs more than
 * H + 1 points to be scored at all (its validation history must hold two).
 */
export function globalCalibrationScores(series: CalibrationSeries[], kind: Combination, H: number, m: number): CalibrationScores {
  const proxy = proxyKind(kind);
  const scale = (y: ArrayLike<number>, end: number) => maseScale(Array.prototype.slice.call(y, 0, end) as number[], m) ?? 1;
  const forecastAt = (s: CalibrationSeries, end: number) => combine(proxy, null, statForecasts(Array.prototype.slice.call(s.y, 0, end) as number[], H, m), s.nonNegative);
  const scored = series.filter((s) => s.y.length - H >= 2);
  const own: number[][] = [];
  const stood: number[][] = [];
  for (const s of scored) {
    if (!s.neural) continue;
    const T = s.y.length - H;
    own.push(scoresOf(s.y, T, s.validation, scale(s.y, T)));
    stood.push(scoresOf(s.y, T, forecastAt(s, T), scale(s.y, T)));
  }
  const ratio = proxyRatio(own, stood);
  const scoresByStep: number[][] = Array.from({ length: H }, () => []);
  const add = (sc: number[], factor: number) => sc.forEach((v, k) => scoresByStep[k].push(v * factor));
  const minHistory = Math.max(2 * m, MIN_CALIBRATION_HISTORY);
  for (const s of scored) {
    const T = s.y.length - H;
    add(scoresOf(s.y, T, s.validation, scale(s.y, T)), 1);
    for (let end = T - 1; end >= Math.max(T - H, minHistory); end--) add(scoresOf(s.y, end, forecastAt(s, end), scale(s.y, end)), s.neural ? ratio : 1);
  }
  return { scoresByStep, ratio };
}

/** A forecast from an origin (index of its last point) over the full horizon. */
export interface OriginForecast {
  origin: number;
  forecast: number[];
  /** The classical fits from that origin the forecast was combined with, when it was: the stand-in reuses them. */
  classical?: StatForecasts;
}

/**
 * The scale a single series' conformity scores are measured in at an origin: for a positive
 * series its level then (the mean of its last season, at least 4 points), so that errors made when
 * the series was at another level count in proportion (errors of positive series scale with their
 * level); 1 otherwise.
 */
export function levelScale(s: CleanSeries, origin: number): number {
  if (!s.positive) return 1;
  const w = Math.min(origin + 1, Math.max(SEASON_LENGTH[s.frequency], 4));
  let sum = 0;
  for (let t = origin - w + 1; t <= origin; t++) sum += s.y[t];
  return sum / w > 0 ? sum / w : 1;
}

/** Conformity scores per horizon step (absolute residuals in `levelScale` units) of the forecasts whose targets lie before `to`. */
export function residualScores(s: CleanSeries, forecasts: OriginForecast[], H: number, to: number): number[][] {
  const scores: number[][] = Array.from({ length: H }, () => []);
  for (const { origin, forecast } of forecasts) {
    const scale = levelScale(s, origin);
    for (let k = 1; k <= H && origin + k < to; k++) scores[k - 1].push(Math.abs(s.y[origin + k] - forecast[k - 1]) / scale);
  }
  return scores;
}

/**
 * How many origins before the end a single series' calibration reaches back to: the last 40% of
 * the series, at least 2H origins and at most 8H. Reaching back only 2H origins (what a series
 * holds out for one validation and one test window) left a long series' bands on 12 to 24 scores
 * per step, where one event dominates: the seat-belt law of 1983 in `UKDriverDeaths`, which the
 * forecasts from just before it missed by 2 to 4 MASE units, took its 80% band to 100% of the next
 * year. 8H is what a series long enough for four validation windows holds out of its own (see
 * `validationWindows`). Every origin keeps 60% of the series as history: forecasts from much less
 * history err more than the final forecast will (on the 60-month `mdeaths`, the classical
 * combination from origins in the first half of the series erred 2.4 to 4.4 MASE units on average,
 * from the last 30% 0.5 to 1.1), and a short series' 2H origins already reach below that. Only a
 * series whose own forecasts span fewer than 4H origins reaches back (see `seriesCalibration`).
 */
export function calibrationReach(n: number, H: number): number {
  return Math.max(2 * H, Math.min(Math.floor(0.4 * n), 8 * H));
}

/**
 * What a single series' intervals are calibrated on: its own out-of-sample forecasts and, where
 * those start after the `calibrationReach` origins before the end (a series of fewer than 50H
 * points holds out one validation and one test window, a short one shorter windows still), the
 * classical stand-in's from the origins before them back to that reach (with two seasons and six
 * points of history at least), and the stand-in's forecasts from the own origins, to compare the
 * two (see `seriesCalibrationScores`).
 * Without the earlier origins a short series' bands rest on a handful of overlapping windows: on
 * the M3 yearly series fitted one by one, with the classical combination as the forecast, they
 * covered 73% / 81% of the test years (MSIS 36.8); reaching back to 2H origins, 87% / 93% (MSIS 26.1).
 */
export interface SeriesCalibration {
  own: OriginForecast[];
  /** The stand-in's forecasts from the own origins (only when there are earlier ones). */
  standInAtOwn: OriginForecast[];
  /** The stand-in's forecasts from the origins before the own ones. */
  earlier: OriginForecast[];
  /** Whether the own forecasts used the networks (else they are the stand-in's, and no ratio applies). */
  neural: boolean;
}

export function seriesCalibration(s: CleanSeries, own: OriginForecast[], kind: Combination, H: number): SeriesCalibration {
  const n = s.y.length;
  const m = SEASON_LENGTH[s.frequency];
  const firstOwn = own.reduce((a, f) => Math.min(a, f.origin), n - 1);
  const lowest = Math.max(n - 1 - calibrationReach(n, H), Math.max(2 * m, MIN_CALIBRATION_HISTORY) - 1);
  const neural = usesNetworks(kind);
  // A series that holds out two validation windows or more (50H points and up) has 4H origins of
  // its own, 3H scores per step at least; reaching further would cost up to 8H classical fits
  // on histories of thousands of points (20 ms each on 2,000 hourly points) for little.
  const ownSpan = n - 1 - firstOwn;
  if (lowest >= firstOwn || ownSpan >= 4 * H) return { own, standInAtOwn: [], earlier: [], neural };
  const proxy = proxyKind(kind);
  const at = (origin: number, classical = statForecasts(s.y.subarray(0, origin + 1), H, m)): OriginForecast => ({ origin, forecast: combine(proxy, null, classical, s.nonNegative) });
  const earlier: OriginForecast[] = [];
  for (let o = lowest; o < firstOwn; o++) earlier.push(at(o));
  return { own, standInAtOwn: neural ? own.map((f) => at(f.origin, f.classical)) : [], earlier, neural };
}

/**
 * Scores per horizon step of the targets before `to`: the own forecasts' and the earlier
 * stand-in forecasts', the latter times the ratio of the own to the stand-in errors at the own
 * origins (on targets before `to` as well).
 */
export function seriesCalibrationScores(s: CleanSeries, cal: SeriesCalibration, H: number, to: number): number[][] {
  const scores = residualScores(s, cal.own, H, to);
  if (cal.earlier.length === 0) return scores;
  const flat = (fs: OriginForecast[]) => [residualScores(s, fs, H, to).flat()];
  const ratio = cal.neural ? proxyRatio(flat(cal.own), flat(cal.standInAtOwn)) : 1;
  residualScores(s, cal.earlier, H, to).forEach((sc, k) => scores[k].push(...sc.map((v) => v * ratio)));
  return scores;
}
