/**
 * The in-house WebAssembly module, assembled by encode.ts (no toolchain, nothing downloaded):
 * a 4×8-blocked f32x4 matrix multiply and a transpose (the dense head and the plain RNN use them
 * through wasm-gemm.ts), the LSTM/GRU layers of recurrent.ts (whole-sequence forward and
 * backward), and the moves between PyTorch's weight layout and theirs (copy_rows, strided,
 * add_rows, and transpose again, driven by wasm-recurrent.ts). Two builds: plain SIMD, and
 * relaxed SIMD (fused multiply-add) where the runtime validates it. Each thread compiles a build
 * on first use and gives it one memory, managed by an Arena.
 */
import { Arena } from "./arena";
import { F32, FnBuilder, I32, V128, moduleBytes, op } from "./encode";
import { relaxedSimdSupported, simdSupported } from "./features";
import { backwardFn, forwardFn, panelsFn } from "./recurrent";

// ---- gemm ------------------------------------------------------------------------------------

/**
 * gemm(M4, N8, K, a, aRS, aKS, b, ldb, c, ldc, acc): C[i, j] (+)= Σ_k A(i, k)·B[k, j] for
 * i < M4 (multiple of 4), j < N8 (multiple of 8); A(i, k) = a[i·aRS + k·aKS]; byte addresses,
 * element strides. Eight f32x4 accumulators hold the 4×8 block.
 */
function gemmFn(): FnBuilder {
  const f = new FnBuilder(new Array<number>(11).fill(I32));
  const [M4, N8, K, A, ARS, AKS, Bp, LDB, Cp, LDC, ACC] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  const i = f.local(I32), j = f.local(I32), k = f.local(I32), ap = f.local(I32), bp = f.local(I32);
  const aRS4 = f.local(I32), aKS4 = f.local(I32), ldb4 = f.local(I32), ldc4 = f.local(I32), cp = f.local(I32), ar2 = f.local(I32), ar3 = f.local(I32);
  const acc: number[] = [];
  for (let r = 0; r < 8; r++) acc.push(f.local(V128));
  const b0 = f.local(V128), b1 = f.local(V128), av = f.local(V128);
  f.emit(op.get(ARS), op.i32(2), op.shl, op.set(aRS4));
  f.emit(op.get(AKS), op.i32(2), op.shl, op.set(aKS4));
  f.emit(op.get(LDB), op.i32(2), op.shl, op.set(ldb4));
  f.emit(op.get(LDC), op.i32(2), op.shl, op.set(ldc4));
  f.emit(op.get(aRS4), op.i32(1), op.shl, op.set(ar2));
  f.emit(op.get(ar2), op.get(aRS4), op.add, op.set(ar3));
  f.forLoop(i, op.i32(0), op.get(M4), op.i32(4), () => {
    f.forLoop(j, op.i32(0), op.get(N8), op.i32(8), () => {
      for (const a of acc) f.emit(op.v128Zero, op.set(a));
      f.emit(op.get(A), op.get(i), op.get(aRS4), op.mul, op.add, op.set(ap));
      f.emit(op.get(Bp), op.get(j), op.i32(2), op.shl, op.add, op.set(bp));
      f.forLoop(k, op.i32(0), op.get(K), op.i32(1), () => {
        f.emit(op.get(bp), op.v128Load(0), op.set(b0));
        f.emit(op.get(bp), op.v128Load(16), op.set(b1));
        for (let r = 0; r < 4; r++) {
          f.emit(op.get(ap));
          if (r === 1) f.emit(op.get(aRS4), op.add);
          if (r === 2) f.emit(op.get(ar2), op.add);
          if (r === 3) f.emit(op.get(ar3), op.add);
          f.emit(op.f32Load(0), op.f32x4Splat, op.set(av));
          f.emit(op.get(acc[2 * r]), op.get(av), op.get(b0), op.f32x4Mul, op.f32x4Add, op.set(acc[2 * r]));
          f.emit(op.get(acc[2 * r + 1]), op.get(av), op.get(b1), op.f32x4Mul, op.f32x4Add, op.set(acc[2 * r + 1]));
        }
        f.emit(op.get(ap), op.get(aKS4), op.add, op.set(ap));
        f.emit(op.get(bp), op.get(ldb4), op.add, op.set(bp));
      });
      f.emit(op.get(Cp), op.get(i), op.get(ldc4), op.mul, op.add, op.get(j), op.i32(2), op.shl, op.add, op.set(cp));
      f.emit(op.get(ACC), op.if);
      for (let r = 0; r < 4; r++) {
        for (let h = 0; h < 2; h++) f.emit(op.get(cp), op.get(cp), op.v128Load(16 * h), op.get(acc[2 * r + h]), op.f32x4Add, op.v128Store(16 * h));
        f.emit(op.get(cp), op.get(ldc4), op.add, op.set(cp));
      }
      f.emit(op.else);
      for (let r = 0; r < 4; r++) {
        for (let h = 0; h < 2; h++) f.emit(op.get(cp), op.get(acc[2 * r + h]), op.v128Store(16 * h));
        f.emit(op.get(cp), op.get(ldc4), op.add, op.set(cp));
      }
      f.emit(op.end);
    });
  });
  return f;
}

