import { describe, expect, it } from "vitest";
import {
  activationBackward, activationForward, affineRows, axpy, gemmNT, biasRows, colSum, dot, gruCellForward, lstmCellForward,
  expF32, mul, scale, sigmoid, sigmoidF32, sumSquares, swapAxes01, tanhF32,
} from "../../../lib/tensor";

/** The logistic function, written here (not lib/tensor's sigmoid) as the expected value. */
const logistic = (v: number): number => 1 / (1 + Math.exp(-v));

describe("elementwise ops and reductions", () => {
  it("biasRows broadcasts one or two vectors, overwriting or accumulating, with a row stride", () => {
    const C = new Float64Array(2 * 4).fill(1);
    biasRows(2, 3, C, 0, 4, new Float64Array([1, 2, 3]), 0, null, 0, true);
    expect(Array.from(C)).toEqual([2, 3, 4, 1, 2, 3, 4, 1]);
    biasRows(2, 3, C, 1, 4, new Float64Array([1, 2, 3]), 0, new Float64Array([0, 10, 0, 20]), 1, false);
    expect(Array.from(C)).toEqual([2, 11, 2, 23, 2, 11, 2, 23]);
  });

  it("affineRows computes x·Wᵀ + b1 (+ b2) for one and several features", () => {
    for (const K of [1, 3]) {
      const rows = 5, N = 6, ldc = 7;
      const x = Float64Array.from({ length: rows * K + 2 }, (_, i) => Math.sin(i));
      const W = Float64Array.from({ length: N * K }, (_, i) => Math.cos(i));
      const b1 = Float64Array.from({ length: N }, (_, i) => i / 10), b2 = Float64Array.from({ length: N }, (_, i) => -i / 3);
      for (const second of [null, b2]) {
        const C = new Float64Array(1 + rows * ldc).fill(9);
        affineRows(rows, N, K, x, 2, W, b1, second, C, 1, ldc, gemmNT);
        for (let r = 0; r < rows; r++) {
          for (let j = 0; j < N; j++) {
            let v = b1[j] + (second ? second[j] : 0);
            for (let k = 0; k < K; k++) v += x[2 + r * K + k] * W[j * K + k];
            expect(C[1 + r * ldc + j]).toBeCloseTo(v, 12);
          }
          expect(C[1 + r * ldc + N]).toBe(9); // padding untouched
        }
        expect(C[0]).toBe(9);
      }
    }
  });

  it("colSum sums columns of a strided block", () => {
    const A = new Float64Array([1, 2, 9, 3, 4, 9, 5, 6, 9]);
    const out = new Float64Array([10, 10]);
    colSum(3, 2, A, 0, 3, out, 0, true);
    expect(Array.from(out)).toEqual([19, 22]);
    colSum(2, 2, A, 3, 3, out, 0, false);
    expect(Array.from(out)).toEqual([8, 10]);
  });

  it("swapAxes01 converts batch-first to time-major and back", () => {
    const x = Float64Array.from({ length: 2 * 3 * 2 }, (_, i) => i); // [2,3,2]
    const t = new Float64Array(12);
    swapAxes01(x, 0, 2, 3, 2, t, 0); // [3,2,2]
    expect(Array.from(t)).toEqual([0, 1, 6, 7, 2, 3, 8, 9, 4, 5, 10, 11]);
    const back = new Float64Array(12);
    swapAxes01(t, 0, 3, 2, 2, back, 0);
    expect(Array.from(back)).toEqual(Array.from(x));
  });

  it("axpy, scale, mul, dot, sumSquares", () => {
    const x = new Float64Array([1, 2, 3]), y = new Float64Array([1, 1, 1]);
    axpy(3, 2, x, 0, y, 0);
    expect(Array.from(y)).toEqual([3, 5, 7]);
    scale(2, 0.5, y, 1);
    expect(Array.from(y)).toEqual([3, 2.5, 3.5]);
    const z = new Float64Array(3);
    mul(3, x, 0, y, 0, z, 0);
    expect(Array.from(z)).toEqual([3, 5, 10.5]);
    expect(dot(3, x, 0, y, 0)).toBe(18.5);
    expect(sumSquares(x, 1, 2)).toBe(13);
  });

  it("activations and their derivatives from the output", () => {
    const x = new Float64Array([-2, -0.5, 0, 0.5, 3]);
    for (const act of ["sigmoid", "tanh", "relu", "identity"] as const) {
      const y = new Float64Array(5), dx = new Float64Array(5);
      activationForward(act, 5, x, 0, y, 0);
      activationBackward(act, 5, y, 0, new Float64Array(5).fill(1), 0, dx, 0, false);
      for (let i = 0; i < 5; i++) {
        const f = (v: number): number => act === "sigmoid" ? logistic(v) : act === "tanh" ? Math.tanh(v) : act === "relu" ? Math.max(0, v) : v;
        expect(y[i]).toBeCloseTo(f(x[i]), 14);
        if (x[i] !== 0) expect(dx[i]).toBeCloseTo((f(x[i] + 1e-6) - f(x[i] - 1e-6)) / 2e-6, 6);
      }
    }
    expect(sigmoid(0.5)).toBeCloseTo(logistic(0.5), 15);
    expect(sigmoid(-1000)).toBe(0);
    expect(sigmoid(1000)).toBe(1);
  });

  it("fused LSTM and GRU steps match the cell equations", () => {
    const H = 2, B = 1;
    const pre = [0.3, -0.2, 0.5, 1.1, -0.7, 0.05, 0.9, -1.3];
    const gates = Float64Array.from(pre), cPrev = new Float64Array([0.4, -0.6]);
    const c = new Float64Array(2), tc = new Float64Array(2), h = new Float64Array(2);
    lstmCellForward(B, H, gates, 0, cPrev, 0, c, 0, tc, 0, h, 0);
    for (let j = 0; j < H; j++) {
      const i = logistic(pre[j]), f = logistic(pre[H + j]), g = Math.tanh(pre[2 * H + j]), o = logistic(pre[3 * H + j]);
      expect(c[j]).toBeCloseTo(f * cPrev[j] + i * g, 14);
      expect(h[j]).toBeCloseTo(o * Math.tanh(c[j]), 14);
    }
    const gx = new Float64Array([0.1, 0.2, -0.3, 0.4, 0.5, -0.6]), gh = new Float64Array([0.7, -0.8, 0.9, 0.15, -0.25, 0.35]);
    const bhh = new Float64Array([0.01, 0.02, 0.03, 0.04, 0.05, 0.06]), hp = new Float64Array([0.5, -0.5]);
    const act = new Float64Array(6), hn = new Float64Array(2), hg = new Float64Array(2);
    gruCellForward(B, H, gx, 0, gh, 0, bhh, 0, hp, 0, act, 0, hn, 0, hg, 0);
    for (let j = 0; j < H; j++) {
      const r = logistic(gx[j] + gh[j] + bhh[j]), z = logistic(gx[H + j] + gh[H + j] + bhh[H + j]);
      const n = Math.tanh(gx[2 * H + j] + r * (gh[2 * H + j] + bhh[2 * H + j]));
      expect(hg[j]).toBeCloseTo((1 - z) * n + z * hp[j], 14);
    }
  });

  it("the fast float32 exp, sigmoid and tanh are accurate to below float32 rounding", () => {
    let eExp = 0, eSig = 0, eTanh = 0;
    for (let i = -20000; i <= 20000; i++) {
      const x = i / 1000 + 1e-4 * Math.sin(i);
      if (Math.abs(x) < 80) eExp = Math.max(eExp, Math.abs(expF32(x) / Math.exp(x) - 1));
      eSig = Math.max(eSig, Math.abs(sigmoidF32(x) - 1 / (1 + Math.exp(-x))));
      const t = Math.tanh(x);
      eTanh = Math.max(eTanh, Math.abs(tanhF32(x) - t) / Math.max(Math.abs(t), 1e-3));
    }
    expect(eExp).toBeLessThan(3e-8);
    expect(eSig).toBeLessThan(3e-8);
    expect(eTanh).toBeLessThan(3e-8);
    for (const x of [1e-9, -1e-7, 1e-5]) expect(Math.abs(tanhF32(x) / Math.tanh(x) - 1)).toBeLessThan(1e-7);
    expect(sigmoidF32(-1000)).toBeLessThan(1e-37);
    expect(sigmoidF32(1000)).toBe(1);
    expect(tanhF32(500)).toBe(1);
    expect(tanhF32(-500)).toBe(-1);
  });
});
