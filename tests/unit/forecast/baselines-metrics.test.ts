import { describe, expect, it } from "vitest";
import { drift, naive, naive2, seasonalNaive } from "../../../lib/forecast/baselines";
import { computeMetrics, coverage, maseScale, owa, smape } from "../../../lib/forecast/metrics";
import { acf, isSeasonal, multiplicativeSeasonalIndices, thetaForecast } from "../../../lib/forecast/stats";

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
/** Moving averages of width w: out[i] is the mean of xs[i .. i + w - 1]. */
const movingAverage = (xs: number[], w: number): number[] => xs.slice(0, xs.length - w + 1).map((_, i) => mean(xs.slice(i, i + w)));

/**
 * The textbook classical multiplicative decomposition, written independently of lib/forecast: the
 * trend is an m-term moving average, then (m even) a 2-term moving average of it, centred on the
 * observation; the ratios y/trend averaged per season position, normalised to mean 1.
 */
function classicalSeasonalIndices(y: number[], m: number): number[] {
  let trend = movingAverage(y, m);
  let centre = (m - 1) / 2; // trend[i] is centred on observation i + centre
  if (m % 2 === 0) {
    trend = movingAverage(trend, 2);
    centre += 0.5;
  }
  const ratios: number[][] = Array.from({ length: m }, () => []);
  trend.forEach((tr, i) => ratios[(i + centre) % m].push(y[i + centre] / tr));
  const figure = ratios.map(mean);
  return figure.map((f) => f / mean(figure));
}

describe("baselines", () => {
  const x = [10, 12, 14, 11, 13, 15, 12, 14, 16];
  it("naive repeats the last value", () => expect(naive(x, 3)).toEqual([16, 16, 16]));
  it("seasonal naive repeats the last season", () => expect(seasonalNaive(x, 4, 3)).toEqual([12, 14, 16, 12]));
  it("drift extends the first-to-last line", () => expect(drift(x, 2)).toEqual([16.75, 17.5]));
  it("naive2 is naive for a series that fails the seasonality test", () => {
    expect(naive2([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 3, 4)).toEqual([10, 10, 10]);
  });
  it("naive2 repeats the last adjusted value times the seasonal indices (hand-computed)", () => {
    // a purely multiplicative season around a level of 10: the 2x4 moving average is exactly 10,
    // so the indices are the season itself, the last adjusted value is 10, and the forecast
    // continues the season: positions 0, 1, 2, 3, 0 after the last (position 3)
    const season = [0.5, 1, 1.5, 1];
    const y = Array.from({ length: 20 }, (_, t) => 10 * season[t % 4]);
    expect(isSeasonal(y, 4)).toBe(true);
    const f = naive2(y, 5, 4);
    [5, 10, 15, 10, 5].forEach((v, k) => expect(f[k]).toBeCloseTo(v, 12));
  });
  it("naive2 on a trending seasonal series matches a textbook classical decomposition", () => {
    const y = Array.from({ length: 20 }, (_, t) => 10 * [0.5, 1, 1.5, 1][t % 4] * (1 + t / 100));
    expect(isSeasonal(y, 4)).toBe(true);
    const idx = classicalSeasonalIndices(y, 4);
    const lastAdjusted = y[19] / idx[19 % 4];
    const f = naive2(y, 5, 4);
    for (let k = 1; k <= 5; k++) expect(f[k - 1]).toBeCloseTo(lastAdjusted * idx[(19 + k) % 4], 10);
  });
  it("classical decomposition matches hand-computed ratios to the centred moving average", () => {
    // period 2: trend_t = (x[t-1]/2 + x[t] + x[t+1]/2) / 2
    const y = [1, 3, 1, 3, 1, 3];
    // every trend value is 2; ratios 0.5 at even t, 1.5 at odd t
    expect(multiplicativeSeasonalIndices(y, 2)).toEqual([0.5, 1.5]);
  });
  it("acf and the 90% test follow the README formula", () => {
    const y = [1, 2, 3, 4, 5];
    const r = acf(y, 2);
    // mean 3, denominator 10; r1 = (-2*-1 + -1*0 + 0*1 + 1*2)/10 = 0.4; r2 = (-2*0 + -1*1 + 0*2)/10 = -0.1
    expect(r[0]).toBeCloseTo(0.4, 12);
    expect(r[1]).toBeCloseTo(-0.1, 12);
  });
  it("theta forecasts a linear trend along the trend", () => {
    const y = Array.from({ length: 30 }, (_, i) => 5 + 2 * i);
    const f = thetaForecast(y, 3, 1);
    // SES tracks the last value (alpha -> 1) and adds half the slope per step
    expect(f[0]).toBeGreaterThan(y[29]);
    expect(f[2] - f[1]).toBeCloseTo(1, 3);
  });
});

describe("metrics", () => {
  const actual = [10, 20, 30];
  const forecast = [12, 18, 33];
  const history = [1, 2, 4, 7, 11];
  it("match hand-computed values", () => {
    const m = computeMetrics(actual, forecast, history, 2);
    expect(m.mae).toBeCloseTo(7 / 3, 12);
    expect(m.rmse).toBeCloseTo(Math.sqrt(17 / 3), 12);
    expect(m.mape).toBeCloseTo((100 / 3) * (0.2 + 0.1 + 0.1), 12);
    expect(m.smape).toBeCloseTo((200 / 3) * (2 / 22 + 2 / 38 + 3 / 63), 12);
    // in-sample seasonal naive, lag 2: |4-1|, |7-2|, |11-4| -> mean 5
    expect(maseScale(history, 2)).toBe(5);
    expect(m.mase).toBeCloseTo(7 / 3 / 5, 12);
  });
  it("sMAPE counts 0 for a perfect zero and MAPE is undefined with a zero actual", () => {
    expect(smape([0, 2], [0, 2])).toBe(0);
    expect(computeMetrics([0, 1], [0, 1], [1, 2, 3], 1).mape).toBeNull();
  });
  it("OWA averages the ratios to naive2", () => {
    const a = { mae: 1, rmse: 1, mape: 1, smape: 10, mase: 0.8 };
    const b = { mae: 1, rmse: 1, mape: 1, smape: 20, mase: 1.6 };
    expect(owa(a, b)).toBeCloseTo(0.5, 12);
  });
  it("coverage counts the actuals inside the band", () => {
    expect(coverage([1, 2, 3, 4], [0, 0, 0, 5], [2, 1, 4, 6])).toBe(0.5);
    const m = computeMetrics([1, 2], [1, 2], [0, 1, 2], 1, [{ level: 80, lo: [0, 3], hi: [2, 4] }]);
    expect(m.coverage80).toBe(0.5);
  });
});
