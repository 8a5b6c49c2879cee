import { describe, expect, it } from "vitest";
import { cleanSeries } from "../../../lib/forecast/input";
import { makeVariant } from "../../../lib/forecast/variants";
import { trainSettingsFrom } from "../../../lib/forecast/ensemble";
import { memberWindows, networkConfigOf, refitSchedule, trainMember, type MemberSpec } from "../../../lib/forecast/member";
import { train } from "../../../lib/forecast/trainer";
import { createNetwork } from "../../../lib/nn";
import type { PrepSpec } from "../../../lib/forecast/prep";
import { fitForecast, ForecastCancelled, loadModel, predictFromModel, type EpochProgress, type SeriesInput } from "../../../lib/forecast";
import { REFIT_MIN_EPOCHS, WARMUP_EPOCHS, holdouts, selectionWindows, validationWindows } from "../../../lib/forecast/engine";
import { planSelection, WINDOWS_PER_EPOCH } from "../../../lib/forecast/selection";
import { resolveModelConfig } from "../../../lib/forecast/config";
import { mulberry32, normal } from "../../../lib/tensor/random";

function monthly(n: number, seed = 1): SeriesInput {
  const rng = mulberry32(seed);
  const timestamps = Float64Array.from({ length: n }, (_, i) => Date.UTC(2000, i, 1));
  const values = Float64Array.from({ length: n }, (_, i) => 100 + 0.5 * i + 15 * Math.sin((2 * Math.PI * i) / 12) + 2 * normal(rng));
  return { name: "s", timestamps, values, frequency: "monthly", stepMs: null };
}

const prep: PrepSpec = { deseasonalize: true, log: true, scaler: "none", difference: false, windowNorm: "last", gapFill: "linear" };
const spec: MemberSpec = { cell: "gru", strategy: "direct", lookback: 12, hiddenSize: 4, layers: 1, seed: 7, features: { season: true, step: true } };
const settings = trainSettingsFrom({ epochs: 14, learningRate: 0.01, batchSize: 8 }, 2);

describe("early stopping and the fixed-length refit (trainer)", () => {
  const s = cleanSeries(monthly(60), "linear");

  it("scores every window whose targets lie in the validation region", () => {
    const v = makeVariant(prep, [s], [42], [54], 12, 6);
    const { train, val } = memberWindows(spec, v.data);
    // targets in [42, 54) with 6 outputs: origins 41..47
    expect(val?.count).toBe(7);
    expect(train.count).toBe(42 - 12 - 6 + 1);
  });

  it("never keeps an epoch before the warm-up, and keeps its best epoch's weights and rates", () => {
    const v = makeVariant(prep, [s], [42], [54], 12, 6);
    const t = trainMember(spec, v.data, { ...settings, warmup: 6 });
    expect(t.result.bestEpoch).not.toBeNull();
    expect(t.result.bestEpoch!).toBeGreaterThanOrEqual(6);
    expect(t.result.history.every((h) => h.valLoss !== null && h.lr > 0)).toBe(true);
    const after = t.result.history.slice(5).map((h) => h.valLoss!);
    expect(t.result.bestValLoss).toBe(Math.min(...after.slice(0, t.result.bestEpoch! - 5)));
    // The refit replays the rates up to the best epoch, for at least the minimum.
    const sched = refitSchedule(t.result, 20);
    expect(sched).toHaveLength(20);
    expect(sched.slice(0, t.result.epochsRun)).toEqual(t.result.history.map((h) => h.lr));
    expect(refitSchedule(t.result, 1)).toEqual(t.result.history.slice(0, t.result.bestEpoch!).map((h) => h.lr));
  });

  it("a schedule runs exactly its epochs at its rates, with no validation, deterministically", () => {
    const all = makeVariant(prep, [s], [60], [60], 12, 6);
    expect(memberWindows(spec, all.data).val).toBeNull();
    const schedule = [0.01, 0.01, 0.005, 0.0025, 0.0025];
    const seen: (number | null)[] = [];
    // patience 1 would stop a validated fit after a bad epoch: the schedule ignores it
    const a = trainMember(spec, all.data, { ...settings, patience: 1 }, { onEpoch: (_e, _t, vl) => seen.push(vl) }, schedule);
    expect(a.result.epochsRun).toBe(5);
    expect(a.result.bestEpoch).toBeNull();
    expect(a.result.history.map((h) => h.lr)).toEqual(schedule);
    expect(seen).toEqual([null, null, null, null, null]);
    const b = trainMember(spec, all.data, settings, {}, schedule);
    expect(Array.from(b.net.params.data)).toEqual(Array.from(a.net.params.data));
  });
});

