/**
 * The WebAssembly layer kernels (plain SIMD and relaxed SIMD builds) against the TypeScript
 * reference: forward outputs and final states, the forward-only (inference) path, backward's
 * dh0, dc0, dx and every weight gradient, and the per-step states, on shapes that exercise the
 * padding (odd batches, hidden sizes that are not a multiple of 16, several inputs). The reference
 * itself is held to PyTorch by reference.test.ts and to finite differences by gradcheck.test.ts.
 */
import { describe, expect, it } from "vitest";
import {
  ReferenceGatedLayer, WasmGatedLayer, enableRelaxedSimd, mulberry32, normal, relaxedSimdSupported,
  type GatedCell, type GatedLayerKernel, type GatedLayerSpec,
} from "../../../lib/tensor";
import { FLUSH_BELOW } from "../../../lib/tensor/wasm/emit";
import { createEngine, getEngine } from "../../../lib/tensor/wasm/module";
import { relativeError as err } from "../../helpers/compare";

// Both builds are tested: turn relaxed SIMD on in this test process (its own, forked by vitest).
if (!enableRelaxedSimd()) throw new Error("relaxed SIMD could not be enabled (needs Node 20 with V8's flag, or Node 22+)");

function randn(n: number, seed: number, s = 1): Float32Array {
  const rng = mulberry32(seed);
  return Float32Array.from({ length: n }, () => s * normal(rng));
}

function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

function spec(cell: GatedCell, I: number, H: number, seed: number): GatedLayerSpec {
  const G = (cell === "lstm" ? 4 : 3) * H, s = 1 / Math.sqrt(H);
  return {
    cell, inputSize: I, hiddenSize: H,
    wIh: randn(G * I, seed, s), wHh: randn(G * H, seed + 1, 2 * s), bIh: randn(G, seed + 2, s), bHh: randn(G, seed + 3, s),
    dWih: new Float32Array(G * I), dWhh: new Float32Array(G * H), dbIh: new Float32Array(G), dbHh: new Float32Array(G),
  };
}

/** Same weights, fresh gradients. */
function fresh(s: GatedLayerSpec): GatedLayerSpec {
  return { ...s, dWih: new Float32Array(s.dWih.length), dWhh: new Float32Array(s.dWhh.length), dbIh: new Float32Array(s.dbIh.length), dbHh: new Float32Array(s.dbHh.length) };
}

interface Case { B: number; T: number; I: number; H: number; gradOut: boolean; dx: boolean; h0Grad: boolean }

/** One forward (with caches) and backward of a layer kernel, everything it produces. */
function run(k: GatedLayerKernel, s: GatedLayerSpec, shape: Case, seed: number) {
  const { B, T, I, H } = shape, lstm = s.cell === "lstm";
  const x = randn(T * B * I, seed, 1.5), h0 = randn(B * H, seed + 1, 0.5), c0 = randn(B * H, seed + 2, 2);
  const hs = new Float32Array((T + 1) * B * H), cN = new Float32Array(B * H);
  k.forward(x, 0, B, T, h0, 0, lstm ? c0 : null, 0, hs, lstm ? cN : null, true);
  const G = (lstm ? 4 : 3) * H;
  const c = lstm ? new Float32Array((T + 1) * B * H) : null, gates = new Float32Array(T * B * G);
  k.readStates(c, gates);
  const gradOut = shape.gradOut ? randn(3 + T * B * H, seed + 3) : null;
  const dh = randn(B * H, seed + 4), dc = randn(B * H, seed + 5);
  const dx = shape.dx ? new Float32Array(T * B * I) : null;
  k.backward(gradOut, 3, dh, lstm ? dc : null, dx, 0, shape.h0Grad, true);
  return { hs, cN, c, gates, dh, dc, dx, dWih: s.dWih, dWhh: s.dWhh, dbIh: s.dbIh, dbHh: s.dbHh };
}

const cases: Case[] = [
  { B: 64, T: 6, I: 1, H: 64, gradOut: false, dx: false, h0Grad: false },
  { B: 5, T: 4, I: 3, H: 12, gradOut: true, dx: true, h0Grad: true },
  { B: 7, T: 5, I: 17, H: 40, gradOut: true, dx: true, h0Grad: false },
  { B: 1, T: 3, I: 2, H: 5, gradOut: false, dx: true, h0Grad: true },
  { B: 16, T: 2, I: 32, H: 128, gradOut: true, dx: true, h0Grad: true },
];

