/**
 * Finite-difference gradient checks in float64: every parameter, input and initial state of each
 * cell (tanh and relu RNN, LSTM, GRU; one and several layers), the many-to-one network with
 * dropout, the seq2seq network, the dense head, and each loss. Then the same checks in float32 on
 * every kernel set (the TypeScript reference, WebAssembly SIMD and relaxed SIMD), each kernel's
 * backward against finite differences of its own forward, at float32's coarser tolerance.
 */
import { afterAll, describe, expect, it } from "vitest";
import {
  Dense, ParamStore, RecurrentNetwork, RecurrentStack, denseParamSpecs, huberLoss, maeLoss, mseLoss,
  pinballLoss, recurrentParamSpecs, type CellKind, type NetworkConfig, type RecurrentSpec,
} from "../../../lib/nn";
import { enableRelaxedSimd, kernels, mulberry32, normal, useKernels, type KernelName, type Rng } from "../../../lib/tensor";

// This file runs every kernel set, the relaxed SIMD one included: turn it on in this test process
// (its own, forked by vitest) as the worker and the CLI do in theirs.
if (!enableRelaxedSimd()) throw new Error("relaxed SIMD could not be enabled (needs Node 20 with V8's flag, or Node 22+)");

function randn(n: number, rng: Rng, s = 1): Float64Array {
  const a = new Float64Array(n);
  for (let i = 0; i < n; i++) a[i] = s * normal(rng);
  return a;
}

/** Finite-difference step and the smallest gradient a check accepts as not trivially zero, per precision. */
const STEP = { float64: { h: 1e-6, minRef: 1e-4 }, float32: { h: 4e-3, minRef: 1e-2 } };

/**
 * Central differences of f wrt every element of `a`, compared with `analytic` (README metric). In
 * float32 the step is large enough that float32 rounding of the loss (about 1e-7 relative) stays
 * well below the step's effect; the step actually taken (after rounding) is what is divided by.
 */
function checkAll(label: string, a: Float64Array | Float32Array, analytic: ArrayLike<number>, f: () => number, tol = 1e-6, precision: keyof typeof STEP = "float64"): void {
  const { h, minRef } = STEP[precision];
  expect(analytic.length, `${label} length`).toBe(a.length);
  let maxDiff = 0, maxRef = 0;
  for (let i = 0; i < a.length; i++) {
    const old = a[i];
    a[i] = old + h;
    const up = a[i], fp = f();
    a[i] = old - h;
    const down = a[i], fm = f();
    a[i] = old;
    const num = (fp - fm) / (up - down);
    maxDiff = Math.max(maxDiff, Math.abs(num - analytic[i]));
    maxRef = Math.max(maxRef, Math.abs(num));
  }
  expect(maxRef, `${label}: gradient is not trivially zero`).toBeGreaterThan(minRef);
  const e = maxDiff / Math.max(1, maxRef);
  expect(e, `${label}: finite-difference error ${e.toExponential(2)}`).toBeLessThan(tol);
}

/** The stack's outputs and final states projected on fixed random directions: a scalar whose gradient is backward's given those directions. */
function projectedLoss(stack: RecurrentStack, x: Float64Array | Float32Array, B: number, T: number, h0: Float64Array, c0: Float64Array | null, dirs: { out: Float64Array; hN: Float64Array; cN: Float64Array }): () => number {
  return () => {
    const r = stack.forwardBatchFirst(x, B, T, h0, c0);
    let s = 0;
    for (let i = 0; i < r.output.length; i++) s += r.output[i] * dirs.out[i];
    for (let i = 0; i < r.hN.length; i++) s += r.hN[i] * dirs.hN[i];
    if (r.cN) for (let i = 0; i < r.cN.length; i++) s += r.cN[i] * dirs.cN[i];
    return s;
  };
}

