/**
 * Elementwise ops, broadcasts and reductions over flat typed arrays. Offsets and leading
 * dimensions address sub-blocks in place; nothing allocates.
 */
import type { Floats } from "./types";

/** a[off .. off+n) = value */
export function fill(a: Floats, off: number, n: number, value: number): void {
  a.fill(value, off, off + n);
}

/** dst[dOff + i] = src[sOff + i] for i < n (converts between float32 and float64 when the types differ). */
export function copy(src: ArrayLike<number>, sOff: number, dst: Floats, dOff: number, n: number): void {
  for (let i = 0; i < n; i++) dst[dOff + i] = src[sOff + i];
}

/** y[yOff + i] += alpha · x[xOff + i] */
export function axpy(n: number, alpha: number, x: Floats, xOff: number, y: Floats, yOff: number): void {
  for (let i = 0; i < n; i++) y[yOff + i] += alpha * x[xOff + i];
}

/** x[off + i] *= alpha */
export function scale(n: number, alpha: number, x: Floats, off: number): void {
  for (let i = 0; i < n; i++) x[off + i] *= alpha;
}

/** y[yOff + i] = x[xOff + i] · m[mOff + i] (dropout masks) */
export function mul(n: number, x: Floats, xOff: number, m: Floats, mOff: number, y: Floats, yOff: number): void {
  for (let i = 0; i < n; i++) y[yOff + i] = x[xOff + i] * m[mOff + i];
}

/** Σ x[off + i]² */
export function sumSquares(x: Floats, off: number, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) {
    const v = x[off + i];
    s += v * v;
  }
  return s;
}

/** Σ x[xOff + i] · y[yOff + i] */
export function dot(n: number, x: Floats, xOff: number, y: Floats, yOff: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += x[xOff + i] * y[yOff + i];
  return s;
}

/** C[r, c] (+)= b1[c] (+ b2[c]) for r < rows: broadcast one or two bias vectors over rows of C[rows, cols] (row stride ldc). */
export function biasRows(
  rows: number, cols: number,
  C: Floats, cOff: number, ldc: number,
  b1: Floats, b1Off: number,
  b2: Floats | null, b2Off: number,
  accumulate: boolean,
): void {
  for (let r = 0; r < rows; r++) {
    const o = cOff + r * ldc;
    if (b2 === null) {
      if (accumulate) for (let c = 0; c < cols; c++) C[o + c] += b1[b1Off + c];
      else for (let c = 0; c < cols; c++) C[o + c] = b1[b1Off + c];
    } else if (accumulate) {
      for (let c = 0; c < cols; c++) C[o + c] += b1[b1Off + c] + b2[b2Off + c];
    } else {
      for (let c = 0; c < cols; c++) C[o + c] = b1[b1Off + c] + b2[b2Off + c];
    }
  }
}

/**
 * C[r, :] = x[r, :]·Wᵀ + b1 (+ b2): the input projection of every step at once, x [rows, K],
 * W [N, K], C [rows, N] (row stride ldc). One pass over C for the one-feature case, else bias then gemm.
 */
export function affineRows(
  rows: number, N: number, K: number,
  x: Floats, xOff: number, W: Floats,
  b1: Floats, b2: Floats | null,
  C: Floats, cOff: number, ldc: number,
  gemmNT: (M: number, N: number, K: number, A: Floats, aOff: number, lda: number, B: Floats, bOff: number, ldb: number, C: Floats, cOff: number, ldc: number, accumulate: boolean) => void,
): void {
  if (K === 1) {
    for (let r = 0; r < rows; r++) {
      const a = x[xOff + r], o = cOff + r * ldc;
      if (b2 === null) for (let j = 0; j < N; j++) C[o + j] = b1[j] + a * W[j];
      else for (let j = 0; j < N; j++) C[o + j] = b1[j] + b2[j] + a * W[j];
    }
    return;
  }
  biasRows(rows, N, C, cOff, ldc, b1, 0, b2, 0, false);
  gemmNT(rows, N, K, x, xOff, K, W, 0, K, C, cOff, ldc, true);
}

/** out[c] (+)= Σ_r A[r, c]: column sums of A[rows, cols] (bias gradients). */
export function colSum(
  rows: number, cols: number,
  A: Floats, aOff: number, lda: number,
  out: Floats, oOff: number,
  accumulate: boolean,
): void {
  if (!accumulate) out.fill(0, oOff, oOff + cols);
  for (let r = 0; r < rows; r++) {
    const o = aOff + r * lda;
    for (let c = 0; c < cols; c++) out[oOff + c] += A[o + c];
  }
}

/**
 * Swaps the first two axes: src [d0, d1, d2] → dst [d1, d0, d2]. Converts batch-first sequences
 * [batch, time, features] to the time-major layout the cells step through, and back.
 */
export function swapAxes01(
  src: ArrayLike<number>, sOff: number, d0: number, d1: number, d2: number,
  dst: Floats, dOff: number,
): void {
  for (let a = 0; a < d0; a++) {
    for (let b = 0; b < d1; b++) {
      const s = sOff + (a * d1 + b) * d2;
      const d = dOff + (b * d0 + a) * d2;
      for (let c = 0; c < d2; c++) dst[d + c] = src[s + c];
    }
  }
}
