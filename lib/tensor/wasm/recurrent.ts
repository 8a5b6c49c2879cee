/**
 * The recurrent layers in WebAssembly: LSTM and GRU forward over the whole sequence in one call
 * (training form, caching what backward needs; inference form, caching nothing) and backward
 * through time in one call. Built by ../wasm-recurrent.ts, which packs the weights and owns the
 * memory; all pointers are byte addresses into it and all buffers are 16-byte aligned.
 *
 * Layout (Bp = batch rounded up to even, Hp = hidden rounded up to 16, U = Hp/4 unit blocks; the
 * padding rows and units stay zero or never reach a real output):
 *   h, c, tanh c   [.., Bp, S]         PyTorch's [B, H] rows, S floats apart (Hp, or Hp + ROW_PAD in training)
 *   x              [T, Bp, I]
 *   act, dG        [.., Bp, U, 16]     per unit block of 4 units, 4 gate vectors side by side (dG's
 *                                      rows ROW_PAD floats apart):
 *                                      LSTM i|f|g|o, GRU r|z|n|hn (forward) and dr|dz|dn·r|dn (dG)
 *   W (forward)    [U, K, 4·4] + bias  unit block u's weights of its 4 units for every input k of
 *                                      [h_{t-1} | x_t] (LSTM K = Hp + I, 16 floats per k), then the
 *                                      bias row (b_ih + b_hh); GRU: h rows r|z|n_h (12 floats), x rows
 *                                      r|z|n_x (12), bias r|z|b_hn|b_in (16)
 *   panels         [Np/16, K, 16]      a right operand cut into 16-column panels (dh = dG·W_hh, dx = dG·W_ih)
 *
 * So a step's product h_{t-1}·W_hhᵀ + x_t·W_ihᵀ + b lands in 2 rows × 4 vectors of registers that
 * hold all four gates of 4 units: the gate nonlinearities and the state update run on them
 * directly, and the pre-activations are never stored. The sigmoid gates' weights are packed
 * halved (σ(x) = ½ + ½·tanh(x/2), see emit.ts).
 */
import { op } from "./encode";
import { KernelFn, konst, plus, times, type Code, type Operand } from "./emit";

const SLOTS4 = [0, 16, 32, 48];

/**
 * In training, rows of the state arrays and of dG are one cache line longer than their data: the
 * weight gradient walks down the batch through them, and rows a power of two apart (1 KB for dG at
 * hidden 64) fall into a few L1 sets and evict each other (backward measured 13% faster padded).
 * backward's state arrays have rows of Hp + ROW_PAD floats; forward takes the row length.
 */
export const ROW_PAD = 16;

/** rows × vectors accumulator locals. */
function accumulators(f: KernelFn, rows = 2, vectors = 4): number[][] {
  return Array.from({ length: rows }, () => Array.from({ length: vectors }, () => f.v128()));
}

type Cell = "lstm" | "gru";

/**
 * Rows per forward tile: with FMA latency 4 and two FMA pipes, 8 independent accumulators keep the
 * pipes busy. LSTM: 2 rows × 4 gate vectors; GRU's products have 3 vectors per row, so 3 rows
 * (9 accumulators, 13 of the 15 vector registers V8 allocates). The batch is padded to even (the
 * dh panels take 2 rows); forward tiles take the rest of it after the last full tile (a lone last row
 * as a k-split, see splitRow).
 */
export const ROWS: Record<Cell, number> = { lstm: 2, gru: 3 };

/** Bytes per k-row of a forward weight panel and of its bias row. */
export function panelRow(cell: Cell): { h: number; x: number; bias: number } {
  return cell === "lstm" ? { h: 64, x: 64, bias: 64 } : { h: 48, x: 48, bias: 64 };
}

/**
 * forward(T, Bp, U, I, S, W, X, H, C, ACT, TC): h[t+1], c[t+1] for t < T from h[0], c[0]
 * (LSTM; GRU has no C/TC); state rows S floats apart. Training form: H, C [T+1, Bp, S],
 * ACT [T, Bp, U, 16], TC [T, Bp, S] (LSTM tanh c). Inference form: H [T+1, Bp, S], C [2, Bp, S]
 * used in turn (c_T ends in C[T mod 2]).
 */
