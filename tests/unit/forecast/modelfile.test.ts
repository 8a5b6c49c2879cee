import { describe, expect, it } from "vitest";
import {
  finishGlobal,
  fitForecast,
  ForecastError,
  loadModel,
  MODEL_FILE_VERSION,
  planGlobal,
  predictFromModel,
  runGlobalMember,
  type SeriesInput,
} from "../../../lib/forecast";
import { cleanSeries } from "../../../lib/forecast/input";
import { ensembleMedian } from "../../../lib/forecast/ensemble";
import { globalSeriesForecast } from "../../../lib/forecast/predict";
import { mulberry32, normal } from "../../../lib/tensor/random";

function monthly(n: number, seed: number, name: string): SeriesInput {
  const rng = mulberry32(seed);
  const timestamps = Float64Array.from({ length: n }, (_, i) => Date.UTC(2001, i, 1));
  const level = 50 + 20 * seed;
  const values = Float64Array.from({ length: n }, (_, i) => level + 0.4 * i + 10 * Math.sin((2 * Math.PI * i) / 12) + 2 * normal(rng));
  return { name, timestamps, values, frequency: "monthly", stepMs: null };
}

describe("global model file", () => {
  const many = [1, 2, 3, 4, 5].map((s) => monthly(48 + 6 * s, s, `s${s}`));
  const plan = planGlobal(many, { model: "auto", horizon: 6, hiddenSize: 4, epochs: 2 }, 9, { seedsPerCell: 1 });
  // As the CLI does it: members in any order (threads finish when they finish), then finish.
  const results = plan.members.map((_, i) => runGlobalMember(plan, i)).reverse();
  const out = finishGlobal(plan, results);

  it("is a versioned blob of kind global with every member and series", () => {
    const model = loadModel(out.modelBlob);
    expect(new DataView(out.modelBlob.buffer, out.modelBlob.byteOffset).getUint32(4, true)).toBe(MODEL_FILE_VERSION);
    expect(model.header.kind).toBe("global");
    expect(model.header.version).toBe(MODEL_FILE_VERSION);
    expect(model.nets).toHaveLength(plan.members.length);
    if (model.header.kind !== "global") throw new Error("unreachable");
    expect(model.header.series.map((s) => s.name)).toEqual(["s1", "s2", "s3", "s4", "s5"]);
    expect(model.header.combination).toBe(out.chosen.combination);
  });

  it("reproduces every series' forecast and intervals exactly when loaded", () => {
    const model = loadModel(out.modelBlob);
    many.forEach((s, i) => {
      const p = predictFromModel(model, s);
      expect(p.forecast).toEqual(out.series[i].forecast);
      expect(p.intervals).toEqual(out.series[i].intervals);
      expect(p.timestamps).toEqual(out.series[i].timestamps);
      expect(p.label).toBe(out.series[i].method);
    });
  });

  it("holds the members' trained weights and each series' preparation", () => {
    const model = loadModel(out.modelBlob);
    if (model.header.kind !== "global") throw new Error("unreachable");
    const neuralOnly = { ...model.header, combination: "neural" as const };
    const byIndex = [...results].sort((a, b) => a.index - b.index);
    many.forEach((s, i) => {
      const fromFile = globalSeriesForecast(neuralOnly, model.nets, cleanSeries(s, "linear")).forecast;
      const own = ensembleMedian(byIndex.map((r) => r.final[i]!));
      // the members forecast all series in one batch, the file one series at a time: float32 rounding apart
      fromFile.forEach((v, k) => expect(Math.abs(v - own[k])).toBeLessThan(1e-4 * Math.abs(own[k])));
    });
  });

  it("forecasts a series it was not trained on, and falls back to Theta when it is too short", () => {
    const model = loadModel(out.modelBlob);
    const other = predictFromModel(model, monthly(60, 9, "new"));
    expect(other.forecast).toHaveLength(6);
    expect(other.forecast.every(Number.isFinite)).toBe(true);
    expect(other.intervals[0].lo[0]).toBeLessThanOrEqual(other.forecast[0]);
    // 10 points: shorter than every member's lookback
    if (model.header.kind !== "global") throw new Error("unreachable");
    expect(Math.min(...model.header.members.map((m) => m.spec.lookback))).toBeGreaterThan(10);
    const short = globalSeriesForecast({ ...model.header, combination: "hybrid" }, model.nets, cleanSeries(monthly(10, 9, "short"), "linear"));
    expect(short.label).toMatch(/^theta \(series too short/);
    expect(short.forecast.every(Number.isFinite)).toBe(true);
  });

  it("refuses incomplete results and covariates", () => {
    expect(() => finishGlobal(plan, results.slice(1))).toThrow(ForecastError);
    const withCov = [{ ...many[0], covariates: [{ name: "c", timestamps: many[1].timestamps, values: many[1].values }] }, many[1]];
    expect(() => planGlobal(withCov, { horizon: 6 }, 1)).toThrow(/covariates/);
  });
});

describe("model file versions", () => {
  const series = monthly(60, 1, "one");
  const out = fitForecast(series, { model: "gru", strategy: "direct", horizon: 6, lookback: 12, hiddenSize: 4, epochs: 2 }, 1);

  /** The same blob with another version number and header (as an older writer produced it). */
  function rewrite(blob: Uint8Array, version: number, edit: (h: Record<string, unknown>) => void): Uint8Array {
    const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
    const len = view.getUint32(8, true);
    const header = JSON.parse(new TextDecoder().decode(blob.subarray(12, 12 + len))) as Record<string, unknown>;
    edit(header);
    const json = new TextEncoder().encode(JSON.stringify(header));
    const outBlob = new Uint8Array(12 + json.length + blob.length - 12 - len);
    outBlob.set(blob.subarray(0, 12));
    new DataView(outBlob.buffer).setUint32(4, version, true);
    new DataView(outBlob.buffer).setUint32(8, json.length, true);
    outBlob.set(json, 12);
    outBlob.set(blob.subarray(12 + len), 12 + json.length);
    return outBlob;
  }

  it("writes version 2 and still reads version 1 single-series files", () => {
    expect(loadModel(out.modelBlob).header).toMatchObject({ version: 2, kind: "series" });
    const v1 = rewrite(out.modelBlob, 1, (h) => {
      h.version = 1;
      delete h.kind;
      // version 1 features had only season and step
      for (const m of h.members as { spec: { features: Record<string, unknown> } }[]) m.spec.features = { season: true, step: true };
    });
    expect(predictFromModel(loadModel(v1), series).forecast).toEqual(out.forecast);
  });

  it("rejects unknown versions and kinds with a clear error", () => {
    expect(() => loadModel(rewrite(out.modelBlob, 3, () => {}))).toThrow(/version 3 is not supported/);
    expect(() => loadModel(rewrite(out.modelBlob, 2, (h) => (h.kind = "ensemble")))).toThrow(/unknown model kind/);
    expect(() => loadModel(new Uint8Array([1, 2, 3]))).toThrow(ForecastError);
  });
});
