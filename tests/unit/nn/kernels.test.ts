/**
 * The networks give the same results on every kernel set: the WebAssembly SIMD gemm (float32
 * default) against the TypeScript reference, and float32 against float64, at sizes large enough
 * for the SIMD path to run (the PyTorch fixtures are too small to reach it).
 */
import { afterEach, describe, expect, it } from "vitest";
import { RecurrentNetwork, mseLoss, type NetworkConfig } from "../../../lib/nn";
import { kernels, mulberry32, normal, useKernels, wasmSimdAvailable } from "../../../lib/tensor";

function rel(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0, m = 0;
  for (let i = 0; i < b.length; i++) {
    d = Math.max(d, Math.abs(a[i] - b[i]));
    m = Math.max(m, Math.abs(b[i]));
  }
  return d / Math.max(1, m);
}

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
  { kind: "seq2seq", cell: "rnn", inputSize: 2, hiddenSize: 40, numLayers: 2, outputSize: 5, futureSize: 3 },
];

afterEach(() => {
  useKernels("wasm-simd");
});

describe("kernel sets agree at the network level", () => {
  it("wasm-simd is the default kernel set", () => {
    expect(wasmSimdAvailable()).toBe(true);
    expect(kernels.name).toBe("wasm-simd");
  });

  for (const config of configs) {
    it(`${config.kind} ${config.cell}: wasm-simd float32 = typescript float32 = float64`, () => {
      expect(useKernels("wasm-simd")).toBe("wasm-simd");
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