export function forwardFn(cell: Cell, training: boolean, relaxed: boolean): KernelFn {
  const f = new KernelFn(relaxed, 11);
  const [T, Bp, U, I, S, W, X, H, C, ACT, TC] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  const HP = f.i32(), HP4 = f.i32(), BHP4 = f.i32(), I4 = f.i32(), ROW = f.i32(), WU = f.i32(), XOFF = f.i32(), BIAS = f.i32();
  const HALF = f.i32(), HALF_A = f.i32(), HALF_W = f.i32(); // splitRow's halves: inputs, and their bytes in h and in W
  const t = f.i32(), u = f.i32(), b = f.i32(), hPrev = f.i32(), hOut = f.i32(), cPrev = f.i32(), cOut = f.i32(), xt = f.i32(), actT = f.i32(), tcT = f.i32(), wu = f.i32();
  const R = ROWS[cell];
  const q = Array.from({ length: R }, () => f.i32()), pa = Array.from({ length: R }, () => f.i32());
  const acc = accumulators(f, R);
  const v = acc.map(() => Array.from({ length: 6 }, () => f.v128()));
  const pr = panelRow(cell);
  f.emit(op.get(U), op.i32(2), op.shl, op.set(HP));
  f.emit(op.get(S), op.i32(2), op.shl, op.set(HP4)); // bytes per state row
  f.emit(times(op.get(Bp), op.get(HP4)), op.set(BHP4));
  f.emit(op.get(I), op.i32(2), op.shl, op.set(I4));
  f.emit(op.get(U), op.i32(6), op.shl, op.set(ROW));
  f.emit(times(op.get(HP), pr.h), op.set(XOFF));
  f.emit(plus(op.get(XOFF), times(op.get(I), pr.x)), op.set(BIAS));
  f.emit(plus(op.get(BIAS), pr.bias), op.set(WU));
  f.emit(op.get(HP), op.i32(1), op.shrU, op.tee(HALF), op.i32(2), op.shl, op.set(HALF_A));
  f.emit(times(op.get(HALF), pr.h), op.set(HALF_W));
  f.loop(t, op.get(T), 1, () => {
    f.emit(plus(op.get(H), times(op.get(t), op.get(BHP4))), op.tee(hPrev), op.get(BHP4), op.add, op.set(hOut));
    f.emit(plus(op.get(X), times(times(op.get(t), op.get(Bp)), op.get(I4))), op.set(xt));
    if (cell === "lstm") {
      if (training) {
        f.emit(plus(op.get(C), times(op.get(t), op.get(BHP4))), op.tee(cPrev), op.get(BHP4), op.add, op.set(cOut));
        f.emit(plus(op.get(TC), times(op.get(t), op.get(BHP4))), op.set(tcT));
      } else {
        f.emit(plus(op.get(C), times([...op.get(t), ...op.i32(1), ...op.and], op.get(BHP4))), op.set(cPrev));
        f.emit(plus(op.get(C), times([...op.get(t), ...op.i32(1), ...op.and, ...op.i32(1), ...op.xor], op.get(BHP4))), op.set(cOut));
      }
    }
    if (training) f.emit(plus(op.get(ACT), times(times(op.get(t), op.get(Bp)), op.get(ROW))), op.set(actT));
    f.loop(u, op.get(U), 1, () => {
      f.emit(plus(op.get(W), times(op.get(u), op.get(WU))), op.set(wu));
      // R rows at a time, then the remaining Bp mod R rows (Bp is even, R divides it or leaves 1 or 2)
      const rows = (n: number): void => {
        const accN = acc.slice(0, n);
        f.loadAcc(accN, () => plus(op.get(wu), op.get(BIAS)));
        const hAcc = cell === "lstm" ? accN : accN.map((row) => row.slice(0, 3));
        const xAcc = cell === "lstm" ? accN : accN.map((row) => [row[0], row[1], row[3]]);
        const offs = cell === "lstm" ? SLOTS4 : [0, 16, 32];
        const hRows = plus(op.get(hPrev), times(op.get(b), op.get(HP4)));
        if (n === 1 && R > 2) splitRow(f, acc, offs.length, { half: [HALF, HALF_A, HALF_W], a: hRows, w: op.get(wu), wStep: pr.h, offsets: offs });
        else f.tile({ acc: hAcc, count: op.get(HP), a: { ptr: hRows, rowStride: op.get(HP4), step: 4 }, w: { ptr: op.get(wu), step: pr.h, offsets: offs } });
        f.tile({ acc: xAcc, count: op.get(I), a: { ptr: plus(op.get(xt), times(op.get(b), op.get(I4))), rowStride: op.get(I4), step: 4 }, w: { ptr: plus(op.get(wu), op.get(XOFF)), step: pr.x, offsets: offs } });
        // q[r]: byte offset of (row b + r, units 4u..4u+3) in the state arrays; pa[r]: the same in this step's act cache
        for (let r = 0; r < n; r++) {
          f.emit(plus(times(plus(op.get(b), r), op.get(HP4)), [...op.get(u), ...op.i32(4), ...op.shl]), op.set(q[r]));
          if (training) f.emit(plus(op.get(actT), plus(times(plus(op.get(b), r), op.get(ROW)), [...op.get(u), ...op.i32(6), ...op.shl])), op.set(pa[r]));
        }
        if (cell === "lstm") lstmEpilogue(f, training, accN, v, q, pa, { cPrev, cOut, hOut, tcT });
        else gruEpilogue(f, training, accN, v, q, pa, { hPrev, hOut });
      };
      f.forLoop(b, op.i32(0), [...op.get(Bp), ...op.i32(R - 1), ...op.sub], op.i32(R), () => rows(R));
      for (let rest = R - 1; rest >= 1; rest--) {
        f.emit(op.get(Bp), op.get(b), op.sub, op.i32(rest), op.eq, op.if);
        rows(rest);
        f.emit(op.end);
      }
    });
  });
  return f;
}

