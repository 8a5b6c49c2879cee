/** lib/tensor: raw kernels over typed arrays. Knows nothing about networks; lib/nn builds on these signatures. */
export * from "./types";
export * from "./gemm";
export * from "./ops";
export * from "./activations";
export * from "./cells";
export * from "./kernels";
export { wasmGemmNN, wasmGemmNT, wasmGemmTN, wasmSimdAvailable } from "./wasm-gemm";
export { wasmGruBackward, wasmGruForward, wasmLstmBackward, wasmLstmForward } from "./wasm-cells";
export * from "./random";
