/**
 * A WebAssembly SIMD matrix multiply that slots in under the same gemm signatures as the
 * TypeScript kernels (gemm.ts stays the reference it is tested against). The module is assembled
 * in-house by wasm/encode.ts and wasm/module.ts (no toolchain, nothing downloaded) and compiled
 * synchronously on first use. Float32 only: float64 calls, tiny products and the ragged edges (rows past a multiple
 * of 4, columns past a multiple of 8) go to the TypeScript kernels.
 *
 * The micro-kernel computes a 4×8 block of C with eight f32x4 accumulators:
 *   for k: b0,b1 = B[k, j..j+8); for r < 4: a = splat(A(i+r, k)); C[i+r, j..j+8) += a·(b0,b1)
 * with A addressed through (row stride, k stride), which covers both A and Aᵀ. Aᵀ·B and A·B run
 * natively; A·Bᵀ first transposes B inside the module. Operands are copied into the engine's
 * scratch memory for the call and the block of C copied back (the dense head and the plain RNN use
 * these; the gated layers run whole in wasm-recurrent.ts).
 */
import { gemmNN as tsNN, gemmNT as tsNT, gemmTN as tsTN, gemmStridedRegion } from "./gemm";
import type { Floats } from "./types";
import { getEngine, type Engine } from "./wasm/module";

// ---- the wrapper: same signatures as gemm.ts ---------------------------------------------------

export type GemmFn = (
  M: number, N: number, K: number,
  A: Floats, aOff: number, lda: number,
  B: Floats, bOff: number, ldb: number,
  C: Floats, cOff: number, ldc: number,
  accumulate: boolean,
) => void;

/** Whether this runtime runs WebAssembly SIMD (compiles the module once to find out). */
export function wasmSimdAvailable(): boolean {
  return getEngine(false) !== null;
}

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
function run(e: Engine | null, form: 0 | 1 | 2, M: number, N: number, K: number,
  A: Floats, aOff: number, lda: number, B: Floats, bOff: number, ldb: number,
  C: Floats, cOff: number, ldc: number, accumulate: boolean): boolean {
  const M4 = M & ~3, N8 = N & ~7;
  if (M4 === 0 || N8 === 0 || K === 0 || M * N * K < MIN_WORK) return false;
  if (!(A instanceof Float32Array && B instanceof Float32Array && C instanceof Float32Array)) return false;
  if (e === null) return false;
  // Spans (contiguous ranges covering the used elements, strides kept).
  const aRows = form === 2 ? K : M4, aCols = form === 2 ? M4 : K;
  const nA = (aRows - 1) * lda + aCols;
  const bRows = form === 1 ? N8 : K, bCols = form === 1 ? K : N8;
  const nB = (bRows - 1) * ldb + bCols;
  const nC = (M4 - 1) * ldc + N8;
  const base = e.arena.scratchBlock((align4(nA) + align4(nB) + align4(form === 1 ? K * N8 : 0) + nC) * 4) / 4;
  const pA = base, pB = align4(pA + nA), pT = align4(pB + nB), pC = align4(pT + (form === 1 ? K * N8 : 0));
  const heap = e.arena.f32();
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


/** The three gemm forms on an engine (plain or relaxed build), WebAssembly SIMD where it pays. */
export function wasmGemms(relaxed: boolean): { gemmNN: GemmFn; gemmNT: GemmFn; gemmTN: GemmFn } {
  const engine = (): Engine | null => getEngine(relaxed);
  return {
    /** C[M,N] (+)= A[M,K]·B[K,N] */
    gemmNN: (M, N, K, A, aOff, lda, B, bOff, ldb, C, cOff, ldc, accumulate) => {
      if (!run(engine(), 0, M, N, K, A, aOff, lda, B, bOff, ldb, C, cOff, ldc, accumulate)) return tsNN(M, N, K, A, aOff, lda, B, bOff, ldb, C, cOff, ldc, accumulate);
      const M4 = M & ~3, N8 = N & ~7;
      if (N8 < N) gemmStridedRegion(0, M4, N8, N, K, A, aOff, lda, 1, B, bOff, ldb, 1, C, cOff, ldc, accumulate);
      if (M4 < M) gemmStridedRegion(M4, M, 0, N, K, A, aOff, lda, 1, B, bOff, ldb, 1, C, cOff, ldc, accumulate);
    },
    /** C[M,N] (+)= A[M,K]·B[N,K]ᵀ */
    gemmNT: (M, N, K, A, aOff, lda, B, bOff, ldb, C, cOff, ldc, accumulate) => {
      if (!run(engine(), 1, M, N, K, A, aOff, lda, B, bOff, ldb, C, cOff, ldc, accumulate)) return tsNT(M, N, K, A, aOff, lda, B, bOff, ldb, C, cOff, ldc, accumulate);
      const M4 = M & ~3, N8 = N & ~7;
      if (N8 < N) gemmStridedRegion(0, M4, N8, N, K, A, aOff, lda, 1, B, bOff, 1, ldb, C, cOff, ldc, accumulate);
      if (M4 < M) gemmStridedRegion(M4, M, 0, N, K, A, aOff, lda, 1, B, bOff, 1, ldb, C, cOff, ldc, accumulate);
    },
    /** C[M,N] (+)= A[K,M]ᵀ·B[K,N] */
    gemmTN: (M, N, K, A, aOff, lda, B, bOff, ldb, C, cOff, ldc, accumulate) => {
      if (!run(engine(), 2, M, N, K, A, aOff, lda, B, bOff, ldb, C, cOff, ldc, accumulate)) return tsTN(M, N, K, A, aOff, lda, B, bOff, ldb, C, cOff, ldc, accumulate);
      const M4 = M & ~3, N8 = N & ~7;
      if (N8 < N) gemmStridedRegion(0, M4, N8, N, K, A, aOff, 1, lda, B, bOff, ldb, 1, C, cOff, ldc, accumulate);
      if (M4 < M) gemmStridedRegion(M4, M, 0, N, K, A, aOff, 1, lda, B, bOff, ldb, 1, C, cOff, ldc, accumulate);
    },
  };
}

const plain = wasmGemms(false);
/** The plain-SIMD gemms (the relaxed kernel set has its own, see kernels.ts). */
export const wasmGemmNN = plain.gemmNN, wasmGemmNT = plain.gemmNT, wasmGemmTN = plain.gemmTN;
