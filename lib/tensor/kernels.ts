/**
 * The active matrix-multiply kernels: lib/nn calls `kernels.gemmNN/NT/TN`, never a particular
 * implementation, so a faster kernel slots in here without touching the networks.
 *
 *   "typescript": gemm.ts, the reference (blocked scalar loops, float32 and float64)
 *   "wasm-simd":  wasm-gemm.ts and wasm-cells.ts, WebAssembly SIMD for float32 (default when the
 *                 runtime has it); float64 and small or ragged parts still run the TypeScript reference
 */
import { gruBackward, gruForward, lstmBackward, lstmForward } from "./cells";
import type { Floats } from "./types";
import { gemmNN, gemmNT, gemmTN } from "./gemm";
import { wasmGruBackward, wasmGruForward, wasmLstmBackward, wasmLstmForward } from "./wasm-cells";
import { wasmGemmNN, wasmGemmNT, wasmGemmTN, wasmSimdAvailable, type GemmFn } from "./wasm-gemm";

export type { GemmFn } from "./wasm-gemm";
export type KernelName = "typescript" | "wasm-simd";

export interface Kernels {
  name: KernelName;
  gemmNN: GemmFn;
  gemmNT: GemmFn;
  gemmTN: GemmFn;
  /** sequence forward of the gated cells (see cells.ts for the layouts) */
  lstmForward: (T: number, B: number, H: number, wT: Floats, gates: Floats, hs: Floats, cs: Floats, tanhC: Floats) => void;
  gruForward: (T: number, B: number, H: number, wT: Floats, bhh: Floats, gx: Floats, hs: Floats, act: Floats, hn: Floats, gh: Floats) => void;
  /** backpropagation through time of the gated cells (see cells.ts) */
  lstmBackward: (T: number, B: number, H: number, w: Floats, gates: Floats, cs: Floats, tanhC: Floats,
    gradOut: Floats | null, goOff: number, dh: Floats, dc: Floats, dG: Floats, needH0Grad: boolean) => void;
  gruBackward: (T: number, B: number, H: number, w: Floats, act: Floats, hn: Floats, hs: Floats,
    gradOut: Floats | null, goOff: number, dh: Floats, dGX: Floats, dGH: Floats, needH0Grad: boolean) => void;
}

export const typescriptKernels: Readonly<Kernels> = {
  name: "typescript", gemmNN, gemmNT, gemmTN, lstmForward, gruForward, lstmBackward, gruBackward,
};
export const wasmSimdKernels: Readonly<Kernels> = {
  name: "wasm-simd", gemmNN: wasmGemmNN, gemmNT: wasmGemmNT, gemmTN: wasmGemmTN,
  lstmForward: wasmLstmForward, gruForward: wasmGruForward, lstmBackward: wasmLstmBackward, gruBackward: wasmGruBackward,
};

/** The kernels lib/nn uses (mutated in place by useKernels so callers can hold the object). */
export const kernels: Kernels = { ...typescriptKernels };

/** Selects the kernels; "wasm-simd" falls back to "typescript" when the runtime lacks SIMD. Returns the name in use. */
export function useKernels(name: KernelName): KernelName {
  const k = name === "wasm-simd" && wasmSimdAvailable() ? wasmSimdKernels : typescriptKernels;
  Object.assign(kernels, k);
  return k.name;
}

useKernels("wasm-simd");
