/**
 * Code emitters the kernels share: the multiply-add (f32x4.relaxed_madd in the relaxed build,
 * mul then add in the plain one), vector tanh and sigmoid, and the register-blocked tile loop
 * every matrix product of the recurrent kernels is made of.
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
  /**
   * the vector operand: byte address of n = 0, byte distance between iterations, byte offset of
   * each vector; with rowStride, each accumulator row has its own vectors that far apart (a k-split:
   * the rows are slices of one product's inner dimension, summed afterwards)
   */
  w: { ptr: Code; step: Operand; offsets: number[]; rowStride?: Operand };
}

/**
 * tanh(x) ≈ x·P(x²)/Q(x²) on [-c, c] (±1 beyond in float32): the minimax rational form Eigen uses
 * (generic_fast_tanh_float), within 2.6e-7 of tanh everywhere and exact in sign and symmetry. Two
 * short polynomial chains that run side by side and one division, against the ~18-deep chain of
 * an exp-based form: the cells' gate activations are latency-bound, so depth is what counts.
 */
const TANH_CLAMP = 7.90531110763549805;
const TANH_P = [4.89352455891786e-03, 6.37261928875436e-04, 1.48572235717979e-05, 5.12229709037114e-08, -8.60467152213735e-11, 2.00018790482477e-13, -2.76076847742355e-16];
const TANH_Q = [4.89352518554385e-03, 2.26843463243900e-03, 1.18534705686654e-04, 1.19825839466702e-06];

/**
 * 2⁻⁹⁰ ≈ 8·10⁻²⁸: backward through time flushes the carried gradients dh, dc below this to zero.
 * In a long window the gradient that reaches the early steps decays geometrically into float32's
 * subnormal range (below 2⁻¹²⁶), and WebAssembly has no flush-to-zero mode (a C build would set
 * FTZ/DAZ): on Intel cores a SIMD operation with a subnormal operand or result takes a microcode
 * assist of about a hundred cycles, so a 256-step LSTM-64 backward measured 21× slower per step
 * than a 48-step one (the AMD hosts of earlier benchmarks showed no such loss). The 36 binary
 * orders above 2⁻¹²⁶ leave room for the products of a step (a gate derivative, a weight) to stay
 * normal; what is dropped lies 20 orders or more below any gradient Adam acts on (eps 10⁻⁷).
 */
export const FLUSH_BELOW = 2 ** -90;

/** Code leaving v in every lane (v128.const: V8 builds it in three integer/shuffle instructions, which measured faster than loading it). */
export function konst(v: number): Code {
  return op.f32x4Const(v);
}

/** A function under construction with the kernels' emitters; `relaxed` picks the multiply-add. */
export class KernelFn extends FnBuilder {
  private readonly tileLocals: { ap: number; wp: number; n: number; av: number[]; wv: number; tmp: number };
  private readonly actLocals: { y: number; t: number; p: number; q: number }[] = [];

  constructor(readonly relaxed: boolean, params: number) {
    super(new Array<number>(params).fill(I32));
    this.tileLocals = { ap: this.local(I32), wp: this.local(I32), n: this.local(I32), av: [this.local(V128), this.local(V128), this.local(V128)], wv: this.local(V128), tmp: this.local(V128) };

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

  /**
   * Sets the lanes of local x whose magnitude is below FLUSH_BELOW to zero (NaN stays NaN, as
   * `|NaN| < θ` is false). See FLUSH_BELOW for why.
   */
  flushTiny(x: number): void {
    this.emit(op.get(x), op.get(x), op.f32x4Abs, konst(FLUSH_BELOW), op.f32x4Lt, op.v128Andnot, op.set(x));
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
    const wRow = s.w.rowStride;
    const fma = (r: number, v: number): void => {
      const acc = s.acc[r][v];
      if (this.relaxed) this.emit(op.get(av[r]), op.get(wv), op.get(acc), op.f32x4RelaxedMadd, op.set(acc));
      else this.emit(op.get(av[r]), op.get(wv), op.f32x4Mul, op.set(tmp), op.get(acc), op.get(tmp), op.f32x4Add, op.set(acc));
    };
    s.w.offsets.forEach((off, v) => {
      if (wRow === undefined) {
        this.emit(op.get(wp), op.v128Load(off), op.set(wv));
        for (let r = 0; r < R; r++) fma(r, v);
        return;
      }
      for (let r = 0; r < R; r++) {
        this.emit(r === 0 ? op.get(wp) : plus(op.get(wp), times(wRow, r)), op.v128Load(off), op.set(wv));
        fma(r, v);
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

  /** out = tanh(x), x code leaving a v128 (see TANH_P). */
  tanh(x: Code, out: number): void {
    this.activate([{ x, out, sigmoid: false }]);
  }

  /**
   * For independent inputs, outs = tanh(x) or, with `sigmoid`, σ(2x) = ½ + ½·tanh(x) = (x·P + Q)/(2Q)
   * (the sigmoid of a pre-activation the packed weights already halved: wasm-recurrent.ts scales the
   * sigmoid gates' rows and biases by ½). Their instructions are interleaved step by step so that
   * the chains overlap; each input needs four scratch registers, so 2 to 4 at a time.
   */
  activate(items: { x: Code; out: number; sigmoid: boolean }[]): void {
    while (this.actLocals.length < items.length) this.actLocals.push({ y: this.local(V128), t: this.local(V128), p: this.local(V128), q: this.local(V128) });
    const L = this.actLocals.slice(0, items.length);
    const each = (f: (l: { y: number; t: number; p: number; q: number }, i: number) => void): void => L.forEach(f);
    each((l, i) => this.emit(items[i].x, konst(TANH_CLAMP), op.f32x4Pmin, konst(-TANH_CLAMP), op.f32x4Pmax, op.set(l.y)));
    each((l) => this.emit(op.get(l.y), op.get(l.y), op.f32x4Mul, op.set(l.t)));
    each((l) => this.emit(this.madd(op.get(l.t), konst(TANH_P[6]), konst(TANH_P[5])), op.set(l.p)));
    each((l) => this.emit(this.madd(op.get(l.t), konst(TANH_Q[3]), konst(TANH_Q[2])), op.set(l.q)));
    for (let k = 4; k >= 0; k--) {
      each((l) => this.emit(this.madd(op.get(l.t), op.get(l.p), konst(TANH_P[k])), op.set(l.p)));
      if (k >= 3) each((l) => this.emit(this.madd(op.get(l.t), op.get(l.q), konst(TANH_Q[k - 3])), op.set(l.q)));
    }
    each((l, i) => {
      if (items[i].sigmoid) this.emit(this.madd(op.get(l.y), op.get(l.p), op.get(l.q)), op.get(l.q), op.get(l.q), op.f32x4Add, op.f32x4Div, op.set(items[i].out));
      else this.emit(op.get(l.p), op.get(l.y), op.f32x4Mul, op.get(l.q), op.f32x4Div, op.set(items[i].out));
    });
  }
}
