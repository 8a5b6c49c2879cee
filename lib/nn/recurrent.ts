/**
 * Recurrent layers (plain RNN, LSTM, GRU) as forward/backward pairs through time over a batch,
 * and a stack of them with optional dropout between layers.
 *
 * Weights follow PyTorch's nn.RNN / nn.LSTM / nn.GRU exactly (names, shapes, gate order
 * LSTM i,f,g,o and GRU r,z,n with the reset gate applied after the hidden matmul, b_hn included):
 *   weight_ih_l{k} [G·H, I], weight_hh_l{k} [G·H, H], bias_ih_l{k} [G·H], bias_hh_l{k} [G·H].
 *
 * Internally sequences are time-major, [T, B, F]: each step is one contiguous batch-major block
 * [B, F], so a step is one gemm over the whole batch. Workspaces are allocated once per
 * (batch, length) and reused; the hot path allocates nothing. LSTM and GRU layers run on the
 * kernel set's layer kernels (lib/tensor/recurrent.ts), which hold their own caches.
 */
import {
  affineRows, allocFloats, colSum, kernels, mul, rnnCellBackward, rnnCellForward, swapAxes01,
  type DType, type Floats, type GatedLayerKernel, type KernelName, type Rng,
} from "../tensor";
import type { ParamSpec, ParamStore } from "./params";

export type CellKind = "rnn" | "lstm" | "gru";

export interface RecurrentSpec {
  cell: CellKind;
  nonlinearity?: "tanh" | "relu";
  inputSize: number;
  hiddenSize: number;
  numLayers: number;
  dropout?: number;
}

export function gateCount(cell: CellKind): number {
  return cell === "lstm" ? 4 : cell === "gru" ? 3 : 1;
}

/** The PyTorch-named parameters of a stack, layer 0 first; `prefix` is prepended (e.g. "decoder."). */
export function recurrentParamSpecs(spec: RecurrentSpec, prefix = ""): ParamSpec[] {
  const G = gateCount(spec.cell) * spec.hiddenSize;
  const out: ParamSpec[] = [];
  for (let k = 0; k < spec.numLayers; k++) {
    const inSize = k === 0 ? spec.inputSize : spec.hiddenSize;
    out.push({ name: `${prefix}weight_ih_l${k}`, shape: [G, inSize] });
    out.push({ name: `${prefix}weight_hh_l${k}`, shape: [G, spec.hiddenSize] });
    out.push({ name: `${prefix}bias_ih_l${k}`, shape: [G] });
    out.push({ name: `${prefix}bias_hh_l${k}`, shape: [G] });
  }
  return out;
}

/** A buffer of at least n values, reusing `buf` when it is big enough (workspaces only grow). */
function grow(buf: Floats | null, dtype: DType, n: number): Floats {
  return buf !== null && buf.length > 0 && buf.length >= n ? buf : allocFloats(dtype, Math.max(1, n));
}

/**
 * What one layer computed in its last forward, per step, in PyTorch's layout (copies):
 *   h [T+1, B, H] (h[0] = h0), c [T+1, B, H] (LSTM; null otherwise),
 *   gates [T, B, G·H] gate activations (LSTM i,f,g,o; GRU r,z,n; null for the plain RNN).
 */
export interface LayerStates {
  steps: number;
  batch: number;
  hidden: number;
  h: Floats;
  c: Floats | null;
  gates: Floats | null;
}

/**
 * One recurrent layer. LSTM and GRU run on the active kernel set's layer kernel (kernels.gatedLayer:
 * the whole time loop forward and backward, caches held by the kernel); the plain RNN steps its
 * gemms here. A forward without caches (inference) is followed by a backward only after the layer
 * recomputes the forward with them, so backward is always valid after any forward.
 */
