/**
 * The WebAssembly form of the gated layers (contract in recurrent.ts, kernels and layouts in
 * wasm/recurrent.ts): one call runs a layer's whole forward, one its whole backward. Around the
 * calls this file packs the weights (once per forward: the optimizer changes them between steps),
 * moves inputs in and outputs out, and keeps what backward needs in a cache block of the engine's
 * arena. A forward that keeps caches leaves them there; an inference forward uses scratch only.
 * If the arena evicted a layer's caches (more layers in flight than its budget), hasCaches() says so
 * and the caller recomputes the forward.
 */
import type { Lease } from "./wasm/arena";
import type { Engine } from "./wasm/module";
import { BACKWARD_FLAGS, ROW_PAD, panelRow } from "./wasm/recurrent";
import type { GatedCell, GatedLayerKernel, GatedLayerSpec } from "./recurrent";
import type { Floats } from "./types";

const up = (n: number, m: number): number => Math.ceil(n / m) * m;

/** Float offsets of named blocks laid out one after another from `base` (bytes), each 64-byte aligned. */
function carve<K extends string>(base: number, sizes: Record<K, number>): { at: Record<K, number>; bytes: number } {
  const at = {} as Record<K, number>;
  let off = base;
  for (const k of Object.keys(sizes) as K[]) {
    at[k] = off / 4;
    off += up(sizes[k] * 4, 64);
  }
  return { at, bytes: off - base };
}

/**
 * src [T, B, F] at sOff → heap [T, Bp, Fp] at dOff (float offsets), zero padded: one bulk copy into
 * the dense staging block `stage`, then the module spreads the rows (a JS loop per row costs more
 * than the kernels' own time at these sizes).
 */
function toHeap(e: Engine, src: Floats, sOff: number, T: number, B: number, F: number, dOff: number, Bp: number, Fp: number, stage: number): void {
  const heap = e.arena.f32();
  if (B === Bp && F === Fp) {
    heap.set(src.subarray(sOff, sOff + T * B * F), dOff);
    return;
  }
  heap.fill(0, dOff, dOff + T * Bp * Fp);
  heap.set(src.subarray(sOff, sOff + T * B * F), stage);
  for (let t = 0; t < T; t++) e.copyRows(B, (stage + t * B * F) * 4, F * 4, (dOff + t * Bp * Fp) * 4, Fp * 4, F * 4);
}

/** heap [T, Bp, Fp] at sOff → dst [T, B, F] at dOff, through the dense staging block `stage`. */
function fromHeap(e: Engine, sOff: number, T: number, Bp: number, Fp: number, dst: Floats, dOff: number, B: number, F: number, stage: number): void {
  const heap = e.arena.f32();
  if (B === Bp && F === Fp) {
    dst.set(heap.subarray(sOff, sOff + T * B * F), dOff);
    return;
  }
  for (let t = 0; t < T; t++) e.copyRows(B, (sOff + t * Bp * Fp) * 4, Fp * 4, (stage + t * B * F) * 4, F * 4, F * 4);
  dst.set(heap.subarray(stage, stage + T * B * F), dOff);
}

/** The padded sizes of a layer at one batch shape. */
interface Shape {
  /** S: floats between rows of the state arrays in training (Hp + ROW_PAD, see wasm/recurrent.ts); forward only uses Hp */
  B: number; T: number; Bp: number; Hp: number; S: number; U: number; Ip: number;
  /** floats of one unit block's forward panel */
  perU: number;
}

export class WasmGatedLayer implements GatedLayerKernel {
  private readonly cell: GatedCell;
  private readonly H: number;
  private readonly I: number;
  private lease: Lease | null = null;
  private cache: { X: number; H: number; C: number; ACT: number; TC: number } | null = null;
  private shape: Shape | null = null;
  private valid = false;

  constructor(private readonly spec: GatedLayerSpec, private readonly engine: Engine) {
    this.cell = spec.cell;
    this.H = spec.hiddenSize;
    this.I = spec.inputSize;
  }

