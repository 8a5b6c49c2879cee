/**
 * A WebAssembly SIMD matrix multiply that slots in under the same gemm signatures as the
 * TypeScript kernels (gemm.ts stays the reference it is tested against). The module is a few
 * hundred bytes assembled right here (no toolchain, nothing downloaded), compiled synchronously on
 * first use. Float32 only: float64 calls, tiny products and the ragged edges (rows past a multiple
 * of 4, columns past a multiple of 8) go to the TypeScript kernels.
 *
 * The micro-kernel computes a 4×8 block of C with eight f32x4 accumulators:
 *   for k: b0,b1 = B[k, j..j+8); for r < 4: a = splat(A(i+r, k)); C[i+r, j..j+8) += a·(b0,b1)
 * with A addressed through (row stride, k stride), which covers both A and Aᵀ. Aᵀ·B and A·B run
 * natively; A·Bᵀ first transposes B inside the module. Operands are copied into the module's
 * private memory for the call and the block of C copied back (a few percent of the multiply time at
 * the recurrent sizes; the memory is allocated once and only grows).
 */
import { gemmNN as tsNN, gemmNT as tsNT, gemmTN as tsTN, gemmStridedRegion } from "./gemm";
import type { Floats } from "./types";

// ---- a minimal WebAssembly binary encoder ----------------------------------------------------

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