/** transpose(src, rows, cols, dst): dst[c·rows + r] = src[r·cols + c] (f32, byte addresses). */
function transposeFn(): FnBuilder {
  const f = new FnBuilder([I32, I32, I32, I32]);
  const [SRC, ROWS, COLS, DST] = [0, 1, 2, 3];
  const r = f.local(I32), c = f.local(I32), sp = f.local(I32), dp = f.local(I32), rows4 = f.local(I32);
  f.emit(op.get(ROWS), op.i32(2), op.shl, op.set(rows4), op.get(SRC), op.set(sp));
  f.forLoop(r, op.i32(0), op.get(ROWS), op.i32(1), () => {
    f.emit(op.get(DST), op.get(r), op.i32(2), op.shl, op.add, op.set(dp));
    f.forLoop(c, op.i32(0), op.get(COLS), op.i32(1), () => {
      f.emit(op.get(dp), op.get(sp), op.f32Load(0), op.f32Store(0));
      f.emit(op.get(sp), op.i32(4), op.add, op.set(sp));
      f.emit(op.get(dp), op.get(rows4), op.add, op.set(dp));
    });
  });
  return f;
}

/**
 * copy_rows(rows, src, srcStride, dst, dstStride, bytes): `bytes` (a multiple of 4) from each of
 * `rows` rows, byte strides: moves states between the kernels' padded rows and dense [B, H] ones.
 * With `accumulate`, add_rows (same arguments): dst row += src row, which adds gathered weight
 * gradients into the PyTorch-layout ones.
 */
function rowsFn(accumulate: boolean): FnBuilder {
  const f = new FnBuilder([I32, I32, I32, I32, I32, I32]);
  const [ROWS, SRC, SS, DST, DS, BYTES] = [0, 1, 2, 3, 4, 5];
  const r = f.local(I32), c = f.local(I32), sp = f.local(I32), dp = f.local(I32), v16 = f.local(I32);
  // the value stored at dst + c: src's (copy) or src's + dst's (add), 16 bytes or 4 at a time
  const value = (load: number[], add: number[]): number[][] =>
    accumulate ? [op.get(dp), op.get(c), op.add, load, op.get(sp), op.get(c), op.add, load, add] : [op.get(sp), op.get(c), op.add, load];
  f.emit(op.get(BYTES), op.i32(~15), op.and, op.set(v16));
  f.emit(op.get(SRC), op.set(sp), op.get(DST), op.set(dp));
  f.forLoop(r, op.i32(0), op.get(ROWS), op.i32(1), () => {
    f.forLoop(c, op.i32(0), op.get(v16), op.i32(16), () => {
      f.emit(op.get(dp), op.get(c), op.add, ...value(op.v128Load(0), op.f32x4Add), op.v128Store(0));
    });
    f.forLoop(c, op.get(v16), op.get(BYTES), op.i32(4), () => {
      f.emit(op.get(dp), op.get(c), op.add, ...value(op.f32Load(0), op.f32Add), op.f32Store(0));
    });
    f.emit(op.get(sp), op.get(SS), op.add, op.set(sp), op.get(dp), op.get(DS), op.add, op.set(dp));
  });
  return f;
}

/**
 * strided(n, src, srcStride, dst, dstStride, scale): f32 dst[i·dstStride] = scale·src[i·srcStride]
 * for i < n (byte addresses and strides). Packs a weight row into the kernels' interleaved layouts
 * and gathers a gradient row back: the same element moves in JS cost several times as much.
 */
function stridedFn(): FnBuilder {
  const f = new FnBuilder([I32, I32, I32, I32, I32, F32]);
  const [N, SRC, SS, DST, DS, SCALE] = [0, 1, 2, 3, 4, 5];
  const i = f.local(I32), sp = f.local(I32), dp = f.local(I32);
  f.emit(op.get(SRC), op.set(sp), op.get(DST), op.set(dp));
  f.forLoop(i, op.i32(0), op.get(N), op.i32(1), () => {
    f.emit(op.get(dp), op.get(sp), op.f32Load(0), op.get(SCALE), op.f32Mul, op.f32Store(0));
    f.emit(op.get(sp), op.get(SS), op.add, op.set(sp), op.get(dp), op.get(DS), op.add, op.set(dp));
  });
  return f;
}