/**
 * One row's h-side product, acc[0][0..V) += h·W over the Hp inputs, as a 2-way k-split: acc[1]
 * takes the second half of the inputs and is added in at the end. A lone row's V accumulators
 * are one FMA-latency chain each, so alone it runs at V/8 of the FMA pipes' rate and costs as
 * much as a full tile of R rows (GRU at batch 64: 21 tiles of 3 rows and one of 1 measured
 * like 22 full tiles); split, its 2·V chains run side by side. `half`: locals holding Hp/2 and
 * the bytes it spans in h and in W (Hp is a multiple of 16).
 */
function splitRow(f: KernelFn, acc: number[][], V: number, s: { half: [number, number, number]; a: Code; w: Code; wStep: number; offsets: number[] }): void {
  const [row, half] = [acc[0].slice(0, V), acc[1].slice(0, V)];
  const [count, aBytes, wBytes] = s.half;
  f.loadAcc([half], null);
  f.tile({
    acc: [row, half], count: op.get(count), a: { ptr: s.a, rowStride: op.get(aBytes), step: 4 },
    w: { ptr: s.w, step: s.wStep, offsets: s.offsets, rowStride: op.get(wBytes) },
  });
  row.forEach((x, v) => f.emit(op.get(x), op.get(half[v]), op.f32x4Add, op.set(x)));
}

/**
 * The gate activations of the tile's rows, the same gate of every row side by side (see activate):
 * `sigmoid[s]` says whether gate s is a sigmoid (of a halved pre-activation) or a tanh.
 */
function gateActivations(f: KernelFn, a: number[][], v: number[][], sigmoid: boolean[]): void {
  sigmoid.forEach((sig, s) => f.activate(a.map((row, r) => ({ x: op.get(row[s]), out: v[r][s], sigmoid: sig }))));
}

