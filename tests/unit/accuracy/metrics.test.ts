import { describe, expect, it } from "vitest";
import { accuracyOf, type ScoredPair } from "@/lib/accuracy/metrics";
import { prefixScales } from "@/lib/accuracy/scale";
import { maseScale } from "@/lib/forecast/metrics";
import { cleanSeries } from "@/lib/forecast/input";

const pair = (actual: number, value: number, scale: number | null = 2, band = 1): ScoredPair => ({
  ts: 0,
  actual,
  value,
  lo80: value - band,
  hi80: value + band,
  lo95: value - 2 * band,
  hi95: value + 2 * band,
  scale,
});

describe("realised accuracy of forecast/actual pairs", () => {
  it("matches the definitions worked out by hand", () => {
    // actual 10, 12, 9; forecast 11, 12, 12 (errors f - a: 1, 0, 3); bands ±1 (80%) and ±2 (95%)
    const a = accuracyOf([pair(10, 11), pair(12, 12), pair(9, 12)]);
    expect(a.points).toBe(3);
    expect(a.mae).toBeCloseTo(4 / 3, 12);
    expect(a.rmse).toBeCloseTo(Math.sqrt(10 / 3), 12);
    expect(a.smape).toBeCloseTo((200 / 3) * (1 / 21 + 0 + 3 / 21), 12);
    expect(a.mase).toBeCloseTo(4 / 3 / 2, 12);
    expect(a.coverage80).toBeCloseTo(2 / 3, 12); // 10 in [10,12], 12 in [11,13], 9 not in [11,13]
    expect(a.coverage95).toBeCloseTo(2 / 3, 12); // 9 not in [10,14]
    expect(a.bias).toBeCloseTo(4 / 3, 12); // the forecast ran high
  });

  it("pools MASE over forecasts of different scales and leaves out pairs without one", () => {
    const a = accuracyOf([pair(10, 11, 1), pair(10, 14, 4), pair(10, 20, null)]);
    expect(a.mase).toBeCloseTo((1 / 1 + 4 / 4) / 2, 12);
    expect(a.mae).toBeCloseTo((1 + 4 + 10) / 3, 12);
  });

  it("has no coverage without bands, and nothing at all without pairs", () => {
    const noBand = { ...pair(1, 1), lo80: null, hi80: null, lo95: null, hi95: null };
    expect(accuracyOf([noBand])).toMatchObject({ coverage80: null, coverage95: null, mae: 0, smape: 0 });
    expect(accuracyOf([])).toEqual({ points: 0, mae: null, rmse: null, smape: null, mase: null, coverage80: null, coverage95: null, bias: null });
  });
});

describe("MASE denominators of every prefix", () => {
  // The run's holdout MASE is scaled on the engine's cleaned history (leading and trailing gaps
  // trimmed, interior ones interpolated linearly): the reference is that very path.
  const engineScale = (values: Float64Array, m: number): number | null => {
    if (!values.some(Number.isFinite)) return null;
    const timestamps = Float64Array.from(values, (_, i) => i * 86_400_000);
    return maseScale(cleanSeries({ name: "s", timestamps, values, frequency: "daily", stepMs: 86_400_000 }, "linear").y, m);
  };

  it("equal maseScale of the engine's cleaned history for each prefix, gaps and short prefixes included", () => {
    const values = Float64Array.from([Number.NaN, 5, 7, 6, Number.NaN, 9, 8, 12, 11, 10, 14, 13, Number.NaN, Number.NaN, 15, 16, 18, 17, Number.NaN]);
    for (const m of [1, 4, 12]) {
      const scaleOf = prefixScales(values, m);
      for (let L = 0; L <= values.length; L++) {
        const want = engineScale(values.subarray(0, L), m);
        if (want === null) expect(scaleOf(L), `m=${m} L=${L}`).toBeNull();
        else expect(scaleOf(L), `m=${m} L=${L}`).toBeCloseTo(want, 12);
      }
    }
  });

  it("interpolates an interior gap rather than skipping its pairs (by hand)", () => {
    // cleaned: 2, 4, 6, 5 -> lag-1 differences 2, 2, 1 -> 5/3 (skipping the gap's pairs would give 1)
    expect(prefixScales([Number.NaN, 2, Number.NaN, 6, 5], 1)(5)).toBeCloseTo(5 / 3, 12);
    // a prefix ending in a gap is the prefix up to its last observed value: 2, 4, 6 -> 2
    expect(prefixScales([2, Number.NaN, 6, Number.NaN, 9], 1)(4)).toBeCloseTo(2, 12);
  });

  it("is null for a constant history", () => {
    expect(prefixScales([3, 3, 3, 3], 1)(4)).toBeNull();
  });
});
