/**
 * Fused pointwise kernels of the recurrent cells for one time step over a batch. The matrix
 * products (x·W_ihᵀ, h·W_hhᵀ) are done by gemm; these loops apply the gate nonlinearities and the
 * state update in one pass over [batch, hidden], saving exactly what backward needs.
 *
 * Layouts (row-major, batch-major rows, PyTorch gate order):
 *   LSTM gates [B, 4H] = i | f | g | o        GRU gates [B, 3H] = r | z | n
 *   states h, c [B, H]
 *
 * Float32 data uses the float32-accurate fast sigmoid/tanh (see activations.ts); float64 data uses
 * Math.exp / Math.tanh, so the gradient checks run on the exact functions.
 */
import { sigmoidF32, tanhF32 } from "./activations";
import { gemmNN } from "./gemm";
import type { Floats } from "./types";

/**
 * LSTM step forward.
 * gates [B,4H]: in = pre-activations (x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh), out = activations i,f,g,o.
 * cPrev [B,H] → c [B,H], tanhC [B,H] = tanh(c), h [B,H] = o ⊙ tanh(c).
 */
export function lstmCellForward(
  B: number, H: number,
  gates: Floats, gOff: number,
  cPrev: Floats, cpOff: number,
  c: Floats, cOff: number,
  tanhC: Floats, tOff: number,
  h: Floats, hOff: number,
): void {
  if (!(gates instanceof Float64Array)) {
    lstmCellForwardF32(B, H, gates, gOff, cPrev, cpOff, c, cOff, tanhC, tOff, h, hOff);
    return;
  }
  const G = 4 * H;
  for (let b = 0; b < B; b++) {
    const g0 = gOff + b * G;
    const s0 = b * H;
    for (let j = 0; j < H; j++) {
      const gi = g0 + j, gf = gi + H, gg = gf + H, go = gg + H;
      const iv = 1 / (1 + Math.exp(-gates[gi]));
      const fv = 1 / (1 + Math.exp(-gates[gf]));
      const gv = Math.tanh(gates[gg]);
      const ov = 1 / (1 + Math.exp(-gates[go]));
      gates[gi] = iv;
      gates[gf] = fv;
      gates[gg] = gv;
      gates[go] = ov;
      const cv = fv * cPrev[cpOff + s0 + j] + iv * gv;
      const tc = Math.tanh(cv);
      c[cOff + s0 + j] = cv;
      tanhC[tOff + s0 + j] = tc;
      h[hOff + s0 + j] = ov * tc;
    }
  }
}

/** The float32 form of lstmCellForward (fast activations). */
function lstmCellForwardF32(
  B: number, H: number,
  gates: Floats, gOff: number,
  cPrev: Floats, cpOff: number,
  c: Floats, cOff: number,
  tanhC: Floats, tOff: number,
  h: Floats, hOff: number,
): void {
  const G = 4 * H;
  for (let b = 0; b < B; b++) {
    const g0 = gOff + b * G;
    const s0 = b * H;
    for (let j = 0; j < H; j++) {
      const gi = g0 + j, gf = gi + H, gg = gf + H, go = gg + H;
      const iv = sigmoidF32(gates[gi]);
      const fv = sigmoidF32(gates[gf]);
      const gv = tanhF32(gates[gg]);
      const ov = sigmoidF32(gates[go]);
      gates[gi] = iv;
      gates[gf] = fv;
      gates[gg] = gv;
      gates[go] = ov;
      const cv = fv * cPrev[cpOff + s0 + j] + iv * gv;
      const tc = tanhF32(cv);
      c[cOff + s0 + j] = cv;
      tanhC[tOff + s0 + j] = tc;
      h[hOff + s0 + j] = ov * tc;
    }
  }
}

/**
 * LSTM step backward.
 * dh [B,H] in: dL/dh_t from the step above (plus gradOut[t] when given); dc [B,H] in: dL/dc_t,
 * out: dL/dc_{t-1}. dGates [B,4H] out: dL/d pre-activations (the same for the x and h products).
 */