/** Every row of the tile: i,f,g,o from the accumulators; c = f·c_prev + i·g; h = o·tanh c; caches i,f,g,o and tanh c when training. */
function lstmEpilogue(f: KernelFn, training: boolean, a: number[][], v: number[][], q: number[], pa: number[],
  p: { cPrev: number; cOut: number; hOut: number; tcT: number }): void {
  gateActivations(f, a, v, [true, true, false, true]);
  for (let r = 0; r < a.length; r++) {
    const [iv, fv, gv, , cv] = v[r];
    f.emit(f.madd(op.get(fv), [...plus(op.get(p.cPrev), op.get(q[r])), ...op.v128Load(0)], [...op.get(iv), ...op.get(gv), ...op.f32x4Mul]), op.set(cv));
    f.emit(plus(op.get(p.cOut), op.get(q[r])), op.get(cv), op.v128Store(0));
  }
  f.activate(a.map((_, r) => ({ x: op.get(v[r][4]), out: v[r][5], sigmoid: false })));
  for (let r = 0; r < a.length; r++) {
    const [iv, fv, gv, ov, , tc] = v[r];
    f.emit(plus(op.get(p.hOut), op.get(q[r])), op.get(ov), op.get(tc), op.f32x4Mul, op.v128Store(0));
    if (!training) continue;
    f.emit(plus(op.get(p.tcT), op.get(q[r])), op.get(tc), op.v128Store(0));
    [iv, fv, gv, ov].forEach((x, s) => f.emit(op.get(pa[r]), op.get(x), op.v128Store(16 * s)));
  }
}

/** Every row of the tile: r, z = σ; hn = W_hn h + b_hn; n = tanh(x_n + r·hn); h = n + z·(h_prev - n); caches r, z, n, hn when training. */
function gruEpilogue(f: KernelFn, training: boolean, a: number[][], v: number[][], q: number[], pa: number[],
  p: { hPrev: number; hOut: number }): void {
  gateActivations(f, a, v, [true, true]);
  f.activate(a.map((row, r) => ({ x: f.madd(op.get(v[r][0]), op.get(row[2]), op.get(row[3])), out: v[r][2], sigmoid: false })));
  for (let r = 0; r < a.length; r++) {
    const [rv, zv, nv, hp] = v[r];
    f.emit(plus(op.get(p.hPrev), op.get(q[r])), op.v128Load(0), op.set(hp));
    f.emit(plus(op.get(p.hOut), op.get(q[r])), f.madd(op.get(zv), [...op.get(hp), ...op.get(nv), ...op.f32x4Sub], op.get(nv)), op.v128Store(0));
    if (training) [rv, zv, nv, a[r][2]].forEach((x, s) => f.emit(op.get(pa[r]), op.get(x), op.v128Store(16 * s)));
  }
}

/**
 * panels(M, K, KB, NP, A, LDA, P, C, LDC, ACC): C[M, 16·NP] (+)= A[M, K]·P with P cut into NP panels
 * [K, 16]; rows of A and C LDA / LDC bytes apart; M even, K a multiple of KB (K is blocked so that
 * a panel's KB × 16 block stays in L1 while every row pair passes over it).
 */
export function panelsFn(relaxed: boolean): KernelFn {
  const f = new KernelFn(relaxed, 10);
  const [M, K, KB, NP, A, LDA, P, C, LDC, ACC] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  const jb = f.i32(), kb = f.i32(), b = f.i32(), fresh = f.i32();
  const acc = accumulators(f);
  const cAt = (r: number): Code => plus(plus(op.get(C), times(plus(op.get(b), r), op.get(LDC))), [...op.get(jb), ...op.i32(6), ...op.shl]);
  f.loop(jb, op.get(NP), 1, () => {
    f.forLoop(kb, op.i32(0), op.get(K), op.get(KB), () => {
      f.emit(op.get(kb), op.eqz, op.get(ACC), op.eqz, op.and, op.set(fresh));
      f.loop(b, op.get(M), 2, () => {
        f.emit(op.get(fresh), op.if);
        f.loadAcc(acc, null);
        f.emit(op.else);
        f.loadAcc(acc, cAt);
        f.emit(op.end);
        f.tile({
          acc, count: op.get(KB),
          a: { ptr: plus(plus(op.get(A), times(op.get(b), op.get(LDA))), [...op.get(kb), ...op.i32(2), ...op.shl]), rowStride: op.get(LDA), step: 4 },
          w: { ptr: plus(op.get(P), [...times(plus(times(op.get(jb), op.get(K)), op.get(kb)), 64)]), step: 64, offsets: SLOTS4 },
        });
        f.storeAcc(acc, cAt);
      });
    });
  });
  return f;
}