export class RecurrentLayer {
  readonly cell: CellKind;
  readonly relu: boolean;
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly dtype: DType;
  readonly wIh: Floats; readonly wHh: Floats; readonly bIh: Floats; readonly bHh: Floats;
  readonly dWih: Floats; readonly dWhh: Floats; readonly dbIh: Floats; readonly dbHh: Floats;
  /** [G·H] column sums of the gate gradients (RNN: one bias gradient, added to both biases) */
  private readonly colScratch: Floats;

  hs: Floats = new Float32Array(0);     // [T+1, B, H] outputs; index 0 is the initial state
  cN: Floats = new Float32Array(0);     // [B, H]      LSTM c_T
  dh: Floats = new Float32Array(0);     // [B, H] running dL/dh; after backward: dL/dh0
  dc: Floats = new Float32Array(0);     // [B, H] running dL/dc; after backward: dL/dc0
  private c0: Floats = new Float32Array(0);   // [B, H] LSTM c0 of the last forward (to recompute it)
  private wHhT: Floats = new Float32Array(0); // [H, H] RNN W_hhᵀ, refreshed at each forward
  private dPre: Floats = new Float32Array(0); // [T, B, H] RNN dL/d pre-activations
  private gated: GatedLayerKernel | null = null;
  private gatedSet: KernelName | null = null;

  private B = 0;
  private T = 0;
  private x: Floats = new Float32Array(0);
  private xOff = 0;

  constructor(cell: CellKind, relu: boolean, inputSize: number, hiddenSize: number, params: ParamStore, prefix: string, k: number) {
    this.cell = cell;
    this.relu = relu;
    this.inputSize = inputSize;
    this.hiddenSize = hiddenSize;
    this.dtype = params.dtype;
    this.wIh = params.value(`${prefix}weight_ih_l${k}`);
    this.wHh = params.value(`${prefix}weight_hh_l${k}`);
    this.bIh = params.value(`${prefix}bias_ih_l${k}`);
    this.bHh = params.value(`${prefix}bias_hh_l${k}`);
    this.dWih = params.gradOf(`${prefix}weight_ih_l${k}`);
    this.dWhh = params.gradOf(`${prefix}weight_hh_l${k}`);
    this.dbIh = params.gradOf(`${prefix}bias_ih_l${k}`);
    this.dbHh = params.gradOf(`${prefix}bias_hh_l${k}`);
    const G = gateCount(cell) * hiddenSize;
    this.colScratch = allocFloats(params.dtype, G);
    if (this.wIh.length !== G * inputSize || this.wHh.length !== G * hiddenSize) throw new Error("recurrent layer: weight shape mismatch");
  }

  /** Makes sure the workspaces hold a [B, T] batch (allocates only when a bigger shape appears). */
  ensure(B: number, T: number): void {
    const H = this.hiddenSize, d = this.dtype;
    this.hs = grow(this.hs, d, (T + 1) * B * H);
    this.dh = grow(this.dh, d, B * H);
    if (this.cell === "lstm") {
      this.cN = grow(this.cN, d, B * H);
      this.c0 = grow(this.c0, d, B * H);
      this.dc = grow(this.dc, d, B * H);
    } else if (this.cell === "rnn") {
      this.dPre = grow(this.dPre, d, T * B * H);
      if (this.wHhT.length !== H * H) this.wHhT = allocFloats(d, H * H);
    }
  }

  /** The active kernel set's layer kernel (made again when the set changed since the last forward). */
  private gatedKernel(): GatedLayerKernel {
    if (this.gated === null || this.gatedSet !== kernels.name) {
      this.gated = kernels.gatedLayer({
        cell: this.cell === "lstm" ? "lstm" : "gru", inputSize: this.inputSize, hiddenSize: this.hiddenSize,
        wIh: this.wIh, wHh: this.wHh, bIh: this.bIh, bHh: this.bHh, dWih: this.dWih, dWhh: this.dWhh, dbIh: this.dbIh, dbHh: this.dbHh,
      });
      this.gatedSet = kernels.name;
    }
    return this.gated;
  }