describe("fitForecast's refit on all the data", () => {
  const series = monthly(72);
  const config = { model: "gru" as const, strategy: "direct" as const, horizon: 6, lookback: 12, hiddenSize: 8, epochs: 30 };
  const reports: EpochProgress[] = [];
  const out = fitForecast(series, config, 3, { onEpoch: (p) => reports.push(p) });

  it("trains the chosen member for its Phase A best epoch (at least the minimum), without validation", () => {
    const phaseA = reports.filter((r) => r.member === 1);
    const refit = reports.filter((r) => r.member === 2);
    expect(reports.every((r) => r.member === 1 || r.member === 2)).toBe(true);
    expect(phaseA.every((r) => r.valLoss !== null && r.epochs === 30)).toBe(true);
    // Phase A: the best epoch is the lowest validation loss from the warm-up on.
    const best = out.chosen.bestEpoch!;
    const fromWarmup = phaseA.slice(Math.min(WARMUP_EPOCHS, 30) - 1);
    expect(best).toBeGreaterThanOrEqual(Math.min(WARMUP_EPOCHS, 30));
    expect(phaseA[best - 1].valLoss).toBe(Math.min(...fromWarmup.map((r) => r.valLoss!).slice(0, best - fromWarmup[0].epoch + 1)));
    const epochs = Math.max(best, Math.min(REFIT_MIN_EPOCHS, 30));
    expect(refit.map((r) => r.epoch)).toEqual(Array.from({ length: epochs }, (_, i) => i + 1));
    expect(refit.every((r) => r.valLoss === null && r.epochs === epochs)).toBe(true);
    expect(out.chosen.epochsRun).toBe(epochs);
  });

  it("is reproducible with a seed and its model file reproduces the forecast", () => {
    const again = fitForecast(series, config, 3);
    expect(again.forecast).toEqual(out.forecast);
    expect(again.holdout.model).toEqual(out.holdout.model);
    const p = predictFromModel(loadModel(out.modelBlob), series);
    expect(p.forecast).toEqual(out.forecast);
    expect(p.intervals).toEqual(out.intervals);
  });

  it("the refit reads the last points: the forecast changes with them, the evaluated model does not", () => {
    const changed: SeriesInput = { ...series, values: Float64Array.from(series.values) };
    for (let i = 66; i < 72; i++) changed.values[i] += 30;
    const o2 = fitForecast(changed, config, 3);
    expect(o2.holdout.model).toEqual(out.holdout.model);
    expect(o2.forecast).not.toEqual(out.forecast);
  });

  it("can be cancelled during the refit", () => {
    let refitting = false;
    expect(() =>
      fitForecast(series, config, 3, {
        onEpoch: (p) => {
          if (p.valLoss === null) refitting = true;
        },
        shouldStop: () => refitting,
      }),
    ).toThrow(ForecastCancelled);
    expect(refitting).toBe(true);
  });
});

