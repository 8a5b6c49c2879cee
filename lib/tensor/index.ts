/** lib/tensor: raw kernels over typed arrays. Knows nothing about networks; lib/nn builds on these signatures. */
export * from "./types";
export * from "./gemm";
export * from "./ops";
export * from "./activations";
export * from "./cells";
export * from "./kernels";
export * from "./recurrent";
export { WasmGatedLayer } from "./wasm-recurrent";
export { wasmGemmNN, wasmGemmNT, wasmGemmTN, wasmSimdAvailable } from "./wasm-gemm";
export { relaxedSimdSupported, simdSupported } from "./wasm/features";
export * from "./random";
export { enableRelaxedSimd } from "./relaxed-simd";