export function lstmCellBackward(
  B: number, H: number,
  gates: Floats, gOff: number,
  cPrev: Floats, cpOff: number,
  tanhC: Floats, tOff: number,
  dh: Floats, dhOff: number,
  gradOut: Floats | null, goOff: number,
  dc: Floats, dcOff: number,
  dGates: Floats, dgOff: number,
): void {
  const G = 4 * H;
  for (let b = 0; b < B; b++) {
    const g0 = gOff + b * G;
    const d0 = dgOff + b * G;
    const s0 = b * H;
    for (let j = 0; j < H; j++) {
      const iv = gates[g0 + j], fv = gates[g0 + H + j], gv = gates[g0 + 2 * H + j], ov = gates[g0 + 3 * H + j];
      const tc = tanhC[tOff + s0 + j];
      let dhv = dh[dhOff + s0 + j];
      if (gradOut !== null) dhv += gradOut[goOff + s0 + j];
      const dcv = dc[dcOff + s0 + j] + dhv * ov * (1 - tc * tc);
      dc[dcOff + s0 + j] = dcv * fv;
      dGates[d0 + j] = dcv * gv * iv * (1 - iv);
      dGates[d0 + H + j] = dcv * cPrev[cpOff + s0 + j] * fv * (1 - fv);
      dGates[d0 + 2 * H + j] = dcv * iv * (1 - gv * gv);
      dGates[d0 + 3 * H + j] = dhv * tc * ov * (1 - ov);
    }
  }
}

/**
 * GRU step forward (PyTorch: reset applied after the hidden matmul, including b_hn).
 * gx [B,3H] = x·W_ihᵀ + b_ih; gh [B,3H] = h_{t-1}·W_hhᵀ (no bias; b_hh is added here).
 * gates [B,3H] out: r, z, n; hn [B,H] out: W_hn h_{t-1} + b_hn; h [B,H] out.
 */
export function gruCellForward(
  B: number, H: number,
  gx: Floats, gxOff: number,
  gh: Floats, ghOff: number,
  bhh: Floats, bOff: number,
  hPrev: Floats, hpOff: number,
  gates: Floats, gOff: number,
  hn: Floats, hnOff: number,
  h: Floats, hOff: number,
): void {
  if (!(gx instanceof Float64Array)) {
    gruCellForwardF32(B, H, gx, gxOff, gh, ghOff, bhh, bOff, hPrev, hpOff, gates, gOff, hn, hnOff, h, hOff);
    return;
  }
  const G = 3 * H;
  for (let b = 0; b < B; b++) {
    const x0 = gxOff + b * G, h0 = ghOff + b * G, g0 = gOff + b * G;
    const s0 = b * H;
    for (let j = 0; j < H; j++) {
      const rv = 1 / (1 + Math.exp(-(gx[x0 + j] + gh[h0 + j] + bhh[bOff + j])));
      const zv = 1 / (1 + Math.exp(-(gx[x0 + H + j] + gh[h0 + H + j] + bhh[bOff + H + j])));
      const hnv = gh[h0 + 2 * H + j] + bhh[bOff + 2 * H + j];
      const nv = Math.tanh(gx[x0 + 2 * H + j] + rv * hnv);
      gates[g0 + j] = rv;
      gates[g0 + H + j] = zv;
      gates[g0 + 2 * H + j] = nv;
      hn[hnOff + s0 + j] = hnv;
      h[hOff + s0 + j] = (1 - zv) * nv + zv * hPrev[hpOff + s0 + j];
    }
  }
}

/** The float32 form of gruCellForward (fast activations). */
function gruCellForwardF32(
  B: number, H: number,
  gx: Floats, gxOff: number,
  gh: Floats, ghOff: number,
  bhh: Floats, bOff: number,
  hPrev: Floats, hpOff: number,
  gates: Floats, gOff: number,
  hn: Floats, hnOff: number,
  h: Floats, hOff: number,
): void {
  const G = 3 * H;
  for (let b = 0; b < B; b++) {
    const x0 = gxOff + b * G, h0 = ghOff + b * G, g0 = gOff + b * G;
    const s0 = b * H;
    for (let j = 0; j < H; j++) {
      const rv = sigmoidF32(gx[x0 + j] + gh[h0 + j] + bhh[bOff + j]);
      const zv = sigmoidF32(gx[x0 + H + j] + gh[h0 + H + j] + bhh[bOff + H + j]);
      const hnv = gh[h0 + 2 * H + j] + bhh[bOff + 2 * H + j];
      const nv = tanhF32(gx[x0 + 2 * H + j] + rv * hnv);
      gates[g0 + j] = rv;
      gates[g0 + H + j] = zv;
      gates[g0 + 2 * H + j] = nv;
      hn[hnOff + s0 + j] = hnv;
      h[hOff + s0 + j] = (1 - zv) * nv + zv * hPrev[hpOff + s0 + j];
    }
  }
}