const stackCases: { name: string; spec: RecurrentSpec }[] = [
  { name: "rnn tanh, 1 layer", spec: { cell: "rnn", nonlinearity: "tanh", inputSize: 3, hiddenSize: 5, numLayers: 1 } },
  { name: "rnn relu, 2 layers", spec: { cell: "rnn", nonlinearity: "relu", inputSize: 3, hiddenSize: 4, numLayers: 2 } },
  { name: "lstm, 1 layer", spec: { cell: "lstm", inputSize: 2, hiddenSize: 5, numLayers: 1 } },
  { name: "lstm, 3 layers", spec: { cell: "lstm", inputSize: 3, hiddenSize: 4, numLayers: 3 } },
  { name: "gru, 1 layer", spec: { cell: "gru", inputSize: 3, hiddenSize: 5, numLayers: 1 } },
  { name: "gru, 2 layers", spec: { cell: "gru", inputSize: 4, hiddenSize: 8, numLayers: 2 } },
];

describe("recurrent stack gradients (float64, finite differences)", () => {
  for (const { name, spec } of stackCases) {
    it(name, () => {
      const rng = mulberry32(11);
      const B = 3, T = 4, L = spec.numLayers, H = spec.hiddenSize, I = spec.inputSize;
      const params = new ParamStore(recurrentParamSpecs(spec), "float64");
      for (let i = 0; i < params.size; i++) params.data[i] = (2 * rng() - 1) / Math.sqrt(H) + 0.1 * normal(rng);
      const stack = new RecurrentStack(spec, params);
      const x = randn(B * T * I, rng), h0 = randn(L * B * H, rng, 0.5), c0 = randn(L * B * H, rng, 0.5);
      const gOut = randn(B * T * H, rng), gHN = randn(L * B * H, rng), gCN = randn(L * B * H, rng);
      const isLstm = spec.cell === "lstm";
      const loss = projectedLoss(stack, x, B, T, h0, isLstm ? c0 : null, { out: gOut, hN: gHN, cN: gCN });
      loss();
      params.zeroGrad();
      const g = stack.backwardBatchFirst(gOut, gHN, isLstm ? gCN : null);
      const analytic = Float64Array.from(params.grad);
      const dx = Float64Array.from(g.dx), dh0 = Float64Array.from(g.dh0);
      checkAll("params", params.data as Float64Array, analytic, loss);
      checkAll("input", x, dx, loss);
      checkAll("h0", h0, dh0, loss);
      if (isLstm && g.dc0) checkAll("c0", c0, Float64Array.from(g.dc0), loss);
    });
  }
});

const float32Cases: { name: string; spec: RecurrentSpec }[] = [
  { name: "lstm, 2 layers", spec: { cell: "lstm", inputSize: 3, hiddenSize: 6, numLayers: 2 } },
  { name: "gru, 2 layers", spec: { cell: "gru", inputSize: 2, hiddenSize: 7, numLayers: 2 } },
  { name: "lstm, 1 layer, hidden 20", spec: { cell: "lstm", inputSize: 1, hiddenSize: 20, numLayers: 1 } },
  { name: "gru, 1 layer, hidden 20", spec: { cell: "gru", inputSize: 1, hiddenSize: 20, numLayers: 1 } },
];

