/**
 * The networks give the same results on every kernel set: the WebAssembly sets (plain SIMD and
 * relaxed SIMD; float32) against the TypeScript reference, and float32 against float64, with
 * stacked layers (dx of the upper layer), seq2seq (gradOut and dh0/dc0) and odd sizes.
 */
import { afterEach, describe, expect, it } from "vitest";
import { RecurrentNetwork, mseLoss, type NetworkConfig } from "../../../lib/nn";
import { enableRelaxedSimd, kernels, mulberry32, normal, useKernels, wasmSimdAvailable, type KernelName } from "../../../lib/tensor";
import { relativeError as rel } from "../../helpers/compare";

// This file runs every kernel set, the relaxed SIMD one included: turn it on in this test process
// (its own, forked by vitest) as the worker and the CLI do in theirs.
if (!enableRelaxedSimd()) throw new Error("relaxed SIMD could not be enabled (needs Node 20 with V8's flag, or Node 22+)");

function run(config: NetworkConfig, dtype: "float32" | "float64") {
  const net = new RecurrentNetwork(config, dtype);
  net.initialize(mulberry32(1));
  const rng = mulberry32(2);
  const B = 16, T = 7;
  const x = Float64Array.from({ length: B * T * config.inputSize }, () => normal(rng));
  const y = Float64Array.from({ length: B * config.outputSize }, () => normal(rng));
  const future = config.kind === "seq2seq" ? Float64Array.from({ length: B * config.outputSize * (config.futureSize ?? 1) }, () => normal(rng)) : undefined;
  const cast = (a: Float64Array) => (dtype === "float32" ? Float32Array.from(a) : a);
  const pred = Float64Array.from(net.forward({ size: B, seqLen: T, x: cast(x), future: future && cast(future) }, false));
  const g = dtype === "float32" ? new Float32Array(pred.length) : new Float64Array(pred.length);
  mseLoss(net.forward({ size: B, seqLen: T, x: cast(x), future: future && cast(future) }, true), y, g);
  net.params.zeroGrad();
  net.backward(g);
  return { pred, grad: Float64Array.from(net.params.grad) };
}

const configs: NetworkConfig[] = [
  { kind: "many-to-one", cell: "lstm", inputSize: 3, hiddenSize: 32, numLayers: 2, outputSize: 4 },
  { kind: "many-to-one", cell: "gru", inputSize: 9, hiddenSize: 24, numLayers: 1, outputSize: 1 },
  { kind: "seq2seq", cell: "lstm", inputSize: 2, hiddenSize: 20, numLayers: 2, outputSize: 5, futureSize: 3 },
  { kind: "seq2seq", cell: "gru", inputSize: 1, hiddenSize: 17, numLayers: 2, outputSize: 3, futureSize: 1 },
  { kind: "seq2seq", cell: "rnn", inputSize: 2, hiddenSize: 40, numLayers: 2, outputSize: 5, futureSize: 3 },
];

const initial = kernels.name;
afterEach(() => {
  useKernels(initial);
});

describe("kernel sets agree at the network level", () => {
  it("the best set is the default: relaxed SIMD once enabled (as in the worker and the CLI)", () => {
    expect(wasmSimdAvailable()).toBe(true);
    expect(initial).toBe("wasm-relaxed");
  });

  for (const set of ["wasm-simd", "wasm-relaxed"] as KernelName[]) for (const config of configs) {
    it(`${config.kind} ${config.cell}: ${set} float32 = typescript float32 = float64`, () => {
      expect(useKernels(set)).toBe(set);
      const simd = run(config, "float32");
      useKernels("typescript");
      const ts = run(config, "float32");
      const f64 = run(config, "float64");
      expect(rel(simd.pred, ts.pred)).toBeLessThan(1e-5);
      expect(rel(simd.grad, ts.grad)).toBeLessThan(1e-4);
      expect(rel(simd.pred, f64.pred)).toBeLessThan(1e-4);
      expect(rel(simd.grad, f64.grad)).toBeLessThan(1e-3);
      expect(rel(simd.grad, new Float64Array(simd.grad.length))).toBeGreaterThan(1e-3);
    });
  }
});