describe.each([["wasm-simd", false], ["wasm-relaxed", true]] as const)("%s layer kernels against the TypeScript reference", (name, relaxed) => {
  it("the build is available", () => {
    expect(relaxed ? relaxedSimdSupported() : true).toBe(true);
    expect(getEngine(relaxed)).not.toBeNull();
  });

  for (const cell of ["lstm", "gru"] as const) {
    for (const c of cases) {
      it(`${cell} B=${c.B} T=${c.T} I=${c.I} H=${c.H}${c.gradOut ? " gradOut" : ""}${c.dx ? " dx" : ""}${c.h0Grad ? " dh0" : ""}`, () => {
        const s = spec(cell, c.I, c.H, 10 + c.H);
        const engine = getEngine(relaxed);
        if (engine === null) throw new Error(`${name} unavailable`);
        const ws = fresh(s), rs = fresh(s);
        const w = run(new WasmGatedLayer(ws, engine), ws, c, 100);
        const r = run(new ReferenceGatedLayer(rs), rs, c, 100);
        type Key = keyof typeof w;
        const keys: Key[] = ["hs", "gates", "dh", "dWih", "dWhh", "dbIh", "dbHh", ...(cell === "lstm" ? (["cN", "c", "dc"] as Key[]) : []), ...(c.dx ? (["dx"] as Key[]) : [])];
        for (const key of keys) {
          const a = w[key], b = r[key];
          if (a === null || b === null) throw new Error(`${key} missing`);
          expect(err(a, b), `${key}`).toBeLessThan(2e-5);
          expect(maxAbs(b), `${key} is not trivially zero`).toBeGreaterThan(1e-2);
        }
      });
    }

    it(`${cell}: the forward-only path gives the training forward's outputs and final state`, () => {
      const engine = getEngine(relaxed);
      if (engine === null) throw new Error(`${name} unavailable`);
      const B = 9, T = 7, I = 2, H = 20, lstm = cell === "lstm";
      const k = new WasmGatedLayer(spec(cell, I, H, 3), engine);
      const x = randn(T * B * I, 4), h0 = randn(B * H, 5), c0 = randn(B * H, 6);
      const out = (keep: boolean) => {
        const hs = new Float32Array((T + 1) * B * H), cN = new Float32Array(B * H);
        k.forward(x, 0, B, T, h0, 0, lstm ? c0 : null, 0, hs, lstm ? cN : null, keep);
        return { hs, cN, cached: k.hasCaches() };
      };
      const train = out(true), infer = out(false);
      expect(train.cached).toBe(true);
      expect(infer.cached).toBe(false);
      expect(Array.from(infer.hs)).toEqual(Array.from(train.hs));
      expect(Array.from(infer.cN)).toEqual(Array.from(train.cN));
      expect(() => k.backward(null, 0, new Float32Array(B * H), lstm ? new Float32Array(B * H) : null, null, 0, false, true)).toThrow(/caches/);
    });

    it(`${cell}: backward without weight gradients gives the same dh, dc and dx, and may repeat`, () => {
      const engine = getEngine(relaxed);
      if (engine === null) throw new Error(`${name} unavailable`);
      const B = 5, T = 6, I = 3, H = 12, lstm = cell === "lstm";
      const s = spec(cell, I, H, 8), k = new WasmGatedLayer(s, engine);
      k.forward(randn(T * B * I, 1), 0, B, T, randn(B * H, 2), 0, lstm ? randn(B * H, 3) : null, 0, new Float32Array((T + 1) * B * H), lstm ? new Float32Array(B * H) : null, true);
      const go = randn(T * B * H, 4), dhN = randn(B * H, 5), dcN = randn(B * H, 6);
      const pass = (paramGrads: boolean) => {
        const dh = Float32Array.from(dhN), dc = Float32Array.from(dcN), dx = new Float32Array(T * B * I);
        k.backward(go, 0, dh, lstm ? dc : null, dx, 0, true, paramGrads);
        return [...dh, ...dc, ...dx];
      };
      const full = pass(true);
      expect(maxAbs(s.dWhh)).toBeGreaterThan(1e-2);
      const grads = [...s.dWih, ...s.dWhh, ...s.dbIh, ...s.dbHh];
      for (let i = 0; i < 2; i++) expect(pass(false)).toEqual(full);
      expect([...s.dWih, ...s.dWhh, ...s.dbIh, ...s.dbHh]).toEqual(grads);
    });

    it(`${cell}: backward flushes carried gradients below FLUSH_BELOW to zero and keeps every value above it exact`, () => {
      const engine = getEngine(relaxed);
      if (engine === null) throw new Error(`${name} unavailable`);
      const B = 5, T = 6, I = 3, H = 12, lstm = cell === "lstm";
      const s = spec(cell, I, H, 8);
      const dhN = randn(B * H, 5), dcN = randn(B * H, 6);
      // Backward is linear in the incoming gradient, and scaling by a power of two is exact in
      // floating point until a value leaves the normal range: so each result must be exactly the
      // scale times the unscaled one, until the scale takes the carried gradient below the threshold.
      const pass = (scale: number) => {
        const f = fresh(s), layer = new WasmGatedLayer(f, engine);
        layer.forward(randn(T * B * I, 1), 0, B, T, randn(B * H, 2), 0, lstm ? randn(B * H, 3) : null, 0, new Float32Array((T + 1) * B * H), lstm ? new Float32Array(B * H) : null, true);
        const dh = dhN.map((v) => v * scale), dc = dcN.map((v) => v * scale), dx = new Float32Array(T * B * I);
        layer.backward(null, 0, dh, lstm ? dc : null, dx, 0, true, true);
        return [...dh, ...(lstm ? dc : []), ...dx, ...f.dWih, ...f.dWhh, ...f.dbIh, ...f.dbHh];
      };
      const unit = pass(1);
      expect(maxAbs(unit)).toBeGreaterThan(1e-2);
      expect(pass(2 ** -60)).toEqual(unit.map((v) => v * 2 ** -60));
      // 2⁻¹⁰⁰ is a normal float32, far below the threshold: nothing survives (the reference would give 2⁻¹⁰⁰ times the above)
      expect(FLUSH_BELOW).toBeGreaterThan(2 ** -100 * maxAbs(dhN) * 4);
      expect(maxAbs(pass(2 ** -100))).toBe(0);
    });

    it(`${cell}: over a 300-step window the gradient that decays below the threshold is flushed, and the weight gradients still match the reference`, () => {
      const engine = getEngine(relaxed);
      if (engine === null) throw new Error(`${name} unavailable`);
      const B = 4, T = 300, I = 1, H = 16;
      const s = spec(cell, I, H, 21);
      s.wHh = s.wHh.map((v) => v / 2); // PyTorch's scale 1/√H: the gradient decays by about 1/4 a step
      // a many-to-one layer: the loss gradient enters at the last step only and decays back through time
      const shape: Case = { B, T, I, H, gradOut: false, dx: true, h0Grad: true };
      const ws = fresh(s), rs = fresh(s);
      const w = run(new WasmGatedLayer(ws, engine), ws, shape, 7);
      const r = run(new ReferenceGatedLayer(rs), rs, shape, 7);
      // the reference does not flush: its dL/dh0 went down into float32's subnormal range (below 2⁻¹²⁶)
      expect(maxAbs(r.dh), "the reference's dL/dh0").toBeLessThan(2 ** -126);
      expect(maxAbs(w.dh)).toBe(0);
      for (const key of ["dWih", "dWhh", "dbIh", "dbHh"] as const) {
        expect(err(w[key], r[key]), key).toBeLessThan(2e-5);
        expect(maxAbs(r[key]), `${key} is not trivially zero`).toBeGreaterThan(1e-2);
      }
    });
  }
});

