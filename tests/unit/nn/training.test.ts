/**
 * End to end: the kernel learns a noisy sine. With noise σ = 0.1 the best possible one-step MSE is
 * σ² = 0.01 (the noise floor); persistence (repeat the last value) scores about 0.05 here.
 */
import { describe, expect, it } from "vitest";
import { Adam, createNetwork, mseLoss, type CellKind } from "../../../lib/nn";
import { mulberry32, normal, shuffleInPlace } from "../../../lib/tensor";

function sineWindows(seed: number, length: number, lookback: number) {
  const rng = mulberry32(seed);
  const s = new Float64Array(length);
  for (let t = 0; t < length; t++) s[t] = Math.sin((2 * Math.PI * t) / 25) + 0.1 * normal(rng);
  const n = length - lookback;
  const x = new Float32Array(n * lookback), y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < lookback; k++) x[i * lookback + k] = s[i + k];
    y[i] = s[i + lookback];
  }
  return { x, y, n };
}

function train(cell: CellKind) {
  const lookback = 20, batch = 32, epochs = 25;
  const tr = sineWindows(1, 20 + 640, lookback);
  const va = sineWindows(2, 20 + 400, lookback);
  const net = createNetwork({ kind: "many-to-one", cell, inputSize: 1, hiddenSize: 16, numLayers: 1, outputSize: 1 }, mulberry32(3));
  const opt = new Adam(net.params, { lr: 0.01 });
  const order = new Int32Array(tr.n).map((_, i) => i);
  const xb = new Float32Array(batch * lookback), yb = new Float32Array(batch), g = new Float32Array(batch);
  const rng = mulberry32(4);
  for (let e = 0; e < epochs; e++) {
    shuffleInPlace(order, rng);
    for (let start = 0; start + batch <= tr.n; start += batch) {
      for (let b = 0; b < batch; b++) {
        const i = order[start + b];
        xb.set(tr.x.subarray(i * lookback, (i + 1) * lookback), b * lookback);
        yb[b] = tr.y[i];
      }
      const pred = net.forward({ size: batch, seqLen: lookback, x: xb }, true);
      mseLoss(pred, yb, g);
      net.params.zeroGrad();
      net.backward(g);
      opt.step();
    }
  }
  const pred = net.forward({ size: va.n, seqLen: lookback, x: va.x }, false);
  const valMse = mseLoss(pred, va.y, null);
  let persist = 0;
  for (let i = 0; i < va.n; i++) persist += (va.x[i * lookback + lookback - 1] - va.y[i]) ** 2;
  return { valMse, persistence: persist / va.n };
}

describe("training on a noisy sine", () => {
  for (const cell of ["lstm", "gru"] as const) {
    it(`${cell} reaches a validation MSE near the noise floor (0.01)`, () => {
      const { valMse, persistence } = train(cell);
      expect(persistence).toBeGreaterThan(0.03);
      expect(valMse).toBeLessThan(0.015);
      expect(valMse).toBeGreaterThan(0.005); // it cannot beat the noise
    });
  }
});
