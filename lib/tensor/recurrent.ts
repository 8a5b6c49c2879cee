/**
 * Gated recurrent layers (LSTM, GRU) as one forward/backward pair through time — the unit a kernel
 * set implements, so that a fast kernel can keep a whole time loop, and what backward needs, in its
 * own memory. This file holds the contract and the TypeScript reference (the cells of cells.ts
 * stepped through time with the gemms of gemm.ts, float32 or float64); wasm-recurrent.ts is the
 * WebAssembly form.
 *
 * Weights are PyTorch's (nn.LSTM / nn.GRU): weight_ih [G·H, I], weight_hh [G·H, H], bias_ih,
 * bias_hh [G·H], gate order LSTM i,f,g,o and GRU r,z,n with the reset gate applied after the
 * hidden product (b_hn inside). Sequences are time-major, [T, B, F].
 */
import { gruBackward, gruForward, lstmBackward, lstmForward } from "./cells";
import { gemmNN, gemmNT, gemmTN } from "./gemm";
import { affineRows, colSum } from "./ops";
import { allocFloats, dtypeOf, type Floats } from "./types";

export type GatedCell = "lstm" | "gru";

export interface GatedLayerSpec {
  cell: GatedCell;
  inputSize: number;
  hiddenSize: number;
  /** the layer's parameters (views into a parameter store, read at every forward) … */
  wIh: Floats; wHh: Floats; bIh: Floats; bHh: Floats;
  /** … and their gradients, accumulated into by backward */
  dWih: Floats; dWhh: Floats; dbIh: Floats; dbHh: Floats;
}

export interface GatedLayerKernel {
  /**
   * x [T, B, I] at xOff (unchanged until backward), h0 / c0 [B, H] at their offsets or null (zeros;
   * c0 LSTM only). Writes hs [T+1, B, H] (hs[0] = h0, hs[t] = h_t) and, LSTM, cN [B, H] = c_T.
   * keepCaches false runs forward only: nothing is kept for backward.
   */
  forward(x: Floats, xOff: number, B: number, T: number, h0: Floats | null, h0Off: number, c0: Floats | null, c0Off: number,
    hs: Floats, cN: Floats | null, keepCaches: boolean): void;
  /** Whether the caches of the last forward are held (false after forward only, or once evicted). */
  hasCaches(): boolean;
  /**
   * Backpropagation through time over the last forward (needs hasCaches()). gradOut [T, B, H] at
   * goOff (dL/d outputs) or null; dh [B, H]: in dL/dh_T, out dL/dh_0 (when needH0Grad); dc [B, H]
   * likewise (LSTM, dL/dc_0 always). Accumulates the weight gradients unless paramGrads is false
   * (input gradients only); writes dL/dx [T, B, I] at dxOff when dx is given. Leaves the caches as
   * they were: several backward passes may follow one forward.
   */
  backward(gradOut: Floats | null, goOff: number, dh: Floats, dc: Floats | null, dx: Floats | null, dxOff: number, needH0Grad: boolean, paramGrads: boolean): void;
  /**
   * The last forward's cell states c [T+1, B, H] (LSTM) and gate activations gates [T, B, G·H] in
   * PyTorch order (LSTM i,f,g,o; GRU r,z,n), copied into the arrays given (needs hasCaches()).
   */
  readStates(c: Floats | null, gates: Floats | null): void;
}

export function gatedGates(cell: GatedCell): number {
  return cell === "lstm" ? 4 : 3;
}

function grow(buf: Floats, like: Floats, n: number): Floats {
  return buf.length >= n && dtypeOf(buf) === dtypeOf(like) ? buf : allocFloats(dtypeOf(like), Math.max(1, n));
}

/** The TypeScript reference: per step one gemm and one fused gate loop; caches in typed arrays. */
export class ReferenceGatedLayer implements GatedLayerKernel {
  private readonly G: number;
  private wT: Floats = new Float32Array(0);     // [H, G·H] W_hhᵀ, refreshed at each forward
  private gates: Floats = new Float32Array(0);  // [T, B, G·H] LSTM i,f,g,o activations; GRU x·W_ihᵀ + b_ih
  private cs: Floats = new Float32Array(0);     // [T+1, B, H] LSTM
  private tanhC: Floats = new Float32Array(0);  // [T, B, H] LSTM tanh(c_t)
  private act: Floats = new Float32Array(0);    // [T, B, 3H] GRU r,z,n
  private hn: Floats = new Float32Array(0);     // [T, B, H] GRU W_hn h + b_hn
  private gh: Floats = new Float32Array(0);     // [B, 3H] GRU step scratch
  private dG: Floats = new Float32Array(0);     // [T, B, G·H] dL/d pre-activations (GRU: input side)
  private dGH: Floats = new Float32Array(0);    // [T, B, 3H] GRU hidden side
  private bias: Floats = new Float32Array(0);   // [G·H] column sums of dG
  private x: Floats = new Float32Array(0);
  private hs: Floats = new Float32Array(0);
  private xOff = 0;
  private B = 0;
  private T = 0;
  private cached = false;