  /**
   * x [T, B, I] at xOff (kept by reference for backward), h0/c0 [B, H] at their offsets or null (zeros).
   * Fills hs[1..T] (outputs) and, for LSTM, cN. keepCaches false (inference) keeps nothing for
   * backward; a backward after it recomputes this forward first.
   */
  forward(x: Floats, xOff: number, B: number, T: number, h0: Floats | null, h0Off: number, c0: Floats | null, c0Off: number, keepCaches = true): void {
    this.ensure(B, T);
    this.B = B;
    this.T = T;
    this.x = x;
    this.xOff = xOff;
    const BH = B * this.hiddenSize;
    if (this.cell === "rnn") {
      this.forwardRnn(h0, h0Off);
      return;
    }
    if (this.cell === "lstm") {
      if (c0 === null) this.c0.fill(0, 0, BH);
      else for (let i = 0; i < BH; i++) this.c0[i] = c0[c0Off + i];
    }
    this.gatedKernel().forward(x, xOff, B, T, h0, h0Off, this.c0, 0, this.hs, this.cell === "lstm" ? this.cN : null, keepCaches);
  }

  /** hs[1..T] = x·W_ihᵀ + b_ih + b_hh, then per step += h_{t-1}·W_hhᵀ and the activation in place. */
  private forwardRnn(h0: Floats | null, h0Off: number): void {
    const B = this.B, T = this.T, I = this.inputSize, H = this.hiddenSize, BH = B * H, hs = this.hs, wT = this.wHhT, w = this.wHh;
    for (let r = 0; r < H; r++) for (let c = 0; c < H; c++) wT[c * H + r] = w[r * H + c];
    if (h0 === null) hs.fill(0, 0, BH);
    else for (let i = 0; i < BH; i++) hs[i] = h0[h0Off + i];
    affineRows(T * B, H, I, this.x, this.xOff, this.wIh, this.bIh, this.bHh, hs, BH, H, kernels.gemmNT);
    for (let t = 0; t < T; t++) {
      kernels.gemmNN(B, H, H, hs, t * BH, H, wT, 0, H, hs, (t + 1) * BH, H, true);
      rnnCellForward(B, H, this.relu, hs, (t + 1) * BH);
    }
  }

  /** The layer kernel with the last forward's caches (recomputing that forward when they are missing). */
  private cachedKernel(): GatedLayerKernel {
    const k = this.gatedKernel();
    if (!k.hasCaches()) k.forward(this.x, this.xOff, this.B, this.T, this.hs, 0, this.c0, 0, this.hs, this.cell === "lstm" ? this.cN : null, true);
    return k;
  }

  /**
   * BPTT over the last forward. gradOut [T, B, H] (dL/d outputs) or null; gradHN/gradCN [B, H]
   * (dL/d final states) or null. Accumulates weight gradients (unless paramGrads is false: input
   * gradients only, as attributions need); writes dL/dx [T, B, I] into dx when given; leaves dL/dh0
   * in this.dh and dL/dc0 in this.dc when needH0Grad. The forward caches are left as they were, so
   * backward may run several times after one forward.
   */
  backward(
    gradOut: Floats | null, goOff: number,
    gradHN: Floats | null, hnOff: number,
    gradCN: Floats | null, cnOff: number,
    dx: Floats | null, dxOff: number,
    needH0Grad: boolean,
    paramGrads = true,
  ): void {
    const BH = this.B * this.hiddenSize, dh = this.dh;
    if (this.B === 0) throw new Error("backward before forward");
    if (gradHN === null) dh.fill(0, 0, BH);
    else for (let i = 0; i < BH; i++) dh[i] = gradHN[hnOff + i];
    if (this.cell === "rnn") {
      this.backwardRnn(gradOut, goOff, dx, dxOff, needH0Grad, paramGrads);
      return;
    }
    if (this.cell === "lstm") {
      if (gradCN === null) this.dc.fill(0, 0, BH);
      else for (let i = 0; i < BH; i++) this.dc[i] = gradCN[cnOff + i];
    }
    this.cachedKernel().backward(gradOut, goOff, dh, this.cell === "lstm" ? this.dc : null, dx, dxOff, needH0Grad, paramGrads);
  }