describe("the kernels' memory", () => {
  it("evicts the least recently used caches beyond its budget, and the evicted layer knows", () => {
    const B = 8, T = 60, H = 32;
    const x = randn(T * B, 9), hs = new Float32Array((T + 1) * B * H), cN = new Float32Array(B * H);
    const probe = createEngine(false);
    if (probe === null) throw new Error("wasm-simd unavailable");
    new WasmGatedLayer(spec("lstm", 1, H, 0), probe).forward(x, 0, B, T, null, 0, null, 0, hs, cN, true);
    const one = probe.arena.heldCacheBytes();
    expect(one).toBeGreaterThan(100_000);
    // a budget of two and a half caches keeps the two most recent
    const small = createEngine(false, 2.5 * one);
    if (small === null) throw new Error("wasm-simd unavailable");
    const arena = small.arena;
    const layers = [0, 1, 2].map((i) => new WasmGatedLayer(spec("lstm", 1, H, i), small));
    for (const l of layers) l.forward(x, 0, B, T, null, 0, null, 0, hs, cN, true);
    expect(layers.map((l) => l.hasCaches())).toEqual([false, true, true]);
    expect(arena.heldCacheBytes()).toBe(2 * one);
    layers[0].forward(x, 0, B, T, null, 0, null, 0, hs, cN, true);
    expect(layers.map((l) => l.hasCaches())).toEqual([true, false, true]);
    expect(arena.memory.buffer.byteLength).toBeLessThan(4 * one + (4 << 20));
  });
});