describe.each(["typescript", "wasm-simd", "wasm-relaxed"] as KernelName[])("recurrent stack gradients on the %s kernels (float32, finite differences)", (set) => {
  const initial = kernels.name;
  afterAll(() => void useKernels(initial));
  for (const { name, spec } of float32Cases) {
    it(name, () => {
      expect(useKernels(set)).toBe(set);
      const rng = mulberry32(17);
      const B = 3, T = 4, L = spec.numLayers, H = spec.hiddenSize, I = spec.inputSize, isLstm = spec.cell === "lstm";
      const params = new ParamStore(recurrentParamSpecs(spec), "float32");
      for (let i = 0; i < params.size; i++) params.data[i] = (2 * rng() - 1) / Math.sqrt(H) + 0.2 * normal(rng);
      const stack = new RecurrentStack(spec, params);
      const x = Float32Array.from(randn(B * T * I, rng)), h0 = randn(L * B * H, rng, 0.5), c0 = randn(L * B * H, rng, 0.5);
      const gOut = randn(B * T * H, rng), gHN = randn(L * B * H, rng), gCN = randn(L * B * H, rng);
      const loss = projectedLoss(stack, x, B, T, h0, isLstm ? c0 : null, { out: gOut, hN: gHN, cN: gCN });
      loss();
      params.zeroGrad();
      const g = stack.backwardBatchFirst(gOut, gHN, isLstm ? gCN : null);
      // observed errors are 1e-5 … 1e-4 on every set; a wrong term in any gradient is far above 1e-3
      checkAll("params", params.data as Float32Array, Float64Array.from(params.grad), loss, 1e-3, "float32");
      checkAll("input", x, Float64Array.from(g.dx), loss, 1e-3, "float32");
    });
  }
});

function netLoss(net: RecurrentNetwork, x: Float64Array, future: Float64Array | undefined, B: number, T: number, target: Float64Array, dropSeed: number | null): number {
  const pred = net.forward({ size: B, seqLen: T, x, future }, dropSeed !== null, dropSeed !== null ? mulberry32(dropSeed) : undefined);
  return mseLoss(pred, target, null);
}

const netCases: { name: string; config: NetworkConfig; dropout: boolean }[] = [
  { name: "many-to-one lstm, 2 layers, direct 3-step head, dropout", config: { kind: "many-to-one", cell: "lstm", inputSize: 2, hiddenSize: 5, numLayers: 2, outputSize: 3, dropout: 0.3 }, dropout: true },
  { name: "many-to-one rnn relu", config: { kind: "many-to-one", cell: "rnn", nonlinearity: "relu", inputSize: 1, hiddenSize: 6, numLayers: 1, outputSize: 1 }, dropout: false },
  { name: "seq2seq lstm, 2 layers", config: { kind: "seq2seq", cell: "lstm", inputSize: 2, hiddenSize: 4, numLayers: 2, outputSize: 3, futureSize: 2 }, dropout: false },
  { name: "seq2seq gru", config: { kind: "seq2seq", cell: "gru", inputSize: 1, hiddenSize: 5, numLayers: 1, outputSize: 4, futureSize: 1 }, dropout: false },
  { name: "seq2seq rnn tanh, 2 layers, dropout", config: { kind: "seq2seq", cell: "rnn", inputSize: 1, hiddenSize: 3, numLayers: 2, outputSize: 2, futureSize: 3, dropout: 0.25 }, dropout: true },
];

describe("network gradients (float64, finite differences)", () => {
  for (const { name, config, dropout } of netCases) {
    it(name, () => {
      const rng = mulberry32(5);
      const net = new RecurrentNetwork(config, "float64");
      net.initialize(rng);
      for (let i = 0; i < net.params.size; i++) net.params.data[i] += 0.1 * normal(rng);
      const B = 3, T = 5, I = config.inputSize, O = config.outputSize;
      const x = randn(B * T * I, rng);
      const future = config.kind === "seq2seq" ? randn(B * O * (config.futureSize ?? 1), rng) : undefined;
      const target = randn(B * O, rng);
      const seed = dropout ? 99 : null;
      const pred = net.forward({ size: B, seqLen: T, x, future }, dropout, seed !== null ? mulberry32(seed) : undefined);
      const grad = new Float64Array(B * O);
      mseLoss(pred, target, grad);
      net.params.zeroGrad();
      const dx = new Float64Array(x.length);
      net.backward(grad, dx);
      const analytic = Float64Array.from(net.params.grad);
      const f = (): number => netLoss(net, x, future, B, T, target, seed);
      checkAll("params", net.params.data as Float64Array, analytic, f);
      checkAll("input", x, dx, f);
    });
  }

  it("dropout changes training outputs but not inference", () => {
    const config: NetworkConfig = { kind: "many-to-one", cell: "gru", inputSize: 1, hiddenSize: 4, numLayers: 2, outputSize: 1, dropout: 0.5 };
    const net = new RecurrentNetwork(config, "float64");
    net.initialize(mulberry32(3));
    const x = randn(4 * 6, mulberry32(4));
    const a = Array.from(net.forward({ size: 4, seqLen: 6, x }, false));
    const b = Array.from(net.forward({ size: 4, seqLen: 6, x }, false));
    const c = Array.from(net.forward({ size: 4, seqLen: 6, x }, true, mulberry32(1)));
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  });
});