  private backwardRnn(gradOut: Floats | null, goOff: number, dx: Floats | null, dxOff: number, needH0Grad: boolean, paramGrads: boolean): void {
    const B = this.B, T = this.T, I = this.inputSize, H = this.hiddenSize, BH = B * H, hs = this.hs, dPre = this.dPre, dh = this.dh;
    for (let t = T - 1; t >= 0; t--) {
      rnnCellBackward(B, H, this.relu, hs, (t + 1) * BH, dh, 0, gradOut, goOff + t * BH, dPre, t * BH);
      if (t > 0 || needH0Grad) kernels.gemmNN(B, H, H, dPre, t * BH, H, this.wHh, 0, H, dh, 0, H, false);
    }
    if (paramGrads) {
      kernels.gemmTN(H, H, T * B, dPre, 0, H, hs, 0, H, this.dWhh, 0, H, true);
      const s = this.colScratch;
      colSum(T * B, H, dPre, 0, H, s, 0, false);
      for (let j = 0; j < H; j++) {
        this.dbIh[j] += s[j];
        this.dbHh[j] += s[j];
      }
      kernels.gemmTN(H, I, T * B, dPre, 0, H, this.x, this.xOff, I, this.dWih, 0, I, true); // Σ_t dPre_tᵀ·x_t
    }
    if (dx !== null) kernels.gemmNN(T * B, I, H, dPre, 0, H, this.wIh, 0, I, dx, dxOff, I, false); // dx = dPre·W_ih
  }

  /**
   * The last forward's states per step (see LayerStates), copied in PyTorch's layout (the kernels
   * keep their own), for inspecting a trained model: hidden states, cell states and gate
   * activations. Valid after any forward and until the next; recomputes the forward with caches
   * if it ran without.
   */
  states(): LayerStates {
    const B = this.B, T = this.T, H = this.hiddenSize, n = (T + 1) * B * H;
    if (B === 0) throw new Error("states before forward");
    const h = allocFloats(this.dtype, n);
    for (let i = 0; i < n; i++) h[i] = this.hs[i];
    if (this.cell === "rnn") return { steps: T, batch: B, hidden: H, h, c: null, gates: null };
    const c = this.cell === "lstm" ? allocFloats(this.dtype, n) : null;
    const gates = allocFloats(this.dtype, T * B * gateCount(this.cell) * H);
    this.cachedKernel().readStates(c, gates);
    return { steps: T, batch: B, hidden: H, h, c, gates };
  }
}

/** A stack of recurrent layers; layer k ≥ 1 reads layer k-1's outputs (through dropout when training). */
export class RecurrentStack {
  readonly spec: RecurrentSpec;
  readonly layers: RecurrentLayer[];
  readonly dtype: DType;
  private masks: Floats[] = [];   // [T, B, H] per layer k ≥ 1: 0 or 1/(1-p)
  private dropped: Floats[] = []; // [T, B, H] masked input of layer k ≥ 1
  private dIn: Floats[] = [];     // [T, B, H] dL/d input of layer k ≥ 1
  private usedDropout = false;
  private B = 0;
  private T = 0;

  constructor(spec: RecurrentSpec, params: ParamStore, prefix = "") {
    this.spec = spec;
    this.dtype = params.dtype;
    const relu = spec.cell === "rnn" && spec.nonlinearity === "relu";
    this.layers = [];
    for (let k = 0; k < spec.numLayers; k++) {
      this.layers.push(new RecurrentLayer(spec.cell, relu, k === 0 ? spec.inputSize : spec.hiddenSize, spec.hiddenSize, params, prefix, k));
    }
  }

