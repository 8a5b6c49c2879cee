/**
 * Matrix multiply kernels over flat row-major typed arrays, with leading dimensions so that
 * sub-matrices (one time step of a sequence, one gate block) can be addressed in place.
 *
 *   gemmNN: C[M,N] (+)= A[M,K] · B[K,N]
 *   gemmNT: C[M,N] (+)= A[M,K] · B[N,K]ᵀ
 *   gemmTN: C[M,N] (+)= A[K,M]ᵀ · B[K,N]
 *
 * `accumulate` true adds into C (gradients), false overwrites it. The bodies are 4×4 register
 * blocks (8 loads per 16 multiply-adds, the best plain JavaScript reaches here); the ragged edges
 * fall back to a strided scalar loop. No allocation. This is the reference kernel a faster one
 * (wasm SIMD, native) is tested against; lib/nn only calls these signatures.
 */
import type { Floats } from "./types";

/** Scalar fallback on the sub-rectangle [i0,i1)×[j0,j1): C[i,j] (+)= Σ_k A(i,k)·B(k,j) with arbitrary strides. */
export function gemmStridedRegion(
  i0: number, i1: number, j0: number, j1: number, K: number,
  A: Floats, aOff: number, aRowStride: number, aKStride: number,
  B: Floats, bOff: number, bKStride: number, bColStride: number,
  C: Floats, cOff: number, ldc: number, accumulate: boolean,
): void {
  for (let i = i0; i < i1; i++) {
    const ai = aOff + i * aRowStride;
    const ci = cOff + i * ldc;
    for (let j = j0; j < j1; j++) {
      let s = 0;
      let ap = ai;
      let bp = bOff + j * bColStride;
      for (let k = 0; k < K; k++, ap += aKStride, bp += bKStride) s += A[ap] * B[bp];
      if (accumulate) C[ci + j] += s;
      else C[ci + j] = s;
    }
  }
}

/** C[M,N] (+)= A[M,K] · B[N,K]ᵀ — dot products of rows; the recurrent forward step x·Wᵀ. */
export function gemmNT(
  M: number, N: number, K: number,
  A: Floats, aOff: number, lda: number,
  B: Floats, bOff: number, ldb: number,
  C: Floats, cOff: number, ldc: number,
  accumulate: boolean,
): void {
  if (K === 1) {
    // An outer product (a one-feature input projection): one pass over C.
    for (let i = 0; i < M; i++) {
      const a = A[aOff + i * lda], ci = cOff + i * ldc;
      if (accumulate) for (let j = 0; j < N; j++) C[ci + j] += a * B[bOff + j * ldb];
      else for (let j = 0; j < N; j++) C[ci + j] = a * B[bOff + j * ldb];
    }
    return;
  }
  const M4 = M & ~3;
  const N4 = N & ~3;
  for (let i = 0; i < M4; i += 4) {
    const a0 = aOff + i * lda, a1 = a0 + lda, a2 = a1 + lda, a3 = a2 + lda;
    const c0 = cOff + i * ldc, c1 = c0 + ldc, c2 = c1 + ldc, c3 = c2 + ldc;
    for (let j = 0; j < N4; j += 4) {
      const b0 = bOff + j * ldb, b1 = b0 + ldb, b2 = b1 + ldb, b3 = b2 + ldb;
      let s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0;
      let s20 = 0, s21 = 0, s22 = 0, s23 = 0, s30 = 0, s31 = 0, s32 = 0, s33 = 0;
      for (let k = 0; k < K; k++) {
        const x0 = A[a0 + k], x1 = A[a1 + k], x2 = A[a2 + k], x3 = A[a3 + k];
        const y0 = B[b0 + k], y1 = B[b1 + k], y2 = B[b2 + k], y3 = B[b3 + k];
        s00 += x0 * y0; s01 += x0 * y1; s02 += x0 * y2; s03 += x0 * y3;
        s10 += x1 * y0; s11 += x1 * y1; s12 += x1 * y2; s13 += x1 * y3;
        s20 += x2 * y0; s21 += x2 * y1; s22 += x2 * y2; s23 += x2 * y3;
        s30 += x3 * y0; s31 += x3 * y1; s32 += x3 * y2; s33 += x3 * y3;
      }
      if (accumulate) {
        C[c0 + j] += s00; C[c0 + j + 1] += s01; C[c0 + j + 2] += s02; C[c0 + j + 3] += s03;
        C[c1 + j] += s10; C[c1 + j + 1] += s11; C[c1 + j + 2] += s12; C[c1 + j + 3] += s13;
        C[c2 + j] += s20; C[c2 + j + 1] += s21; C[c2 + j + 2] += s22; C[c2 + j + 3] += s23;
        C[c3 + j] += s30; C[c3 + j + 1] += s31; C[c3 + j + 2] += s32; C[c3 + j + 3] += s33;
      } else {
        C[c0 + j] = s00; C[c0 + j + 1] = s01; C[c0 + j + 2] = s02; C[c0 + j + 3] = s03;
        C[c1 + j] = s10; C[c1 + j + 1] = s11; C[c1 + j + 2] = s12; C[c1 + j + 3] = s13;
        C[c2 + j] = s20; C[c2 + j + 1] = s21; C[c2 + j + 2] = s22; C[c2 + j + 3] = s23;
        C[c3 + j] = s30; C[c3 + j + 1] = s31; C[c3 + j + 2] = s32; C[c3 + j + 3] = s33;
      }
    }
  }
  if (N4 < N) gemmStridedRegion(0, M4, N4, N, K, A, aOff, lda, 1, B, bOff, 1, ldb, C, cOff, ldc, accumulate);
  if (M4 < M) gemmStridedRegion(M4, M, 0, N, K, A, aOff, lda, 1, B, bOff, 1, ldb, C, cOff, ldc, accumulate);
}

