/**
 * Code emitters the kernels share: the multiply-add (f32x4.relaxed_madd in the relaxed build,
 * mul then add in the plain one), vector exp-based sigmoid and tanh, and the register-blocked
 * tile loop every matrix product of the recurrent kernels is made of.
 *
 * A tile is R rows × V vectors of accumulators (R·V ≤ 8 so that they, the R broadcasts and one
 * loaded vector stay in x86's 16 vector registers):
 *
 *   for n < count:  a_r = splat(A[a + r·rowStride + n·aStep])           (v128.load32_splat)
 *                   w_s = W[w + n·wStep + offsets[s]]                    (v128.load)
 *                   acc[r][s] += a_r · w_s
 *
 * The forward step (A = h_{t-1} rows, W = packed gate weights), the weight gradient (A = h_{t-1}
 * columns, W = gate-gradient rows) and dh = dG·W_hh are all this loop with different strides.
 */
import { FnBuilder, I32, V128, op } from "./encode";

export type Code = number[];

/** An address or count: code leaving an i32, or a constant. */
export type Operand = Code | number;

function value(x: Operand): Code {
  return typeof x === "number" ? op.i32(x) : x;
}

/** Code for a + b (constants folded). */
export function plus(a: Operand, b: Operand): Code {
  if (typeof b === "number" && b === 0) return value(a);
  if (typeof a === "number" && a === 0) return value(b);
  return [...value(a), ...value(b), ...op.add];
}

/** Code for a · b (constants folded). */
export function times(a: Operand, b: Operand): Code {
  if (typeof b === "number" && b === 1) return value(a);
  if (typeof a === "number" && a === 1) return value(b);
  return [...value(a), ...value(b), ...op.mul];
}

export interface TileSpec {
  /** acc[r][s]: the R × V accumulator locals */
  acc: number[][];
  /** iterations (≥ 1) */
  count: Operand;
  /** the broadcast operand: byte address of (row 0, n = 0), byte distance between rows and between iterations */
  a: { ptr: Code; rowStride: Operand; step: Operand };
  /** the vector operand: byte address of n = 0, byte distance between iterations, byte offset of each vector */
  w: { ptr: Code; step: Operand; offsets: number[] };
}

const LOG2E = 1.4426950408889634;
const LN2_HI = 0.693145751953125; // k·LN2_HI exact in float32 for |k| < 256
const LN2_LO = 1.428606765330187e-6;
const MAGIC = 12582912; // 1.5·2^23: adding it rounds to an integer held in the low mantissa bits
const EXP_COEFFS = [1 / 5040, 1 / 720, 1 / 120, 1 / 24, 1 / 6, 1 / 2, 1];

/** A function under construction with the kernels' emitters; `relaxed` picks the multiply-add. */
export class KernelFn extends FnBuilder {
  private readonly tileLocals: { ap: number; wp: number; n: number; av: number[]; wv: number; tmp: number };
  private readonly expLocals: { y: number; t: number; r: number; p: number; s: number };

  constructor(readonly relaxed: boolean, params: number) {
    super(new Array<number>(params).fill(I32));
    this.tileLocals = { ap: this.local(I32), wp: this.local(I32), n: this.local(I32), av: [this.local(V128), this.local(V128)], wv: this.local(V128), tmp: this.local(V128) };
    this.expLocals = { y: this.local(V128), t: this.local(V128), r: this.local(V128), p: this.local(V128), s: this.local(V128) };
  }

  i32(): number {
    return this.local(I32);
  }

  v128(): number {
    return this.local(V128);
  }

  /** Code leaving a·b + c (a, b, c code leaving v128s). */
  madd(a: Code, b: Code, c: Code): Code {
    return this.relaxed ? [...a, ...b, ...c, ...op.f32x4RelaxedMadd] : [...a, ...b, ...op.f32x4Mul, ...c, ...op.f32x4Add];
  }

  /** Code leaving c - a·b. */
  nmadd(a: Code, b: Code, c: Code): Code {
    return this.relaxed ? [...a, ...b, ...c, ...op.f32x4RelaxedNmadd] : [...c, ...a, ...b, ...op.f32x4Mul, ...op.f32x4Sub];
  }

  /** for (i = 0; i < count; i += step) body, counting with local i. */
  loop(i: number, count: Operand, step: number, body: () => void): void {
    this.forLoop(i, op.i32(0), value(count), op.i32(step), body);
  }

