/**
 * WebAssembly SIMD forms of the sequence kernels in cells.ts (same signatures and results up to
 * float32 rounding). Each step runs inside the module (forward: the step's matrix product, then the
 * fused gate loop with vector sigmoid/tanh; backward: the fused gate gradients, then dh = dG·W_hh);
 * the recurrent weight is copied in once per sequence, each step's blocks in and out. The batch is
 * padded to a multiple of 4 inside the module (padding rows stay zero or harmless and are never
 * copied out). Float32 with H a multiple of 4 (LSTM forward) or 8 (the rest); otherwise the
 * reference runs (with the SIMD gemm).
 */
import { gruBackward, gruForward, lstmBackward, lstmForward } from "./cells";
import type { Floats } from "./types";
import { align4, wasmGemmNN } from "./wasm-gemm";
import { getEngine, reserve } from "./wasm/module";

/**
 * Per-step views [offset + t·stride, offset + t·stride + n) of a workspace, made once per
 * (array, offset, stride, n) and reused, so the time loop allocates nothing.
 */
const viewCache = new WeakMap<Float32Array, { offset: number; stride: number; n: number; views: Float32Array[] }[]>();
function stepView(a: Float32Array, offset: number, stride: number, n: number, t: number): Float32Array {
  let entries = viewCache.get(a);
  if (entries === undefined) {
    entries = [];
    viewCache.set(a, entries);
  }
  let e: { offset: number; stride: number; n: number; views: Float32Array[] } | undefined;
  for (const x of entries) if (x.offset === offset && x.stride === stride && x.n === n) e = x;
  if (e === undefined) {
    e = { offset, stride, n, views: [] };
    if (entries.length >= 4) entries.shift(); // a few shapes per workspace at most
    entries.push(e);
  }
  let v = e.views[t];
  if (v === undefined) {
    v = a.subarray(offset + t * stride, offset + t * stride + n);
    e.views[t] = v;
  }
  return v;
}

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
    gView.set(stepView(gates, 0, BG, BG, t));
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
    xView.set(stepView(gx, 0, BG, BG, t));
    e.gruStep(B4, H, pW * 4, pB * 4, pX * 4, pGH * 4, pH[a] * 4, pA * 4, pN * 4, pH[b] * 4);
    act.set(aView, t * BG);
    hn.set(nView, t * BH);
    hs.set(hView[b], (t + 1) * BH);
  }
}

export function wasmLstmBackward(
  T: number, B: number, H: number, w: Floats, gates: Floats, cs: Floats, tanhC: Floats,
  gradOut: Floats | null, goOff: number, dh: Floats, dc: Floats, dG: Floats, needH0Grad: boolean,
): void {
  const e = getEngine();
  if (e === null || H % 8 !== 0 || !(w instanceof Float32Array && gates instanceof Float32Array && cs instanceof Float32Array && tanhC instanceof Float32Array
    && dh instanceof Float32Array && dc instanceof Float32Array && dG instanceof Float32Array && (gradOut === null || gradOut instanceof Float32Array))) {
    lstmBackward(T, B, H, w, gates, cs, tanhC, gradOut, goOff, dh, dc, dG, needH0Grad, wasmGemmNN);
    return;
  }
  const G = 4 * H, B4 = (B + 3) & ~3, BH = B * H, B4H = B4 * H, BG = B * G;
  const pW = 0, pGt = align4(G * H), pCp = pGt + B4 * G, pTc = pCp + B4H, pGo = pTc + B4H, pDh = pGo + B4H, pDc = pDh + B4H, pDG = pDc + B4H, end = pDG + B4 * G;
  const heap = reserve(e, end);
  heap.set(w.subarray(0, G * H), pW);
  heap.fill(0, pGt, end);
  const gtView = heap.subarray(pGt, pGt + BG), cpView = heap.subarray(pCp, pCp + BH), tcView = heap.subarray(pTc, pTc + BH);
  const goView = heap.subarray(pGo, pGo + BH), dhView = heap.subarray(pDh, pDh + BH), dcView = heap.subarray(pDc, pDc + BH), dgView = heap.subarray(pDG, pDG + BG);
  dhView.set(dh.subarray(0, BH));
  dcView.set(dc.subarray(0, BH));
  for (let t = T - 1; t >= 0; t--) {
    gtView.set(stepView(gates, 0, BG, BG, t));
    cpView.set(stepView(cs, 0, BH, BH, t));
    tcView.set(stepView(tanhC, 0, BH, BH, t));
    if (gradOut !== null) goView.set(stepView(gradOut, goOff, BH, BH, t));
    e.lstmBackStep(B4, H, pW * 4, pGt * 4, pCp * 4, pTc * 4, pGo * 4, gradOut !== null ? 1 : 0, pDh * 4, pDc * 4, pDG * 4, t > 0 || needH0Grad ? 1 : 0);
    dG.set(dgView, t * BG);
  }
  dh.set(dhView);
  dc.set(dcView);
}

export function wasmGruBackward(
  T: number, B: number, H: number, w: Floats, act: Floats, hn: Floats, hs: Floats,
  gradOut: Floats | null, goOff: number, dh: Floats, dGX: Floats, dGH: Floats, needH0Grad: boolean,
): void {
  const e = getEngine();
  if (e === null || H % 8 !== 0 || !(w instanceof Float32Array && act instanceof Float32Array && hn instanceof Float32Array && hs instanceof Float32Array
    && dh instanceof Float32Array && dGX instanceof Float32Array && dGH instanceof Float32Array && (gradOut === null || gradOut instanceof Float32Array))) {
    gruBackward(T, B, H, w, act, hn, hs, gradOut, goOff, dh, dGX, dGH, needH0Grad, wasmGemmNN);
    return;
  }
  const G = 3 * H, B4 = (B + 3) & ~3, BH = B * H, B4H = B4 * H, BG = B * G;
  const pW = 0, pA = align4(G * H), pN = pA + B4 * G, pHp = pN + B4H, pGo = pHp + B4H, pDh = pGo + B4H, pDX = pDh + B4H, pDH = pDX + B4 * G, end = pDH + B4 * G;
  const heap = reserve(e, end);
  heap.set(w.subarray(0, G * H), pW);
  heap.fill(0, pA, end);
  const aView = heap.subarray(pA, pA + BG), nView = heap.subarray(pN, pN + BH), hpView = heap.subarray(pHp, pHp + BH), goView = heap.subarray(pGo, pGo + BH);
  const dhView = heap.subarray(pDh, pDh + BH), dxView = heap.subarray(pDX, pDX + BG), dhgView = heap.subarray(pDH, pDH + BG);
  dhView.set(dh.subarray(0, BH));
  for (let t = T - 1; t >= 0; t--) {
    aView.set(stepView(act, 0, BG, BG, t));
    nView.set(stepView(hn, 0, BH, BH, t));
    hpView.set(stepView(hs, 0, BH, BH, t));
    if (gradOut !== null) goView.set(stepView(gradOut, goOff, BH, BH, t));
    e.gruBackStep(B4, H, pW * 4, pA * 4, pN * 4, pHp * 4, pGo * 4, gradOut !== null ? 1 : 0, pDh * 4, pDX * 4, pDH * 4, t > 0 || needH0Grad ? 1 : 0);
    dGX.set(dxView, t * BG);
    dGH.set(dhgView, t * BG);
  }
  dh.set(dhView);
}
