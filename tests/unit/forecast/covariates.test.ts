import { describe, expect, it } from "vitest";
import { cleanSeries } from "../../../lib/forecast/input";
import { extendVariant, makeVariant } from "../../../lib/forecast/variants";
import { memberForecast, memberWindows, trainMember, type MemberSpec } from "../../../lib/forecast/member";
import { buildWindows, type PrepSpec } from "../../../lib/forecast/prep";
import { fitForecast, ForecastError, loadModel, predictFromModel, type CovariateInput, type SeriesInput } from "../../../lib/forecast";
import { mulberry32, normal } from "../../../lib/tensor/random";

const DAY = 86_400_000;
const LAG = 3;

/**
 * x is an AR(1) around 50; the target is y[t] = x[t - 3] + small noise, so its next three values
 * are the covariate's last three, while its own past says little about them. The covariate starts
 * three days before the target and runs `extra` days past its end (future values nobody may read).
 */
function laggedPair(n: number, dataSeed: number, extra = 0): { target: SeriesInput; x: CovariateInput } {
  const rng = mulberry32(dataSeed);
  const total = n + LAG + extra;
  const ts = Float64Array.from({ length: total }, (_, i) => Date.UTC(2020, 0, 1) + i * DAY);
  const x = new Float64Array(total);
  let a = 0;
  for (let i = 0; i < total; i++) {
    a = 0.6 * a + normal(rng);
    x[i] = 50 + 5 * a;
  }
  const y = Float64Array.from({ length: n }, (_, i) => x[i] + 0.1 * normal(rng));
  return {
    target: { name: "y", timestamps: ts.slice(LAG, LAG + n), values: y, frequency: "daily", stepMs: DAY },
    x: { name: "x", timestamps: ts, values: x },
  };
}

const withX = (p: { target: SeriesInput; x: CovariateInput }, x = p.x): SeriesInput => ({ ...p.target, covariates: [x] });
const mae = (a: number[], f: number[]) => a.reduce((s, v, k) => s + Math.abs(v - f[k]), 0) / a.length;
const prep: PrepSpec = { deseasonalize: false, log: true, scaler: "none", difference: false, windowNorm: "last", gapFill: "linear" };