  private shapeOf(B: number, T: number): Shape {
    const Bp = up(B, 2), Hp = up(this.H, 16), U = Hp / 4, I = this.I;
    return { B, T, Bp, Hp, S: Hp + ROW_PAD, U, Ip: up(I, 16), perU: this.cell === "lstm" ? (Hp + I) * 16 + 16 : (Hp + I) * 12 + 16 };
  }

  /** Cache block sizes (floats) of a training forward. */
  private cacheSizes(s: Shape): { X: number; H: number; C: number; ACT: number; TC: number } {
    const lstm = this.cell === "lstm", state = (s.T + 1) * s.Bp * s.S;
    return { X: s.T * s.Bp * this.I, H: state, C: lstm ? state : 0, ACT: s.T * s.Bp * s.U * 16, TC: lstm ? s.T * s.Bp * s.S : 0 };
  }

  forward(x: Floats, xOff: number, B: number, T: number, h0: Floats | null, h0Off: number, c0: Floats | null, c0Off: number,
    hs: Floats, cN: Floats | null, keepCaches: boolean): void {
    const s = this.shapeOf(B, T), arena = this.engine.arena, lstm = this.cell === "lstm";
    const sizes = this.cacheSizes(s);
    // scratch: the packed weights, a staging block for the copies and, forward only, input and states (rows unpadded)
    const S = keepCaches ? s.S : s.Hp;
    const blocks = { W: s.U * s.perU, PACK: this.packFloats(), STAGE: T * B * Math.max(this.H, this.I), X: keepCaches ? 0 : sizes.X, H: keepCaches ? 0 : (T + 1) * s.Bp * S, C: keepCaches || !lstm ? 0 : 2 * s.Bp * S };
    const cache = keepCaches ? this.cacheBlock(sizes) : null;
    const at = carve(arena.scratchBlock(carve(0, blocks).bytes), blocks).at;
    const where = cache ?? { X: at.X, H: at.H, C: at.C, ACT: 0, TC: 0 };
    const { W, STAGE } = at, e = this.engine;
    this.packForward(arena.f32(), W, s, at.PACK);
    toHeap(e, x, xOff, T, B, this.I, where.X, s.Bp, this.I, STAGE);
    const BH = B * this.H;
    if (h0 === null) hs.fill(0, 0, BH);
    else for (let i = 0; i < BH; i++) hs[i] = h0[h0Off + i];
    toHeap(e, hs, 0, 1, B, this.H, where.H, s.Bp, S, STAGE);
    if (lstm) {
      if (c0 === null) arena.f32().fill(0, where.C, where.C + s.Bp * S);
      else toHeap(e, c0, c0Off, 1, B, this.H, where.C, s.Bp, S, STAGE);
    }
    const fn = this.engine.forward[this.cell][keepCaches ? "train" : "infer"];
    fn(T, s.Bp, s.U, this.I, S, W * 4, where.X * 4, where.H * 4, where.C * 4, where.ACT * 4, where.TC * 4);
    fromHeap(e, where.H + s.Bp * S, T, s.Bp, S, hs, BH, B, this.H, STAGE);
    if (lstm && cN !== null) fromHeap(e, where.C + (keepCaches ? T : T & 1) * s.Bp * S, 1, s.Bp, S, cN, 0, B, this.H, STAGE);
    this.shape = s;
    this.cache = cache;
    this.valid = keepCaches;
  }

  /** This layer's cache block, kept from the last forward when big enough, laid out for `sizes`. */
  private cacheBlock(sizes: { X: number; H: number; C: number; ACT: number; TC: number }): { X: number; H: number; C: number; ACT: number; TC: number } {
    const arena = this.engine.arena, need = carve(0, sizes).bytes;
    let lease = this.lease;
    if (lease === null || !arena.holds(lease) || lease.bytes < need) {
      if (lease !== null) arena.drop(lease);
      lease = arena.cache(need);
      this.lease = lease;
    }
    return carve(lease.offset, sizes).at;
  }