function vec(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

function name(s: string): number[] {
  return vec([...s].map((c) => [c.charCodeAt(0)]));
}

function section(id: number, bytes: number[]): number[] {
  return [id, ...uleb(bytes.length), ...bytes];
}

const I32 = 0x7f;
const V128 = 0x7b;
const SIMD = 0xfd;
const op = {
  get: (i: number): number[] => [0x20, ...uleb(i)],
  set: (i: number): number[] => [0x21, ...uleb(i)],
  i32: (n: number): number[] => [0x41, ...sleb(n)],
  add: [0x6a], mul: [0x6c], shl: [0x74], geS: [0x4e],
  block: [0x02, 0x40], loop: [0x03, 0x40], end: [0x0b], if: [0x04, 0x40], else: [0x05],
  br: (d: number): number[] => [0x0c, ...uleb(d)],
  brIf: (d: number): number[] => [0x0d, ...uleb(d)],
  f32Load: (offset = 0): number[] => [0x2a, 2, ...uleb(offset)],
  f32Store: (offset = 0): number[] => [0x38, 2, ...uleb(offset)],
  v128Load: (offset = 0): number[] => [SIMD, ...uleb(0), 4, ...uleb(offset)],
  v128Store: (offset = 0): number[] => [SIMD, ...uleb(11), 4, ...uleb(offset)],
  f32x4Splat: [SIMD, ...uleb(19)],
  f32x4Add: [SIMD, ...uleb(228)],
  f32x4Mul: [SIMD, ...uleb(230)],
  v128Zero: [SIMD, ...uleb(12), ...new Array<number>(16).fill(0)],
};

/** A function body: locals (count, type) pairs and code. */
function funcBody(locals: [number, number][], code: number[]): number[] {
  const body = [...vec(locals.map(([n, t]) => [...uleb(n), t])), ...code, ...op.end];
  return [...uleb(body.length), ...body];
}

/**
 * gemm(M4, N8, K, a, aRS, aKS, b, ldb, c, ldc, acc): C[i, j] (+)= Σ_k A(i, k)·B[k, j] over
 * i < M4 (multiple of 4), j < N8 (multiple of 8); A(i, k) = a[i·aRS + k·aKS]; byte addresses,
 * element strides.
 */
function gemmBody(): number[] {
  // params 0..10; i32 locals 11..: i, j, k, ap, bp, aRS4, aKS4, ldb4, ldc4, cp, ar2, ar3; v128 locals 23..: acc×8, b0, b1, av
  const [M4, N8, K, A, ARS, AKS, Bp, LDB, Cp, LDC, ACC] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  const [i, j, k, ap, bp, aRS4, aKS4, ldb4, ldc4, cp, ar2, ar3] = [11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22];
  const accBase = 23, b0 = 31, b1 = 32, av = 33;
  const c: number[] = [];
  const emit = (...parts: number[][]): void => {
    for (const p of parts) c.push(...p);
  };
  emit(op.get(ARS), op.i32(2), op.shl, op.set(aRS4));
  emit(op.get(AKS), op.i32(2), op.shl, op.set(aKS4));
  emit(op.get(LDB), op.i32(2), op.shl, op.set(ldb4));
  emit(op.get(LDC), op.i32(2), op.shl, op.set(ldc4));
  emit(op.get(aRS4), op.i32(1), op.shl, op.set(ar2));
  emit(op.get(ar2), op.get(aRS4), op.add, op.set(ar3));
  emit(op.i32(0), op.set(i));
  emit(op.block, op.loop); // rows of 4
  emit(op.get(i), op.get(M4), op.geS, op.brIf(1));
  emit(op.i32(0), op.set(j));
  emit(op.block, op.loop); // columns of 8
  emit(op.get(j), op.get(N8), op.geS, op.brIf(1));
  for (let r = 0; r < 8; r++) emit(op.v128Zero, op.set(accBase + r));
  emit(op.get(A), op.get(i), op.get(aRS4), op.mul, op.add, op.set(ap));
  emit(op.get(Bp), op.get(j), op.i32(2), op.shl, op.add, op.set(bp));
  emit(op.i32(0), op.set(k));
  emit(op.block, op.loop); // k
  emit(op.get(k), op.get(K), op.geS, op.brIf(1));
  emit(op.get(bp), op.v128Load(0), op.set(b0));
  emit(op.get(bp), op.v128Load(16), op.set(b1));
  for (let r = 0; r < 4; r++) {
    emit(op.get(ap));
    if (r === 1) emit(op.get(aRS4), op.add);
    if (r === 2) emit(op.get(ar2), op.add);
    if (r === 3) emit(op.get(ar3), op.add);
    emit(op.f32Load(0), op.f32x4Splat, op.set(av));
    emit(op.get(accBase + 2 * r), op.get(av), op.get(b0), op.f32x4Mul, op.f32x4Add, op.set(accBase + 2 * r));
    emit(op.get(accBase + 2 * r + 1), op.get(av), op.get(b1), op.f32x4Mul, op.f32x4Add, op.set(accBase + 2 * r + 1));
  }
  emit(op.get(ap), op.get(aKS4), op.add, op.set(ap));
  emit(op.get(bp), op.get(ldb4), op.add, op.set(bp));
  emit(op.get(k), op.i32(1), op.add, op.set(k), op.br(0));
  emit(op.end, op.end);
  // store the block: cp = c + (i·ldc + j)·4
  emit(op.get(Cp), op.get(i), op.get(ldc4), op.mul, op.add, op.get(j), op.i32(2), op.shl, op.add, op.set(cp));
  emit(op.get(ACC), op.if);
  for (let r = 0; r < 4; r++) {
    for (let h = 0; h < 2; h++) emit(op.get(cp), op.get(cp), op.v128Load(16 * h), op.get(accBase + 2 * r + h), op.f32x4Add, op.v128Store(16 * h));
    emit(op.get(cp), op.get(ldc4), op.add, op.set(cp));
  }
  emit(op.else);
  for (let r = 0; r < 4; r++) {
    for (let h = 0; h < 2; h++) emit(op.get(cp), op.get(accBase + 2 * r + h), op.v128Store(16 * h));
    emit(op.get(cp), op.get(ldc4), op.add, op.set(cp));
  }
  emit(op.end);
  emit(op.get(j), op.i32(8), op.add, op.set(j), op.br(0));
  emit(op.end, op.end);
  emit(op.get(i), op.i32(4), op.add, op.set(i), op.br(0));
  emit(op.end, op.end);
  return funcBody([[12, I32], [11, V128]], c);
}

/** transpose(src, rows, cols, dst): dst[c·rows + r] = src[r·cols + c] (f32, byte addresses). */
function transposeBody(): number[] {
  const [SRC, ROWS, COLS, DST] = [0, 1, 2, 3];
  const [r, c, sp, dp, rows4] = [4, 5, 6, 7, 8];
  const code: number[] = [];
  const emit = (...parts: number[][]): void => {
    for (const p of parts) code.push(...p);
  };
  emit(op.get(ROWS), op.i32(2), op.shl, op.set(rows4));
  emit(op.get(SRC), op.set(sp));
  emit(op.i32(0), op.set(r));
  emit(op.block, op.loop);
  emit(op.get(r), op.get(ROWS), op.geS, op.brIf(1));
  emit(op.get(DST), op.get(r), op.i32(2), op.shl, op.add, op.set(dp));
  emit(op.i32(0), op.set(c));
  emit(op.block, op.loop);
  emit(op.get(c), op.get(COLS), op.geS, op.brIf(1));
  emit(op.get(dp), op.get(sp), op.f32Load(0), op.f32Store(0));
  emit(op.get(sp), op.i32(4), op.add, op.set(sp));
  emit(op.get(dp), op.get(rows4), op.add, op.set(dp));
  emit(op.get(c), op.i32(1), op.add, op.set(c), op.br(0));
  emit(op.end, op.end);
  emit(op.get(r), op.i32(1), op.add, op.set(r), op.br(0));
  emit(op.end, op.end);
  return funcBody([[5, I32]], code);
}

function moduleBytes(): Uint8Array<ArrayBuffer> {
  const gemmType = [0x60, ...vec(new Array<number[]>(11).fill([I32])), ...uleb(0)];
  const transposeType = [0x60, ...vec(new Array<number[]>(4).fill([I32])), ...uleb(0)];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec([gemmType, transposeType])),
    ...section(2, vec([[...name("env"), ...name("mem"), 0x02, 0x00, ...uleb(1)]])),
    ...section(3, vec([uleb(0), uleb(1)])),
    ...section(7, vec([[...name("gemm"), 0x00, ...uleb(0)], [...name("transpose"), 0x00, ...uleb(1)]])),
    ...section(10, vec([gemmBody(), transposeBody()])),
  ]);
}

