/**
 * The window forecasters and integrated gradients of lib/forecast/anatomy, on random networks:
 * - the forecaster's value is the engine's own forecast (`memberForecast`) of the window, and of
 *   perturbed windows (so the reference and normalisation are those the engine applies), for the
 *   direct, recursive and seq2seq strategies with last-value, mean and differenced preparations;
 * - its input gradients equal central finite differences in float64, and the float32 gradients
 *   on every kernel set (relaxed SIMD included) equal the float64 ones;
 * - completeness: the attributions of every step sum to f(x) − f(baseline), within 1% at 50 points
 *   in float32 on every kernel set, and in float64 ever more exactly as the points grow (second
 *   order: the error falls about 16× for 4× the points);
 * - an input the network provably ignores (its weight column zeroed) gets exactly zero attribution.
 */
import { afterAll, describe, expect, it } from "vitest";
import { createNetwork, type CellKind, type DType, type Network } from "@/lib/nn";
import { enableRelaxedSimd, kernels, mulberry32, useKernels, type KernelName } from "@/lib/tensor";

import { memberForecast, networkConfigOf, windowSpecOf, type MemberSpec, type StrategyKind } from "@/lib/forecast/member";
import { buildWindows, calendarOf, modelSpace, type FittedPrep, type PrepSpec, type PreparedSeries } from "@/lib/forecast/prep";
import {
  DirectForecaster, RecursiveForecaster, integratedGradients, windowColumns, windowShape, type WindowForecaster,
} from "@/lib/forecast/anatomy";

// Every kernel set, the relaxed SIMD one included: turn it on in this test process (its own,
// forked by vitest) as the worker and the CLI do in theirs.
if (!enableRelaxedSimd()) throw new Error("relaxed SIMD could not be enabled (needs Node 20 with V8's flag, or Node 22+)");

const defaultKernels = kernels.name;
afterAll(() => void useKernels(defaultKernels));

const SEASON = 12, H = 5, L = 7, N = 60;

type Norm = "last" | "mean" | "recent" | "season" | "difference";
function prepSpec(norm: Norm): PrepSpec {
  return { deseasonalize: false, log: false, scaler: "none", difference: norm === "difference", windowNorm: norm === "difference" ? "last" : norm, gapFill: "linear" };
}
/** The identity preparation: memberForecast then answers in model units (z). */
function identityPrep(spec: PrepSpec): FittedPrep {
  return { spec, season: SEASON, seasonalIndices: [], log: false, scaler: { kind: "none", shift: 0, scale: 1 } };
}

/** A monthly-like z series (trend, season, noise), with its calendar for the month features. */
function series(seed: number): PreparedSeries {
  const rng = mulberry32(seed);
  const z = new Float64Array(N);
  for (let t = 0; t < N; t++) z[t] = 0.03 * t + 0.8 * Math.sin((2 * Math.PI * t) / SEASON) + 0.3 * (rng() - 0.5);
  const ts = Array.from({ length: N }, (_, t) => Date.UTC(2015, t, 1));
  return { z, phase: 0, missing: new Uint8Array(N), calendar: calendarOf(ts, "monthly", null, N + H) };
}

interface Setup {
  spec: MemberSpec;
  net: Network;
  data: { prepared: PreparedSeries[]; preps: FittedPrep[]; season: number; horizon: number; prepSpec: PrepSpec };
  forecaster: WindowForecaster;
  x: Float64Array;
  ref: number;
  origin: number;
}

function setup(cell: CellKind, strategy: StrategyKind, norm: Norm, dtype: DType, hidden = 8, seed = 11, ps = series(seed)): Setup {
  const spec: MemberSpec = { cell, strategy, lookback: L, hiddenSize: hidden, layers: 2, seed, features: { season: true, step: true, month: true } };
  const pspec = prepSpec(norm);
  const data = { prepared: [ps], preps: [identityPrep(pspec)], season: SEASON, horizon: H, prepSpec: pspec };
  const net = createNetwork(networkConfigOf(spec, data, 0), mulberry32(seed), dtype);
  return build(spec, net, data);
}