  hasCaches(): boolean {
    return this.valid && this.engine.arena.holds(this.lease);
  }

  backward(gradOut: Floats | null, goOff: number, dh: Floats, dc: Floats | null, dx: Floats | null, dxOff: number, needH0Grad: boolean, paramGrads: boolean): void {
    const s = this.shape, cache = this.cache;
    if (s === null || cache === null || !this.hasCaches()) throw new Error("backward needs the caches of a forward with keepCaches");
    const lstm = this.cell === "lstm", { Bp, Hp, S, U, Ip, T, B } = s, H = this.H, I = this.I;
    if (lstm && dc === null) throw new Error("LSTM backward needs dc");
    const state = Bp * S, K = lstm ? 16 * U : 12 * U;
    const sizes = {
      WD: (Hp / 16) * K * 16, WX: dx !== null ? (Ip / 16) * 16 * U * 16 : 0, DW: paramGrads ? U * s.perU : 0, DG: Bp * (U * 16 + ROW_PAD), DGH: lstm ? 0 : Bp * (U * 12 + ROW_PAD),
      DH: state, DC: lstm ? state : 0, GO: gradOut !== null ? T * state : 0, DX: dx !== null ? T * Bp * Ip : 0, ONE: 4,
      STAGE: T * B * Math.max(H, I), PACK: this.packFloats(), TRANSPOSED: paramGrads ? this.panelRowFloats() * (Hp + I) : 0,
    };
    const arena = this.engine.arena;
    const at = carve(arena.scratchBlock(carve(0, sizes).bytes), sizes).at;
    const heap = arena.f32(), e = this.engine;
    this.packPanels(heap, at.WD, s, at.PACK);
    if (dx !== null) this.packInputPanels(heap, at.WX, s, at.PACK);
    if (paramGrads) heap.fill(0, at.DW, at.DW + sizes.DW);
    toHeap(e, dh, 0, 1, B, H, at.DH, Bp, S, at.STAGE);
    if (lstm && dc !== null) toHeap(e, dc, 0, 1, B, H, at.DC, Bp, S, at.STAGE);
    if (gradOut !== null) toHeap(e, gradOut, goOff, T, B, H, at.GO, Bp, S, at.STAGE);
    heap[at.ONE] = 1;
    const flags = (gradOut !== null ? BACKWARD_FLAGS.GRAD_OUT : 0) | (dx !== null ? BACKWARD_FLAGS.DX : 0) | (needH0Grad ? BACKWARD_FLAGS.H0_GRAD : 0)
      | (paramGrads ? BACKWARD_FLAGS.PARAM_GRADS : 0);
    const block = (k: number, options: number[]): number => options.find((d) => k % d === 0) ?? k;
    this.engine.backward[this.cell](T, Bp, U, I, cache.X * 4, cache.H * 4, cache.C * 4, cache.ACT * 4, cache.TC * 4,
      at.GO * 4, at.DH * 4, at.DC * 4, at.DG * 4, at.DGH * 4, at.DW * 4, at.WD * 4, at.WX * 4, at.DX * 4,
      flags, block(K, [128, 96, 64, 48]), block(16 * U, [128, 64]), Ip, at.ONE * 4);
    if (paramGrads) this.unpackGrads(heap, at.DW, s, at.PACK, at.TRANSPOSED);
    fromHeap(e, at.DH, 1, Bp, S, dh, 0, B, H, at.STAGE);
    if (lstm && dc !== null) fromHeap(e, at.DC, 1, Bp, S, dc, 0, B, H, at.STAGE);
    if (dx !== null) fromHeap(e, at.DX, T, Bp, Ip, dx, dxOff, B, I, at.STAGE);
  }