// ---- the wrapper: same signatures as gemm.ts ---------------------------------------------------

type GemmExport = (M4: number, N8: number, K: number, a: number, aRS: number, aKS: number, b: number, ldb: number, c: number, ldc: number, acc: number) => void;
type TransposeExport = (src: number, rows: number, cols: number, dst: number) => void;
export type GemmFn = (
  M: number, N: number, K: number,
  A: Floats, aOff: number, lda: number,
  B: Floats, bOff: number, ldb: number,
  C: Floats, cOff: number, ldc: number,
  accumulate: boolean,
) => void;

interface Engine {
  memory: WebAssembly.Memory;
  heap: Float32Array;
  gemm: GemmExport;
  transpose: TransposeExport;
}

let engine: Engine | null | undefined;

/** Whether this runtime runs WebAssembly SIMD (compiles the module once to find out). */
export function wasmSimdAvailable(): boolean {
  return getEngine() !== null;
}

function getEngine(): Engine | null {
  if (engine !== undefined) return engine;
  try {
    if (typeof WebAssembly === "undefined") throw new Error("no WebAssembly");
    const memory = new WebAssembly.Memory({ initial: 16 });
    const instance = new WebAssembly.Instance(new WebAssembly.Module(moduleBytes()), { env: { mem: memory } });
    const ex = instance.exports as unknown as { gemm: GemmExport; transpose: TransposeExport };
    engine = { memory, heap: new Float32Array(memory.buffer), gemm: ex.gemm, transpose: ex.transpose };
  } catch {
    engine = null;
  }
  return engine;
}

/** Makes the module's memory hold at least n floats. */
function reserve(e: Engine, n: number): Float32Array {
  if (e.heap.length < n) {
    const pages = Math.ceil((n * 4 - e.memory.buffer.byteLength) / 65536);
    e.memory.grow(pages);
    e.heap = new Float32Array(e.memory.buffer);
  }
  return e.heap;
}

/** Copies src[off .. off+n) into the heap at element index dst. */
function copyIn(heap: Float32Array, dst: number, src: Float32Array, off: number, n: number): void {
  heap.set(src.subarray(off, off + n), dst);
}

function align4(n: number): number {
  return (n + 3) & ~3;
}

/** Work below this many multiply-adds stays in TypeScript (the copies would dominate). */
const MIN_WORK = 8192;

/**
 * The shared driver. `form` says how A and B are stored:
 *   NN: A[M,K] (lda), B[K,N] (ldb);  NT: A[M,K], B[N,K];  TN: A[K,M], B[K,N].
 * Returns false when the call must go to TypeScript.
 */
