/**
 * RecurrentLayer.states(): per-step hidden states, cell states and gate activations in PyTorch's
 * layout and gate order, whatever the kernel set holds internally. Checked against the cell
 * equations themselves (LSTM c_t = f·c_{t-1} + i·g, h_t = o·tanh c_t; GRU h_t = (1-z)·n + z·h_{t-1})
 * and across kernel sets, after a training forward and after an inference forward.
 */
import { afterAll, describe, expect, it } from "vitest";
import { ParamStore, RecurrentStack, recurrentParamSpecs, type LayerStates, type RecurrentSpec } from "../../../lib/nn";
import { enableRelaxedSimd, kernels, mulberry32, normal, useKernels, type KernelName } from "../../../lib/tensor";

// This file runs every kernel set, the relaxed SIMD one included: turn it on in this test process
// (its own, forked by vitest) as the worker and the CLI do in theirs.
if (!enableRelaxedSimd()) throw new Error("relaxed SIMD could not be enabled (needs Node 20 with V8's flag, or Node 22+)");

function statesOf(spec: RecurrentSpec, set: KernelName, training: boolean): LayerStates[] {
  expect(useKernels(set)).toBe(set);
  const rng = mulberry32(4);
  const params = new ParamStore(recurrentParamSpecs(spec), "float32");
  for (let i = 0; i < params.size; i++) params.data[i] = normal(rng) / Math.sqrt(spec.hiddenSize);
  const stack = new RecurrentStack(spec, params);
  const B = 3, T = 5;
  const x = Float32Array.from({ length: T * B * spec.inputSize }, () => normal(rng));
  stack.forward(x, 0, B, T, null, null, false, null, training);
  return stack.layers.map((l) => l.states());
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

const initial = kernels.name;
afterAll(() => void useKernels(initial));

describe.each(["typescript", "wasm-simd", "wasm-relaxed"] as KernelName[])("layer states on the %s kernels", (set) => {
  for (const training of [true, false]) {
    it(`LSTM gates are i,f,g,o and reproduce c and h (${training ? "training" : "inference"} forward)`, () => {
      const [s] = statesOf({ cell: "lstm", inputSize: 2, hiddenSize: 6, numLayers: 1 }, set, training);
      const { steps: T, batch: B, hidden: H, h, c, gates } = s;
      if (c === null || gates === null) throw new Error("LSTM states without c or gates");
      expect([h.length, c.length, gates.length]).toEqual([(T + 1) * B * H, (T + 1) * B * H, T * B * 4 * H]);
      let worst = 0;
      for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) for (let j = 0; j < H; j++) {
        const g0 = (t * B + b) * 4 * H, at = (t * B + b) * H + j, next = at + B * H;
        const [i, f, g, o] = [0, 1, 2, 3].map((k) => gates[g0 + k * H + j]);
        worst = Math.max(worst, Math.abs(c[next] - (f * c[at] + i * g)), Math.abs(h[next] - o * Math.tanh(c[next])));
        for (const v of [i, f, o]) expect(v > 0 && v < 1).toBe(true);
      }
      expect(worst).toBeLessThan(1e-5);
    });

    it(`GRU gates are r,z,n and reproduce h (${training ? "training" : "inference"} forward)`, () => {
      const [s] = statesOf({ cell: "gru", inputSize: 3, hiddenSize: 5, numLayers: 1 }, set, training);
      const { steps: T, batch: B, hidden: H, h, c, gates } = s;
      if (gates === null) throw new Error("GRU states without gates");
      expect(c).toBeNull();
      let worst = 0;
      for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) for (let j = 0; j < H; j++) {
        const g0 = (t * B + b) * 3 * H, at = (t * B + b) * H + j;
        const z = gates[g0 + H + j], n = gates[g0 + 2 * H + j];
        worst = Math.max(worst, Math.abs(h[at + B * H] - ((1 - z) * n + z * h[at])));
      }
      expect(worst).toBeLessThan(1e-5);
    });
  }

  it("every layer of a stack, the same on every kernel set", () => {
    const spec: RecurrentSpec = { cell: "lstm", inputSize: 1, hiddenSize: 18, numLayers: 2 };
    const here = statesOf(spec, set, true), ref = statesOf(spec, "typescript", true);
    for (let k = 0; k < 2; k++) {
      expect(maxDiff(here[k].h, ref[k].h)).toBeLessThan(1e-5);
      expect(maxDiff(here[k].c ?? [], ref[k].c ?? [])).toBeLessThan(1e-5);
      expect(maxDiff(here[k].gates ?? [], ref[k].gates ?? [])).toBeLessThan(1e-5);
    }
  });
});
