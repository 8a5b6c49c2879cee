/** The WebAssembly SIMD sequence kernels agree with the TypeScript reference (float32 and float64 checks). */
import { describe, expect, it } from "vitest";
import {
  gruBackward, gruForward, lstmBackward, lstmForward, mulberry32, normal, wasmGruBackward, wasmGruForward, wasmLstmBackward, wasmLstmForward,
} from "../../../lib/tensor";

function randn(n: number, seed: number, s = 1): Float32Array {
  const rng = mulberry32(seed);
  return Float32Array.from({ length: n }, () => s * normal(rng));
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

describe("sequence kernels: wasm-simd against the TypeScript reference", () => {
  for (const [B, H, T] of [[5, 8, 6], [16, 32, 4], [3, 64, 3], [8, 12, 5]] as const) {
    it(`LSTM B=${B} H=${H} T=${T}`, () => {
      const G = 4 * H;
      const wT = randn(H * G, 1, 1 / Math.sqrt(H)), gates0 = randn(T * B * G, 2, 2);
      const hs0 = new Float32Array((T + 1) * B * H), cs0 = new Float32Array((T + 1) * B * H);
      hs0.set(randn(B * H, 3, 0.5));
      cs0.set(randn(B * H, 4, 3)); // large cell states reach the saturated ends of tanh
      const run = (f: typeof lstmForward) => {
        const gates = Float32Array.from(gates0), hs = Float32Array.from(hs0), cs = Float32Array.from(cs0), tanhC = new Float32Array(T * B * H);
        f(T, B, H, wT, gates, hs, cs, tanhC);
        return { gates, hs, cs, tanhC };
      };
      const ref = run((...a) => lstmForward(...a)), simd = run(wasmLstmForward);
      // float64 reference of the same computation
      const r64 = (() => {
        const gates = Float64Array.from(gates0), hs = Float64Array.from(hs0), cs = Float64Array.from(cs0), tanhC = new Float64Array(T * B * H);
        lstmForward(T, B, H, Float64Array.from(wT), gates, hs, cs, tanhC);
        return { gates, hs, cs, tanhC };
      })();
      for (const k of ["gates", "hs", "cs", "tanhC"] as const) {
        expect(maxDiff(simd[k], ref[k]), `${k} vs float32 reference`).toBeLessThan(2e-5);
        expect(maxDiff(simd[k], r64[k]), `${k} vs float64`).toBeLessThan(2e-5);
      }
      expect(maxDiff(simd.hs, new Float32Array(simd.hs.length))).toBeGreaterThan(0.1);
    });
  }

  for (const [B, H, T] of [[5, 8, 6], [16, 32, 4], [7, 24, 3], [4, 12, 3]] as const) {
    it(`GRU B=${B} H=${H} T=${T}`, () => {
      const G = 3 * H;
      const wT = randn(H * G, 5, 1 / Math.sqrt(H)), bhh = randn(G, 6, 0.3), gx0 = randn(T * B * G, 7, 2);
      const hs0 = new Float32Array((T + 1) * B * H);
      hs0.set(randn(B * H, 8, 0.5));
      const run = (f: typeof gruForward) => {
        const hs = Float32Array.from(hs0), act = new Float32Array(T * B * G), hn = new Float32Array(T * B * H), gh = new Float32Array(B * G);
        f(T, B, H, wT, bhh, Float32Array.from(gx0), hs, act, hn, gh);
        return { hs, act, hn };
      };
      const ref = run((...a) => gruForward(...a)), simd = run(wasmGruForward);
      for (const k of ["hs", "act", "hn"] as const) expect(maxDiff(simd[k], ref[k]), k).toBeLessThan(2e-5);
      expect(maxDiff(simd.hs, new Float32Array(simd.hs.length))).toBeGreaterThan(0.1);
    });
  }

  for (const [B, H, T, withGradOut, needH0] of [[5, 8, 6, true, true], [16, 32, 4, false, true], [3, 16, 3, true, false], [8, 12, 4, true, true]] as const) {
    it(`LSTM backward B=${B} H=${H} T=${T} gradOut=${withGradOut} h0 grad=${needH0}`, () => {
      const G = 4 * H, BH = B * H;
      const w = randn(G * H, 11, 1 / Math.sqrt(H));
      const gates = Float32Array.from(randn(T * B * G, 12), (v) => 1 / (1 + Math.exp(-v)));
      for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) for (let j = 0; j < H; j++) gates[t * B * G + b * G + 2 * H + j] = Math.tanh(gates[t * B * G + b * G + 2 * H + j] * 3 - 1.5);
      const cs = randn((T + 1) * BH, 13), tanhC = Float32Array.from(randn(T * BH, 14), Math.tanh);
      const gradOut = withGradOut ? randn(2 + T * BH, 15) : null;
      const run = (f: typeof lstmBackward) => {
        const dh = randn(BH, 16), dc = randn(BH, 17), dG = new Float32Array(T * B * G);
        f(T, B, H, w, gates, cs, tanhC, gradOut, 2, dh, dc, dG, needH0);
        return { dh, dc, dG };
      };
      const ref = run((...a) => lstmBackward(...a)), simd = run(wasmLstmBackward);
      for (const k of ["dh", "dc", "dG"] as const) expect(maxDiff(simd[k], ref[k]), k).toBeLessThan(2e-5);
      expect(maxDiff(simd.dG, new Float32Array(simd.dG.length))).toBeGreaterThan(0.01);
    });
  }

  for (const [B, H, T, withGradOut, needH0] of [[5, 8, 6, true, true], [16, 32, 4, false, true], [7, 24, 3, true, false]] as const) {
    it(`GRU backward B=${B} H=${H} T=${T} gradOut=${withGradOut} h0 grad=${needH0}`, () => {
      const G = 3 * H, BH = B * H;
      const w = randn(G * H, 21, 1 / Math.sqrt(H));
      const act = Float32Array.from(randn(T * B * G, 22), (v) => 1 / (1 + Math.exp(-v)));
      const hn = randn(T * BH, 23), hs = Float32Array.from(randn((T + 1) * BH, 24), Math.tanh);
      const gradOut = withGradOut ? randn(3 + T * BH, 25) : null;
      const run = (f: typeof gruBackward) => {
        const dh = randn(BH, 26), dGX = new Float32Array(T * B * G), dGH = new Float32Array(T * B * G);
        f(T, B, H, w, act, hn, hs, gradOut, 3, dh, dGX, dGH, needH0);
        return { dh, dGX, dGH };
      };
      const ref = run((...a) => gruBackward(...a)), simd = run(wasmGruBackward);
      for (const k of ["dh", "dGX", "dGH"] as const) expect(maxDiff(simd[k], ref[k]), k).toBeLessThan(2e-5);
      expect(maxDiff(simd.dGH, new Float32Array(simd.dGH.length))).toBeGreaterThan(0.01);
    });
  }
});