/** FLAGS of backward */
export const BACKWARD_FLAGS = { GRAD_OUT: 1, DX: 2, H0_GRAD: 4, PARAM_GRADS: 8 } as const;

/**
 * backward(T, Bp, U, I, X, H, C, ACT, TC, GO, DH, DC, DG, DGH, DW, WD, WX, DX, FLAGS, KBH, KBX, IP, ONE):
 * for t = T-1 … 0: the gate gradients dG_t (LSTM also dc ← dc_t·f; GRU also dh ← z·dh_t and the
 * hidden-side gradients DGH [Bp, U, 12]), then DW += dG_tᵀ·[h_{t-1} | x_t | 1] in the forward
 * weights' packed layout, then dh_{t-1} = dG_t·W_hh (LSTM) or += DGH_t·W_hh (GRU) through the WD
 * panels, then dx_t = dG_t·W_ih through the WX panels into DX [T, Bp, IP] (FLAGS.DX). Without
 * FLAGS.PARAM_GRADS the weight gradient is skipped (input gradients only).
 * GO [T, Bp, Hp] is dL/d outputs (FLAGS.GRAD_OUT); DH, DC [Bp, Hp] start as dL/dh_T, dL/dc_T and
 * end as dL/dh_0 (FLAGS.H0_GRAD), dL/dc_0; ONE is a float 1 (the bias row's input).
 */
