/**
 * What this runtime's WebAssembly supports, found with WebAssembly.validate on tiny modules (no
 * compilation, no side effects). Fixed SIMD (f32x4) is in every current engine; relaxed SIMD
 * (f32x4.relaxed_madd, a fused multiply-add where the hardware has one) is on by default from V8
 * 11.4 (Node 22) and behind --experimental-wasm-relaxed-simd on Node 20.
 */

export type Validate = (bytes: Uint8Array<ArrayBuffer>) => boolean;

const header = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];

/** (module (func (param v128 v128 v128) (result v128) <body>)) with a one-instruction body over the params. */
function oneFunction(body: number[]): Uint8Array<ArrayBuffer> {
  const code = [0x00, 0x20, 0x00, 0x20, 0x01, 0x20, 0x02, ...body, 0x0b];
  return new Uint8Array([
    ...header,
    0x01, 0x08, 0x01, 0x60, 0x03, 0x7b, 0x7b, 0x7b, 0x01, 0x7b, // type: (v128 v128 v128) -> v128
    0x03, 0x02, 0x01, 0x00, // function 0 has type 0
    0x0a, code.length + 2, 0x01, code.length, ...code,
  ]);
}

/** f32x4.relaxed_madd (0xfd 0x105) of the three params. */
const RELAXED_MADD = oneFunction([0xfd, 0x85, 0x02]);
/** f32x4.mul then drop the third param: plain SIMD. */
const SIMD_MUL = oneFunction([0xfd, 0xe6, 0x01, 0x1a, 0x1a, 0x20, 0x00]);

function defaultValidate(): Validate | null {
  return typeof WebAssembly === "undefined" ? null : (b) => WebAssembly.validate(b);
}

export function simdSupported(validate: Validate | null = defaultValidate()): boolean {
  return validate !== null && validate(SIMD_MUL);
}

export function relaxedSimdSupported(validate: Validate | null = defaultValidate()): boolean {
  return validate !== null && validate(RELAXED_MADD);
}
