/**
 * modelAnatomy on trained models (fitForecast: an LSTM direct, a GRU recursive and an RNN seq2seq
 * member, a model with a covariate, a global model): the shapes the API promises; the weights are
 * the model's; the activations are those of the forward that made the forecast (the head applied
 * to the last hidden state gives f(x)); f(x) maps back through the stored preparation to the
 * member's forecast, which is the run's forecast; completeness within 1% (float32) and to 1e-6
 * (float64, many points); bad members and origins are refused with the reasons.
 */
import { describe, expect, it } from "vitest";
import { finishGlobal, fitForecast, loadModel, planGlobal, runGlobalMember, type SeriesInput } from "@/lib/forecast";
import { AnatomyError, modelAnatomy, type ModelAnatomy } from "@/lib/forecast/anatomy";
import { inverseValue } from "@/lib/forecast/prep";
import type { ModelHeader } from "@/lib/forecast/modelfile";
import { mulberry32, normal } from "@/lib/tensor/random";

function monthly(n: number, seed: number, name = "sales"): SeriesInput {
  const rng = mulberry32(seed);
  const timestamps = Float64Array.from({ length: n }, (_, i) => Date.UTC(2008, i, 1));
  const values = Float64Array.from({ length: n }, (_, i) => 80 + 0.5 * i + 15 * Math.sin((2 * Math.PI * i) / 12) + 2 * normal(rng));
  return { name, timestamps, values, frequency: "monthly", stepMs: null };
}

const series = monthly(120, 4);
const L = 18, HZ = 6, HID = 8;
const fits = {
  lstm: fitForecast(series, { model: "lstm", strategy: "direct", lookback: L, horizon: HZ, hiddenSize: HID, epochs: 6, seed: 2 }),
  gru: fitForecast(series, { model: "gru", strategy: "recursive", lookback: L, horizon: HZ, hiddenSize: HID, epochs: 6, seed: 3 }),
  rnn: fitForecast(series, { model: "rnn", strategy: "seq2seq", lookback: L, horizon: HZ, hiddenSize: HID, epochs: 6, seed: 4 }),
};
const GATES = { lstm: ["i", "f", "g", "o"], gru: ["r", "z", "n"], rnn: [] } as const;
const shape = (m: number[][]) => [m.length, m[0]?.length ?? 0];