  constructor(private readonly spec: GatedLayerSpec) {
    this.G = gatedGates(spec.cell) * spec.hiddenSize;
  }

  forward(x: Floats, xOff: number, B: number, T: number, h0: Floats | null, h0Off: number, c0: Floats | null, c0Off: number, hs: Floats, cN: Floats | null): void {
    const { cell, inputSize: I, hiddenSize: H, wIh, wHh, bIh, bHh } = this.spec, G = this.G, BH = B * H, like = wHh;
    this.x = x;
    this.xOff = xOff;
    this.B = B;
    this.T = T;
    this.hs = hs;
    this.cached = true;
    this.wT = grow(this.wT, like, H * G);
    this.gates = grow(this.gates, like, T * B * G);
    this.dG = grow(this.dG, like, T * B * G);
    const wT = this.wT;
    for (let r = 0; r < G; r++) for (let c = 0; c < H; c++) wT[c * G + r] = wHh[r * H + c];
    if (h0 === null) hs.fill(0, 0, BH);
    else for (let i = 0; i < BH; i++) hs[i] = h0[h0Off + i];
    if (cell === "lstm") {
      this.cs = grow(this.cs, like, (T + 1) * BH);
      this.tanhC = grow(this.tanhC, like, T * BH);
      const cs = this.cs;
      if (c0 === null) cs.fill(0, 0, BH);
      else for (let i = 0; i < BH; i++) cs[i] = c0[c0Off + i];
      // gates[t] = x_t·W_ihᵀ + b_ih + b_hh for every step at once, then per step += h_{t-1}·W_hhᵀ and the gate loop
      affineRows(T * B, G, I, x, xOff, wIh, bIh, bHh, this.gates, 0, G, gemmNT);
      lstmForward(T, B, H, wT, this.gates, hs, cs, this.tanhC);
      if (cN !== null) for (let i = 0; i < BH; i++) cN[i] = cs[T * BH + i];
    } else {
      this.act = grow(this.act, like, T * B * G);
      this.hn = grow(this.hn, like, T * BH);
      this.gh = grow(this.gh, like, B * G);
      this.dGH = grow(this.dGH, like, T * B * G);
      affineRows(T * B, G, I, x, xOff, wIh, bIh, null, this.gates, 0, G, gemmNT);
      gruForward(T, B, H, wT, bHh, this.gates, hs, this.act, this.hn, this.gh);
    }
  }

  hasCaches(): boolean {
    return this.cached;
  }

  backward(gradOut: Floats | null, goOff: number, dh: Floats, dc: Floats | null, dx: Floats | null, dxOff: number, needH0Grad: boolean, paramGrads: boolean): void {
    const { cell, inputSize: I, hiddenSize: H, wIh, wHh } = this.spec, G = this.G, B = this.B, T = this.T, hs = this.hs, dG = this.dG;
    const s = this.spec;
    if (cell === "lstm") {
      if (dc === null) throw new Error("LSTM backward needs dc");
      lstmBackward(T, B, H, wHh, this.gates, this.cs, this.tanhC, gradOut, goOff, dh, dc, dG, needH0Grad);
      if (paramGrads) {
        gemmTN(G, H, T * B, dG, 0, G, hs, 0, H, s.dWhh, 0, H, true); // Σ_t dG_tᵀ·h_{t-1}
        this.bias = grow(this.bias, wHh, G);
        colSum(T * B, G, dG, 0, G, this.bias, 0, false);
        for (let j = 0; j < G; j++) {
          s.dbIh[j] += this.bias[j];
          s.dbHh[j] += this.bias[j];
        }
      }
    } else {
      gruBackward(T, B, H, wHh, this.act, this.hn, hs, gradOut, goOff, dh, dG, this.dGH, needH0Grad);
      if (paramGrads) {
        gemmTN(G, H, T * B, this.dGH, 0, G, hs, 0, H, s.dWhh, 0, H, true);
        colSum(T * B, G, dG, 0, G, s.dbIh, 0, true);
        colSum(T * B, G, this.dGH, 0, G, s.dbHh, 0, true);
      }
    }
    if (paramGrads) gemmTN(G, I, T * B, dG, 0, G, this.x, this.xOff, I, s.dWih, 0, I, true); // Σ_t dG_tᵀ·x_t
    if (dx !== null) gemmNN(T * B, I, G, dG, 0, G, wIh, 0, I, dx, dxOff, I, false); // dx = dG·W_ih
  }

  readStates(c: Floats | null, gates: Floats | null): void {
    const n = this.T * this.B * this.G;
    const src = this.spec.cell === "lstm" ? this.gates : this.act;
    if (gates !== null) for (let i = 0; i < n; i++) gates[i] = src[i];
    if (c !== null && this.spec.cell === "lstm") for (let i = 0, m = (this.T + 1) * this.B * this.spec.hiddenSize; i < m; i++) c[i] = this.cs[i];
  }
}
