import { describe, expect, it } from "vitest";
import {
  buildWindows,
  fillGaps,
  fitPrep,
  fitScaler,
  forwardValue,
  inverseValue,
  scalerForward,
  scalerInverse,
  trainingOrigins,
  transformSeries,
  windowReference,
  SCALERS,
  type PrepSpec,
  type PreparedSeries,
} from "../../../lib/forecast/prep";

const seasonal = (n: number) => Float64Array.from({ length: n }, (_, i) => 100 + 0.2 * i + 30 * Math.sin((2 * Math.PI * i) / 12));

describe("scalers", () => {
  it("round-trip every kind", () => {
    const x = [3, -1, 4, 1, 5, 9, 2, 6];
    for (const kind of SCALERS) {
      const s = fitScaler(kind, x);
      for (const v of x) expect(scalerInverse(s, scalerForward(s, v))).toBeCloseTo(v, 12);
    }
  });
  it("fit the documented statistics", () => {
    expect(fitScaler("standard", [1, 3])).toMatchObject({ shift: 2, scale: 1 });
    expect(fitScaler("minmax", [2, 10, 4])).toMatchObject({ shift: 2, scale: 8 });
    const r = fitScaler("robust", [1, 2, 3, 4, 5]);
    expect(r.shift).toBe(3);
    expect(r.scale).toBe(2);
    // a constant series does not divide by zero
    expect(fitScaler("standard", [5, 5, 5]).scale).toBe(1);
  });
  it("round-trip the whole chain: seasonal adjustment, log and scaler", () => {
    const y = seasonal(60);
    const spec: PrepSpec = { deseasonalize: true, log: true, scaler: "standard", difference: false, windowNorm: "last", gapFill: "linear" };
    const p = fitPrep(spec, y.subarray(0, 48), 12);
    expect(p.seasonalIndices.length).toBe(12);
    expect(p.log).toBe(true);
    const z = transformSeries(p, y);
    for (let t = 0; t < y.length; t++) expect(inverseValue(p, z[t], t)).toBeCloseTo(y[t], 9);
    expect(inverseValue(p, forwardValue(p, 123.4, 70), 70)).toBeCloseTo(123.4, 9);
  });
  it("skip the log for series that are not positive", () => {
    const y = Float64Array.from([1, -2, 3, 4, 5, 6]);
    const p = fitPrep({ deseasonalize: true, log: true, scaler: "none", difference: false, windowNorm: "none", gapFill: "linear" }, y, 12);
    expect(p.log).toBe(false);
    expect(p.scaler.kind).toBe("standard");
  });
  it("are fitted on the training part only", () => {
    const y = seasonal(60);
    const spec: PrepSpec = { deseasonalize: true, log: false, scaler: "minmax", difference: false, windowNorm: "none", gapFill: "linear" };
    const a = fitPrep(spec, y.subarray(0, 40), 12);
    const changed = Float64Array.from(y);
    for (let t = 40; t < 60; t++) changed[t] = 1e6;
    const b = fitPrep(spec, changed.subarray(0, 40), 12);
    expect(b).toEqual(a);
  });
});

describe("gaps", () => {
  it("fill linearly or with the previous value", () => {
    const x = [1, NaN, NaN, 4, NaN];
    expect(Array.from(fillGaps(x, "linear"))).toEqual([1, 2, 3, 4, 4]);
    expect(Array.from(fillGaps(x, "previous"))).toEqual([1, 1, 1, 4, 4]);
  });
  it("drop the windows that touch a gap when asked", () => {
    const missing = new Uint8Array(20);
    missing[10] = 1;
    const ps: PreparedSeries = { z: new Float64Array(20), phase: 0, missing };
    const all = trainingOrigins(ps, 0, 4, 2, 20, false, false);
    const kept = trainingOrigins(ps, 0, 4, 2, 20, true, false);
    expect(all.length).toBe(20 - 4 - 2 + 1);
    // windows covering index 10 in inputs (origin 10..13) or targets (origin 8..9) are gone
    expect(kept.map((o) => o.origin)).toEqual(all.map((o) => o.origin).filter((t) => t < 8 || t > 13));
  });
});