describe("covariate alignment", () => {
  it("matches the target's timestamps, leaving gaps where the covariate has no value", () => {
    const t = [1, 2, 3, 4, 5].map((d) => Date.UTC(2020, 0, d));
    const target: SeriesInput = { name: "y", timestamps: Float64Array.from(t), values: Float64Array.from([NaN, 1, 2, 3, 4]), frequency: "daily", stepMs: DAY };
    // unordered, missing 3 January, a NaN on 4 January, values outside the target's dates
    const cov: CovariateInput = {
      name: "c",
      timestamps: Float64Array.from([t[4], t[0], t[1], t[3], Date.UTC(2019, 11, 31), Date.UTC(2020, 0, 9)]),
      values: Float64Array.from([50, 10, 20, NaN, -1, 99]),
    };
    const s = cleanSeries({ ...target, covariates: [cov] }, "linear");
    // the target's leading gap is trimmed: dates 2..5 January
    expect(Array.from(s.covariates[0].raw)).toEqual([20, NaN, NaN, 50]);
    expect(s.covariates[0].coverage).toBe(0.5);
    expect(() => cleanSeries({ ...target, covariates: [{ ...cov, values: new Float64Array(2) }] }, "linear")).toThrow(ForecastError);
  });

  it("fills gaps from the visible part only and fits the covariate's scaler on the training part", () => {
    const p = laggedPair(60, 1, 5);
    const s = cleanSeries(withX(p), "linear");
    const a = makeVariant(prep, [s], [40], [50], 7, 3);
    // change the covariate from the training end on (validation, test and future parts)
    const x2 = Float64Array.from(p.x.values);
    for (let i = 40 + LAG; i < x2.length; i++) x2[i] = 1000 + i;
    const b = makeVariant(prep, [cleanSeries(withX(p, { ...p.x, values: x2 }), "linear")], [40], [50], 7, 3);
    expect(b.data.covPreps).toEqual(a.data.covPreps);
    expect(a.data.covPreps![0][0].scaler.kind).toBe("standard");
    const spec: MemberSpec = { cell: "gru", strategy: "direct", lookback: 5, hiddenSize: 4, layers: 1, seed: 1, features: { season: false, step: false, covariates: 1 } };
    expect(Array.from(memberWindows(spec, b.data).train.x)).toEqual(Array.from(memberWindows(spec, a.data).train.x));
    // nothing at or after the variant's end was transformed
    expect(a.data.prepared[0].cov![0].length).toBe(50);
    // a gap at the end of the visible part is carried forward, not interpolated towards later values
    const x3 = Float64Array.from(p.x.values);
    x3[49 + LAG] = NaN;
    const c = makeVariant(prep, [cleanSeries(withX(p, { ...p.x, values: x3 }), "linear")], [40], [50], 7, 3);
    expect(c.data.prepared[0].cov![0][49]).toBe(c.data.prepared[0].cov![0][48]);
  });

  it("feed a window only covariate values up to its last input step, normalised like the value", () => {
    const p = laggedPair(40, 2);
    const s = cleanSeries(withX(p), "linear");
    const v = makeVariant(prep, [s], [40], [40], 1, 3);
    const ps = v.data.prepared[0];
    const spec = { lookback: 4, outputs: 3, features: { season: false, step: true, covariates: 1 }, season: 1, windowNorm: "last" as const, difference: false, seq2seq: false, horizon: 3 };
    const a = buildWindows([ps], spec, [{ seriesIndex: 0, origin: 20 }], false);
    expect(a.inputSize).toBe(3);
    const cov = ps.cov![0];
    for (let j = 0; j < 4; j++) expect(a.x[j * 3 + 2]).toBeCloseTo(cov[17 + j] - cov[20], 6);
    const later = Float64Array.from(cov);
    later.fill(99, 21);
    const b = buildWindows([{ ...ps, cov: [later] }], spec, [{ seriesIndex: 0, origin: 20 }], false);
    expect(Array.from(b.x)).toEqual(Array.from(a.x));
  });
});

describe("covariates help the network", () => {
  it("forecast a lagged copy of a covariate far better with it than without (rolling origins)", () => {
    const n = 160;
    const test = 40;
    const p = laggedPair(n + test, 3);
    const s = cleanSeries(withX(p), "linear");
    const v = makeVariant(prep, [s], [n], [n], 1, 3);
    const full = extendVariant(v, [s]);
    const settings = { epochs: 40, learningRate: 0.01, batchSize: 8, patience: 40, loss: "mae" as const, dropout: 0, weightDecay: 0 };
    const origins = Array.from({ length: test - 3 }, (_, i) => n - 1 + i);
    const errors = [0, 1].map((k) => {
      const spec: MemberSpec = { cell: "gru", strategy: "direct", lookback: 4, hiddenSize: 16, layers: 1, seed: 7, features: { season: false, step: true, ...(k ? { covariates: 1 } : {}) } };
      const net = trainMember(spec, v.data, settings).net;
      const f = memberForecast(net, spec, full.data, origins.map(() => 0), origins);
      return mae(origins.flatMap((o) => Array.from(s.y.subarray(o + 1, o + 4))), f.flat());
    });
    // without: about the AR(1)'s spread (~5); with: close to the noise
    expect(errors[0]).toBeGreaterThan(3);
    expect(errors[1]).toBeLessThan(0.25 * errors[0]);
  });

  it("fitForecast forecasts the held-out window far better with the covariate", () => {
    const config = { model: "gru" as const, strategy: "direct" as const, horizon: 3, lookback: 4, hiddenSize: 16, epochs: 40, learningRate: 0.01, batchSize: 8 };
    let alone = 0;
    let helped = 0;
    for (const dataSeed of [1, 2, 3, 4]) {
      const p = laggedPair(200, dataSeed);
      const a = fitForecast(p.target, config, 1);
      const b = fitForecast(withX(p), config, 1);
      expect(a.chosen.covariates).toEqual([]);
      expect(b.chosen.covariates).toEqual(["x"]);
      expect(b.chosen.model).toContain("with covariate x");
      alone += a.metrics.model.mae;
      helped += b.metrics.model.mae;
    }
    expect(helped).toBeLessThan(0.5 * alone);
  });
});

