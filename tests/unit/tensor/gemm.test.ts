import { describe, expect, it } from "vitest";
import {
  gemm, gemmNN, gemmNT, gemmTN, mulberry32, wasmGemmNN, wasmGemmNT, wasmGemmTN, wasmSimdAvailable, type Floats,
} from "../../../lib/tensor";

type Kernel = typeof gemmNN;

/** Naive C[i,j] (+)= Σ_k op(A)[i,k]·op(B)[k,j] over row-major storage with leading dims and offsets. */
function naive(tA: boolean, tB: boolean, M: number, N: number, K: number,
  A: Floats, aOff: number, lda: number, B: Floats, bOff: number, ldb: number, C: Float64Array, cOff: number, ldc: number, acc: boolean): void {
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let k = 0; k < K; k++) {
        const a = tA ? A[aOff + k * lda + i] : A[aOff + i * lda + k];
        const b = tB ? B[bOff + j * ldb + k] : B[bOff + k * ldb + j];
        s += a * b;
      }
      C[cOff + i * ldc + j] = acc ? C[cOff + i * ldc + j] + s : s;
    }
  }
}

const sizes = [1, 2, 3, 4, 5, 7, 8, 9, 13, 16];
const variants: [string, boolean, boolean, Kernel | null][] = [
  ["NN", false, false, gemmNN], ["NT", false, true, gemmNT], ["TN", true, false, gemmTN], ["TT", true, true, null],
];

describe("gemm against naive loops", () => {
  for (const dtype of ["float64", "float32"] as const) {
    for (const [name, tA, tB, kernel] of variants) {
      it(`${name} ${dtype}: odd sizes, offsets, padded leading dims, overwrite and accumulate`, () => {
        const rng = mulberry32(3);
        const make = (n: number): Floats => {
          const a = dtype === "float64" ? new Float64Array(n) : new Float32Array(n);
          for (let i = 0; i < n; i++) a[i] = 2 * rng() - 1;
          return a;
        };
        let cases = 0;
        for (const M of sizes) for (const N of sizes) for (const K of [1, 3, 4, 6, 17]) {
          if ((M * 7 + N * 3 + K) % 3 !== 0 && M !== 16) continue; // a spread of shapes, kept quick
          const aRows = tA ? K : M, aCols = tA ? M : K, bRows = tB ? N : K, bCols = tB ? K : N;
          const lda = aCols + (M % 2), ldb = bCols + (N % 3), ldc = N + 1;
          const aOff = 3, bOff = 5, cOff = 2;
          const A = make(aOff + aRows * lda), B = make(bOff + bRows * ldb);
          for (const acc of [false, true]) {
            const C = make(cOff + M * ldc);
            const ref = Float64Array.from(C);
            naive(tA, tB, M, N, K, A, aOff, lda, B, bOff, ldb, ref, cOff, ldc, acc);
            if (kernel) kernel(M, N, K, A, aOff, lda, B, bOff, ldb, C, cOff, ldc, acc);
            else gemm(tA, tB, M, N, K, A, aOff, lda, B, bOff, ldb, C, cOff, ldc, acc);
            const tol = dtype === "float64" ? 1e-12 : 1e-5;
            // every element, including padding columns and the prefix that must stay untouched
            let worst = 0;
            for (let i = 0; i < C.length; i++) worst = Math.max(worst, Math.abs(C[i] - ref[i]));
            expect(worst, `${name} M${M} N${N} K${K} acc=${acc}`).toBeLessThanOrEqual(tol);
            cases++;
          }
        }
        expect(cases).toBeGreaterThan(40);
      });
    }
  }

  it("dispatches every transpose combination through gemm()", () => {
    const A = new Float64Array([1, 2, 3, 4]), B = new Float64Array([5, 6, 7, 8]);
    const out = (tA: boolean, tB: boolean): number[] => {
      const C = new Float64Array(4);
      gemm(tA, tB, 2, 2, 2, A, 0, 2, B, 0, 2, C, 0, 2, false);
      return Array.from(C);
    };
    expect(out(false, false)).toEqual([19, 22, 43, 50]);
    expect(out(false, true)).toEqual([17, 23, 39, 53]);
    expect(out(true, false)).toEqual([26, 30, 38, 44]);
    expect(out(true, true)).toEqual([23, 31, 34, 46]);
  });
});

describe("WebAssembly SIMD gemm against naive loops", () => {
  it("is available on this runtime (Node 20 has WebAssembly SIMD)", () => {
    expect(wasmSimdAvailable()).toBe(true);
  });

  const wasmVariants: [string, boolean, boolean, Kernel][] = [["NN", false, false, wasmGemmNN], ["NT", false, true, wasmGemmNT], ["TN", true, false, wasmGemmTN]];
  for (const [name, tA, tB, kernel] of wasmVariants) {
    it(`${name}: blocks of 4×8 plus ragged edges, offsets, padded leading dims, overwrite and accumulate`, () => {
      const rng = mulberry32(9);
      const make = (n: number): Float32Array => Float32Array.from({ length: n }, () => 2 * rng() - 1);
      const shapes: [number, number, number][] = [[64, 256, 64], [64, 64, 256], [256, 64, 96], [13, 21, 40], [37, 9, 33], [4, 8, 300], [5, 17, 64], [3, 40, 100]];
      for (const [M, N, K] of shapes) {
        for (const pad of [0, 3]) {
          const aRows = tA ? K : M, aCols = tA ? M : K, bRows = tB ? N : K, bCols = tB ? K : N;
          const lda = aCols + pad, ldb = bCols + pad, ldc = N + pad;
          const aOff = 1 + pad, bOff = 2, cOff = pad;
          const A = make(aOff + aRows * lda), B = make(bOff + bRows * ldb);
          for (const acc of [false, true]) {
            const C = make(cOff + M * ldc + pad);
            const ref = Float64Array.from(C);
            naive(tA, tB, M, N, K, A, aOff, lda, B, bOff, ldb, ref, cOff, ldc, acc);
            kernel(M, N, K, A, aOff, lda, B, bOff, ldb, C, cOff, ldc, acc);
            let worst = 0;
            for (let i = 0; i < C.length; i++) worst = Math.max(worst, Math.abs(C[i] - ref[i]));
            expect(worst, `${name} ${M}×${N}×${K} pad ${pad} acc=${acc}`).toBeLessThanOrEqual(2e-5 * Math.sqrt(K));
          }
        }
      }
    });
  }

  it("leaves float64 to the TypeScript kernel (exact same result)", () => {
    const rng = mulberry32(4);
    const A = Float64Array.from({ length: 64 * 64 }, () => rng() - 0.5), B = Float64Array.from({ length: 64 * 64 }, () => rng() - 0.5);
    const C1 = new Float64Array(64 * 64), C2 = new Float64Array(64 * 64);
    gemmNN(64, 64, 64, A, 0, 64, B, 0, 64, C1, 0, 64, false);
    wasmGemmNN(64, 64, 64, A, 0, 64, B, 0, 64, C2, 0, 64, false);
    expect(Array.from(C2)).toEqual(Array.from(C1));
  });
});
