/**
 * WebAssembly SIMD forms of the sequence kernels in cells.ts (same signatures and results up to
 * float32 rounding). Each step runs inside the module (the step's matrix product, then the fused
 * gate loop with vector sigmoid/tanh); W_hhᵀ is copied in once per sequence, each step's gate
 * block in, and the step's activations and states back out. The batch is padded to a multiple of
 * 4 inside the module. Float32 with H a multiple of 4 (LSTM) or 8 (GRU); otherwise the reference
 * runs (with the SIMD gemm).
 */
import { gruForward, lstmForward } from "./cells";
import type { Floats } from "./types";
import { align4, wasmGemmNN } from "./wasm-gemm";
import { getEngine, reserve } from "./wasm/module";

export function wasmLstmForward(T: number, B: number, H: number, wT: Floats, gates: Floats, hs: Floats, cs: Floats, tanhC: Floats): void {
  const e = getEngine();
  if (e === null || H % 4 !== 0 || !(wT instanceof Float32Array && gates instanceof Float32Array && hs instanceof Float32Array && cs instanceof Float32Array && tanhC instanceof Float32Array)) {
    lstmForward(T, B, H, wT, gates, hs, cs, tanhC, wasmGemmNN);
    return;
  }
  const G = 4 * H, B4 = (B + 3) & ~3, BH = B * H, B4H = B4 * H, BG = B * G;
  const pW = 0, pG = align4(H * G), pH = [pG + B4 * G, pG + B4 * G + B4H], pC = [pH[1] + B4H, pH[1] + 2 * B4H], pT = pC[1] + B4H;
  const heap = reserve(e, pT + B4H);
  heap.set(wT.subarray(0, H * G), pW);
  heap.fill(0, pG, pT + B4H);
  heap.set(hs.subarray(0, BH), pH[0]);
  heap.set(cs.subarray(0, BH), pC[0]);
  const gView = heap.subarray(pG, pG + BG), tView = heap.subarray(pT, pT + BH);
  const hView = [heap.subarray(pH[0], pH[0] + BH), heap.subarray(pH[1], pH[1] + BH)];
  const cView = [heap.subarray(pC[0], pC[0] + BH), heap.subarray(pC[1], pC[1] + BH)];
  for (let t = 0; t < T; t++) {
    const a = t & 1, b = a ^ 1;
    gView.set(gates.subarray(t * BG, (t + 1) * BG));
    e.lstmStep(B4, H, pW * 4, pG * 4, pH[a] * 4, pC[a] * 4, pH[b] * 4, pC[b] * 4, pT * 4);
    gates.set(gView, t * BG);
    cs.set(cView[b], (t + 1) * BH);
    tanhC.set(tView, t * BH);
    hs.set(hView[b], (t + 1) * BH);
  }
}

export function wasmGruForward(T: number, B: number, H: number, wT: Floats, bhh: Floats, gx: Floats, hs: Floats, act: Floats, hn: Floats, gh: Floats): void {
  const e = getEngine();
  if (e === null || H % 8 !== 0 || !(wT instanceof Float32Array && bhh instanceof Float32Array && gx instanceof Float32Array && hs instanceof Float32Array && act instanceof Float32Array && hn instanceof Float32Array)) {
    gruForward(T, B, H, wT, bhh, gx, hs, act, hn, gh, wasmGemmNN);
    return;
  }
  const G = 3 * H, B4 = (B + 3) & ~3, BH = B * H, B4H = B4 * H, BG = B * G;
  const pW = 0, pB = align4(H * G), pX = align4(pB + G), pGH = pX + B4 * G, pA = pGH + B4 * G, pN = pA + B4 * G;
  const pH = [pN + B4H, pN + 2 * B4H], end = pN + 3 * B4H;
  const heap = reserve(e, end);
  heap.set(wT.subarray(0, H * G), pW);
  heap.set(bhh.subarray(0, G), pB);
  heap.fill(0, pX, end);
  heap.set(hs.subarray(0, BH), pH[0]);
  const xView = heap.subarray(pX, pX + BG), aView = heap.subarray(pA, pA + BG), nView = heap.subarray(pN, pN + BH);
  const hView = [heap.subarray(pH[0], pH[0] + BH), heap.subarray(pH[1], pH[1] + BH)];
  for (let t = 0; t < T; t++) {
    const a = t & 1, b = a ^ 1;
    xView.set(gx.subarray(t * BG, (t + 1) * BG));
    e.gruStep(B4, H, pW * 4, pB * 4, pX * 4, pGH * 4, pH[a] * 4, pA * 4, pN * 4, pH[b] * 4);
    act.set(aView, t * BG);
    hn.set(nView, t * BH);
    hs.set(hView[b], (t + 1) * BH);
  }
}