  get batch(): number { return this.B; }
  get length(): number { return this.T; }

  /** Top layer outputs, time-major [T, B, H], start at this offset of `topStates()`. */
  topStates(): Floats {
    return this.layers[this.layers.length - 1].hs;
  }
  get outputOffset(): number {
    return this.B * this.spec.hiddenSize;
  }

  /**
   * x [T, B, I] time-major at xOff; h0, c0 [L, B, H] or null (zeros). With training and dropout > 0,
   * inverted dropout (seeded by rng) is applied to the inputs of layers 1..L-1. keepCaches false
   * (inference) lets the layers skip what only backward needs (a later backward recomputes it).
   */
  forward(x: Floats, xOff: number, B: number, T: number, h0: Floats | null, c0: Floats | null, training: boolean, rng: Rng | null, keepCaches = true): void {
    const H = this.spec.hiddenSize, L = this.layers.length, n = T * B * H, BH = B * H;
    const p = this.spec.dropout ?? 0;
    this.usedDropout = training && p > 0 && L > 1;
    this.B = B;
    this.T = T;
    if (this.usedDropout && !rng) throw new Error("dropout in training needs an rng");
    let input = x, inOff = xOff;
    for (let k = 0; k < L; k++) {
      const layer = this.layers[k];
      if (k > 0) {
        input = this.layers[k - 1].hs;
        inOff = BH;
        if (this.usedDropout && rng) {
          this.masks[k] = grow(this.masks[k] ?? null, this.dtype, n);
          this.dropped[k] = grow(this.dropped[k] ?? null, this.dtype, n);
          const m = this.masks[k], keep = 1 / (1 - p);
          for (let i = 0; i < n; i++) m[i] = rng() < p ? 0 : keep;
          mul(n, input, inOff, m, 0, this.dropped[k], 0);
          input = this.dropped[k];
          inOff = 0;
        }
      }
      layer.forward(input, inOff, B, T, h0, k * BH, c0, k * BH, keepCaches);
    }
  }

  /**
   * gradOut: dL/d top outputs [T, B, H] or null; gradHN/gradCN: dL/d final states [L, B, H] or null.
   * dx: where to write dL/dx [T, B, I] (or null to skip). Afterwards dL/dh0[k] is layers[k].dh, dL/dc0[k] layers[k].dc.
   * paramGrads false: no weight gradients (input gradients only).
   */
  backward(gradOut: Floats | null, gradHN: Floats | null, gradCN: Floats | null, dx: Floats | null, needH0Grad: boolean, paramGrads = true): void {
    const B = this.B, T = this.T, H = this.spec.hiddenSize, L = this.layers.length, BH = B * H, n = T * B * H;
    let go = gradOut;
    for (let k = L - 1; k >= 0; k--) {
      let dIn: Floats | null = dx;
      if (k > 0) {
        this.dIn[k] = grow(this.dIn[k] ?? null, this.dtype, n);
        dIn = this.dIn[k];
      }
      this.layers[k].backward(go, 0, gradHN, k * BH, gradCN, k * BH, dIn, 0, needH0Grad, paramGrads);
      if (k > 0 && dIn) {
        if (this.usedDropout) mul(n, dIn, 0, this.masks[k], 0, dIn, 0);
        go = dIn;
      }
    }
  }

  /** Final states of every layer, [L, B, H], copied into `out` (c for LSTM when which = "c"). */
  finalStates(which: "h" | "c", out: Floats, outOff = 0): void {
    const BH = this.B * this.spec.hiddenSize;
    for (let k = 0; k < this.layers.length; k++) {
      const src = which === "h" ? this.layers[k].hs : this.layers[k].cN, at = which === "h" ? this.T * BH : 0;
      for (let i = 0; i < BH; i++) out[outOff + k * BH + i] = src[at + i];
    }
  }

