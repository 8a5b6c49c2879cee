/** The two element types our kernels run on: float32 for speed, float64 for gradient checks. */
export type Floats = Float32Array | Float64Array;
export type DType = "float32" | "float64";

/** A zeroed buffer of `n` elements of the given dtype. */
export function allocFloats(dtype: DType, n: number): Floats {
  return dtype === "float64" ? new Float64Array(n) : new Float32Array(n);
}

/** A zeroed buffer of `n` elements backed by a SharedArrayBuffer (for worker threads). */
export function allocSharedFloats(dtype: DType, n: number): Floats {
  const bytes = dtype === "float64" ? 8 : 4;
  const sab = new SharedArrayBuffer(Math.max(1, n) * bytes);
  return dtype === "float64" ? new Float64Array(sab, 0, n) : new Float32Array(sab, 0, n);
}

/** A view of the same dtype as `like` over a buffer (used to wrap shared memory). */
export function floatsView(dtype: DType, buffer: ArrayBufferLike, byteOffset: number, n: number): Floats {
  return dtype === "float64" ? new Float64Array(buffer, byteOffset, n) : new Float32Array(buffer, byteOffset, n);
}

export function dtypeOf(a: Floats): DType {
  return a instanceof Float64Array ? "float64" : "float32";
}