export function backwardFn(cell: Cell, relaxed: boolean, panels: number): KernelFn {
  const f = new KernelFn(relaxed, 23);
  const [T, Bp, U, I, X, H, C, ACT, TC, GO, DH, DC, DG, DGH, DW, WD, WX, DX, FLAGS, KBH, KBX, IP, ONE] = Array.from({ length: 23 }, (_, i) => i);
  const HP = f.i32(), HP4 = f.i32(), BHP4 = f.i32(), I4 = f.i32(), ROW = f.i32(), GROW = f.i32(), HROW = f.i32(), WU = f.i32(), XOFF = f.i32(), BIAS = f.i32();
  const tt = f.i32(), t = f.i32(), u = f.i32(), b = f.i32(), k = f.i32(), hPrev = f.i32(), cPrev = f.i32(), tcT = f.i32(), actT = f.i32(), xt = f.i32(), goT = f.i32();
  const q = f.i32(), pa = f.i32(), pd = f.i32(), dwu = f.i32();
  const v = Array.from({ length: 8 }, () => f.v128());
  const acc = accumulators(f, 3);
  const pr = panelRow(cell);
  const lstm = cell === "lstm";
  f.emit(op.get(U), op.i32(2), op.shl, op.set(HP));
  f.emit(op.get(U), op.i32(4), op.shl, op.i32(4 * ROW_PAD), op.add, op.set(HP4)); // bytes per state row
  f.emit(times(op.get(Bp), op.get(HP4)), op.set(BHP4));
  f.emit(op.get(I), op.i32(2), op.shl, op.set(I4));
  f.emit(op.get(U), op.i32(6), op.shl, op.set(ROW)); // bytes per act row
  f.emit(op.get(ROW), op.i32(4 * ROW_PAD), op.add, op.set(GROW)); // bytes per dG row
  f.emit(times(op.get(U), 48), op.i32(4 * ROW_PAD), op.add, op.set(HROW)); // bytes per DGH row
  f.emit(times(op.get(HP), pr.h), op.set(XOFF));
  f.emit(plus(op.get(XOFF), times(op.get(I), pr.x)), op.set(BIAS));
  f.emit(plus(op.get(BIAS), pr.bias), op.set(WU));
  const flag = (bit: number): Code => [...op.get(FLAGS), ...op.i32(bit), ...op.and];
  f.loop(tt, op.get(T), 1, () => {
    f.emit(op.get(T), op.i32(1), op.sub, op.get(tt), op.sub, op.set(t));
    f.emit(plus(op.get(H), times(op.get(t), op.get(BHP4))), op.set(hPrev));
    f.emit(plus(op.get(GO), times(op.get(t), op.get(BHP4))), op.set(goT));
    f.emit(plus(op.get(X), times(times(op.get(t), op.get(Bp)), op.get(I4))), op.set(xt));
    f.emit(plus(op.get(ACT), times(times(op.get(t), op.get(Bp)), op.get(ROW))), op.set(actT));
    if (lstm) {
      f.emit(plus(op.get(C), times(op.get(t), op.get(BHP4))), op.set(cPrev));
      f.emit(plus(op.get(TC), times(op.get(t), op.get(BHP4))), op.set(tcT));
    }
    // 1. gate gradients, one unit block of one row at a time
    f.loop(b, op.get(Bp), 1, () => {
      f.loop(u, op.get(U), 1, () => {
        f.emit(plus(times(op.get(b), op.get(HP4)), [...op.get(u), ...op.i32(4), ...op.shl]), op.set(q));
        f.emit(plus(op.get(actT), plus(times(op.get(b), op.get(ROW)), [...op.get(u), ...op.i32(6), ...op.shl])), op.set(pa));
        f.emit(plus(op.get(DG), plus(times(op.get(b), op.get(GROW)), [...op.get(u), ...op.i32(6), ...op.shl])), op.set(pd));
        if (lstm) lstmGateGrads(f, v, { q, pa, pd, cPrev, tcT, goT, DH, DC, hasGO: flag(BACKWARD_FLAGS.GRAD_OUT) });
        else {
          gruGateGrads(f, v, { q, pa, pd, hPrev, goT, DH, hasGO: flag(BACKWARD_FLAGS.GRAD_OUT) });
          // the hidden-side gradients r|z|n·r, packed 12 floats per unit block for dh = DGH·W_hh
          f.emit(plus(op.get(DGH), plus(times(op.get(b), op.get(HROW)), times(op.get(u), 48))), op.set(pa));
          for (let s = 0; s < 3; s++) f.emit(op.get(pa), op.get(pd), op.v128Load(16 * s), op.v128Store(16 * s));
        }
      });
    });
    // 2. weight gradients DW += dG_tᵀ·[h_{t-1} | x_t | 1], reduced over the batch
    f.emit(flag(BACKWARD_FLAGS.PARAM_GRADS), op.if);
    f.loop(u, op.get(U), 1, () => {
      f.emit(plus(op.get(DW), times(op.get(u), op.get(WU))), op.set(dwu));
      const hSide = lstm ? { ptr: plus(op.get(DG), [...op.get(u), ...op.i32(6), ...op.shl]), step: op.get(GROW), offsets: SLOTS4 }
        : { ptr: plus(op.get(DGH), times(op.get(u), 48)), step: op.get(HROW), offsets: [0, 16, 32] };
      const xSide = { ptr: plus(op.get(DG), [...op.get(u), ...op.i32(6), ...op.shl]), step: op.get(GROW), offsets: lstm ? SLOTS4 : [0, 16, 48] };
      /**
       * DW rows k < count of one input side += Σ_b A[b, k]·dG[b]: tiles of R inputs (R = ROWS, so
       * that R × vectors accumulators keep the FMA pipes busy), then the last count mod R one by one.
       */
      const side = (count: Code, base: Operand, rowBytes: number, a: Code, aStep: Code, w: { ptr: Code; step: Code; offsets: number[] }): void => {
        const R = ROWS[cell], V = w.offsets.length;
        const tileOf = (rows: number): void => {
          const accR = acc.slice(0, rows).map((row) => row.slice(0, V));
          const at = (r: number): Code => plus(op.get(dwu), plus(base, plus(times(op.get(k), rowBytes), r * rowBytes)));
          f.loadAcc(accR, at);
          f.tile({ acc: accR, count: op.get(Bp), a: { ptr: plus(a, [...op.get(k), ...op.i32(2), ...op.shl]), rowStride: 4, step: aStep }, w });
          f.storeAcc(accR, at);
        };
        f.forLoop(k, op.i32(0), [...count, ...op.i32(R - 1), ...op.sub], op.i32(R), () => tileOf(R));
        for (let rest = R - 1; rest >= 1; rest--) {
          f.emit(count, op.get(k), op.sub, op.i32(rest), op.ge, op.if);
          tileOf(1);
          f.emit(op.get(k), op.i32(1), op.add, op.set(k), op.end);
        }
      };
      side(op.get(HP), 0, pr.h, op.get(hPrev), op.get(HP4), hSide);
      side(op.get(I), op.get(XOFF), pr.x, op.get(xt), op.get(I4), xSide);
      // the bias row: Σ_b dG (an input that is always 1)
      const bAcc = [acc[0]];
      const bRow = (): Code => plus(op.get(dwu), op.get(BIAS));
      f.loadAcc(bAcc, bRow);
      f.tile({ acc: bAcc, count: op.get(Bp), a: { ptr: op.get(ONE), rowStride: 0, step: 0 }, w: { ptr: plus(op.get(DG), [...op.get(u), ...op.i32(6), ...op.shl]), step: op.get(GROW), offsets: SLOTS4 } });
      f.storeAcc(bAcc, bRow);
    });
    f.emit(op.end);
    // 3. dh_{t-1} through the W_hh panels (not needed after the first step unless dL/dh0 is wanted)
    f.emit(op.get(t), op.i32(0), op.gtS, flag(BACKWARD_FLAGS.H0_GRAD), op.or, op.if);
    if (lstm) f.emit(op.get(Bp), times(op.get(U), 16), op.get(KBH), op.get(U), op.i32(2), op.shrU, op.get(DG), op.get(GROW), op.get(WD), op.get(DH), op.get(HP4), op.i32(0), op.call(panels));
    else f.emit(op.get(Bp), times(op.get(U), 12), op.get(KBH), op.get(U), op.i32(2), op.shrU, op.get(DGH), op.get(HROW), op.get(WD), op.get(DH), op.get(HP4), op.i32(1), op.call(panels));
    f.emit(op.end);
    // 4. dx_t through the W_ih panels
    f.emit(flag(BACKWARD_FLAGS.DX), op.if);
    f.emit(op.get(Bp), times(op.get(U), 16), op.get(KBX), op.get(IP), op.i32(4), op.shrU, op.get(DG), op.get(GROW), op.get(WX),
      plus(op.get(DX), times(times(op.get(t), op.get(Bp)), [...op.get(IP), ...op.i32(2), ...op.shl])), [...op.get(IP), ...op.i32(2), ...op.shl], op.i32(0), op.call(panels));
    f.emit(op.end);
  });
  return f;
}

