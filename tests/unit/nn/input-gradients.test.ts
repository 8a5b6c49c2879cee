/**
 * Input gradients only (`backward(grad, dx, { paramGrads: false })`, what attributions use): the
 * same dL/dx as a full backward, no weight gradient written, and several backward passes after
 * one forward give the same answers (the forward caches survive backward), also after an inference
 * forward asked to keep its caches. Every cell and network kind, on every float32 kernel set
 * (relaxed SIMD included) and in float64.
 */
import { afterAll, describe, expect, it } from "vitest";
import { createNetwork, type CellKind, type DType, type NetworkConfig } from "../../../lib/nn";
import { enableRelaxedSimd, kernels, mulberry32, useKernels, type KernelName } from "../../../lib/tensor";

// Every kernel set, the relaxed SIMD one included: turn it on in this test process (its own,
// forked by vitest) as the worker and the CLI do in theirs.
if (!enableRelaxedSimd()) throw new Error("relaxed SIMD could not be enabled (needs Node 20 with V8's flag, or Node 22+)");

const defaultKernels = kernels.name;
afterAll(() => void useKernels(defaultKernels));

const cases: [DType, KernelName][] = [["float64", "typescript"], ["float32", "typescript"], ["float32", "wasm-simd"], ["float32", "wasm-relaxed"]];
const cells: CellKind[] = ["rnn", "lstm", "gru"];

describe("backward with paramGrads: false", () => {
  for (const [dtype, kernelSet] of cases)
    for (const cell of cells)
      for (const kind of ["many-to-one", "seq2seq"] as const) {
        it(`${cell} ${kind} (${dtype}, ${kernelSet})`, () => {
          useKernels(kernelSet);
          const config: NetworkConfig = { kind, cell, inputSize: 3, hiddenSize: 8, numLayers: 2, outputSize: 4, futureSize: kind === "seq2seq" ? 2 : undefined };
          const net = createNetwork(config, mulberry32(3), dtype);
          const B = 5, T = 6;
          const alloc = (n: number) => (dtype === "float64" ? new Float64Array(n) : new Float32Array(n));
          const x = alloc(B * T * 3).map((_, i) => Math.sin(0.7 * i));
          const future = kind === "seq2seq" ? alloc(B * 4 * 2).map((_, i) => Math.cos(i)) : undefined;
          net.forward({ size: B, seqLen: T, x, future }, false);
          const g = alloc(B * 4).map((_, i) => ((i * 7) % 5) - 2);
          const full = alloc(x.length);
          net.params.zeroGrad();
          net.backward(g, full);
          expect(net.params.grad.some((v) => v !== 0)).toBe(true);
          net.params.zeroGrad();
          for (let pass = 0; pass < 2; pass++) {
            const only = alloc(x.length);
            net.backward(g, only, { paramGrads: false });
            expect(Array.from(only)).toEqual(Array.from(full));
            expect(net.params.grad.every((v) => v === 0)).toBe(true);
          }
          // an inference forward that keeps its caches (what attributions run) gives the same gradients without recomputing
          net.forward({ size: B, seqLen: T, x, future }, false, undefined, { keepCaches: true });
          const kept = alloc(x.length);
          net.backward(g, kept, { paramGrads: false });
          expect(Array.from(kept)).toEqual(Array.from(full));
        });
      }
});