function run(form: 0 | 1 | 2, M: number, N: number, K: number,
  A: Floats, aOff: number, lda: number, B: Floats, bOff: number, ldb: number,
  C: Floats, cOff: number, ldc: number, accumulate: boolean): boolean {
  const M4 = M & ~3, N8 = N & ~7;
  if (M4 === 0 || N8 === 0 || K === 0 || M * N * K < MIN_WORK) return false;
  if (!(A instanceof Float32Array && B instanceof Float32Array && C instanceof Float32Array)) return false;
  const e = getEngine();
  if (e === null) return false;
  // Spans (contiguous ranges covering the used elements, strides kept).
  const aRows = form === 2 ? K : M4, aCols = form === 2 ? M4 : K;
  const nA = (aRows - 1) * lda + aCols;
  const bRows = form === 1 ? N8 : K, bCols = form === 1 ? K : N8;
  const nB = (bRows - 1) * ldb + bCols;
  const nC = (M4 - 1) * ldc + N8;
  const pA = 0, pB = align4(pA + nA), pT = align4(pB + nB), pC = align4(pT + (form === 1 ? K * N8 : 0));
  const heap = reserve(e, pC + nC);
  copyIn(heap, pA, A, aOff, nA);
  copyIn(heap, pB, B, bOff, nB);
  if (accumulate) copyIn(heap, pC, C, cOff, nC);
  let bPtr = pB, bStride = ldb;
  if (form === 1) {
    if (ldb === K) e.transpose(pB * 4, N8, K, pT * 4);
    else for (let n = 0; n < N8; n++) for (let k = 0; k < K; k++) heap[pT + k * N8 + n] = heap[pB + n * ldb + k];
    bPtr = pT;
    bStride = N8;
  }
  if (form === 2) e.gemm(M4, N8, K, pA * 4, 1, lda, bPtr * 4, bStride, pC * 4, ldc, accumulate ? 1 : 0);
  else e.gemm(M4, N8, K, pA * 4, lda, 1, bPtr * 4, bStride, pC * 4, ldc, accumulate ? 1 : 0);
  // Copy the computed block back (row by row when C has other data between rows).
  if (ldc === N8) C.set(heap.subarray(pC, pC + M4 * N8), cOff);
  else for (let r = 0; r < M4; r++) C.set(heap.subarray(pC + r * ldc, pC + r * ldc + N8), cOff + r * ldc);
  return true;
}


/** C[M,N] (+)= A[M,K]·B[K,N], WebAssembly SIMD where it pays. */
export const wasmGemmNN: GemmFn = (M, N, K, A, aOff, lda, B, bOff, ldb, C, cOff, ldc, accumulate) => {
  if (!run(0, M, N, K, A, aOff, lda, B, bOff, ldb, C, cOff, ldc, accumulate)) return tsNN(M, N, K, A, aOff, lda, B, bOff, ldb, C, cOff, ldc, accumulate);
  const M4 = M & ~3, N8 = N & ~7;
  if (N8 < N) gemmStridedRegion(0, M4, N8, N, K, A, aOff, lda, 1, B, bOff, ldb, 1, C, cOff, ldc, accumulate);
  if (M4 < M) gemmStridedRegion(M4, M, 0, N, K, A, aOff, lda, 1, B, bOff, ldb, 1, C, cOff, ldc, accumulate);
};

/** C[M,N] (+)= A[M,K]·B[N,K]ᵀ. */
export const wasmGemmNT: GemmFn = (M, N, K, A, aOff, lda, B, bOff, ldb, C, cOff, ldc, accumulate) => {
  if (!run(1, M, N, K, A, aOff, lda, B, bOff, ldb, C, cOff, ldc, accumulate)) return tsNT(M, N, K, A, aOff, lda, B, bOff, ldb, C, cOff, ldc, accumulate);
  const M4 = M & ~3, N8 = N & ~7;
  if (N8 < N) gemmStridedRegion(0, M4, N8, N, K, A, aOff, lda, 1, B, bOff, 1, ldb, C, cOff, ldc, accumulate);
  if (M4 < M) gemmStridedRegion(M4, M, 0, N, K, A, aOff, lda, 1, B, bOff, 1, ldb, C, cOff, ldc, accumulate);
};

/** C[M,N] (+)= A[K,M]ᵀ·B[K,N]. */
export const wasmGemmTN: GemmFn = (M, N, K, A, aOff, lda, B, bOff, ldb, C, cOff, ldc, accumulate) => {
  if (!run(2, M, N, K, A, aOff, lda, B, bOff, ldb, C, cOff, ldc, accumulate)) return tsTN(M, N, K, A, aOff, lda, B, bOff, ldb, C, cOff, ldc, accumulate);
  const M4 = M & ~3, N8 = N & ~7;
  if (N8 < N) gemmStridedRegion(0, M4, N8, N, K, A, aOff, 1, lda, B, bOff, ldb, 1, C, cOff, ldc, accumulate);
  if (M4 < M) gemmStridedRegion(M4, M, 0, N, K, A, aOff, 1, lda, B, bOff, ldb, 1, C, cOff, ldc, accumulate);
};
