/**
 * Isolated outliers: single values far from both their neighbours in time and the same season's
 * values a season and two seasons away, as a data error makes them (a value typed with three
 * extra zeros, a sensor's glitch). The classical methods read a history with them replaced
 * (`withoutOutliers`): one such value 66 months before the end of a monthly series (×1000) took
 * its SES level, and so Theta and the comb, from about 3,900 to about 29,500, and hid its
 * seasonality from the seasonality test. The networks, whose windows are normalised by their own
 * recent level, and the benchmarks read the values as given.
 *
 * A value is an outlier when, in both of two comparisons, it lies beyond the range of its
 * neighbours (all but the most extreme one on its side) by more than OUTLIER_THRESHOLD robust
 * deviations and by more than a floor (MIN_OUTLIER_RATIO): in time (two neighbours on each side)
 * and in season (t ± m, t ± 2m, where they exist). Both must agree, so a seasonal peak (far from
 * its neighbours in time, close to last year's) is not one, and neither is a value next to a level
 * shift (it lies between its neighbours). The robust scale of a comparison is 1.4826 × the median
 * absolute deviation of the values' residuals from their neighbours' median, over the series. A
 * value needs a neighbour on both sides in season to be one (never in the first or last season;
 * for yearly series, never the first or last two values): at the end of a series a new level and
 * an error look the same. On the development sets it finds one value in M3 quarterly (N0820: 748
 * between values of about 7,000) and one in M3 yearly, none in M3 monthly or seasonal-dev.
 */

import { median, medianOfSorted, quantile } from "./stats";

/** Robust deviations (about standard deviations for normal noise) beyond which a value is an outlier in a comparison. */
export const OUTLIER_THRESHOLD = 8;

/**
 * And the least an outlier is off what the comparisons expect: 30% for a positive series, half
 * the interquartile range of the values otherwise. On a series as smooth as many M3 yearly ones
 * the robust scale is so small that values 1–4% off a smooth curve passed the threshold.
 */
export const MIN_OUTLIER_RATIO = 1.3;

/**
 * One comparison of each value with its neighbours at the given offsets (none where it lacks one
 * within `reach` on either side): `centre`, their median; `r`, its residual from it (what the
 * robust scale is measured on), and `beyond`, how far it lies outside the range of all but the most extreme of
 * them on its side (0 inside). A value next to a level shift lies between its neighbours, and
 * two errors in a row each lie beyond all neighbours but the other.
 */
function compare(z: Float64Array, offsets: number[], reach: number): { r: Float64Array; beyond: Float64Array; centre: Float64Array } {
  const n = z.length;
  const r = new Float64Array(n).fill(NaN);
  const beyond = new Float64Array(n).fill(NaN);
  const centre = new Float64Array(n).fill(NaN);
  for (let t = reach; t + reach < n; t++) {
    const near: number[] = [];
    for (const o of offsets) if (t + o >= 0 && t + o < n) near.push(z[t + o]);
    near.sort((p, q) => p - q);
    centre[t] = medianOfSorted(near);
    r[t] = z[t] - centre[t];
    const lo = near[Math.min(1, near.length - 1)], hi = near[Math.max(0, near.length - 2)];
    beyond[t] = z[t] > hi ? z[t] - hi : z[t] < lo ? lo - z[t] : 0;
  }
  return { r, beyond, centre };
}

/** 1.4826 × the median absolute deviation of the finite residuals (0 when fewer than 5: then only the floor decides). */
function robustScale(r: Float64Array): number {
  const v = Array.from(r).filter(Number.isFinite);
  if (v.length < 5) return 0;
  const mid = median(v);
  return 1.4826 * median(v.map((x) => Math.abs(x - mid)));
}

/** Where the outliers of `x` are (season length m), and the value each comparison in season expects there. */
export function isolatedOutliers(x: ArrayLike<number>, m: number): { index: number; expected: number }[] {
  const n = x.length;
  let positive = n > 0;
  for (let i = 0; i < n; i++) if (!(x[i] > 0)) positive = false;
  const z = Float64Array.from(x);
  const inTime = compare(z, [-2, -1, 1, 2], 2);
  const inSeason = m > 1 ? compare(z, [-2 * m, -m, m, 2 * m], m) : inTime;
  const sTime = robustScale(inTime.r), sSeason = robustScale(inSeason.r);
  const spread = 0.5 * (quantile(z, 0.75) - quantile(z, 0.25));
  const least = (centre: number) => (positive ? (MIN_OUTLIER_RATIO - 1) * centre : spread);
  // A series with no spread at all (mostly zeros, say) has no outliers to tell.
  const off = (t: number, c: { beyond: Float64Array; centre: Float64Array }, scale: number) => {
    const floor = least(c.centre[t]);
    return floor > 0 && c.beyond[t] > OUTLIER_THRESHOLD * scale && c.beyond[t] > floor;
  };
  const out: { index: number; expected: number }[] = [];
  for (let t = 0; t < n; t++) if (off(t, inTime, sTime) && off(t, inSeason, sSeason)) out.push({ index: t, expected: inSeason.centre[t] });
  return out;
}

/** `x` with its isolated outliers replaced by the value the seasonal comparison expects there. */
export function withoutOutliers(x: ArrayLike<number>, m: number): Float64Array {
  const out = Float64Array.from(x);
  for (const o of isolatedOutliers(x, m)) out[o.index] = o.expected;
  return out;
}