describe("windows per epoch", () => {
  const s = cleanSeries(monthly(120), "linear");
  const v = makeVariant(prep, [s], [120], [120], 12, 6);

  it("trains each epoch on at most that many windows, a fresh draw each epoch", () => {
    const { train: windows } = memberWindows(spec, v.data);
    expect(windows.count).toBe(120 - 12 - 6 + 1);
    const net = createNetwork(networkConfigOf(spec, v.data, 0), mulberry32(1), "float32");
    // count the windows of every training forward pass, and which windows they were
    const rows: number[] = [];
    const firstInputs = new Set<number>();
    const forward = net.forward.bind(net);
    net.forward = (batch, training, rng) => {
      if (training) {
        rows.push(batch.size);
        for (let b = 0; b < batch.size; b++) firstInputs.add(batch.x[b * windows.lookback * windows.inputSize + windows.inputSize]);
      }
      return forward(batch, training, rng);
    };
    const perEpoch: number[] = [];
    const base = { epochs: 4, learningRate: 0.01, batchSize: 8, patience: 10, plateau: 5, minLearningRate: 0.001, clipNorm: 1, weightDecay: 0, loss: "mae" as const, rng: mulberry32(2) };
    train(net, windows, null, { ...base, windowsPerEpoch: 20, onEpoch: () => perEpoch.push(rows.splice(0).reduce((a, b) => a + b, 0)) });
    expect(perEpoch).toEqual([20, 20, 20, 20]);
    // four draws of 20 from 103 windows: more than one epoch's worth of distinct windows
    expect(firstInputs.size).toBeGreaterThan(20);
    // without a bound every window is seen every epoch
    rows.length = 0;
    const all: number[] = [];
    train(net, windows, null, { ...base, epochs: 2, onEpoch: () => all.push(rows.splice(0).reduce((a, b) => a + b, 0)) });
    expect(all).toEqual([103, 103]);
  });
});

describe("the selection plan of a long series", () => {
  const hourly = (n: number): SeriesInput => ({
    name: "h",
    timestamps: Float64Array.from({ length: n }, (_, i) => Date.UTC(2020, 0, 1) + i * 3_600_000),
    values: Float64Array.from({ length: n }, (_, i) => 100 + 10 * Math.sin((2 * Math.PI * i) / 24)),
    frequency: "hourly",
    stepMs: 3_600_000,
  });
  const plan = (n: number) => {
    const s = cleanSeries(hourly(n), "linear");
    const config = resolveModelConfig({}, "hourly", n);
    const { test: hold, validation } = holdouts(n, config.horizon, config.lookback);
    return { hold, validation, plan: planSelection(s, config, {}, n - hold, validation) };
  };

  it("validates a long series on up to 8 windows of one horizon, one per 25 horizons of data, and tests it on up to 4", () => {
    // 12,000 hourly points, horizon 24: 12,000 / (25 × 24) = 20 windows' worth
    expect([validationWindows(12_000, 24), selectionWindows(12_000, 24)]).toEqual([4, 8]);
    // 3,000 points: 5 windows' worth; 2,400 points: 4, where the two agree
    expect([validationWindows(3_000, 24), selectionWindows(3_000, 24)]).toEqual([4, 5]);
    expect([validationWindows(2_400, 24), selectionWindows(2_400, 24)]).toEqual([4, 4]);
    // an M3 monthly series (144 points, horizon 18) has one of each
    expect([validationWindows(144, 18), selectionWindows(144, 18)]).toEqual([1, 1]);
    // fitForecast holds out 4 test windows and before them 8 validation windows
    expect(holdouts(12_000, 24, 48)).toEqual({ test: 96, validation: 192 });
    expect(holdouts(600, 24, 48)).toEqual({ test: 24, validation: 24 });
    // too short for two whole windows: two equal shorter regions, (30 - 6 - 5) / 2 = 9 points each
    expect(holdouts(30, 12, 24)).toEqual({ test: 9, validation: 9 });
    const long = plan(12_000);
    expect(long.plan.trainEnd).toBe(12_000 - 96 - 192);
    expect(long.plan.end).toBe(12_000 - 96);
  });

  it("holds out several validation windows and skips the refit when the training part has 10 epochs' worth of windows", () => {
    const long = plan(12_000);
    expect(long.hold).toBe(4 * 24);
    expect(long.plan.steps).toBe(24);
    expect(long.plan.refit).toBe(false);
    expect(long.plan.settings.windowsPerEpoch).toBe(WINDOWS_PER_EPOCH);
    const short = plan(600);
    expect(short.hold).toBe(24);
    expect(short.plan.refit).toBe(true);
  });
});