/** C[M,N] (+)= A[M,K] · B[K,N] — the backward step dh = dGates·W. */
export function gemmNN(
  M: number, N: number, K: number,
  A: Floats, aOff: number, lda: number,
  B: Floats, bOff: number, ldb: number,
  C: Floats, cOff: number, ldc: number,
  accumulate: boolean,
): void {
  const M4 = M & ~3;
  const N4 = N & ~3;
  for (let i = 0; i < M4; i += 4) {
    const a0 = aOff + i * lda, a1 = a0 + lda, a2 = a1 + lda, a3 = a2 + lda;
    const c0 = cOff + i * ldc, c1 = c0 + ldc, c2 = c1 + ldc, c3 = c2 + ldc;
    for (let j = 0; j < N4; j += 4) {
      let s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0;
      let s20 = 0, s21 = 0, s22 = 0, s23 = 0, s30 = 0, s31 = 0, s32 = 0, s33 = 0;
      let bp = bOff + j;
      for (let k = 0; k < K; k++, bp += ldb) {
        const x0 = A[a0 + k], x1 = A[a1 + k], x2 = A[a2 + k], x3 = A[a3 + k];
        const y0 = B[bp], y1 = B[bp + 1], y2 = B[bp + 2], y3 = B[bp + 3];
        s00 += x0 * y0; s01 += x0 * y1; s02 += x0 * y2; s03 += x0 * y3;
        s10 += x1 * y0; s11 += x1 * y1; s12 += x1 * y2; s13 += x1 * y3;
        s20 += x2 * y0; s21 += x2 * y1; s22 += x2 * y2; s23 += x2 * y3;
        s30 += x3 * y0; s31 += x3 * y1; s32 += x3 * y2; s33 += x3 * y3;
      }
      if (accumulate) {
        C[c0 + j] += s00; C[c0 + j + 1] += s01; C[c0 + j + 2] += s02; C[c0 + j + 3] += s03;
        C[c1 + j] += s10; C[c1 + j + 1] += s11; C[c1 + j + 2] += s12; C[c1 + j + 3] += s13;
        C[c2 + j] += s20; C[c2 + j + 1] += s21; C[c2 + j + 2] += s22; C[c2 + j + 3] += s23;
        C[c3 + j] += s30; C[c3 + j + 1] += s31; C[c3 + j + 2] += s32; C[c3 + j + 3] += s33;
      } else {
        C[c0 + j] = s00; C[c0 + j + 1] = s01; C[c0 + j + 2] = s02; C[c0 + j + 3] = s03;
        C[c1 + j] = s10; C[c1 + j + 1] = s11; C[c1 + j + 2] = s12; C[c1 + j + 3] = s13;
        C[c2 + j] = s20; C[c2 + j + 1] = s21; C[c2 + j + 2] = s22; C[c2 + j + 3] = s23;
        C[c3 + j] = s30; C[c3 + j + 1] = s31; C[c3 + j + 2] = s32; C[c3 + j + 3] = s33;
      }
    }
  }
  if (N4 < N) gemmStridedRegion(0, M4, N4, N, K, A, aOff, lda, 1, B, bOff, ldb, 1, C, cOff, ldc, accumulate);
  if (M4 < M) gemmStridedRegion(M4, M, 0, N, K, A, aOff, lda, 1, B, bOff, ldb, 1, C, cOff, ldc, accumulate);
}

