/**
 * Checks the kernel against every PyTorch fixture in NN_REFERENCE_DIR (default ../shared/nn-reference
 * beside the project root), in float32 and float64, with the tolerances of the fixtures' README:
 * err(a, b) = max|a - b| / max(1, max|b|) per tensor. Dispatches on `kind`; any new fixture of the
 * documented format is picked up automatically.
 */
import fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  Adam, ParamStore, RecurrentStack, createNetwork, mseLoss, recurrentParamSpecs,
  type CellKind, type DType, type Floats, type RecurrentNetwork,
} from "../../../lib/nn";
import { enableRelaxedSimd, mulberry32, useKernels, kernels, type KernelName } from "../../../lib/tensor";
import { relativeError as err } from "../../helpers/compare";

// This file runs every kernel set, the relaxed SIMD one included: turn it on in this test process
// (its own, forked by vitest) as the worker and the CLI do in theirs.
if (!enableRelaxedSimd()) throw new Error("relaxed SIMD could not be enabled (needs Node 20 with V8's flag, or Node 22+)");

interface Tensor { shape: number[]; data: number[] }
type Weights = Record<string, Tensor>;
interface RecurrentFixture {
  name: string; kind: "sequence" | "forecaster"; cell: CellKind; nonlinearity?: "tanh" | "relu";
  inputSize: number; hiddenSize: number; numLayers: number; batch: number; seqLen: number;
  weights: Weights; input: Tensor; grads: Record<string, Tensor>;
}
interface SequenceFixture extends RecurrentFixture {
  kind: "sequence"; h0: Tensor; c0?: Tensor; output: Tensor; hN: Tensor; cN?: Tensor;
  gradOutput: Tensor; gradHN: Tensor; gradCN?: Tensor;
}
interface ForecasterFixture extends RecurrentFixture {
  kind: "forecaster"; outputSize: number; target: Tensor; prediction: Tensor; loss: number;
}
interface AdamFixture {
  name: string; kind: "adam"; p0: Tensor; gradients: Tensor[]; lr: number; eps: number;
  betas: [number, number]; weightDecay: number; after: Tensor[];
}
type Fixture = SequenceFixture | ForecasterFixture | AdamFixture;

const root = path.resolve(import.meta.dirname, "../../..");
const dir = process.env.NN_REFERENCE_DIR ? path.resolve(root, process.env.NN_REFERENCE_DIR) : path.resolve(root, "../shared/nn-reference");
const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith(".json")).sort() : [];

const TOL: Record<DType, { out: number; grad: number }> = {
  float32: { out: 1e-4, grad: 1e-3 },
  float64: { out: 1e-9, grad: 1e-9 },
};

function expectClose(label: string, actual: ArrayLike<number> | null | undefined, ref: Tensor, tol: number): void {
  const n = ref.shape.reduce((a, b) => a * b, 1);
  expect(ref.data.length, `${label}: fixture data length`).toBe(n);
  expect(actual, `${label}: computed`).toBeTruthy();
  if (!actual) return;
  expect(actual.length, `${label}: length`).toBe(n);
  for (let i = 0; i < n; i++) expect(Number.isFinite(actual[i]), `${label}[${i}] finite`).toBe(true);
  const e = err(actual, ref.data);
  expect(e, `${label}: err ${e.toExponential(2)} > ${tol}`).toBeLessThanOrEqual(tol);
}

function loadWeights(params: ParamStore, weights: Weights): void {
  const names = Object.keys(weights).sort();
  expect(params.names().slice().sort()).toEqual(names);
  for (const name of names) {
    expect([...params.entry(name).shape], `${name} shape`).toEqual(weights[name].shape);
    params.set(name, weights[name].data);
  }
}

function checkSequence(f: SequenceFixture, dtype: DType): void {
  const tol = TOL[dtype];
  const spec = { cell: f.cell, nonlinearity: f.nonlinearity, inputSize: f.inputSize, hiddenSize: f.hiddenSize, numLayers: f.numLayers };
  const params = new ParamStore(recurrentParamSpecs(spec), dtype);
  loadWeights(params, f.weights);
  const stack = new RecurrentStack(spec, params);
  const fwd = stack.forwardBatchFirst(f.input.data, f.batch, f.seqLen, f.h0.data, f.c0?.data ?? null);
  expectClose("output", fwd.output, f.output, tol.out);
  expectClose("hN", fwd.hN, f.hN, tol.out);
  if (f.cell === "lstm") {
    expect(f.cN && f.c0 && f.gradCN, "LSTM fixture has c0, cN and gradCN").toBeTruthy();
    if (f.cN) expectClose("cN", fwd.cN, f.cN, tol.out);
  }
  params.zeroGrad();
  const bwd = stack.backwardBatchFirst(f.gradOutput.data, f.gradHN.data, f.gradCN?.data ?? null);
  const checked = new Set<string>();
  for (const [key, ref] of Object.entries(f.grads)) {
    let actual: Floats | null;
    if (key === "input") actual = bwd.dx;
    else if (key === "h0") actual = bwd.dh0;
    else if (key === "c0") actual = bwd.dc0;
    else actual = params.gradOf(key);
    expectClose(`grads.${key}`, actual, ref, tol.grad);
    checked.add(key);
  }
  for (const name of params.names()) expect(checked.has(name), `fixture has a gradient for ${name}`).toBe(true);
  expect(checked.has("input") && checked.has("h0")).toBe(true);
}