describe("modelAnatomy of trained members", () => {
  for (const [cell, fit] of Object.entries(fits) as [keyof typeof fits, (typeof fits)[keyof typeof fits]][]) {
    describe(`${cell} (${fit.chosen.strategy})`, () => {
      const model = loadModel(fit.modelBlob);
      const header = model.header as ModelHeader;
      const a: ModelAnatomy = modelAnatomy(model, series);
      const G = Math.max(1, GATES[cell].length);

      it("has the promised shapes, in the model's units, from the forecast's window", () => {
        expect([a.cell, a.strategy, a.steps, a.horizon, a.hiddenSize, a.numLayers]).toEqual([cell, fit.chosen.strategy, L, HZ, HID, 1]);
        expect(a.featureNames).toEqual(["value", "season sin", "season cos", "step"]);
        expect(a.featureKinds).toEqual(["value", "time", "time", "position"]);
        expect(a.origin).toBe(series.values.length - 1);
        expect(a.timestamps).toEqual(Array.from(series.timestamps.subarray(120 - L)));
        expect(a.forecastTimestamps).toEqual(fit.timestamps);
        expect(shape(a.inputs)).toEqual([L, 4]);
        expect(shape(a.baseline)).toEqual([L, 4]);
        expect(a.attributions.map(shape)).toEqual(Array(HZ).fill([L, 4]));
        expect([a.fx.length, a.fbaseline.length]).toEqual([HZ, HZ]);
        const layer = a.layers[0];
        expect(shape(layer.h)).toEqual([L, HID]);
        expect(Object.keys(layer.gates)).toEqual([...GATES[cell]]);
        for (const g of GATES[cell]) expect(shape(layer.gates[g])).toEqual([L, HID]);
        expect(layer.c === undefined).toBe(cell !== "lstm");
        if (layer.c) expect(shape(layer.c)).toEqual([L, HID]);
        expect(a.decoder === undefined).toBe(fit.chosen.strategy !== "seq2seq");
        if (a.decoder) expect(shape(a.decoder[0].h)).toEqual([HZ, HID]);
        // The step feature runs 0..1 over the window; the baseline is each column's mean.
        expect(a.inputs.map((r) => r[3])).toEqual(Array.from({ length: L }, (_, j) => Math.fround(j / (L - 1))).map((v) => Number(v.toPrecision(7))));
        for (let c = 0; c < 4; c++) {
          const mean = a.inputs.reduce((s, r) => s + r[c], 0) / L;
          for (const r of a.baseline) expect(r[c]).toBeCloseTo(mean, 6);
        }
        expect(JSON.parse(JSON.stringify(a))).toEqual(a); // plain JSON, nothing lost
      });

      it("shows the model's own weights, gate by gate, and counts them", () => {
        const net = model.nets[0];
        const w = net.params.value("weight_ih_l0"), wh = net.params.value("weight_hh_l0");
        const bih = net.params.value("bias_ih_l0"), bhh = net.params.value("bias_hh_l0");
        const { Wx, Wh, b, bhn, gates } = a.layers[0].weights;
        expect(gates).toEqual([...GATES[cell]]);
        expect([shape(Wx), shape(Wh), b.length]).toEqual([[G * HID, 4], [G * HID, HID], G * HID]);
        for (let r = 0; r < G * HID; r++) {
          for (let c = 0; c < 4; c++) expect(Wx[r][c]).toBeCloseTo(w[r * 4 + c], 6);
          for (let c = 0; c < HID; c++) expect(Wh[r][c]).toBeCloseTo(wh[r * HID + c], 6);
          // GRU candidate rows keep b_hn apart: it sits inside the reset product.
          expect(b[r]).toBeCloseTo(cell === "gru" && r >= 2 * HID ? bih[r] : bih[r] + bhh[r], 6);
        }
        if (cell === "gru") expect(bhn).toEqual(Array.from(bhh.subarray(2 * HID), (v) => Number(v.toPrecision(7))));
        // G·H·(I + H) + 2·G·H per recurrent stack; the head H·O + O.
        const stack = (I: number) => G * HID * (I + HID) + 2 * G * HID;
        const outputs = fit.chosen.strategy === "direct" ? HZ : 1;
        const head = HID * outputs + outputs;
        const decoder = fit.chosen.strategy === "seq2seq" ? stack(3) : 0;
        expect(a.parameters.shared).toBe(stack(4) + decoder + head);
        expect(a.parameters.shared).toBe(net.params.size);
        expect(a.parameters.perStep).toBe(fit.chosen.strategy === "seq2seq" ? L * stack(4) + HZ * (decoder + head) : L * stack(4) + head);
        expect(a.parameters.note).toMatch(/With its own weights at every step it would need [\d,]+/);
      });

      it("gates lie in (0, 1) and hidden states in (-1, 1)", () => {
        for (const layer of [...a.layers, ...(a.decoder ?? [])]) {
          for (const [g, m] of Object.entries(layer.gates)) {
            const [lo, hi] = g === "g" || g === "n" ? [-1, 1] : [0, 1];
            for (const v of m.flat()) expect(v > lo && v < hi, `${g} ${v}`).toBe(true);
          }
          for (const v of layer.h.flat()) expect(Math.abs(v)).toBeLessThan(1);
        }
      });

      it("forecasts what the run forecast, and f(x) maps back to it through the stored preparation", () => {
        expect(header.members).toHaveLength(1);
        expect(header.combination).toBe("neural");
        for (let k = 0; k < HZ; k++) expect(a.memberForecast[k]).toBeCloseTo(fit.forecast[k], 9);
        const prep = header.preps[header.members[0].variant];
        expect(a.scaling.windowNorm).toBe("last");
        for (let k = 0; k < HZ; k++) {
          const y = inverseValue(prep, a.fx[k] + a.scaling.reference, a.origin + 1 + k);
          expect(Math.abs(y - fit.forecast[k]) / Math.abs(fit.forecast[k])).toBeLessThan(1e-5);
        }
        expect(a.scaling.description).toMatch(/relative to it\. A forecast f maps back to y = /);
        expect(a.actual).toEqual(Array(HZ).fill(null)); // the future is not known yet
      });

      if (fit.chosen.strategy === "direct") {
        it("reads the activations of the forward that forecast: the head on the last hidden state gives f(x)", () => {
          const net = model.nets[0];
          const W = net.params.value("head.weight"), bias = net.params.value("head.bias");
          const hT = a.layers[0].h[L - 1];
          for (let k = 0; k < HZ; k++) {
            let y = bias[k];
            for (let j = 0; j < HID; j++) y += W[k * HID + j] * hT[j];
            expect(y).toBeCloseTo(a.fx[k], 5); // relative to the last value, whose reference is 0
          }
        });
      }

      it("attributions sum to f(x) − f(baseline): within 1% in float32, to 1e-6 in float64 with many points", () => {
        for (let k = 0; k < HZ; k++) {
          const d = a.fx[k] - a.fbaseline[k];
          const sum = a.attributions[k].flat().reduce((s, v) => s + v, 0);
          expect(Math.abs(d)).toBeGreaterThan(1e-3);
          expect(Math.abs(sum - d) / Math.abs(d)).toBeLessThan(0.01);
          expect(a.integration.sums[k]).toBeCloseTo(sum, 12);
        }
        expect(a.integration.points).toBe(50);
        const exact = modelAnatomy(model, series, { precision: "float64", points: 2000 });
        expect(exact.precision).toBe("float64");
        for (let k = 0; k < HZ; k++) expect(exact.integration.relativeGaps[k]!).toBeLessThan(1e-6);
        // float32 and float64 agree on the attributions themselves.
        for (let k = 0; k < HZ; k++) {
          const scale = Math.max(...exact.attributions[k].flat().map(Math.abs));
          a.attributions[k].flat().forEach((v, i) => expect(Math.abs(v - exact.attributions[k].flat()[i]) / scale).toBeLessThan(2e-3));
        }
      });
    });
  }
});

