/**
 * A minimal WebAssembly binary encoder: just what the in-house SIMD kernels need (i32 and v128
 * locals, loops, loads/stores, f32x4 arithmetic). Functions are written with FnBuilder, which hands
 * out typed locals and collects the code.
 */

export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

export function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

export function vec(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

export function name(s: string): number[] {
  return vec([...s].map((c) => [c.charCodeAt(0)]));
}

export function section(id: number, bytes: number[]): number[] {
  return [id, ...uleb(bytes.length), ...bytes];
}

export const I32 = 0x7f;
export const V128 = 0x7b;
export const F32 = 0x7d;
const SIMD = 0xfd;
const simd = (code: number): number[] => [SIMD, ...uleb(code)];

function f32x4Bytes(v: number): number[] {
  const b = new Uint8Array(new Float32Array([v, v, v, v]).buffer);
  return Array.from(b);
}

export const op = {
  get: (i: number): number[] => [0x20, ...uleb(i)],
  set: (i: number): number[] => [0x21, ...uleb(i)],
  tee: (i: number): number[] => [0x22, ...uleb(i)],
  i32: (n: number): number[] => [0x41, ...sleb(n)],
  add: [0x6a], sub: [0x6b], mul: [0x6c], shl: [0x74], shrU: [0x76], geS: [0x4e], ge: [0x4e], ltS: [0x48], gtS: [0x4a], eqz: [0x45], eq: [0x46], ne: [0x47], and: [0x71], or: [0x72], xor: [0x73],
  block: [0x02, 0x40], loop: [0x03, 0x40], end: [0x0b], if: [0x04, 0x40], else: [0x05],
  br: (d: number): number[] => [0x0c, ...uleb(d)],
  brIf: (d: number): number[] => [0x0d, ...uleb(d)],
  call: (f: number): number[] => [0x10, ...uleb(f)],
  f32Load: (offset = 0): number[] => [0x2a, 2, ...uleb(offset)],
  f32Store: (offset = 0): number[] => [0x38, 2, ...uleb(offset)],
  f32Add: [0x92],
  f32Mul: [0x94],
  v128Load: (offset = 0): number[] => [...simd(0x00), 4, ...uleb(offset)],
  v128Store: (offset = 0): number[] => [...simd(0x0b), 4, ...uleb(offset)],
  /** v128.const with the same f32 in every lane */
  f32x4Const: (v: number): number[] => [...simd(0x0c), ...f32x4Bytes(v)],
  v128Zero: [...simd(0x0c), ...new Array<number>(16).fill(0)],
  i32x4Const: (v: number): number[] => [...simd(0x0c), ...Array.from(new Uint8Array(new Int32Array([v, v, v, v]).buffer))],
  /** v128.load32_splat: one f32 from memory into every lane */
  load32Splat: (offset = 0): number[] => [...simd(0x09), 2, ...uleb(offset)],
  f32x4Splat: simd(0x13),
  f32x4Nearest: simd(0x6a),
  f32x4Add: simd(0xe4),
  f32x4Sub: simd(0xe5),
  f32x4Mul: simd(0xe6),
  f32x4Div: simd(0xe7),
  f32x4Min: simd(0xe8),
  f32x4Max: simd(0xe9),
  /** pseudo-min/max (b < a ? b : a, a < b ? b : a): one minps/maxps, unlike the NaN-exact min/max */
  f32x4Pmin: simd(0xea),
  f32x4Pmax: simd(0xeb),
  f32x4Neg: simd(0xe1),
  f32x4Abs: simd(0xe0),
  f32x4Lt: simd(0x43),
  /** a & ~b (stack: a, b) */
  v128Andnot: simd(0x4f),
  i32x4Shl: simd(0xab),
  i32x4Add: simd(0xae),
  i32x4TruncSatF32x4S: simd(0xf8),
  /** relaxed SIMD: a·b + c and -(a·b) + c, fused where the hardware has FMA (stack: a, b, c) */
  f32x4RelaxedMadd: simd(0x105),
  f32x4RelaxedNmadd: simd(0x106),
};

/** Builds one function: params are locals 0..n-1; local() adds more. */
export class FnBuilder {
  readonly code: number[] = [];
  private readonly extra: number[] = [];
  constructor(readonly params: number[], readonly results: number[] = []) {}

  local(type: number): number {
    this.extra.push(type);
    return this.params.length + this.extra.length - 1;
  }

  emit(...parts: number[][]): this {
    for (const p of parts) for (const b of p) this.code.push(b);
    return this;
  }

  /** for (i = start; i < limit; i += step) body — start/limit/step as code emitting an i32. */
  forLoop(i: number, start: number[], limit: number[], step: number[], body: () => void): void {
    this.emit(start, op.set(i), op.block, op.loop, op.get(i), limit, op.geS, op.brIf(1));
    body();
    this.emit(op.get(i), step, op.add, op.set(i), op.br(0), op.end, op.end);
  }

  type(): number[] {
    return [0x60, ...vec(this.params.map((t) => [t])), ...vec(this.results.map((t) => [t]))];
  }

  body(): number[] {
    const runs: [number, number][] = [];
    for (const t of this.extra) {
      const last = runs[runs.length - 1];
      if (last && last[1] === t) last[0]++;
      else runs.push([1, t]);
    }
    const b = [...vec(runs.map(([n, t]) => [...uleb(n), t])), ...this.code, ...op.end];
    return [...uleb(b.length), ...b];
  }
}

/** A module importing env.mem (one page minimum) and exporting the given functions in order. */
export function moduleBytes(fns: { name: string; fn: FnBuilder; exported: boolean }[]): Uint8Array<ArrayBuffer> {
  const exports = fns.map((f, i) => ({ ...f, index: i })).filter((f) => f.exported);
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec(fns.map((f) => f.fn.type()))),
    ...section(2, vec([[...name("env"), ...name("mem"), 0x02, 0x00, ...uleb(1)]])),
    ...section(3, vec(fns.map((_, i) => uleb(i)))),
    ...section(7, vec(exports.map((f) => [...name(f.name), 0x00, ...uleb(f.index)]))),
    ...section(10, vec(fns.map((f) => f.fn.body()))),
  ]);
}