// ---- the engine ----------------------------------------------------------------------------------

type Fn = (...args: number[]) => void;

export interface Engine {
  readonly relaxed: boolean;
  readonly arena: Arena;
  gemm: (M4: number, N8: number, K: number, a: number, aRS: number, aKS: number, b: number, ldb: number, c: number, ldc: number, acc: number) => void;
  transpose: (src: number, rows: number, cols: number, dst: number) => void;
  copyRows: (rows: number, src: number, srcStride: number, dst: number, dstStride: number, bytes: number) => void;
  strided: (n: number, src: number, srcStride: number, dst: number, dstStride: number, scale: number) => void;
  addRows: (rows: number, src: number, srcStride: number, dst: number, dstStride: number, bytes: number) => void;
  /** see recurrent.ts: forward(T, Bp, U, I, S, W, X, H, C, ACT, TC) */
  forward: Record<"lstm" | "gru", { train: Fn; infer: Fn }>;
  /** see recurrent.ts: backward(T, Bp, U, I, X, H, C, ACT, TC, GO, DH, DC, DG, DGH, DW, WD, WX, DX, FLAGS, KBH, KBX, IP, ONE) */
  backward: Record<"lstm" | "gru", Fn>;
}

const FUNCTIONS = ["gemm", "transpose", "copy_rows", "strided", "add_rows", "panels", "lstm_fwd_train", "lstm_fwd_infer", "gru_fwd_train", "gru_fwd_infer", "lstm_bwd", "gru_bwd"] as const;

export function buildModuleBytes(relaxed: boolean): Uint8Array<ArrayBuffer> {
  const index = (name: (typeof FUNCTIONS)[number]): number => FUNCTIONS.indexOf(name);
  const fns: Record<(typeof FUNCTIONS)[number], FnBuilder> = {
    gemm: gemmFn(), transpose: transposeFn(), copy_rows: rowsFn(false), strided: stridedFn(), add_rows: rowsFn(true), panels: panelsFn(relaxed),
    lstm_fwd_train: forwardFn("lstm", true, relaxed), lstm_fwd_infer: forwardFn("lstm", false, relaxed),
    gru_fwd_train: forwardFn("gru", true, relaxed), gru_fwd_infer: forwardFn("gru", false, relaxed),
    lstm_bwd: backwardFn("lstm", relaxed, index("panels")), gru_bwd: backwardFn("gru", relaxed, index("panels")),
  };
  return moduleBytes(FUNCTIONS.map((name) => ({ name, fn: fns[name], exported: true })));
}

/** Bytes of cached forwards one thread keeps (least recently used beyond it are recomputed). */
export const CACHE_BUDGET = 256 * 1048576;

/** A new instance of the plain or relaxed build with its own memory (null when the runtime lacks the features or the build fails). */
export function createEngine(relaxed: boolean, cacheBudget = CACHE_BUDGET): Engine | null {
  if (!simdSupported() || (relaxed && !relaxedSimdSupported())) return null;
  try {
    const memory = new WebAssembly.Memory({ initial: 16 });
    const instance = new WebAssembly.Instance(new WebAssembly.Module(buildModuleBytes(relaxed)), { env: { mem: memory } });
    const ex = instance.exports as unknown as Record<(typeof FUNCTIONS)[number], Fn>;
    return {
      relaxed, arena: new Arena(memory, cacheBudget), gemm: ex.gemm, transpose: ex.transpose, copyRows: ex.copy_rows, strided: ex.strided, addRows: ex.add_rows,
      forward: { lstm: { train: ex.lstm_fwd_train, infer: ex.lstm_fwd_infer }, gru: { train: ex.gru_fwd_train, infer: ex.gru_fwd_infer } },
      backward: { lstm: ex.lstm_bwd, gru: ex.gru_bwd },
    };
  } catch {
    return null;
  }
}

const engines = new Map<boolean, Engine | null>();

/** This thread's engine of the plain (relaxed = false) or relaxed build, or null when unavailable. */
export function getEngine(relaxed = false): Engine | null {
  let engine = engines.get(relaxed);
  if (engine === undefined) {
    engine = createEngine(relaxed);
    engines.set(relaxed, engine);
  }
  return engine;
}

/** Forgets the builds found missing, so that the next getEngine looks again (after a V8 flag change). */
export function retryMissingEngines(): void {
  for (const [relaxed, engine] of engines) if (engine === null) engines.delete(relaxed);
}