describe("members, origins and errors", () => {
  const model = loadModel(fits.lstm.modelBlob);

  it("answers for an earlier origin, with the actual values that followed it", () => {
    const a = modelAnatomy(model, series, { origin: 100 });
    expect(a.origin).toBe(100);
    expect(a.origins).toEqual({ first: L - 1, last: 119, forecast: 119 });
    expect(a.timestamps[L - 1]).toBe(series.timestamps[100]);
    expect(a.actual).toEqual(Array.from(series.values.subarray(101, 101 + HZ)));
  });

  it.each([[3.5], [-1], [L - 2], [120], [Number.NaN]])("refuses origin %s", (origin) => {
    expect(() => modelAnatomy(model, series, { origin })).toThrow(AnatomyError);
    try {
      modelAnatomy(model, series, { origin });
    } catch (e) {
      expect((e as AnatomyError).code).toBe("bad-origin");
      expect((e as AnatomyError).message).toMatch(new RegExp(`from ${L - 1} to 119`));
    }
  });

  it("refuses a member the model does not have", () => {
    expect(() => modelAnatomy(model, series, { member: "1" })).toThrow(/Member "1" is not in this model: its members are 0\./);
  });

  it("lists statistical members as such, without anatomy", () => {
    const hybrid = loadModel(fits.lstm.modelBlob);
    hybrid.header.combination = "hybrid";
    const a = modelAnatomy(hybrid, series);
    expect(a.members.map((m) => [m.id, m.kind, m.usedInForecast])).toEqual([
      ["0", "neural", true],
      ["theta", "statistical", true],
      ["comb", "statistical", true],
      ["damped", "statistical", true],
    ]);
    expect(a.combinationNote).toBe("The forecast is the mean of the network's forecast, Theta, SES/Holt/damped comb and Damped trend; the statistical members have no network to look inside.");
    hybrid.header.combination = "legacyHybrid"; // model files up to version 2: networks, Theta and Comb
    expect(modelAnatomy(hybrid, series).members.map((m) => m.id)).toEqual(["0", "theta", "comb"]);
    hybrid.header.combination = "classical";
    const classical = modelAnatomy(hybrid, series);
    expect(classical.members.map((m) => [m.id, m.usedInForecast])).toEqual([["0", false], ["theta", true], ["comb", true], ["damped", true]]);
    expect(classical.combinationNote).toMatch(/^The forecast is the mean of Theta, SES\/Holt\/damped comb and Damped trend: on validation the networks were less accurate/);
    hybrid.header.combination = "hybrid";
    expect(() => modelAnatomy(hybrid, series, { member: "theta" })).toThrow(/Theta is a statistical member: it has no network to look inside/);
    hybrid.header.combination = "seasonalNaive";
    const fallback = modelAnatomy(hybrid, series);
    expect(fallback.members.map((m) => [m.id, m.usedInForecast])).toEqual([["0", false], ["seasonal-naive", true]]);
    expect(fallback.combinationNote).toMatch(/The forecast is Seasonal naive's: on validation the networks were less accurate/);
  });

  it("names covariate inputs, and needs their values", () => {
    const cov = monthly(120, 9, "price");
    const withCov: SeriesInput = { ...series, covariates: [{ name: "price", timestamps: cov.timestamps, values: cov.values }] };
    const fit = fitForecast(withCov, { model: "gru", strategy: "direct", lookback: 12, horizon: 4, hiddenSize: 8, epochs: 3, seed: 1 });
    const m = loadModel(fit.modelBlob);
    const a = modelAnatomy(m, withCov);
    expect(a.featureNames).toEqual(["value", "season sin", "season cos", "step", "price"]);
    expect(a.featureKinds[4]).toBe("covariate");
    for (let k = 0; k < 4; k++) expect(a.memberForecast[k]).toBeCloseTo(fit.forecast[k], 9);
    for (const g of a.integration.relativeGaps) expect(g!).toBeLessThan(0.01);
    expect(() => modelAnatomy(m, series)).toThrow(/uses the covariate "price"/);
  });

  it("opens a global model's members too", () => {
    const many = [1, 2, 3].map((s) => monthly(60 + 6 * s, s, `s${s}`));
    const plan = planGlobal(many, { model: "lstm", strategy: "direct", lookback: 12, horizon: 4, hiddenSize: 8, epochs: 2 }, 5);
    const out = finishGlobal(plan, plan.members.map((_, i) => runGlobalMember(plan, i)));
    const m = loadModel(out.modelBlob);
    const a = modelAnatomy(m, many[1]);
    expect(a.origin).toBe(many[1].values.length - 1);
    expect(a.layers[0].h).toHaveLength(12);
    for (const g of a.integration.relativeGaps) expect(g!).toBeLessThan(0.01);
  });
});