  readStates(c: Floats | null, gates: Floats | null): void {
    const s = this.shape, cache = this.cache;
    if (s === null || cache === null || !this.hasCaches()) throw new Error("readStates needs the caches of a forward with keepCaches");
    const { T, B, Bp, S, U } = s, H = this.H, G = this.cell === "lstm" ? 4 : 3;
    if (c !== null && this.cell === "lstm") fromHeap(this.engine, cache.C, T + 1, Bp, S, c, 0, B, H, this.engine.arena.scratchBlock((T + 1) * B * H * 4) / 4);
    if (gates === null) return;
    const heap = this.engine.arena.f32();
    for (let t = 0; t < T; t++) {
      for (let b = 0; b < B; b++) {
        const src = cache.ACT + (t * Bp + b) * U * 16, dst = (t * B + b) * G * H;
        for (let g = 0; g < G; g++) for (let j = 0; j < H; j++) gates[dst + g * H + j] = heap[src + (j >> 2) * 16 + g * 4 + (j & 3)];
      }
    }
  }

  /** Floats between two k rows of a unit block's forward panel (and of its weight gradient): LSTM 4 gates, GRU 3, of 4 units. */
  private panelRowFloats(): number {
    return panelRow(this.cell).h / 4;
  }

  /** Floats of the PACK block that pack and unpack stage a layer's W_hh and W_ih in (PyTorch layout). */
  private packFloats(): number {
    return (this.cell === "lstm" ? 4 : 3) * this.H * (this.H + this.I);
  }

  /**
   * W [U, perU]: unit block u's weights for [h | x] then its bias row (see wasm/recurrent.ts). The
   * weights are staged in PACK and spread by the module, a row at a time.
   */
  private packForward(heap: Float32Array, W: number, s: Shape, pack: number): void {
    const { wIh, wHh, bIh, bHh } = this.spec, H = this.H, I = this.I, e = this.engine, lstm = this.cell === "lstm";
    const R = this.panelRowFloats(), wh = pack, wi = pack + wHh.length;
    heap.fill(0, W, W + s.U * s.perU);
    heap.set(wHh, wh);
    heap.set(wIh, wi);
    // the sigmoid gates (LSTM i, f, o; GRU r, z) are packed halved: the kernel takes σ(2a) = ½ + ½·tanh(a)
    for (let g = 0; g < (lstm ? 4 : 3); g++) {
      const scale = g === 2 ? 1 : 0.5;
      for (let j = 0; j < H; j++) {
        const base = W + (j >> 2) * s.perU + g * 4 + (j & 3), row = g * H + j;
        e.strided(H, (wh + row * H) * 4, 4, base * 4, R * 4, scale);
        e.strided(I, (wi + row * I) * 4, 4, (base + s.Hp * R) * 4, R * 4, scale);
        if (lstm) heap[base + (s.Hp + I) * 16] = scale * (bIh[row] + bHh[row]);
      }
    }
    if (lstm) return;
    for (let j = 0; j < H; j++) {
      const bias = W + (j >> 2) * s.perU + (s.Hp + I) * 12 + (j & 3);
      heap[bias] = 0.5 * (bIh[j] + bHh[j]);
      heap[bias + 4] = 0.5 * (bIh[H + j] + bHh[H + j]);
      heap[bias + 8] = bHh[2 * H + j];
      heap[bias + 12] = bIh[2 * H + j];
    }
  }

  /**
   * Cuts the matrix staged at `src` ([G·H, cols], PyTorch layout) into 16-column panels at `dst`
   * ([⌈cols/16⌉, K, 16], zeroed here): row (g, j) becomes panel row kk = (j >> 2)·unitRows +
   * slots[g]·4 + (j & 3), 16 columns per copy.
   */
  private panelize(heap: Float32Array, dst: number, src: number, cols: number, K: number, slots: readonly number[], unitRows: number): void {
    const H = this.H, e = this.engine, full = cols >> 4, rest = cols & 15;
    heap.fill(0, dst, dst + Math.ceil(cols / 16) * K * 16);
    slots.forEach((slot, g) => {
      for (let j = 0; j < H; j++) {
        const from = (src + (g * H + j) * cols) * 4, to = (dst + ((j >> 2) * unitRows + slot * 4 + (j & 3)) * 16) * 4;
        if (full > 0) e.copyRows(full, from, 64, to, K * 64, 64);
        if (rest > 0) e.copyRows(1, from + full * 64, 0, to + full * K * 64, 0, rest * 4);
      }
    });
  }