describe("windows", () => {
  const ps: PreparedSeries = { z: Float64Array.from({ length: 30 }, (_, i) => i), phase: 3, missing: new Uint8Array(30) };
  it("have the documented shapes and per-window normalisation", () => {
    const ws = buildWindows(
      [ps],
      { lookback: 5, outputs: 3, features: { season: true, step: true }, season: 12, windowNorm: "last", difference: false, seq2seq: true, horizon: 3 },
      [{ seriesIndex: 0, origin: 10 }, { seriesIndex: 0, origin: 20 }],
      true,
    );
    expect(ws.inputSize).toBe(4);
    expect(ws.x.length).toBe(2 * 5 * 4);
    expect(ws.y.length).toBe(2 * 3);
    expect(ws.future!.length).toBe(2 * 3 * 3);
    // inputs z[6..10] - z[10]; targets z[11..13] - z[10]
    expect([0, 1, 2, 3, 4].map((j) => ws.x[j * 4])).toEqual([-4, -3, -2, -1, 0]);
    expect(Array.from(ws.y.subarray(0, 3))).toEqual([1, 2, 3]);
    expect(ws.ref[1]).toBe(20);
    // step index 0..1 in the last feature, sin/cos of the calendar position in features 1, 2
    expect(ws.x[3]).toBe(0);
    expect(ws.x[4 * 4 + 3]).toBe(1);
    expect(ws.x[1]).toBeCloseTo(Math.sin((2 * Math.PI * (3 + 6)) / 12), 6);
  });
  it("read nothing after their origin for inputs", () => {
    const spec = { lookback: 4, outputs: 2, features: { season: false, step: false }, season: 1, windowNorm: "mean" as const, difference: true, seq2seq: false, horizon: 2 };
    const a = buildWindows([ps], spec, [{ seriesIndex: 0, origin: 9 }], false);
    const z2 = Float64Array.from(ps.z);
    z2.fill(-99, 10);
    const b = buildWindows([{ ...ps, z: z2 }], spec, [{ seriesIndex: 0, origin: 9 }], false);
    expect(Array.from(b.x)).toEqual(Array.from(a.x));
  });
});

describe("window references", () => {
  const s = Float64Array.from([1, 2, 3, 4, 10]);

  it("subtract the last value, the mean of the inputs, or the median of the last three values", () => {
    expect(windowReference(s, 3, 3, "last")).toBe(4);
    expect(windowReference(s, 3, 4, "mean")).toBe(2.5);
    expect(windowReference(s, 3, 3, "recent")).toBe(3);
    // an outlier at the end moves "last" but not "recent"
    expect(windowReference(s, 4, 3, "last")).toBe(10);
    expect(windowReference(s, 4, 3, "recent")).toBe(4);
    expect(windowReference(Float64Array.from([5, 1, 3]), 2, 3, "recent")).toBe(3);
    // shorter windows than three values: the last one
    expect(windowReference(s, 4, 2, "recent")).toBe(10);
    expect(windowReference(s, 4, 3, "none")).toBe(0);
  });

  it("are what a window's inputs and targets are measured from", () => {
    const ps: PreparedSeries = { z: s, phase: 0, missing: new Uint8Array(5) };
    const w = buildWindows([ps], { lookback: 3, outputs: 1, features: { season: false, step: false }, season: 1, windowNorm: "recent", difference: false, seq2seq: false, horizon: 1 }, [{ seriesIndex: 0, origin: 3 }], true);
    expect(Array.from(w.x)).toEqual([-1, 0, 1]);
    expect(Array.from(w.y)).toEqual([7]);
    expect(w.ref[0]).toBe(3);
  });
});