/** LSTM (dh_t and dc_t flushed below FLUSH_BELOW): dh_t = dh + gradOut; dc_t = dc + dh_t·o·(1 - tanh²c); dG = dc_t·g·i(1-i) | dc_t·c_{t-1}·f(1-f) | dc_t·i·(1-g²) | dh_t·tanh c·o(1-o); dc ← dc_t·f. */
function lstmGateGrads(f: KernelFn, v: number[], p: { q: number; pa: number; pd: number; cPrev: number; tcT: number; goT: number; DH: number; DC: number; hasGO: Code }): void {
  const [iv, fv, gv, ov, tc, dh, dc] = v;
  const one = konst(1);
  const at = (base: number): Code => plus(op.get(base), op.get(p.q));
  const dsig = (x: number): Code => [...op.get(x), ...one, ...op.get(x), ...op.f32x4Sub, ...op.f32x4Mul]; // x(1-x)
  [iv, fv, gv, ov].forEach((x, s) => f.emit(op.get(p.pa), op.v128Load(16 * s), op.set(x)));
  f.emit(at(p.tcT), op.v128Load(0), op.set(tc));
  f.emit(at(p.DH), op.v128Load(0), op.set(dh));
  f.emit(p.hasGO, op.if, op.get(dh), at(p.goT), op.v128Load(0), op.f32x4Add, op.set(dh), op.end);
  f.flushTiny(dh);
  f.emit(f.madd([...op.get(dh), ...op.get(ov), ...op.f32x4Mul], f.nmadd(op.get(tc), op.get(tc), one), [...at(p.DC), ...op.v128Load(0)]), op.set(dc));
  f.flushTiny(dc);
  f.emit(at(p.DC), op.get(dc), op.get(fv), op.f32x4Mul, op.v128Store(0));
  f.emit(op.get(p.pd), op.get(dc), op.get(gv), op.f32x4Mul, dsig(iv), op.f32x4Mul, op.v128Store(0));
  f.emit(op.get(p.pd), op.get(dc), at(p.cPrev), op.v128Load(0), op.f32x4Mul, dsig(fv), op.f32x4Mul, op.v128Store(16));
  f.emit(op.get(p.pd), op.get(dc), op.get(iv), op.f32x4Mul, f.nmadd(op.get(gv), op.get(gv), one), op.f32x4Mul, op.v128Store(32));
  f.emit(op.get(p.pd), op.get(dh), op.get(tc), op.f32x4Mul, dsig(ov), op.f32x4Mul, op.v128Store(48));
}