/**
 * GRU step backward. dh [B,H] in: dL/dh_t (plus gradOut[t] when given), out: the direct part
 * z ⊙ dh of dL/dh_{t-1} (the caller adds dGH·W_hh). dGX [B,3H], dGH [B,3H] out: gradients of the
 * input and hidden pre-activations (they differ in the n block: dGH_n = r ⊙ dGX_n).
 */
export function gruCellBackward(
  B: number, H: number,
  gates: Floats, gOff: number,
  hn: Floats, hnOff: number,
  hPrev: Floats, hpOff: number,
  dh: Floats, dhOff: number,
  gradOut: Floats | null, goOff: number,
  dGX: Floats, dxOff: number,
  dGH: Floats, dhgOff: number,
): void {
  const G = 3 * H;
  for (let b = 0; b < B; b++) {
    const g0 = gOff + b * G, x0 = dxOff + b * G, h0 = dhgOff + b * G;
    const s0 = b * H;
    for (let j = 0; j < H; j++) {
      const rv = gates[g0 + j], zv = gates[g0 + H + j], nv = gates[g0 + 2 * H + j];
      let dhv = dh[dhOff + s0 + j];
      if (gradOut !== null) dhv += gradOut[goOff + s0 + j];
      const hp = hPrev[hpOff + s0 + j];
      const dnp = dhv * (1 - zv) * (1 - nv * nv);
      const dzp = dhv * (hp - nv) * zv * (1 - zv);
      const drp = dnp * hn[hnOff + s0 + j] * rv * (1 - rv);
      dGX[x0 + j] = drp;
      dGX[x0 + H + j] = dzp;
      dGX[x0 + 2 * H + j] = dnp;
      dGH[h0 + j] = drp;
      dGH[h0 + H + j] = dzp;
      dGH[h0 + 2 * H + j] = dnp * rv;
      dh[dhOff + s0 + j] = dhv * zv;
    }
  }
}

/** Plain RNN step forward in place: h [B,H] holds the pre-activation and becomes act(pre). */
export function rnnCellForward(B: number, H: number, relu: boolean, h: Floats, hOff: number): void {
  const n = B * H;
  if (relu) {
    for (let i = 0; i < n; i++) {
      const v = h[hOff + i];
      h[hOff + i] = v > 0 ? v : 0;
    }
  } else if (h instanceof Float64Array) {
    for (let i = 0; i < n; i++) h[hOff + i] = Math.tanh(h[hOff + i]);
  } else {
    for (let i = 0; i < n; i++) h[hOff + i] = tanhF32(h[hOff + i]);
  }
}

/** Plain RNN step backward: dPre [B,H] = (dh + gradOut) ⊙ act'(h), with h the saved output. */
export function rnnCellBackward(
  B: number, H: number, relu: boolean,
  h: Floats, hOff: number,
  dh: Floats, dhOff: number,
  gradOut: Floats | null, goOff: number,
  dPre: Floats, dpOff: number,
): void {
  const n = B * H;
  for (let i = 0; i < n; i++) {
    let d = dh[dhOff + i];
    if (gradOut !== null) d += gradOut[goOff + i];
    const v = h[hOff + i];
    dPre[dpOff + i] = relu ? (v > 0 ? d : 0) : d * (1 - v * v);
  }
}

/** The matrix product a sequence kernel uses for its steps (the TypeScript gemmNN by default). */
type StepGemm = (
  M: number, N: number, K: number,
  A: Floats, aOff: number, lda: number,
  B: Floats, bOff: number, ldb: number,
  C: Floats, cOff: number, ldc: number,
  accumulate: boolean,
) => void;

/**
 * LSTM forward over a whole sequence (reference form: one gemm and one fused gate loop per step).
 *   wT [H, 4H] = W_hhᵀ; gates [T, B, 4H]: in x_t·W_ihᵀ + b_ih + b_hh, out the i,f,g,o activations;
 *   hs, cs [T+1, B, H]: index 0 holds h0, c0 on entry, steps 1..T are written; tanhC [T, B, H].
 */