function checkForecaster(f: ForecasterFixture, dtype: DType): void {
  const tol = TOL[dtype];
  const net = createNetwork({
    kind: "many-to-one", cell: f.cell, nonlinearity: f.nonlinearity, inputSize: f.inputSize,
    hiddenSize: f.hiddenSize, numLayers: f.numLayers, outputSize: f.outputSize,
  }, mulberry32(1), dtype) as RecurrentNetwork;
  loadWeights(net.params, f.weights);
  const x = dtype === "float64" ? Float64Array.from(f.input.data) : Float32Array.from(f.input.data);
  const pred = net.forward({ size: f.batch, seqLen: f.seqLen, x }, false);
  expectClose("prediction", pred, f.prediction, tol.out);
  const grad = dtype === "float64" ? new Float64Array(pred.length) : new Float32Array(pred.length);
  const loss = mseLoss(pred, f.target.data, grad);
  expectClose("loss", [loss], { shape: [1], data: [f.loss] }, tol.out);
  net.params.zeroGrad();
  const dx = dtype === "float64" ? new Float64Array(x.length) : new Float32Array(x.length);
  net.backward(grad, dx);
  const checked = new Set<string>();
  for (const [key, ref] of Object.entries(f.grads)) {
    expectClose(`grads.${key}`, key === "input" ? dx : net.params.gradOf(key), ref, tol.grad);
    checked.add(key);
  }
  for (const name of net.params.names()) expect(checked.has(name), `fixture has a gradient for ${name}`).toBe(true);
}

function checkAdam(f: AdamFixture, dtype: DType): void {
  const tol = TOL[dtype];
  const n = f.p0.data.length;
  const params = new ParamStore([{ name: "p", shape: [n] }], dtype);
  params.set("p", f.p0.data);
  const opt = new Adam(params, { lr: f.lr, beta1: f.betas[0], beta2: f.betas[1], eps: f.eps, weightDecay: f.weightDecay ?? 0 });
  expect(f.gradients.length).toBe(f.after.length);
  for (let t = 0; t < f.gradients.length; t++) {
    params.zeroGrad();
    for (let i = 0; i < n; i++) params.grad[i] = f.gradients[t].data[i];
    opt.step();
    expectClose(`after[${t}]`, params.data, f.after[t], tol.out);
  }
}

describe(`PyTorch reference fixtures in ${dir}`, () => {
  it("finds the fixture directory with at least one fixture", () => {
    expect(fs.existsSync(dir), `NN_REFERENCE_DIR ${dir} exists`).toBe(true);
    expect(files.length).toBeGreaterThan(0);
  });

  // float64 always runs the TypeScript reference; float32 runs on each kernel set, so a faster
  // kernel is held to PyTorch too, not only to the reference. The forecaster fixtures predict in
  // inference mode (the forward-only path) and then backpropagate (the layers recompute the forward
  // with caches first), so both forward paths meet PyTorch.
  const defaultKernels = kernels.name;
  afterAll(() => void useKernels(defaultKernels));
  const cases: [DType, KernelName][] = [["float64", "typescript"], ["float32", "typescript"], ["float32", "wasm-simd"], ["float32", "wasm-relaxed"]];
  for (const file of files) {
    for (const [dtype, kernelSet] of cases) {
      it(`${file} (${dtype}, ${kernelSet} kernels)`, () => {
        expect(useKernels(kernelSet)).toBe(kernelSet);
        const f = JSON.parse(fs.readFileSync(path.join(dir, file), "utf8")) as Fixture;
        switch (f.kind) {
          case "sequence": return checkSequence(f, dtype);
          case "forecaster": return checkForecaster(f, dtype);
          case "adam": return checkAdam(f, dtype);
          default: throw new Error(`${file}: unknown fixture kind ${String((f as { kind: unknown }).kind)}`);
        }
      });
    }
  }
});