describe("dense head gradients (float64)", () => {
  it("weight, bias and input", () => {
    const rng = mulberry32(8);
    const rows = 5, I = 7, O = 3;
    const params = new ParamStore(denseParamSpecs(I, O, "head"), "float64");
    for (let i = 0; i < params.size; i++) params.data[i] = normal(rng);
    const dense = new Dense(params, I, O, "head");
    const x = randn(rows * I, rng), r = randn(rows * O, rng), y = new Float64Array(rows * O);
    const f = (): number => {
      dense.forward(x, 0, rows, y, 0);
      let s = 0;
      for (let i = 0; i < y.length; i++) s += y[i] * r[i];
      return s;
    };
    f();
    params.zeroGrad();
    const dx = new Float64Array(rows * I);
    dense.backward(r, 0, dx, 0);
    const analytic = Float64Array.from(params.grad);
    checkAll("params", params.data as Float64Array, analytic, f);
    checkAll("input", x, dx, f);
  });
});

describe("loss gradients (float64)", () => {
  const rng = mulberry32(21);
  const n = 12;
  const target = randn(n, rng);
  // keep every residual away from the kinks (0 for MAE/pinball, ±δ for Huber)
  const pred = new Float64Array(n);
  for (let i = 0; i < n; i++) pred[i] = target[i] + (i % 2 ? 1 : -1) * (0.2 + 0.25 * (i % 5));
  const cases: [string, (p: Float64Array, g: Float64Array | null) => number][] = [
    ["mse", (p, g) => mseLoss(p, target, g)],
    ["mae", (p, g) => maeLoss(p, target, g)],
    ["huber δ=0.5", (p, g) => huberLoss(p, target, g, 0.5)],
    ["pinball q=0.9", (p, g) => pinballLoss(p, target, g, 0.9)],
    ["pinball q=0.1", (p, g) => pinballLoss(p, target, g, 0.1)],
  ];
  for (const [name, loss] of cases) {
    it(name, () => {
      const p = Float64Array.from(pred), g = new Float64Array(n);
      loss(p, g);
      checkAll(name, p, g, () => loss(p, null), 1e-8);
    });
  }

  it("values match their definitions", () => {
    const p = new Float64Array([1, 2, 3, 4]), t = [1.5, 2, 1, 7];
    expect(mseLoss(p, t, null)).toBeCloseTo((0.25 + 0 + 4 + 9) / 4, 12);
    expect(maeLoss(p, t, null)).toBeCloseTo((0.5 + 0 + 2 + 3) / 4, 12);
    expect(huberLoss(p, t, null, 1)).toBeCloseTo((0.125 + 0 + 1.5 + 2.5) / 4, 12);
    // u = t - p = [0.5, 0, -2, 3], q = 0.8: [0.4, 0, 0.4, 2.4]
    expect(pinballLoss(p, t, null, 0.8)).toBeCloseTo((0.4 + 0 + 0.4 + 2.4) / 4, 12);
    expect(() => mseLoss(p, [1, 2], null)).toThrow(/target/);
    expect(() => pinballLoss(p, t, null, 1)).toThrow(/quantile/);
  });
});

// Guard: the cases above cover every cell kind.
it("gradient checks cover rnn, lstm and gru", () => {
  const cells = new Set<CellKind>(stackCases.map((c) => c.spec.cell));
  expect([...cells].sort()).toEqual(["gru", "lstm", "rnn"]);
});