export function lstmForward(
  T: number, B: number, H: number, wT: Floats, gates: Floats, hs: Floats, cs: Floats, tanhC: Floats,
  gemm: StepGemm = gemmNN,
): void {
  const G = 4 * H, BH = B * H;
  for (let t = 0; t < T; t++) {
    gemm(B, G, H, hs, t * BH, H, wT, 0, G, gates, t * B * G, G, true);
    lstmCellForward(B, H, gates, t * B * G, cs, t * BH, cs, (t + 1) * BH, tanhC, t * BH, hs, (t + 1) * BH);
  }
}

/**
 * GRU forward over a whole sequence (reference form).
 *   wT [H, 3H] = W_hhᵀ; bhh [3H]; gx [T, B, 3H] = x_t·W_ihᵀ + b_ih; hs [T+1, B, H] (index 0 = h0);
 *   act [T, B, 3H] out r,z,n; hn [T, B, H] out W_hn h + b_hn; gh [B, 3H] scratch.
 */
export function gruForward(
  T: number, B: number, H: number, wT: Floats, bhh: Floats, gx: Floats, hs: Floats, act: Floats, hn: Floats, gh: Floats,
  gemm: StepGemm = gemmNN,
): void {
  const G = 3 * H, BH = B * H;
  for (let t = 0; t < T; t++) {
    gemm(B, G, H, hs, t * BH, H, wT, 0, G, gh, 0, G, false);
    gruCellForward(B, H, gx, t * B * G, gh, 0, bhh, 0, hs, t * BH, act, t * B * G, hn, t * BH, hs, (t + 1) * BH);
  }
}

/**
 * LSTM backward through time (reference form). w = W_hh [4H, H]; gates [T, B, 4H] the saved
 * activations; cs [T+1, B, H]; tanhC [T, B, H]; gradOut [T, B, H] at goOff (dL/d outputs) or null;
 * dh, dc [B, H]: in dL/dh_T, dL/dc_T, out dL/dh_0 (when needH0Grad) and dL/dc_0; dG [T, B, 4H] out.
 */
export function lstmBackward(
  T: number, B: number, H: number, w: Floats, gates: Floats, cs: Floats, tanhC: Floats,
  gradOut: Floats | null, goOff: number, dh: Floats, dc: Floats, dG: Floats, needH0Grad: boolean,
  gemm: StepGemm = gemmNN,
): void {
  const G = 4 * H, BH = B * H;
  for (let t = T - 1; t >= 0; t--) {
    lstmCellBackward(B, H, gates, t * B * G, cs, t * BH, tanhC, t * BH, dh, 0, gradOut, goOff + t * BH, dc, 0, dG, t * B * G);
    if (t > 0 || needH0Grad) gemm(B, H, G, dG, t * B * G, G, w, 0, H, dh, 0, H, false); // dh_{t-1} = dG_t·W_hh
  }
}

/**
 * GRU backward through time (reference form). w = W_hh [3H, H]; act [T, B, 3H] the saved r,z,n;
 * hn [T, B, H]; hs [T+1, B, H]; gradOut as for the LSTM; dh [B, H] in dL/dh_T, out dL/dh_0 (when
 * needH0Grad); dGX, dGH [T, B, 3H] out.
 */
export function gruBackward(
  T: number, B: number, H: number, w: Floats, act: Floats, hn: Floats, hs: Floats,
  gradOut: Floats | null, goOff: number, dh: Floats, dGX: Floats, dGH: Floats, needH0Grad: boolean,
  gemm: StepGemm = gemmNN,
): void {
  const G = 3 * H, BH = B * H;
  for (let t = T - 1; t >= 0; t--) {
    gruCellBackward(B, H, act, t * B * G, hn, t * BH, hs, t * BH, dh, 0, gradOut, goOff + t * BH, dGX, t * B * G, dGH, t * B * G);
    if (t > 0 || needH0Grad) gemm(B, H, G, dGH, t * B * G, G, w, 0, H, dh, 0, H, true); // dh_{t-1} = z⊙dh + dGH_t·W_hh
  }
}
