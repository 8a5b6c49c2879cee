import { describe, expect, it } from "vitest";
import { backtest, type SeriesInput } from "../../../lib/forecast";
import { mulberry32, normal } from "../../../lib/tensor/random";

function monthly(n: number, seed = 1): SeriesInput {
  const rng = mulberry32(seed);
  const timestamps = Float64Array.from({ length: n }, (_, i) => Date.UTC(2000, i, 1));
  const values = Float64Array.from({ length: n }, (_, i) => 100 + 0.5 * i + 15 * Math.sin((2 * Math.PI * i) / 12) + 3 * normal(rng));
  return { name: "s", timestamps, values, frequency: "monthly", stepMs: null };
}

/** sMAPE in percent (the M3/M4 definition), written out here rather than taken from lib/forecast. */
function symmetricMape(actual: number[], forecast: number[]): number {
  let sum = 0;
  for (let k = 0; k < actual.length; k++) sum += Math.abs(actual[k] - forecast[k]) / (Math.abs(actual[k]) + Math.abs(forecast[k]));
  return (200 * sum) / actual.length;
}

// A tiny model and few epochs: the test is about where the origins are and what each fit sees.
const tiny = { model: "gru" as const, strategy: "direct" as const, horizon: 6, lookback: 12, hiddenSize: 4, epochs: 2 };

describe("backtest", () => {
  const series = monthly(84);
  const bt = backtest(series, tiny, 3, 5);

  it("places the origins one horizon apart, the last one a horizon before the end", () => {
    expect(bt.origins.map((o) => o.visible)).toEqual([66, 72, 78]);
    for (const o of bt.origins) {
      expect(o.origin).toBe(series.timestamps[o.visible - 1]);
      expect(o.timestamps).toEqual(Array.from(series.timestamps.subarray(o.visible, o.visible + 6)));
      expect(o.actual).toEqual(Array.from(series.values.subarray(o.visible, o.visible + 6)));
      expect(o.forecast).toHaveLength(6);
      expect(o.forecast.every(Number.isFinite)).toBe(true);
    }
    const stepped = backtest(series, tiny, 2, 5, { step: 3 });
    expect(stepped.origins.map((o) => o.visible)).toEqual([75, 78]);
    expect(() => backtest(monthly(30), tiny, 5, 5)).toThrow(/too short/);
  });

  it("never lets an origin's fit see data after its origin (no leakage)", () => {
    // A gap just before the second origin: filling it must not reach for the value after the origin.
    const gappy: SeriesInput = { ...series, values: Float64Array.from(series.values) };
    gappy.values[71] = NaN;
    const a = backtest(gappy, tiny, 3, 5);
    const changed: SeriesInput = { ...gappy, values: Float64Array.from(gappy.values) };
    for (let i = 72; i < 84; i++) changed.values[i] += 40 + i;
    const b = backtest(changed, tiny, 3, 5);
    for (const k of [0, 1]) {
      expect(b.origins[k].forecast).toEqual(a.origins[k].forecast);
      expect(b.origins[k].intervals).toEqual(a.origins[k].intervals);
    }
    // The second origin's actuals changed, its forecast did not; the third origin saw the change.
    expect(b.origins[1].actual).not.toEqual(a.origins[1].actual);
    expect(b.origins[2].forecast).not.toEqual(a.origins[2].forecast);
  });

  it("reports each origin's metrics and the pooled interval coverage", () => {
    for (const level of [80, 95]) {
      let inside = 0;
      let total = 0;
      for (const o of bt.origins) {
        const band = o.intervals.find((x) => x.level === level)!;
        expect(band.lo.every((lo, k) => lo <= o.forecast[k] && o.forecast[k] <= band.hi[k])).toBe(true);
        let insideHere = 0;
        for (let k = 0; k < 6; k++) {
          total++;
          if (o.actual[k] >= band.lo[k] && o.actual[k] <= band.hi[k]) insideHere++;
        }
        inside += insideHere;
        const per = level === 80 ? o.model.coverage80 : o.model.coverage95;
        expect(per).toBe(insideHere / 6);
      }
      expect(total).toBe(18);
      expect(bt.summary.coverage[level]).toBe(inside / total);
    }
    // the pooled coverage of equal windows is the mean of the per-origin coverages
    const mean80 = bt.origins.reduce((s, o) => s + o.model.coverage80!, 0) / 3;
    expect(bt.summary.coverage[80]).toBeCloseTo(mean80, 12);
    expect(bt.summary.smape).toBeCloseTo(bt.origins.reduce((s, o) => s + symmetricMape(o.actual, o.forecast), 0) / 3, 12);
    for (const o of bt.origins) expect(o.model.smape).toBeCloseTo(symmetricMape(o.actual, o.forecast), 12);
    // levels that are asked for are the ones reported
    const one = backtest(series, tiny, 1, 5, { levels: [50] });
    expect(Object.keys(one.summary.coverage)).toEqual(["50"]);
    expect(one.origins[0].intervals.map((x) => x.level)).toEqual([50]);
  });
});