  /** WD [Hp/16, K, 16]: W_hh with rows in dG's order (LSTM all four gates, GRU r|z|n), cut into 16-column panels. */
  private packPanels(heap: Float32Array, WD: number, s: Shape, pack: number): void {
    const G = this.cell === "lstm" ? 4 : 3;
    heap.set(this.spec.wHh, pack);
    this.panelize(heap, WD, pack, this.H, G * 4 * s.U, Array.from({ length: G }, (_, g) => g), G * 4);
  }

  /** WX [Ip/16, 16U, 16]: W_ih with rows in dG's order (GRU: r|z|·|n, the n·r slot zero), in 16-column panels. */
  private packInputPanels(heap: Float32Array, WX: number, s: Shape, pack: number): void {
    heap.set(this.spec.wIh, pack);
    this.panelize(heap, WX, pack, this.I, 16 * s.U, this.cell === "lstm" ? [0, 1, 2, 3] : [0, 1, 3], 16);
  }

  /**
   * Adds the packed weight gradients DW (layout of packForward) into the PyTorch-layout gradients.
   * The module does the moves: the gradients are copied into PACK, each unit block's h and x rows
   * are transposed into TRANSPOSED ([R, Hp] and [R, I]: lane g·4 + (j & 3) holds unit j's gate g)
   * and added there 4 weight rows at a time, and PACK is copied back.
   */
  private unpackGrads(heap: Float32Array, DW: number, s: Shape, pack: number, transposed: number): void {
    const { dWih, dWhh, dbIh, dbHh } = this.spec, H = this.H, I = this.I, e = this.engine, lstm = this.cell === "lstm";
    const R = this.panelRowFloats(), G = lstm ? 4 : 3, { Hp } = s, wh = pack, wi = pack + dWhh.length, xRows = transposed + R * Hp;
    heap.set(dWhh, wh);
    heap.set(dWih, wi);
    for (let u = 0; u < s.U; u++) {
      const block = DW + u * s.perU, units = Math.min(4, H - 4 * u);
      e.transpose(block * 4, Hp, R, transposed * 4);
      e.transpose((block + Hp * R) * 4, I, R, xRows * 4);
      for (let g = 0; g < G; g++) {
        const row = g * H + 4 * u;
        e.addRows(units, (transposed + g * 4 * Hp) * 4, Hp * 4, (wh + row * H) * 4, H * 4, H * 4);
        e.addRows(units, (xRows + g * 4 * I) * 4, I * 4, (wi + row * I) * 4, I * 4, I * 4);
        if (!lstm) continue;
        for (let jj = 0; jj < units; jj++) {
          const db = heap[block + (Hp + I) * 16 + g * 4 + jj];
          dbIh[row + jj] += db;
          dbHh[row + jj] += db;
        }
      }
    }
    dWhh.set(heap.subarray(wh, wh + dWhh.length));
    dWih.set(heap.subarray(wi, wi + dWih.length));
    if (lstm) return;
    for (let j = 0; j < H; j++) {
      const bias = DW + (j >> 2) * s.perU + (s.Hp + I) * 12 + (j & 3);
      dbIh[j] += heap[bias]; dbHh[j] += heap[bias];
      dbIh[H + j] += heap[bias + 4]; dbHh[H + j] += heap[bias + 4];
      dbHh[2 * H + j] += heap[bias + 8];
      dbIh[2 * H + j] += heap[bias + 12];
    }
  }
}
