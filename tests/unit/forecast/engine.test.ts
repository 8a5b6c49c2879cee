import { describe, expect, it } from "vitest";
import { fitForecast, predictFromModel, loadModel, ForecastError, ForecastCancelled, fitGlobal, type EpochProgress, type SeriesInput } from "../../../lib/forecast";
import { combine, statForecasts } from "../../../lib/forecast/combination";
import { combinationLabel, globalNeuralLabel } from "../../../lib/forecast/labels";
import { mulberry32, normal } from "../../../lib/tensor/random";

function monthly(n: number, seed = 1, name = "s"): SeriesInput {
  const rng = mulberry32(seed);
  const timestamps = new Float64Array(n);
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    timestamps[i] = Date.UTC(2000, i, 1);
    values[i] = 100 + 0.5 * i + 15 * Math.sin((2 * Math.PI * i) / 12) + 2 * normal(rng);
  }
  return { name, timestamps, values, frequency: "monthly", stepMs: null };
}

// Small and fast: one LSTM, few epochs.
const small = { model: "lstm" as const, strategy: "direct" as const, horizon: 6, lookback: 12, hiddenSize: 8, epochs: 4 };

describe("fitForecast", () => {
  const series = monthly(72);
  const out = fitForecast(series, small, 3);

  it("returns a forecast with dated steps, ordered intervals and honest metrics", () => {
    expect(out.forecast).toHaveLength(6);
    expect(out.timestamps[0]).toBe(Date.UTC(2006, 0, 1));
    expect(out.forecast.every(Number.isFinite)).toBe(true);
    const [b80, b95] = out.intervals;
    expect([b80.level, b95.level]).toEqual([80, 95]);
    for (let k = 0; k < 6; k++) {
      expect(b95.lo[k]).toBeLessThanOrEqual(b80.lo[k]);
      expect(b80.lo[k]).toBeLessThanOrEqual(out.forecast[k]);
      expect(out.forecast[k]).toBeLessThanOrEqual(b80.hi[k]);
      expect(b80.hi[k]).toBeLessThanOrEqual(b95.hi[k]);
    }
    expect(out.holdout.actual).toEqual(Array.from(series.values.subarray(66)));
    expect(out.holdout.model).toHaveLength(6);
    expect(out.metrics.model.smape).toBeGreaterThanOrEqual(0);
    expect(typeof out.metrics.note).toBe("string");
    expect(out.metrics.note.length).toBeGreaterThan(10);
    expect(out.chosen.model).toContain("lstm");
    expect(out.config.horizon).toBe(6);
  });

  it("is reproducible with a seed", () => {
    const again = fitForecast(series, small, 3);
    expect(again.forecast).toEqual(out.forecast);
    expect(again.intervals).toEqual(out.intervals);
    const other = fitForecast(series, small, 4);
    expect(other.forecast).not.toEqual(out.forecast);
  });

  it("reproduces the forecast exactly from the model blob", () => {
    const model = loadModel(out.modelBlob);
    const p = predictFromModel(model, series);
    expect(p.forecast).toEqual(out.forecast);
    expect(p.intervals).toEqual(out.intervals);
    expect(p.timestamps).toEqual(out.timestamps);
  });

  it("never lets the test window change the evaluated model (no leakage)", () => {
    const changed: SeriesInput = { ...series, values: Float64Array.from(series.values) };
    for (let i = 66; i < 72; i++) changed.values[i] = 1000 + i;
    const o2 = fitForecast(changed, small, 3);
    expect(o2.holdout.model).toEqual(out.holdout.model);
    expect(o2.holdout.baselines).toEqual(out.holdout.baselines);
    expect(o2.holdout.actual).not.toEqual(out.holdout.actual);
  });

  it("reports progress per epoch and can be cancelled", () => {
    const seen: number[] = [];
    fitForecast(series, { ...small, epochs: 2 }, 1, { onEpoch: (p) => seen.push(p.epoch) });
    expect(seen.length).toBeGreaterThanOrEqual(4);
    expect(seen.filter((e) => e === 1).length).toBeGreaterThanOrEqual(2);
    let calls = 0;
    expect(() => fitForecast(series, small, 1, { shouldStop: () => ++calls > 3 })).toThrow(ForecastCancelled);
  });

  it("explains a series that is too short", () => {
    expect(() => fitForecast(monthly(10), { ...small, horizon: 6 }, 1)).toThrow(ForecastError);
    expect(() => fitForecast(monthly(10), { ...small, horizon: 6 }, 1)).toThrow(/too short|points/);
  });

  it("rejects an invalid config with a clear message", () => {
    expect(() => fitForecast(series, { horizon: 0 }, 1)).toThrow(/Horizon must be at least 1/);
  });
});