function build(spec: MemberSpec, net: Network, data: Setup["data"], origin = 40): Setup {
  const ws = windowSpecOf(spec, data);
  const columns = windowColumns(spec.features, SEASON, []);
  const shape = windowShape(L, columns, ws.windowNorm, ws.season);
  const w = buildWindows(data.prepared, ws, [{ seriesIndex: 0, origin }], false);
  let forecaster: WindowForecaster;
  if (spec.strategy === "recursive") {
    // The future time features, as the engine builds them: the last row of the windows after the origin.
    const F = columns.length;
    const ext = { ...data.prepared[0], z: new Float64Array(N + H) };
    const later = buildWindows([ext], ws, Array.from({ length: H - 1 }, (_, q) => ({ seriesIndex: 0, origin: origin + q + 1 })), false);
    const future = new Float64Array(H * F);
    for (let q = 1; q < H; q++) for (let c = 0; c < F; c++) future[q * F + c] = later.x[((q - 1) * L + L - 1) * F + c];
    forecaster = new RecursiveForecaster(net, shape, columns.map((c) => c.kind), H, future);
  } else forecaster = new DirectForecaster(net, shape, w.future);
  return { spec, net, data, forecaster, x: Float64Array.from(w.x), ref: w.ref[0], origin };
}

const STRATEGIES: StrategyKind[] = ["direct", "recursive", "seq2seq"];
const NORMS: Norm[] = ["last", "mean", "recent", "season", "difference"];
const CELLS: CellKind[] = ["lstm", "gru", "rnn"];

/** The engine's forecast from `origin` in model space (identity preparation). */
function engineForecast(s: Setup, ps: PreparedSeries): number[] {
  return memberForecast(s.net, s.spec, { ...s.data, prepared: [ps] }, [0], [s.origin])[0];
}

describe("window forecasters compute the engine's forecast", () => {
  for (const strategy of STRATEGIES)
    for (const norm of NORMS) {
      const cell = CELLS[(STRATEGIES.indexOf(strategy) + NORMS.indexOf(norm)) % 3];
      it(`${cell} ${strategy}, ${norm}: at the window and at perturbed windows`, () => {
        const s = setup(cell, strategy, norm, "float64");
        const ps = s.data.prepared[0];
        // The engine stores its windows in float32: agreement to float32 rounding of the inputs.
        const check = (z: Float64Array, X: Float64Array) => {
          const engine = engineForecast(s, { ...ps, z });
          const f = s.forecaster.evaluate(X, 1, null, []).values;
          if (norm === "difference") {
            // The model forecasts differences: the level path adds them to the last z.
            let acc = z[s.origin];
            for (let k = 0; k < H; k++) expect((acc += f[k])).toBeCloseTo(engine[k], 6);
          } else for (let k = 0; k < H; k++) expect(f[k] + s.ref).toBeCloseTo(engine[k], 6);
        };
        check(ps.z, s.x);
        // Perturb the history in the window: the raw window relative to the ORIGINAL reference.
        const rng = mulberry32(5);
        for (let trial = 0; trial < 3; trial++) {
          const z = Float64Array.from(ps.z);
          for (let t = s.origin - L; t <= s.origin; t++) z[t] += 0.4 * (rng() - 0.5);
          const space = modelSpace(z, norm === "difference");
          const X = Float64Array.from(s.x);
          const F = X.length / L;
          for (let r = 0; r < L; r++) X[r * F] = space[s.origin - L + 1 + r] - (norm === "difference" ? 0 : s.ref);
          check(z, X);
        }
      });
    }
});

/** Σ_b weights[b] ∂f_k/∂X_b at one window (weights [1]) for every step k. */
function gradients(f: WindowForecaster, X: Float64Array): Float64Array[] {
  return f.evaluate(X, 1, Float64Array.of(1), Array.from({ length: f.outputs }, (_, k) => k)).grads;
}

describe("input gradients", () => {
  for (const strategy of STRATEGIES)
    for (const norm of NORMS) {
      const cell = CELLS[(STRATEGIES.indexOf(strategy) + 2 * NORMS.indexOf(norm)) % 3];
      it(`${cell} ${strategy}, ${norm}: equal central finite differences (float64)`, () => {
        const s = setup(cell, strategy, norm, "float64");
        const X = Float64Array.from(s.x, (v, i) => v + 0.1 * Math.sin(3 * i));
        const g = gradients(s.forecaster, X);
        const h = 1e-6;
        for (let i = 0; i < X.length; i++) {
          const up = Float64Array.from(X), down = Float64Array.from(X);
          up[i] += h;
          down[i] -= h;
          const fu = s.forecaster.evaluate(up, 1, null, []).values, fd = s.forecaster.evaluate(down, 1, null, []).values;
          for (let k = 0; k < H; k++) {
            const fdGrad = (fu[k] - fd[k]) / (2 * h);
            expect(Math.abs(g[k][i] - fdGrad), `step ${k} input ${i}: ${g[k][i]} vs ${fdGrad}`).toBeLessThan(1e-7 * Math.max(1, Math.abs(fdGrad)));
          }
        }
      });
    }

  const kernelSets: KernelName[] = ["typescript", "wasm-simd", "wasm-relaxed"];
  for (const kernelSet of kernelSets)
    for (const strategy of STRATEGIES) {
      const cell = CELLS[STRATEGIES.indexOf(strategy)];
      it(`${cell} ${strategy}: float32 on the ${kernelSet} kernels equals float64`, () => {
        const s64 = setup(cell, strategy, "last", "float64", 16);
        useKernels(kernelSet);
        const s32 = setup(cell, strategy, "last", "float32", 16);
        s32.net.params.data.set(s64.net.params.data); // the same weights, rounded to float32
        s64.net.params.data.set(s32.net.params.data);
        const X = Float64Array.from(s64.x, (v, i) => v + 0.1 * Math.cos(i));
        const g64 = gradients(s64.forecaster, X), g32 = gradients(s32.forecaster, X);
        for (let k = 0; k < H; k++) {
          const scale = Math.max(1e-3, ...g64[k].map(Math.abs));
          for (let i = 0; i < X.length; i++) expect(Math.abs(g32[k][i] - g64[k][i]) / scale).toBeLessThan(1e-4);
        }
      });
    }
});

