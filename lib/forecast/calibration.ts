/**
 * The conformity scores a global model's intervals are calibrated on, pooled over its series and
 * over rolling origins in the training part of each one.
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
import { combine, statForecasts, usesNetworks, type Combination } from "./combination";
import { maseScale } from "./metrics";

/** An earlier origin is used only when its history holds two seasons and at least this many points. */
export const MIN_CALIBRATION_HISTORY = 6;

export interface CalibrationSeries {
  /** Every point the model was given (the validation window is its last H points). */
  y: ArrayLike<number>;
  positive: boolean;
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
 * The ratio of the total validation scores of the forecasts to those of their stand-ins, over the
 * series whose forecast used the networks (1 when none did, or the stand-ins made no error).
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
  return a > 0 && b > 0 ? a / b : 1;
}

/**
 * Scores at horizon steps 1..H of the validation origin (the chosen forecast's own) and of the H
 * origins before it (the stand-in's, times the ratio), over all series. A series needs more than
 * H + 1 points to be scored at all (its validation history must hold two).
 */
export function globalCalibrationScores(series: CalibrationSeries[], kind: Combination, H: number, m: number): CalibrationScores {
  const proxy = proxyKind(kind);
  const scale = (y: ArrayLike<number>, end: number) => maseScale(Array.prototype.slice.call(y, 0, end) as number[], m) ?? 1;
  const forecastAt = (s: CalibrationSeries, end: number) => combine(proxy, null, statForecasts(Array.prototype.slice.call(s.y, 0, end) as number[], H, m), s.positive);
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