describe("fitGlobal", () => {
  it("forecasts many series with one model and labels the method", () => {
    const many = [1, 2, 3, 4].map((s) => monthly(60, s, `s${s}`));
    const out = fitGlobal(many, { model: "gru", horizon: 6, hiddenSize: 8, epochs: 3 }, 5, { refit: false });
    expect(out.series).toHaveLength(4);
    for (const s of out.series) {
      expect(s.forecast).toHaveLength(6);
      expect(s.forecast.every(Number.isFinite)).toBe(true);
      expect(s.intervals[0].lo[0]).toBeLessThanOrEqual(s.forecast[0]);
    }
    expect(out.chosen.members).toBeGreaterThan(0);
    expect(out.chosen.model.length).toBeGreaterThan(0);
    // The intervals are calibrated on each series' validation origin (54 points of history) and
    // the 6 origins before it (48..53 points, all above the two-season minimum of 24): 4 x 7 scores a step.
    expect(loadModel(out.modelBlob).header.conformal.counts).toEqual([28, 28, 28, 28, 28, 28]);
  });
});

describe("fitGlobal with series no longer than the horizon", () => {
  it("forecasts them with the classical combination, says they have no validation window, and the run goes on", () => {
    const many = [1, 2, 3, 4].map((s) => monthly(60, s, `s${s}`));
    // 6 points (the horizon: no training part before a validation window) and 4 (fewer than the horizon)
    const short = [monthly(6, 7, "six"), monthly(4, 8, "four")];
    const out = fitGlobal([...many, ...short], { model: "gru", horizon: 6, hiddenSize: 8, epochs: 2 }, 5);
    expect(out.series.map((s) => s.name)).toEqual(["s1", "s2", "s3", "s4", "six", "four"]);
    for (const s of short) {
      const got = out.series.find((x) => x.name === s.name)!;
      expect(got.validation).toBeNull();
      expect(got.note).toMatch(/No validation window/);
      expect(got.method).toMatch(/^classical: .*too short/);
      // the mean of Theta, Comb and the damped trend on the whole (short) series
      const st = statForecasts(s.values, 6, 12);
      got.forecast.forEach((v, k) => expect(v).toBeCloseTo((st.theta[k] + st.comb[k] + st.damped[k]) / 3, 9));
      for (const band of got.intervals) band.lo.forEach((lo, k) => expect(lo).toBeLessThanOrEqual(band.hi[k]));
    }
    // the long series are validated as before
    for (const s of out.series.slice(0, 4)) expect(s.validation).not.toBeNull();
  });
});