/** Mean level of each column: the baseline of the anatomy. */
function meanBaseline(x: Float64Array, F: number): Float64Array {
  const b = new Float64Array(x.length);
  for (let c = 0; c < F; c++) {
    let m = 0;
    for (let r = 0; r < L; r++) m += x[r * F + c];
    for (let r = 0; r < L; r++) b[r * F + c] = m / L;
  }
  return b;
}

function completenessGaps(s: Setup, points: number): { gaps: number[]; deltas: number[] } {
  const F = s.x.length / L;
  const steps = Array.from({ length: H }, (_, k) => k);
  const ig = integratedGradients(s.forecaster, s.x, meanBaseline(s.x, F), points, steps);
  const deltas = steps.map((k) => ig.fx[k] - ig.fbaseline[k]);
  const gaps = ig.attributions.map((a, k) => Math.abs(a.reduce((x, y) => x + y, 0) - deltas[k]) / Math.abs(deltas[k]));
  return { gaps, deltas };
}

describe("completeness: attributions sum to f(x) − f(baseline)", () => {
  for (const kernelSet of ["typescript", "wasm-simd", "wasm-relaxed"] as KernelName[])
    for (const strategy of STRATEGIES)
      for (const cell of CELLS) {
        it(`${cell} ${strategy}, float32 on the ${kernelSet} kernels: within 1% at 50 points`, () => {
          useKernels(kernelSet);
          const s = setup(cell, strategy, "last", "float32", 16, 23);
          const { gaps, deltas } = completenessGaps(s, 50);
          for (let k = 0; k < H; k++) {
            expect(Math.abs(deltas[k]), "the window moves the forecast away from the baseline's").toBeGreaterThan(1e-3);
            expect(gaps[k], `step ${k}`).toBeLessThan(0.01);
          }
        });
      }

  for (const strategy of STRATEGIES)
    it(`lstm ${strategy}, float64: exact in the limit of many points (second-order convergence)`, () => {
      const s = setup("lstm", strategy, "mean", "float64", 8, 29);
      const worst = [25, 100, 400, 1600].map((m) => Math.max(...completenessGaps(s, m).gaps));
      for (let i = 1; i < worst.length; i++) expect(worst[i], `${worst.join(", ")}`).toBeLessThan(worst[i - 1] / 8);
      expect(worst[worst.length - 1]).toBeLessThan(1e-6);
    });
});

describe("an input the network ignores gets no attribution", () => {
  for (const strategy of STRATEGIES)
    for (const cell of CELLS) {
      it(`${cell} ${strategy}: the step and month-cos columns with zeroed weights`, () => {
        const s = setup(cell, strategy, "last", "float64", 8, 31);
        const columns = windowColumns(s.spec.features, SEASON, []);
        const F = columns.length;
        const ignored = [columns.findIndex((c) => c.name === "step"), columns.findIndex((c) => c.name === "month cos")];
        expect(ignored.every((c) => c > 0)).toBe(true);
        const w = s.net.params.value("weight_ih_l0"); // [G·H, F]
        for (let r = 0; r < w.length / F; r++) for (const c of ignored) w[r * F + c] = 0;
        const ig = integratedGradients(s.forecaster, s.x, meanBaseline(s.x, F), 20, Array.from({ length: H }, (_, k) => k));
        for (const a of ig.attributions) {
          for (let r = 0; r < L; r++) for (const c of ignored) expect(Math.abs(a[r * F + c])).toBe(0);
          // … while the inputs it reads do get some.
          expect(a.some((v, i) => i % F === 0 && v !== 0)).toBe(true);
        }
      });
    }
});
