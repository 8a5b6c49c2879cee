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
import { WARMUP_EPOCHS } from "../../../lib/forecast/selection";
import { cleanSeries } from "../../../lib/forecast/input";
import { ensembleMedian, trainSettingsFrom } from "../../../lib/forecast/ensemble";
import { combine, statForecasts } from "../../../lib/forecast/combination";
import { memberForecast, trainMember, type MemberSpec } from "../../../lib/forecast/member";
import { writeModel, type ModelHeader } from "../../../lib/forecast/modelfile";
import type { PrepSpec } from "../../../lib/forecast/prep";
import { makeVariant } from "../../../lib/forecast/variants";
import { resolveModelConfig } from "../../../lib/forecast/config";
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

  it("forecasts a series it was not trained on, and falls back to the classical combination when it is too short", () => {
    const model = loadModel(out.modelBlob);
    const other = predictFromModel(model, monthly(60, 9, "new"));
    expect(other.forecast).toHaveLength(6);
    expect(other.forecast.every(Number.isFinite)).toBe(true);
    expect(other.intervals[0].lo[0]).toBeLessThanOrEqual(other.forecast[0]);
    // 10 points: shorter than every member's lookback
    if (model.header.kind !== "global") throw new Error("unreachable");
    expect(Math.min(...model.header.members.map((m) => m.spec.lookback))).toBeGreaterThan(10);
    const short = globalSeriesForecast({ ...model.header, combination: "hybrid" }, model.nets, cleanSeries(monthly(10, 9, "short"), "linear"));
    expect(short.label).toMatch(/^classical: .*\(series too short for the networks' lookback\)$/);
    expect(short.neural).toBeNull();
    const stats = statForecasts(cleanSeries(monthly(10, 9, "short"), "linear").y, 6, 12);
    expect(short.forecast).toEqual(combine("classical", null, stats, true));
  });

  it("trains its members on two preparations in turn, the second standardising each series' logged, seasonally adjusted values", () => {
    const model = loadModel(out.modelBlob);
    if (model.header.kind !== "global") throw new Error("unreachable");
    const h = model.header;
    expect(h.variants.map((v) => v.scaler)).toEqual(["none", "standard"]);
    expect(h.variants.every((v) => v.log && v.deseasonalize && v.windowNorm === "season")).toBe(true);
    expect(h.members.map((m) => m.variant)).toEqual([0, 1, 0, 1]);
    expect(h.members.every((m) => m.spec.strategy === "seq2seq")).toBe(true);
    many.forEach((series, i) => {
      const [logSeasonal, standard] = h.series[i].preps;
      expect(standard.seasonalIndices).toEqual(logSeasonal.seasonalIndices);
      // the standardised variant's shift and scale, by hand: mean and (population) sd of log(y / index) over all points (refit)
      const v = Array.from(series.values, (y, t) => Math.log(y / logSeasonal.seasonalIndices[t % 12]));
      const mean = v.reduce((a, b) => a + b, 0) / v.length;
      const sd = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length);
      expect(standard.scaler.shift).toBeCloseTo(mean, 12);
      expect(standard.scaler.scale).toBeCloseTo(sd, 12);
      expect(logSeasonal.scaler).toEqual({ kind: "none", shift: 0, scale: 1 });
    });
  });

  it("trains an explicit model's members on the first preparation only", () => {
    const gru = planGlobal(many, { model: "gru", horizon: 6, hiddenSize: 4, epochs: 2 }, 9);
    expect(gru.variants).toHaveLength(1);
    expect(gru.variants[0].scaler).toBe("none");
    expect(gru.members.every((m) => m.variant === 0)).toBe(true);
  });

  it("lets its members choose their best epoch only after the warm-up epochs", () => {
    // A high learning rate: here the validation loss is at its lowest in an early epoch, which the member must not choose.
    const epochs = WARMUP_EPOCHS + 4;
    const longer = planGlobal(many, { model: "gru", horizon: 6, hiddenSize: 4, epochs, learningRate: 0.3 }, 9, { patience: epochs, refit: false });
    const val: number[] = [];
    const r = runGlobalMember(longer, 0, { onEpoch: (_e, _t, v) => val.push(v!) });
    expect(val).toHaveLength(epochs);
    const argmin = (from: number) => from + val.slice(from).indexOf(Math.min(...val.slice(from)));
    expect(argmin(0) + 1).toBeLessThan(WARMUP_EPOCHS);
    expect(r.bestEpoch).toBe(argmin(WARMUP_EPOCHS - 1) + 1);
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

  it("writes version 4 and still reads version 2 and 1 single-series files", () => {
    expect(loadModel(out.modelBlob).header).toMatchObject({ version: 4, kind: "series" });
    const v1 = rewrite(out.modelBlob, 1, (h) => {
      h.version = 1;
      delete h.kind;
      // version 1 features had only season and step
      for (const m of h.members as { spec: { features: Record<string, unknown> } }[]) m.spec.features = { season: true, step: true };
    });
    expect(predictFromModel(loadModel(v1), series).forecast).toEqual(out.forecast);
  });

  it("reads a version 2 hybrid as the hybrid it was written with (networks, Theta and Comb)", () => {
    const v3 = rewrite(out.modelBlob, 3, (h) => (h.combination = "hybrid"));
    const v2 = rewrite(out.modelBlob, 2, (h) => {
      h.version = 2;
      h.combination = "hybrid";
    });
    const old = loadModel(v2);
    expect(old.header.combination).toBe("legacyHybrid");
    const p2 = predictFromModel(old, series);
    const p3 = predictFromModel(loadModel(v3), series);
    expect(p2.neural).toEqual(p3.neural);
    const stats = statForecasts(cleanSeries(series, "linear").y, 6, 12);
    expect(p2.forecast).toEqual(combine("legacyHybrid", p2.neural, stats, true));
    expect(p3.forecast).toEqual(combine("hybrid", p3.neural, stats, true));
    expect(p2.forecast).not.toEqual(p3.forecast);
  });

  it("reads a version 3 global file (one preparation for every member) as a model of one variant", () => {
    const many = [1, 2, 3].map((s) => monthly(54 + 6 * s, s, `g${s}`));
    const plan = planGlobal(many, { model: "lstm", horizon: 6, hiddenSize: 4, epochs: 2 }, 2);
    const global = finishGlobal(plan, plan.members.map((_, i) => runGlobalMember(plan, i)));
    // As version 3 wrote it: `prepSpec` and each series' `prep` instead of `variants` and `preps`.
    const v3 = rewrite(global.modelBlob, 3, (h) => {
      const variants = h.variants as PrepSpec[];
      h.prepSpec = variants[0];
      delete h.variants;
      h.series = (h.series as { name: string; preps: unknown[] }[]).map((x) => ({ name: x.name, prep: x.preps[0] }));
    });
    const old = loadModel(v3);
    if (old.header.kind !== "global") throw new Error("unreachable");
    expect(old.header.variants).toEqual([plan.variants[0]]);
    expect(old.header.series.map((x) => x.preps.length)).toEqual([1, 1, 1]);
    many.forEach((s, i) => expect(predictFromModel(old, s).forecast).toEqual(global.series[i].forecast));
  });

  it("rejects unknown versions and kinds with a clear error", () => {
    expect(() => loadModel(rewrite(out.modelBlob, 5, () => {}))).toThrow(/version 5 is not supported/);
    expect(() => loadModel(rewrite(out.modelBlob, 3, (h) => (h.kind = "ensemble")))).toThrow(/unknown model kind/);
    expect(() => loadModel(new Uint8Array([1, 2, 3]))).toThrow(ForecastError);
  });
});

describe("a single-series model file holds the networks it was written from", () => {
  // Two members trained in memory on two preparations, written to a file and loaded: the loaded
  // model's forecast must be the in-memory networks' forecast, combined as the header says.
  const series = monthly(66, 4, "blob");
  const s = cleanSeries(series, "linear");
  const n = s.y.length;
  const H = 6;
  const prepA: PrepSpec = { deseasonalize: true, log: true, scaler: "none", difference: false, windowNorm: "recent", gapFill: "linear" };
  const prepB: PrepSpec = { deseasonalize: false, log: false, scaler: "standard", difference: false, windowNorm: "last", gapFill: "linear" };
  const specA: MemberSpec = { cell: "lstm", strategy: "direct", lookback: 12, hiddenSize: 6, layers: 1, seed: 3, features: { season: true, step: true } };
  const specB: MemberSpec = { cell: "gru", strategy: "recursive", lookback: 8, hiddenSize: 5, layers: 1, seed: 4, features: { season: true, step: false } };
  const vA = makeVariant(prepA, [s], [n], [n], 12, H);
  const vB = makeVariant(prepB, [s], [n], [n], 12, H);
  const settings = trainSettingsFrom({ epochs: 3, learningRate: 0.01, batchSize: 8 }, 2);
  const netA = trainMember(specA, vA.data, settings, {}, [0.01, 0.01, 0.005]).net;
  const netB = trainMember(specB, vB.data, settings, {}, [0.01, 0.01, 0.005]).net;
  const inMemory = ensembleMedian([memberForecast(netA, specA, vA.data, [0], [n - 1])[0], memberForecast(netB, specB, vB.data, [0], [n - 1])[0]]);
  const header = (combination: ModelHeader["combination"]): ModelHeader => ({
    version: MODEL_FILE_VERSION,
    kind: "series",
    config: resolveModelConfig({ horizon: H }, "monthly", n),
    frequency: "monthly",
    season: 12,
    horizon: H,
    levels: [80, 95],
    combination,
    variants: [prepA, prepB],
    members: [
      { spec: specA, variant: 0 },
      { spec: specB, variant: 1 },
    ],
    preps: [vA.data.preps[0], vB.data.preps[0]],
    conformal: { levels: [80, 95], halfWidth: [Array(H).fill(2), Array(H).fill(3)], counts: Array(H).fill(10) },
    intervalScale: 1,
    seriesLength: n,
    seriesName: "blob",
    nonNegative: true,
    label: "test",
  });

  it("forecasts exactly what the in-memory networks forecast", () => {
    const p = predictFromModel(loadModel(writeModel(header("neural"), [netA, netB])), series);
    expect(p.neural).toEqual(inMemory);
    expect(p.forecast).toEqual(inMemory.map((v) => Math.max(0, v)));
    expect(p.intervals[0].hi.map((v, k) => v - p.forecast[k])).toEqual(Array(H).fill(2));
  });

  it("combines them as its header says", () => {
    const p = predictFromModel(loadModel(writeModel(header("hybrid"), [netA, netB])), series);
    expect(p.forecast).toEqual(combine("hybrid", inMemory, statForecasts(s.y, H, 12), true));
  });

  it("tells its networks apart (the weights, not just the specs, are stored)", () => {
    // the first member retrained at other rates: same spec, other weights, another forecast
    const retrained = trainMember(specA, vA.data, settings, {}, [0.02, 0.02, 0.02]).net;
    const p = predictFromModel(loadModel(writeModel(header("neural"), [retrained, netB])), series);
    expect(p.neural).not.toEqual(inMemory);
  });
});