  /** The tile loop (see the file comment). Does not zero or store the accumulators. */
  tile(s: TileSpec): void {
    const { ap, wp, n, av, wv, tmp } = this.tileLocals;
    const R = s.acc.length;
    if (R < 1 || R > av.length) throw new Error(`tile: ${R} rows`);
    this.emit(s.a.ptr, op.set(ap), s.w.ptr, op.set(wp), value(s.count), op.set(n));
    this.emit(op.loop);
    for (let r = 0; r < R; r++) {
      if (r === 0) this.emit(op.get(ap), op.load32Splat(0));
      else if (typeof s.a.rowStride === "number") this.emit(op.get(ap), op.load32Splat(r * s.a.rowStride));
      else this.emit(op.get(ap), r === 1 ? s.a.rowStride : times(s.a.rowStride, r), op.add, op.load32Splat(0));
      this.emit(op.set(av[r]));
    }
    s.w.offsets.forEach((off, v) => {
      this.emit(op.get(wp), op.v128Load(off), op.set(wv));
      for (let r = 0; r < R; r++) {
        const acc = s.acc[r][v];
        if (this.relaxed) this.emit(op.get(av[r]), op.get(wv), op.get(acc), op.f32x4RelaxedMadd, op.set(acc));
        else this.emit(op.get(av[r]), op.get(wv), op.f32x4Mul, op.set(tmp), op.get(acc), op.get(tmp), op.f32x4Add, op.set(acc));
      }
    });
    this.emit(op.get(ap), value(s.a.step), op.add, op.set(ap));
    this.emit(op.get(wp), value(s.w.step), op.add, op.set(wp));
    this.emit(op.get(n), op.i32(1), op.sub, op.tee(n), op.brIf(0), op.end);
  }

  /** Loads acc[r][s] from address(r) + 16·s (or zeroes them when address is null). */
  loadAcc(acc: number[][], address: ((r: number) => Code) | null): void {
    acc.forEach((row, r) => row.forEach((a, s) => {
      if (address === null) this.emit(op.v128Zero, op.set(a));
      else this.emit(address(r), op.v128Load(16 * s), op.set(a));
    }));
  }

  /** Stores acc[r][s] to address(r) + 16·s. */
  storeAcc(acc: number[][], address: (r: number) => Code): void {
    acc.forEach((row, r) => row.forEach((a, s) => this.emit(address(r), op.get(a), op.v128Store(16 * s))));
  }

  /**
   * e^y = s·(1 + q) for y (a v128 local, clamped to ±88 in place): k = round(y·log2 e) by the
   * 1.5·2^23 trick, r = y - k·ln2 in two parts, q = e^r - 1 by a degree-7 Taylor polynomial
   * (|r| ≤ ln2/2: error below float32's half ulp), s = 2^k from k's bits. Leaves s and q in locals.
   */
  private expParts(y: number): { s: number; q: number } {
    const { t, r, p, s } = this.expLocals;
    this.emit(op.get(y), op.f32x4Const(88), op.f32x4Pmin, op.f32x4Const(-88), op.f32x4Pmax, op.set(y));
    this.emit(this.madd(op.get(y), op.f32x4Const(LOG2E), op.f32x4Const(MAGIC)), op.set(t));
    // s = 2^k: t's bits are those of MAGIC + k; adding 127 and shifting by 23 leaves the exponent field k + 127
    this.emit(op.get(t), op.i32x4Const(127), op.i32x4Add, op.i32(23), op.i32x4Shl, op.set(s));
    this.emit(op.get(t), op.f32x4Const(MAGIC), op.f32x4Sub, op.set(t)); // k as a float
    this.emit(this.nmadd(op.get(t), op.f32x4Const(LN2_HI), op.get(y)), op.set(r));
    this.emit(this.nmadd(op.get(t), op.f32x4Const(LN2_LO), op.get(r)), op.set(r));
    this.emit(op.f32x4Const(EXP_COEFFS[0]), op.set(p));
    for (const c of EXP_COEFFS.slice(1)) this.emit(this.madd(op.get(p), op.get(r), op.f32x4Const(c)), op.set(p));
    this.emit(op.get(p), op.get(r), op.f32x4Mul, op.set(p));
    return { s, q: p };
  }

  /** out = σ(x) = 1/(1 + e^-x), x code leaving a v128. */
  sigmoid(x: Code, out: number): void {
    const { y } = this.expLocals;
    this.emit(x, op.f32x4Neg, op.set(y));
    const { s, q } = this.expParts(y);
    this.emit(op.f32x4Const(1), this.madd(op.get(s), op.get(q), op.get(s)), op.f32x4Const(1), op.f32x4Add, op.f32x4Div, op.set(out));
  }

  /** out = tanh(x) = (e^2x - 1)/(e^2x + 1), with e^2x - 1 = s·q + (s - 1) free of cancellation near 0. */
  tanh(x: Code, out: number): void {
    const { y, t } = this.expLocals;
    this.emit(x, op.f32x4Const(2), op.f32x4Mul, op.set(y));
    const { s, q } = this.expParts(y);
    this.emit(this.madd(op.get(s), op.get(q), [...op.get(s), ...op.f32x4Const(1), ...op.f32x4Sub]), op.set(t));
    this.emit(op.get(t), op.get(t), op.f32x4Const(2), op.f32x4Add, op.f32x4Div, op.set(out));
  }
}