describe("auto (single series)", () => {
  const series = monthly(84, 2, "auto");
  const seen: EpochProgress[] = [];
  const out = fitForecast(series, { model: "auto", horizon: 6, hiddenSize: 4, epochs: 3 }, 5, { onEpoch: (p) => seen.push(p) });

  it("is the hybrid of the networks and the three classical methods, and says so", () => {
    expect(out.chosen.model).toBe("hybrid: mean of the lstm+gru ensemble of 4 (median), Theta, an SES/Holt/damped comb and a damped trend");
    expect(out.chosen.members).toBe(4);
    expect(out.neural).not.toBeNull();
    // the forecast is the mean of the networks' forecast and the classical methods on the whole series
    const stats = statForecasts(series.values, 6, 12);
    expect(out.forecast).toEqual(combine("hybrid", out.neural, stats, true));
    expect(out.metrics.note).toMatch(/(On|Warning: on) the held-out test window this forecast (beat|was less accurate than) seasonal naive/);
    expect(out.metrics.note.startsWith("Warning")).toBe(!out.metrics.beatsSeasonalNaive);
  });

  it("knows every training it will run before the first (progress counts up to a fixed total)", () => {
    const total = seen[0].members;
    expect(seen.every((p) => p.members === total)).toBe(true);
    expect(new Set(seen.map((p) => p.member)).size).toBe(total);
    expect(Math.max(...seen.map((p) => p.member))).toBe(total);
  });

  it("labels an explicit model as the network it is", () => {
    const lstm = fitForecast(series, small, 3);
    expect(lstm.chosen.model).toBe("lstm");
    expect(lstm.forecast).toEqual(lstm.neural!.map((v) => Math.max(0, v)));
  });

  it("gives a short series an 80% and a wider 95% band (never identical)", () => {
    const short = fitForecast(monthly(36, 3, "short"), { model: "auto", horizon: 12, hiddenSize: 4, epochs: 2 }, 1);
    const [b80, b95] = short.intervals;
    for (let k = 0; k < 12; k++) expect(b95.hi[k] - b95.lo[k]).toBeGreaterThan(b80.hi[k] - b80.lo[k]);
    const [h80, h95] = short.holdout.intervals;
    for (let k = 0; k < h80.lo.length; k++) expect(h95.hi[k] - h95.lo[k]).toBeGreaterThan(h80.hi[k] - h80.lo[k]);
  });
});

describe("auto (global)", () => {
  it("labels the combination it chose and gives every series a note", () => {
    const many = [1, 2, 3, 4, 5, 6].map((s) => monthly(60, s, `s${s}`));
    const out = fitGlobal(many, { model: "auto", horizon: 6, hiddenSize: 4, epochs: 2 }, 5, { seedsPerCell: 1 });
    const lookbacks = [...new Set(out.chosen.lookbacks)];
    expect(out.chosen.model).toBe(combinationLabel(out.chosen.combination, globalNeuralLabel(["lstm", "gru"], 4, lookbacks)));
    for (const [i, s] of out.series.entries()) {
      expect(s.note).toMatch(/(On|Warning: on) the validation window this forecast (beat|was less accurate than) seasonal naive/);
      expect(s.neural).toHaveLength(6);
      // Seasonal naive's MASE on the validation window (the last 6 points), by hand.
      const y = many[i].values;
      const n = y.length;
      let scale = 0;
      for (let t = 12; t < n - 6; t++) scale += Math.abs(y[t] - y[t - 12]);
      scale /= n - 6 - 12;
      let err = 0;
      for (let t = n - 6; t < n; t++) err += Math.abs(y[t] - y[t - 12]);
      const snaive = err / 6 / scale;
      expect(s.validation!.seasonalNaive.mase).toBeCloseTo(snaive, 9);
      expect(s.beatsSeasonalNaive).toBe(s.validation!.model.mase! <= snaive);
      expect(s.note.includes("Warning: on the validation window")).toBe(!s.beatsSeasonalNaive);
    }
    expect(out.note).toMatch(/^On the validation windows \(last 6 points of 6 series\)/);
    const gru = fitGlobal(many, { model: "gru", horizon: 6, hiddenSize: 4, epochs: 2 }, 5);
    expect(gru.chosen.combination).toBe("neural");
    expect(gru.chosen.model).toMatch(/^global gru ensemble of 2 \(median; lookbacks/);
  });
});