describe("covariates in fitForecast", () => {
  const p = laggedPair(120, 5, 6);
  const small = { model: "lstm" as const, strategy: "direct" as const, horizon: 3, lookback: 6, hiddenSize: 4, epochs: 3 };
  const out = fitForecast(withX(p), small, 2);

  it("store the covariates' names and preparation in the model, which reproduces the forecast", () => {
    const model = loadModel(out.modelBlob);
    expect(model.header.kind).toBe("series");
    if (model.header.kind === "global") throw new Error("unreachable");
    expect(model.header.covariates?.names).toEqual(["x"]);
    expect(model.header.members[0].spec.features.covariates).toBe(1);
    expect(predictFromModel(model, withX(p)).forecast).toEqual(out.forecast);
    expect(() => predictFromModel(model, p.target)).toThrow(/covariate "x"/);
  });

  it("never let the covariate's test part or future change the evaluated model (no leakage)", () => {
    const n = p.target.values.length;
    // The test window is the last 3 target dates; the covariate's last 6 values lie after the target's end.
    const x2 = Float64Array.from(p.x.values);
    for (let i = LAG + n - 3; i < x2.length; i++) x2[i] = 500 + i;
    const o2 = fitForecast(withX(p, { ...p.x, values: x2 }), small, 2);
    expect(o2.holdout.model).toEqual(out.holdout.model);
    expect(o2.holdout.intervals).toEqual(out.holdout.intervals);
    expect(o2.metrics.model).toEqual(out.metrics.model);
    // Values after the target's last date are never read at all: the final model is the same too.
    const x3 = Float64Array.from(p.x.values);
    for (let i = LAG + n; i < x3.length; i++) x3[i] = -1e6;
    const o3 = fitForecast(withX(p, { ...p.x, values: x3 }), small, 2);
    expect(o3.forecast).toEqual(out.forecast);
    expect(o3.modelBlob).toEqual(out.modelBlob);
  });

  it("are not read by the recursive strategy, and the note says why", () => {
    const o = fitForecast(withX(p), { ...small, strategy: "recursive" }, 2);
    expect(o.chosen.covariates).toEqual([]);
    expect(o.metrics.note).toMatch(/recursive strategy/);
    expect(loadModel(o.modelBlob).header.members[0].spec.features.covariates).toBeUndefined();
  });

  it("leave out a covariate with values at too few of the series' dates", () => {
    const sparse: CovariateInput = { name: "sparse", timestamps: p.x.timestamps.slice(0, 30), values: p.x.values.slice(0, 30) };
    const o = fitForecast({ ...p.target, covariates: [p.x, sparse] }, small, 2);
    expect(o.chosen.covariates).toEqual(["x"]);
    expect(o.metrics.note).toMatch(/left out.*"sparse"/);
  });

  it("are kept by auto only when they beat the series alone on validation", () => {
    const q = laggedPair(200, 1);
    const o = fitForecast(withX(q), { model: "auto", horizon: 3, lookback: 4, hiddenSize: 16, epochs: 40, learningRate: 0.01, batchSize: 8 }, 1);
    const v = o.chosen.covariateValidation!;
    expect(v.with).toBeLessThan(v.without);
    expect(o.chosen.covariates).toEqual(["x"]);
    expect(loadModel(o.modelBlob).header.members.every((m) => m.spec.features.covariates === 1)).toBe(true);
    expect(o.metrics.note).toMatch(/lowered the validation MAE/);
    // without covariates there is nothing to decide
    expect(fitForecast(q.target, small, 1).chosen.covariateValidation).toBeNull();
  });
});
