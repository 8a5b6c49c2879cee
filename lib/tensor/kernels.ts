/**
 * The active kernel set: lib/nn calls `kernels.*`, never a particular implementation, so a faster
 * kernel slots in here without touching the networks.
 *
 *   "typescript":   gemm.ts and recurrent.ts, the reference (float32 and float64)
 *   "wasm-simd":    wasm-recurrent.ts (each LSTM/GRU layer's whole forward and backward in one
 *                   WebAssembly SIMD call) and wasm-gemm.ts, float32
 *   "wasm-relaxed": the same kernels built with relaxed SIMD's fused multiply-add, where the runtime
 *                   validates it (Node 22+, or Node 20 after enableRelaxedSimd())
 *
 * Float64 data (the gradient checks) and anything a WebAssembly set does not cover run the
 * reference. The default is the best set this runtime runs; enableRelaxedSimd() upgrades it.
 */
import { gemmNN, gemmNT, gemmTN } from "./gemm";
import { ReferenceGatedLayer, type GatedLayerKernel, type GatedLayerSpec } from "./recurrent";
import { wasmGemms, type GemmFn } from "./wasm-gemm";
import { WasmGatedLayer } from "./wasm-recurrent";
import { relaxedSimdSupported, simdSupported } from "./wasm/features";
import { getEngine } from "./wasm/module";

export type { GemmFn } from "./wasm-gemm";
export type KernelName = "typescript" | "wasm-simd" | "wasm-relaxed";

export interface Kernels {
  name: KernelName;
  gemmNN: GemmFn;
  gemmNT: GemmFn;
  gemmTN: GemmFn;
  /** the kernel of one LSTM/GRU layer over these parameters (see recurrent.ts) */
  gatedLayer: (spec: GatedLayerSpec) => GatedLayerKernel;
}

function allFloat32(s: GatedLayerSpec): boolean {
  return [s.wIh, s.wHh, s.bIh, s.bHh, s.dWih, s.dWhh, s.dbIh, s.dbHh].every((a) => a instanceof Float32Array);
}

function wasmSet(name: "wasm-simd" | "wasm-relaxed"): Readonly<Kernels> {
  const relaxed = name === "wasm-relaxed";
  return {
    name, ...wasmGemms(relaxed),
    gatedLayer: (spec) => {
      const engine = allFloat32(spec) ? getEngine(relaxed) : null;
      return engine !== null ? new WasmGatedLayer(spec, engine) : new ReferenceGatedLayer(spec);
    },
  };
}

export const typescriptKernels: Readonly<Kernels> = {
  name: "typescript", gemmNN, gemmNT, gemmTN, gatedLayer: (spec) => new ReferenceGatedLayer(spec),
};
export const wasmSimdKernels = wasmSet("wasm-simd");
export const wasmRelaxedKernels = wasmSet("wasm-relaxed");

const sets: Record<KernelName, Readonly<Kernels>> = { "typescript": typescriptKernels, "wasm-simd": wasmSimdKernels, "wasm-relaxed": wasmRelaxedKernels };

/** The kernels lib/nn uses (mutated in place by useKernels so callers can hold the object). */
export const kernels: Kernels = { ...typescriptKernels };

/** Whether this runtime runs a kernel set (WebAssembly.validate on tiny modules; a set compiles its module on first use). */
export function kernelsAvailable(name: KernelName): boolean {
  return name === "typescript" || (simdSupported() && (name === "wasm-simd" || relaxedSimdSupported()));
}

/** A set and what stands in for it where the runtime lacks it. */
const FALLBACK: Record<KernelName, KernelName[]> = {
  "wasm-relaxed": ["wasm-relaxed", "wasm-simd", "typescript"],
  "wasm-simd": ["wasm-simd", "typescript"],
  "typescript": ["typescript"],
};

/** The set `name` resolves to: itself if available, else its fallback (relaxed → simd → typescript). */
export function resolveKernels(name: KernelName, available: (name: KernelName) => boolean = kernelsAvailable): KernelName {
  return FALLBACK[name].find(available) ?? "typescript";
}

/** The best set this runtime runs: relaxed SIMD, else plain SIMD, else the reference. */
export function bestKernels(available: (name: KernelName) => boolean = kernelsAvailable): KernelName {
  return resolveKernels("wasm-relaxed", available);
}

let chosen = false;

function select(name: KernelName): KernelName {
  const k = sets[resolveKernels(name)];
  Object.assign(kernels, k);
  return k.name;
}

/**
 * Selects a kernel set; one this runtime lacks falls back (wasm-relaxed → wasm-simd → typescript).
 * Returns the name in use. After this, enableRelaxedSimd() leaves the choice alone.
 */
export function useKernels(name: KernelName): KernelName {
  chosen = true;
  return select(name);
}

/** Re-selects the best available set, unless useKernels chose one. Returns the name in use. */
export function selectDefaultKernels(): KernelName {
  return chosen ? kernels.name : select(bestKernels());
}

select(bestKernels());