/** GRU (dh_t flushed below FLUSH_BELOW): dh_t = dh + gradOut; dn = dh_t(1-z)(1-n²); dz = dh_t(h_{t-1} - n)z(1-z); dr = dn·hn·r(1-r); dG = dr | dz | dn·r | dn; dh ← z·dh_t. */
function gruGateGrads(f: KernelFn, v: number[], p: { q: number; pa: number; pd: number; hPrev: number; goT: number; DH: number; hasGO: Code }): void {
  const [rv, zv, nv, hn, hp, dh, dn, dr] = v;
  const one = konst(1);
  const at = (base: number): Code => plus(op.get(base), op.get(p.q));
  [rv, zv, nv, hn].forEach((x, s) => f.emit(op.get(p.pa), op.v128Load(16 * s), op.set(x)));
  f.emit(at(p.hPrev), op.v128Load(0), op.set(hp));
  f.emit(at(p.DH), op.v128Load(0), op.set(dh));
  f.emit(p.hasGO, op.if, op.get(dh), at(p.goT), op.v128Load(0), op.f32x4Add, op.set(dh), op.end);
  f.flushTiny(dh);
  f.emit(op.get(dh), one, op.get(zv), op.f32x4Sub, op.f32x4Mul, f.nmadd(op.get(nv), op.get(nv), one), op.f32x4Mul, op.set(dn));
  f.emit(op.get(dn), op.get(hn), op.f32x4Mul, op.get(rv), op.f32x4Mul, one, op.get(rv), op.f32x4Sub, op.f32x4Mul, op.set(dr));
  f.emit(op.get(p.pd), op.get(dr), op.v128Store(0));
  f.emit(op.get(p.pd), op.get(dh), op.get(hp), op.get(nv), op.f32x4Sub, op.f32x4Mul, op.get(zv), op.f32x4Mul, one, op.get(zv), op.f32x4Sub, op.f32x4Mul, op.v128Store(16));
  f.emit(op.get(p.pd), op.get(dn), op.get(rv), op.f32x4Mul, op.v128Store(32));
  f.emit(op.get(p.pd), op.get(dn), op.v128Store(48));
  f.emit(at(p.DH), op.get(dh), op.get(zv), op.f32x4Mul, op.v128Store(0));
}
