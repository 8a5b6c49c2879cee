import { describe, expect, it } from "vitest";
import { accuracyOf, type ScoredPair } from "@/lib/accuracy/metrics";
import { prefixScales } from "@/lib/accuracy/scale";
import { maseScale } from "@/lib/forecast/metrics";

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
  it("equal lib/forecast's maseScale of each prefix, gaps and short prefixes included", () => {
    const values = Float64Array.from([5, 7, 6, Number.NaN, 9, 8, 12, 11, 10, 14, 13, Number.NaN, 15, 16, 18, 17]);
    for (const m of [1, 4, 12]) {
      const scaleOf = prefixScales(values, m);
      for (let L = 0; L <= values.length; L++) {
        const want = maseScale(values.subarray(0, L), m);
        if (want === null) expect(scaleOf(L), `m=${m} L=${L}`).toBeNull();
        else expect(scaleOf(L), `m=${m} L=${L}`).toBeCloseTo(want, 12);
      }
    }
  });

  it("is null for a constant history", () => {
    expect(prefixScales([3, 3, 3, 3], 1)(4)).toBeNull();
  });
});