/** C[M,N] (+)= A[K,M]ᵀ · B[K,N] — weight gradients dW = dGatesᵀ·x summed over batch (and time). */
export function gemmTN(
  M: number, N: number, K: number,
  A: Floats, aOff: number, lda: number,
  B: Floats, bOff: number, ldb: number,
  C: Floats, cOff: number, ldc: number,
  accumulate: boolean,
): void {
  if (N === 1) {
    // One column (the weight gradient of a one-feature input): C[i] (+)= Σ_k A[k, i]·B[k], four rows of A per pass.
    if (!accumulate) for (let i = 0; i < M; i++) C[cOff + i * ldc] = 0;
    const K4 = K & ~3;
    for (let k = 0; k < K4; k += 4) {
      const a0 = aOff + k * lda, a1 = a0 + lda, a2 = a1 + lda, a3 = a2 + lda;
      const b0 = B[bOff + k * ldb], b1 = B[bOff + (k + 1) * ldb], b2 = B[bOff + (k + 2) * ldb], b3 = B[bOff + (k + 3) * ldb];
      for (let i = 0; i < M; i++) C[cOff + i * ldc] += A[a0 + i] * b0 + A[a1 + i] * b1 + A[a2 + i] * b2 + A[a3 + i] * b3;
    }
    for (let k = K4; k < K; k++) {
      const ak = aOff + k * lda, b = B[bOff + k * ldb];
      for (let i = 0; i < M; i++) C[cOff + i * ldc] += A[ak + i] * b;
    }
    return;
  }
  if (N < 4) {
    // Few columns: stream A's rows once, k outermost.
    if (!accumulate) for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) C[cOff + i * ldc + j] = 0;
    for (let k = 0; k < K; k++) {
      const ak = aOff + k * lda, bk = bOff + k * ldb;
      for (let j = 0; j < N; j++) {
        const b = B[bk + j];
        for (let i = 0; i < M; i++) C[cOff + i * ldc + j] += A[ak + i] * b;
      }
    }
    return;
  }
  const M4 = M & ~3;
  const N4 = N & ~3;
  for (let i = 0; i < M4; i += 4) {
    const c0 = cOff + i * ldc, c1 = c0 + ldc, c2 = c1 + ldc, c3 = c2 + ldc;
    for (let j = 0; j < N4; j += 4) {
      let s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0;
      let s20 = 0, s21 = 0, s22 = 0, s23 = 0, s30 = 0, s31 = 0, s32 = 0, s33 = 0;
      let ap = aOff + i;
      let bp = bOff + j;
      for (let k = 0; k < K; k++, ap += lda, bp += ldb) {
        const x0 = A[ap], x1 = A[ap + 1], x2 = A[ap + 2], x3 = A[ap + 3];
        const y0 = B[bp], y1 = B[bp + 1], y2 = B[bp + 2], y3 = B[bp + 3];
        s00 += x0 * y0; s01 += x0 * y1; s02 += x0 * y2; s03 += x0 * y3;
        s10 += x1 * y0; s11 += x1 * y1; s12 += x1 * y2; s13 += x1 * y3;
        s20 += x2 * y0; s21 += x2 * y1; s22 += x2 * y2; s23 += x2 * y3;
        s30 += x3 * y0; s31 += x3 * y1; s32 += x3 * y2; s33 += x3 * y3;
      }
      if (accumulate) {
        C[c0 + j] += s00; C[c0 + j + 1] += s01; C[c0 + j + 2] += s02; C[c0 + j + 3] += s03;
        C[c1 + j] += s10; C[c1 + j + 1] += s11; C[c1 + j + 2] += s12; C[c1 + j + 3] += s13;
        C[c2 + j] += s20; C[c2 + j + 1] += s21; C[c2 + j + 2] += s22; C[c2 + j + 3] += s23;
        C[c3 + j] += s30; C[c3 + j + 1] += s31; C[c3 + j + 2] += s32; C[c3 + j + 3] += s33;
      } else {
        C[c0 + j] = s00; C[c0 + j + 1] = s01; C[c0 + j + 2] = s02; C[c0 + j + 3] = s03;
        C[c1 + j] = s10; C[c1 + j + 1] = s11; C[c1 + j + 2] = s12; C[c1 + j + 3] = s13;
        C[c2 + j] = s20; C[c2 + j + 1] = s21; C[c2 + j + 2] = s22; C[c2 + j + 3] = s23;
        C[c3 + j] = s30; C[c3 + j + 1] = s31; C[c3 + j + 2] = s32; C[c3 + j + 3] = s33;
      }
    }
  }
  if (N4 < N) gemmStridedRegion(0, M4, N4, N, K, A, aOff, 1, lda, B, bOff, ldb, 1, C, cOff, ldc, accumulate);
  if (M4 < M) gemmStridedRegion(M4, M, 0, N, K, A, aOff, 1, lda, B, bOff, ldb, 1, C, cOff, ldc, accumulate);
}

/**
 * General entry: C[M,N] (+)= op(A)·op(B) with op = transpose when the flag is set.
 * A is [M,K] (or [K,M] when transA), B is [K,N] (or [N,K] when transB).
 */
export function gemm(
  transA: boolean, transB: boolean,
  M: number, N: number, K: number,
  A: Floats, aOff: number, lda: number,
  B: Floats, bOff: number, ldb: number,
  C: Floats, cOff: number, ldc: number,
  accumulate: boolean,
): void {
  if (!transA && !transB) gemmNN(M, N, K, A, aOff, lda, B, bOff, ldb, C, cOff, ldc, accumulate);
  else if (!transA && transB) gemmNT(M, N, K, A, aOff, lda, B, bOff, ldb, C, cOff, ldc, accumulate);
  else if (transA && !transB) gemmTN(M, N, K, A, aOff, lda, B, bOff, ldb, C, cOff, ldc, accumulate);
  else gemmStridedRegion(0, M, 0, N, K, A, aOff, 1, lda, B, bOff, 1, ldb, C, cOff, ldc, accumulate);
}