  /** dL/dh0 (or dL/dc0) of every layer after backward, [L, B, H], copied into `out`. */
  initialStateGrads(which: "h" | "c", out: Floats, outOff = 0): void {
    const BH = this.B * this.spec.hiddenSize;
    for (let k = 0; k < this.layers.length; k++) {
      const src = which === "h" ? this.layers[k].dh : this.layers[k].dc;
      for (let i = 0; i < BH; i++) out[outOff + k * BH + i] = src[i];
    }
  }

  // ---- Batch-first convenience (PyTorch batch_first=True layout); allocates, for tests and tools. ----

  /** x [B, T, I], h0/c0 [L, B, H] → output [B, T, H], hN, cN [L, B, H]. */
  forwardBatchFirst(x: ArrayLike<number>, B: number, T: number, h0: ArrayLike<number> | null, c0: ArrayLike<number> | null):
    { output: Floats; hN: Floats; cN: Floats | null } {
    const I = this.spec.inputSize, H = this.spec.hiddenSize, L = this.layers.length;
    const xTM = allocFloats(this.dtype, T * B * I);
    swapAxes01(x, 0, B, T, I, xTM, 0);
    const h0b = h0 ? Float64Array.from(h0) : null;
    const c0b = c0 ? Float64Array.from(c0) : null;
    const h0t = h0b ? allocFloats(this.dtype, L * B * H) : null;
    const c0t = c0b ? allocFloats(this.dtype, L * B * H) : null;
    if (h0t && h0b) h0t.set(h0b);
    if (c0t && c0b) c0t.set(c0b);
    this.forward(xTM, 0, B, T, h0t, c0t, false, null);
    const output = allocFloats(this.dtype, B * T * H);
    swapAxes01(this.topStates(), this.outputOffset, T, B, H, output, 0);
    const hN = allocFloats(this.dtype, L * B * H);
    this.finalStates("h", hN);
    let cN: Floats | null = null;
    if (this.spec.cell === "lstm") {
      cN = allocFloats(this.dtype, L * B * H);
      this.finalStates("c", cN);
    }
    return { output, hN, cN };
  }

  /** gradOutput [B, T, H], gradHN/gradCN [L, B, H] (any may be null) → dx [B, T, I], dh0, dc0 [L, B, H]. */
  backwardBatchFirst(gradOutput: ArrayLike<number> | null, gradHN: ArrayLike<number> | null, gradCN: ArrayLike<number> | null):
    { dx: Floats; dh0: Floats; dc0: Floats | null } {
    const B = this.B, T = this.T, I = this.spec.inputSize, H = this.spec.hiddenSize, L = this.layers.length;
    let goTM: Floats | null = null;
    if (gradOutput) {
      goTM = allocFloats(this.dtype, T * B * H);
      swapAxes01(gradOutput, 0, B, T, H, goTM, 0);
    }
    const ghn = gradHN ? allocFloats(this.dtype, L * B * H) : null;
    if (ghn && gradHN) for (let i = 0; i < ghn.length; i++) ghn[i] = gradHN[i];
    const gcn = gradCN ? allocFloats(this.dtype, L * B * H) : null;
    if (gcn && gradCN) for (let i = 0; i < gcn.length; i++) gcn[i] = gradCN[i];
    const dxTM = allocFloats(this.dtype, T * B * I);
    this.backward(goTM, ghn, gcn, dxTM, true);
    const dx = allocFloats(this.dtype, B * T * I);
    swapAxes01(dxTM, 0, T, B, I, dx, 0);
    const dh0 = allocFloats(this.dtype, L * B * H);
    this.initialStateGrads("h", dh0);
    let dc0: Floats | null = null;
    if (this.spec.cell === "lstm") {
      dc0 = allocFloats(this.dtype, L * B * H);
      this.initialStateGrads("c", dc0);
    }
    return { dx, dh0, dc0 };
  }
}
