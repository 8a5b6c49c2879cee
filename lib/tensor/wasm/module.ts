/**
 * The in-house WebAssembly SIMD module: a 4×8-blocked f32x4 matrix multiply, a transpose, and one
 * LSTM / GRU time step forward (the step's matrix product followed by the fused gate loop, with
 * vector exp-based sigmoid and tanh accurate to a few float32 ulps) and backward (the fused gate
 * gradients followed by the step's matrix product dh = dG·W_hh). Assembled by encode.ts, compiled
 * synchronously on first use; a private memory that only grows.
 */
import { FnBuilder, I32, V128, moduleBytes, op } from "./encode";

// ---- gemm ------------------------------------------------------------------------------------

/**
 * gemm(M4, N8, K, a, aRS, aKS, b, ldb, c, ldc, acc): C[i, j] (+)= Σ_k A(i, k)·B[k, j] for
 * i < M4 (multiple of 4), j < N8 (multiple of 8); A(i, k) = a[i·aRS + k·aKS]; byte addresses,
 * element strides. Eight f32x4 accumulators hold the 4×8 block.
 */
function gemmFn(): FnBuilder {
  const f = new FnBuilder(new Array<number>(11).fill(I32));
  const [M4, N8, K, A, ARS, AKS, Bp, LDB, Cp, LDC, ACC] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  const i = f.local(I32), j = f.local(I32), k = f.local(I32), ap = f.local(I32), bp = f.local(I32);
  const aRS4 = f.local(I32), aKS4 = f.local(I32), ldb4 = f.local(I32), ldc4 = f.local(I32), cp = f.local(I32), ar2 = f.local(I32), ar3 = f.local(I32);
  const acc: number[] = [];
  for (let r = 0; r < 8; r++) acc.push(f.local(V128));
  const b0 = f.local(V128), b1 = f.local(V128), av = f.local(V128);
  f.emit(op.get(ARS), op.i32(2), op.shl, op.set(aRS4));
  f.emit(op.get(AKS), op.i32(2), op.shl, op.set(aKS4));
  f.emit(op.get(LDB), op.i32(2), op.shl, op.set(ldb4));
  f.emit(op.get(LDC), op.i32(2), op.shl, op.set(ldc4));
  f.emit(op.get(aRS4), op.i32(1), op.shl, op.set(ar2));
  f.emit(op.get(ar2), op.get(aRS4), op.add, op.set(ar3));
  f.forLoop(i, op.i32(0), op.get(M4), op.i32(4), () => {
    f.forLoop(j, op.i32(0), op.get(N8), op.i32(8), () => {
      for (const a of acc) f.emit(op.v128Zero, op.set(a));
      f.emit(op.get(A), op.get(i), op.get(aRS4), op.mul, op.add, op.set(ap));
      f.emit(op.get(Bp), op.get(j), op.i32(2), op.shl, op.add, op.set(bp));
      f.forLoop(k, op.i32(0), op.get(K), op.i32(1), () => {
        f.emit(op.get(bp), op.v128Load(0), op.set(b0));
        f.emit(op.get(bp), op.v128Load(16), op.set(b1));
        for (let r = 0; r < 4; r++) {
          f.emit(op.get(ap));
          if (r === 1) f.emit(op.get(aRS4), op.add);
          if (r === 2) f.emit(op.get(ar2), op.add);
          if (r === 3) f.emit(op.get(ar3), op.add);
          f.emit(op.f32Load(0), op.f32x4Splat, op.set(av));
          f.emit(op.get(acc[2 * r]), op.get(av), op.get(b0), op.f32x4Mul, op.f32x4Add, op.set(acc[2 * r]));
          f.emit(op.get(acc[2 * r + 1]), op.get(av), op.get(b1), op.f32x4Mul, op.f32x4Add, op.set(acc[2 * r + 1]));
        }
        f.emit(op.get(ap), op.get(aKS4), op.add, op.set(ap));
        f.emit(op.get(bp), op.get(ldb4), op.add, op.set(bp));
      });
      f.emit(op.get(Cp), op.get(i), op.get(ldc4), op.mul, op.add, op.get(j), op.i32(2), op.shl, op.add, op.set(cp));
      f.emit(op.get(ACC), op.if);
      for (let r = 0; r < 4; r++) {
        for (let h = 0; h < 2; h++) f.emit(op.get(cp), op.get(cp), op.v128Load(16 * h), op.get(acc[2 * r + h]), op.f32x4Add, op.v128Store(16 * h));
        f.emit(op.get(cp), op.get(ldc4), op.add, op.set(cp));
      }
      f.emit(op.else);
      for (let r = 0; r < 4; r++) {
        for (let h = 0; h < 2; h++) f.emit(op.get(cp), op.get(acc[2 * r + h]), op.v128Store(16 * h));
        f.emit(op.get(cp), op.get(ldc4), op.add, op.set(cp));
      }
      f.emit(op.end);
    });
  });
  return f;
}

/** transpose(src, rows, cols, dst): dst[c·rows + r] = src[r·cols + c] (f32, byte addresses). */
function transposeFn(): FnBuilder {
  const f = new FnBuilder([I32, I32, I32, I32]);
  const [SRC, ROWS, COLS, DST] = [0, 1, 2, 3];
  const r = f.local(I32), c = f.local(I32), sp = f.local(I32), dp = f.local(I32), rows4 = f.local(I32);
  f.emit(op.get(ROWS), op.i32(2), op.shl, op.set(rows4), op.get(SRC), op.set(sp));
  f.forLoop(r, op.i32(0), op.get(ROWS), op.i32(1), () => {
    f.emit(op.get(DST), op.get(r), op.i32(2), op.shl, op.add, op.set(dp));
    f.forLoop(c, op.i32(0), op.get(COLS), op.i32(1), () => {
      f.emit(op.get(dp), op.get(sp), op.f32Load(0), op.f32Store(0));
      f.emit(op.get(sp), op.i32(4), op.add, op.set(sp));
      f.emit(op.get(dp), op.get(rows4), op.add, op.set(dp));
    });
  });
  return f;
}

// ---- vector sigmoid / tanh -----------------------------------------------------------------------

const LOG2E = 1.4426950408889634;
const LN2_HI = 0.693145751953125; // exact in float32 with room: k·LN2_HI is exact for |k| < 256
const LN2_LO = 1.428606765330187e-6;

/** Scratch v128 locals for the exp-based functions. */
interface VTmp { y: number; k: number; r: number; q: number; s: number; e: number }

function vtmp(f: FnBuilder): VTmp {
  return { y: f.local(V128), k: f.local(V128), r: f.local(V128), q: f.local(V128), s: f.local(V128), e: f.local(V128) };
}

/**
 * From y (clamped to ±88): k = round(y/ln2), r = y - k·ln2, q = e^r - 1 (degree-7 Taylor, |r| ≤ 0.35),
 * s = 2^k, so that e^y = s·q + s and e^y - 1 = s·q + (s - 1).
 */
function emitExpParts(f: FnBuilder, t: VTmp): void {
  f.emit(op.get(t.y), op.f32x4Const(88), op.f32x4Min, op.f32x4Const(-88), op.f32x4Max, op.set(t.y));
  f.emit(op.get(t.y), op.f32x4Const(LOG2E), op.f32x4Mul, op.f32x4Nearest, op.set(t.k));
  f.emit(op.get(t.y), op.get(t.k), op.f32x4Const(LN2_HI), op.f32x4Mul, op.f32x4Sub, op.get(t.k), op.f32x4Const(LN2_LO), op.f32x4Mul, op.f32x4Sub, op.set(t.r));
  f.emit(op.f32x4Const(1 / 5040));
  for (const c of [1 / 720, 1 / 120, 1 / 24, 1 / 6, 1 / 2, 1]) f.emit(op.get(t.r), op.f32x4Mul, op.f32x4Const(c), op.f32x4Add);
  f.emit(op.get(t.r), op.f32x4Mul, op.set(t.q));
  f.emit(op.get(t.k), op.i32x4TruncSatF32x4S, op.i32x4Const(127), op.i32x4Add, op.i32(23), op.i32x4Shl, op.set(t.s));
}

/** out = σ(x) = 1/(1 + e^-x), x given as code leaving a v128. */
function emitSigmoid(f: FnBuilder, x: number[], out: number, t: VTmp): void {
  f.emit(op.v128Zero, x, op.f32x4Sub, op.set(t.y));
  emitExpParts(f, t);
  f.emit(op.f32x4Const(1), op.f32x4Const(1), op.get(t.s), op.get(t.q), op.f32x4Mul, op.get(t.s), op.f32x4Add, op.f32x4Add, op.f32x4Div, op.set(out));
}

/** out = tanh(x) = (e^2x - 1)/(e^2x + 1), with e^2x - 1 formed without cancellation near 0. */
function emitTanh(f: FnBuilder, x: number[], out: number, t: VTmp): void {
  f.emit(x, op.f32x4Const(2), op.f32x4Mul, op.set(t.y));
  emitExpParts(f, t);
  f.emit(op.get(t.s), op.get(t.q), op.f32x4Mul, op.get(t.s), op.f32x4Const(1), op.f32x4Sub, op.f32x4Add, op.set(t.e));
  f.emit(op.get(t.e), op.get(t.e), op.f32x4Const(2), op.f32x4Add, op.f32x4Div, op.set(out));
}

// ---- recurrent steps -----------------------------------------------------------------------------

const GEMM = 0;

/**
 * lstm_step(B4, H, wT, gates, hPrev, cPrev, hOut, cOut, tanhC), B4 a multiple of 4, H of 4:
 *   gates[B4, 4H] += hPrev[B4, H]·wT[H, 4H], then per unit i,f,g,o activations (written back),
 *   c = f⊙cPrev + i⊙g, tanhC = tanh(c), h = o⊙tanh(c).
 */
function lstmStepFn(): FnBuilder {
  const f = new FnBuilder(new Array<number>(9).fill(I32));
  const [B4, H, WT, GATES, HP, CP, HO, CO, TC] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const G = f.local(I32), H4 = f.local(I32), b = f.local(I32), jb = f.local(I32), row = f.local(I32), st = f.local(I32);
  const pi = f.local(I32), pf = f.local(I32), pg = f.local(I32), po = f.local(I32), q = f.local(I32);
  const iv = f.local(V128), fv = f.local(V128), gv = f.local(V128), ov = f.local(V128), cv = f.local(V128), tc = f.local(V128);
  const t = vtmp(f);
  f.emit(op.get(H), op.i32(2), op.shl, op.set(G)); // 4H columns
  f.emit(op.get(H), op.i32(2), op.shl, op.set(H4)); // bytes per H floats
  f.emit(op.get(B4), op.get(G), op.get(H), op.get(HP), op.get(H), op.i32(1), op.get(WT), op.get(G), op.get(GATES), op.get(G), op.i32(1), op.call(GEMM));
  f.forLoop(b, op.i32(0), op.get(B4), op.i32(1), () => {
    f.emit(op.get(GATES), op.get(b), op.get(G), op.mul, op.i32(2), op.shl, op.add, op.set(row));
    f.emit(op.get(b), op.get(H4), op.mul, op.set(st));
    f.forLoop(jb, op.i32(0), op.get(H4), op.i32(16), () => {
      f.emit(op.get(row), op.get(jb), op.add, op.tee(pi), op.get(H4), op.add, op.tee(pf), op.get(H4), op.add, op.tee(pg), op.get(H4), op.add, op.set(po));
      emitSigmoid(f, [...op.get(pi), ...op.v128Load(0)], iv, t);
      emitSigmoid(f, [...op.get(pf), ...op.v128Load(0)], fv, t);
      emitTanh(f, [...op.get(pg), ...op.v128Load(0)], gv, t);
      emitSigmoid(f, [...op.get(po), ...op.v128Load(0)], ov, t);
      f.emit(op.get(pi), op.get(iv), op.v128Store(0), op.get(pf), op.get(fv), op.v128Store(0));
      f.emit(op.get(pg), op.get(gv), op.v128Store(0), op.get(po), op.get(ov), op.v128Store(0));
      f.emit(op.get(st), op.get(jb), op.add, op.set(q));
      f.emit(op.get(fv), op.get(CP), op.get(q), op.add, op.v128Load(0), op.f32x4Mul, op.get(iv), op.get(gv), op.f32x4Mul, op.f32x4Add, op.set(cv));
      f.emit(op.get(CO), op.get(q), op.add, op.get(cv), op.v128Store(0));
      emitTanh(f, op.get(cv), tc, t);
      f.emit(op.get(TC), op.get(q), op.add, op.get(tc), op.v128Store(0));
      f.emit(op.get(HO), op.get(q), op.add, op.get(ov), op.get(tc), op.f32x4Mul, op.v128Store(0));
    });
  });
  return f;
}

/**
 * gru_step(B4, H, wT, bhh, gx, gh, hPrev, act, hn, hOut), B4 a multiple of 4, H of 8:
 *   gh[B4, 3H] = hPrev·wT[H, 3H]; r = σ(gx_r + gh_r + b_r), z = σ(gx_z + gh_z + b_z),
 *   hn = gh_n + b_n, n = tanh(gx_n + r⊙hn), h = n + z⊙(hPrev - n); act = r | z | n.
 */
function gruStepFn(): FnBuilder {
  const f = new FnBuilder(new Array<number>(10).fill(I32));
  const [B4, H, WT, BHH, GX, GH, HP, ACT, HN, HO] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  const G = f.local(I32), H4 = f.local(I32), H8 = f.local(I32), b = f.local(I32), jb = f.local(I32);
  const xr = f.local(I32), hr = f.local(I32), ar = f.local(I32), st = f.local(I32), row = f.local(I32);
  const xp = f.local(I32), hp = f.local(I32), bp = f.local(I32), q = f.local(I32);
  const rv = f.local(V128), zv = f.local(V128), hnv = f.local(V128), nv = f.local(V128), hpv = f.local(V128);
  const t = vtmp(f);
  f.emit(op.get(H), op.i32(3), op.mul, op.set(G));
  f.emit(op.get(H), op.i32(2), op.shl, op.set(H4));
  f.emit(op.get(H4), op.i32(1), op.shl, op.set(H8));
  f.emit(op.get(B4), op.get(G), op.get(H), op.get(HP), op.get(H), op.i32(1), op.get(WT), op.get(G), op.get(GH), op.get(G), op.i32(0), op.call(GEMM));
  f.forLoop(b, op.i32(0), op.get(B4), op.i32(1), () => {
    f.emit(op.get(b), op.get(G), op.mul, op.i32(2), op.shl, op.set(row));
    f.emit(op.get(GX), op.get(row), op.add, op.set(xr));
    f.emit(op.get(GH), op.get(row), op.add, op.set(hr));
    f.emit(op.get(ACT), op.get(row), op.add, op.set(ar));
    f.emit(op.get(b), op.get(H4), op.mul, op.set(st));
    f.forLoop(jb, op.i32(0), op.get(H4), op.i32(16), () => {
      f.emit(op.get(xr), op.get(jb), op.add, op.set(xp));
      f.emit(op.get(hr), op.get(jb), op.add, op.set(hp));
      f.emit(op.get(BHH), op.get(jb), op.add, op.set(bp));
      emitSigmoid(f, [...op.get(xp), ...op.v128Load(0), ...op.get(hp), ...op.v128Load(0), ...op.f32x4Add, ...op.get(bp), ...op.v128Load(0), ...op.f32x4Add], rv, t);
      const plus = (p: number, off: number): number[] => [...op.get(p), ...op.get(off), ...op.add];
      emitSigmoid(f, [...plus(xp, H4), ...op.v128Load(0), ...plus(hp, H4), ...op.v128Load(0), ...op.f32x4Add, ...plus(bp, H4), ...op.v128Load(0), ...op.f32x4Add], zv, t);
      f.emit(plus(hp, H8), op.v128Load(0), plus(bp, H8), op.v128Load(0), op.f32x4Add, op.set(hnv));
      emitTanh(f, [...plus(xp, H8), ...op.v128Load(0), ...op.get(rv), ...op.get(hnv), ...op.f32x4Mul, ...op.f32x4Add], nv, t);
      f.emit(op.get(st), op.get(jb), op.add, op.set(q));
      f.emit(op.get(HP), op.get(q), op.add, op.v128Load(0), op.set(hpv));
      f.emit(op.get(HO), op.get(q), op.add, op.get(nv), op.get(zv), op.get(hpv), op.get(nv), op.f32x4Sub, op.f32x4Mul, op.f32x4Add, op.v128Store(0));
      f.emit(op.get(ar), op.get(jb), op.add, op.get(rv), op.v128Store(0));
      f.emit(plus(ar, H4), op.get(jb), op.add, op.get(zv), op.v128Store(0));
      f.emit(plus(ar, H8), op.get(jb), op.add, op.get(nv), op.v128Store(0));
      f.emit(op.get(HN), op.get(q), op.add, op.get(hnv), op.v128Store(0));
    });
  });
  return f;
}

/**
 * lstm_bstep(B4, H, w, gates, cPrev, tanhC, gradOut, hasGradOut, dh, dc, dG, gemmToo), H a multiple of 8:
 *   dh_t = dh + gradOut; dc_t = dc + dh_t⊙o⊙(1 - tanh²c); dG = [dc_t⊙g⊙i(1-i), dc_t⊙c_{t-1}⊙f(1-f),
 *   dc_t⊙i⊙(1-g²), dh_t⊙tanh(c)⊙o(1-o)]; dc ← dc_t⊙f; then (gemmToo) dh ← dG·w, w = W_hh [4H, H].
 */
function lstmBackStepFn(): FnBuilder {
  const f = new FnBuilder(new Array<number>(12).fill(I32));
  const [B4, H, W, GATES, CP, TC, GO, HASGO, DH, DC, DG, GEMM_TOO] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
  const G = f.local(I32), H4 = f.local(I32), b = f.local(I32), jb = f.local(I32), row = f.local(I32), drow = f.local(I32), st = f.local(I32), q = f.local(I32);
  const pi = f.local(I32), di = f.local(I32);
  const iv = f.local(V128), fv = f.local(V128), gv = f.local(V128), ov = f.local(V128), tc = f.local(V128), dhv = f.local(V128), dcv = f.local(V128);
  const one = (): number[] => op.f32x4Const(1);
  f.emit(op.get(H), op.i32(2), op.shl, op.set(G));
  f.emit(op.get(H), op.i32(2), op.shl, op.set(H4));
  f.forLoop(b, op.i32(0), op.get(B4), op.i32(1), () => {
    f.emit(op.get(b), op.get(G), op.mul, op.i32(2), op.shl, op.set(row));
    f.emit(op.get(DG), op.get(row), op.add, op.set(drow));
    f.emit(op.get(GATES), op.get(row), op.add, op.set(row));
    f.emit(op.get(b), op.get(H4), op.mul, op.set(st));
    f.forLoop(jb, op.i32(0), op.get(H4), op.i32(16), () => {
      f.emit(op.get(row), op.get(jb), op.add, op.set(pi), op.get(drow), op.get(jb), op.add, op.set(di));
      f.emit(op.get(pi), op.v128Load(0), op.set(iv));
      f.emit(op.get(pi), op.get(H4), op.add, op.v128Load(0), op.set(fv));
      f.emit(op.get(pi), op.get(H4), op.add, op.get(H4), op.add, op.v128Load(0), op.set(gv));
      f.emit(op.get(pi), op.get(H4), op.add, op.get(H4), op.add, op.get(H4), op.add, op.v128Load(0), op.set(ov));
      f.emit(op.get(st), op.get(jb), op.add, op.set(q));
      f.emit(op.get(TC), op.get(q), op.add, op.v128Load(0), op.set(tc));
      f.emit(op.get(DH), op.get(q), op.add, op.v128Load(0), op.set(dhv));
      f.emit(op.get(HASGO), op.if, op.get(dhv), op.get(GO), op.get(q), op.add, op.v128Load(0), op.f32x4Add, op.set(dhv), op.end);
      // dc_t = dc + dh·o·(1 - tc²)
      f.emit(op.get(DC), op.get(q), op.add, op.v128Load(0), op.get(dhv), op.get(ov), op.f32x4Mul, one(), op.get(tc), op.get(tc), op.f32x4Mul, op.f32x4Sub, op.f32x4Mul, op.f32x4Add, op.set(dcv));
      f.emit(op.get(DC), op.get(q), op.add, op.get(dcv), op.get(fv), op.f32x4Mul, op.v128Store(0));
      // dG_i = dc·g·i(1-i)
      f.emit(op.get(di), op.get(dcv), op.get(gv), op.f32x4Mul, op.get(iv), op.f32x4Mul, one(), op.get(iv), op.f32x4Sub, op.f32x4Mul, op.v128Store(0));
      // dG_f = dc·c_{t-1}·f(1-f)
      f.emit(op.get(di), op.get(H4), op.add, op.get(dcv), op.get(CP), op.get(q), op.add, op.v128Load(0), op.f32x4Mul, op.get(fv), op.f32x4Mul, one(), op.get(fv), op.f32x4Sub, op.f32x4Mul, op.v128Store(0));
      // dG_g = dc·i·(1-g²)
      f.emit(op.get(di), op.get(H4), op.add, op.get(H4), op.add, op.get(dcv), op.get(iv), op.f32x4Mul, one(), op.get(gv), op.get(gv), op.f32x4Mul, op.f32x4Sub, op.f32x4Mul, op.v128Store(0));
      // dG_o = dh·tc·o(1-o)
      f.emit(op.get(di), op.get(H4), op.add, op.get(H4), op.add, op.get(H4), op.add, op.get(dhv), op.get(tc), op.f32x4Mul, op.get(ov), op.f32x4Mul, one(), op.get(ov), op.f32x4Sub, op.f32x4Mul, op.v128Store(0));
    });
  });
  f.emit(op.get(GEMM_TOO), op.if);
  f.emit(op.get(B4), op.get(H), op.get(G), op.get(DG), op.get(G), op.i32(1), op.get(W), op.get(H), op.get(DH), op.get(H), op.i32(0), op.call(GEMM));
  f.emit(op.end);
  return f;
}

/**
 * gru_bstep(B4, H, w, act, hn, hPrev, gradOut, hasGradOut, dh, dGX, dGH, gemmToo), H a multiple of 8:
 *   dh_t = dh + gradOut; dn = dh_t(1-z)(1-n²); dz = dh_t(h_{t-1} - n)z(1-z); dr = dn·hn·r(1-r);
 *   dGX = [dr, dz, dn], dGH = [dr, dz, dn⊙r]; dh ← dh_t⊙z (+ dGH·w when gemmToo), w = W_hh [3H, H].
 */
function gruBackStepFn(): FnBuilder {
  const f = new FnBuilder(new Array<number>(12).fill(I32));
  const [B4, H, W, ACT, HN, HP, GO, HASGO, DH, DGX, DGH, GEMM_TOO] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
  const G = f.local(I32), H4 = f.local(I32), H8 = f.local(I32), b = f.local(I32), jb = f.local(I32), roff = f.local(I32), st = f.local(I32), q = f.local(I32);
  const pa = f.local(I32), px = f.local(I32), ph = f.local(I32);
  const rv = f.local(V128), zv = f.local(V128), nv = f.local(V128), dhv = f.local(V128), dnp = f.local(V128), dzp = f.local(V128), drp = f.local(V128);
  const one = (): number[] => op.f32x4Const(1);
  f.emit(op.get(H), op.i32(3), op.mul, op.set(G));
  f.emit(op.get(H), op.i32(2), op.shl, op.set(H4));
  f.emit(op.get(H4), op.i32(1), op.shl, op.set(H8));
  f.forLoop(b, op.i32(0), op.get(B4), op.i32(1), () => {
    f.emit(op.get(b), op.get(G), op.mul, op.i32(2), op.shl, op.set(roff));
    f.emit(op.get(b), op.get(H4), op.mul, op.set(st));
    f.forLoop(jb, op.i32(0), op.get(H4), op.i32(16), () => {
      f.emit(op.get(roff), op.get(jb), op.add, op.tee(pa), op.get(DGX), op.add, op.set(px));
      f.emit(op.get(pa), op.get(DGH), op.add, op.set(ph));
      f.emit(op.get(pa), op.get(ACT), op.add, op.set(pa));
      f.emit(op.get(pa), op.v128Load(0), op.set(rv));
      f.emit(op.get(pa), op.get(H4), op.add, op.v128Load(0), op.set(zv));
      f.emit(op.get(pa), op.get(H8), op.add, op.v128Load(0), op.set(nv));
      f.emit(op.get(st), op.get(jb), op.add, op.set(q));
      f.emit(op.get(DH), op.get(q), op.add, op.v128Load(0), op.set(dhv));
      f.emit(op.get(HASGO), op.if, op.get(dhv), op.get(GO), op.get(q), op.add, op.v128Load(0), op.f32x4Add, op.set(dhv), op.end);
      f.emit(op.get(dhv), one(), op.get(zv), op.f32x4Sub, op.f32x4Mul, one(), op.get(nv), op.get(nv), op.f32x4Mul, op.f32x4Sub, op.f32x4Mul, op.set(dnp));
      f.emit(op.get(dhv), op.get(HP), op.get(q), op.add, op.v128Load(0), op.get(nv), op.f32x4Sub, op.f32x4Mul, op.get(zv), op.f32x4Mul, one(), op.get(zv), op.f32x4Sub, op.f32x4Mul, op.set(dzp));
      f.emit(op.get(dnp), op.get(HN), op.get(q), op.add, op.v128Load(0), op.f32x4Mul, op.get(rv), op.f32x4Mul, one(), op.get(rv), op.f32x4Sub, op.f32x4Mul, op.set(drp));
      f.emit(op.get(px), op.get(drp), op.v128Store(0), op.get(px), op.get(H4), op.add, op.get(dzp), op.v128Store(0), op.get(px), op.get(H8), op.add, op.get(dnp), op.v128Store(0));
      f.emit(op.get(ph), op.get(drp), op.v128Store(0), op.get(ph), op.get(H4), op.add, op.get(dzp), op.v128Store(0));
      f.emit(op.get(ph), op.get(H8), op.add, op.get(dnp), op.get(rv), op.f32x4Mul, op.v128Store(0));
      f.emit(op.get(DH), op.get(q), op.add, op.get(dhv), op.get(zv), op.f32x4Mul, op.v128Store(0));
    });
  });
  f.emit(op.get(GEMM_TOO), op.if);
  f.emit(op.get(B4), op.get(H), op.get(G), op.get(DGH), op.get(G), op.i32(1), op.get(W), op.get(H), op.get(DH), op.get(H), op.i32(1), op.call(GEMM));
  f.emit(op.end);
  return f;
}

// ---- the engine ----------------------------------------------------------------------------------

export interface Engine {
  memory: WebAssembly.Memory;
  heap: Float32Array;
  gemm: (M4: number, N8: number, K: number, a: number, aRS: number, aKS: number, b: number, ldb: number, c: number, ldc: number, acc: number) => void;
  transpose: (src: number, rows: number, cols: number, dst: number) => void;
  lstmStep: (B4: number, H: number, wT: number, gates: number, hPrev: number, cPrev: number, hOut: number, cOut: number, tanhC: number) => void;
  gruStep: (B4: number, H: number, wT: number, bhh: number, gx: number, gh: number, hPrev: number, act: number, hn: number, hOut: number) => void;
  lstmBackStep: (B4: number, H: number, w: number, gates: number, cPrev: number, tanhC: number, gradOut: number, hasGradOut: number, dh: number, dc: number, dG: number, gemmToo: number) => void;
  gruBackStep: (B4: number, H: number, w: number, act: number, hn: number, hPrev: number, gradOut: number, hasGradOut: number, dh: number, dGX: number, dGH: number, gemmToo: number) => void;
}

let engine: Engine | null | undefined;

export function buildModuleBytes(): Uint8Array<ArrayBuffer> {
  return moduleBytes([
    { name: "gemm", fn: gemmFn(), exported: true },
    { name: "transpose", fn: transposeFn(), exported: true },
    { name: "lstm_step", fn: lstmStepFn(), exported: true },
    { name: "gru_step", fn: gruStepFn(), exported: true },
    { name: "lstm_bstep", fn: lstmBackStepFn(), exported: true },
    { name: "gru_bstep", fn: gruBackStepFn(), exported: true },
  ]);
}

/** The compiled module and its memory, or null when this runtime lacks WebAssembly SIMD. */
export function getEngine(): Engine | null {
  if (engine !== undefined) return engine;
  try {
    if (typeof WebAssembly === "undefined") throw new Error("no WebAssembly");
    const memory = new WebAssembly.Memory({ initial: 16 });
    const instance = new WebAssembly.Instance(new WebAssembly.Module(buildModuleBytes()), { env: { mem: memory } });
    const ex = instance.exports as unknown as {
      gemm: Engine["gemm"]; transpose: Engine["transpose"]; lstm_step: Engine["lstmStep"]; gru_step: Engine["gruStep"];
      lstm_bstep: Engine["lstmBackStep"]; gru_bstep: Engine["gruBackStep"];
    };
    engine = {
      memory, heap: new Float32Array(memory.buffer), gemm: ex.gemm, transpose: ex.transpose,
      lstmStep: ex.lstm_step, gruStep: ex.gru_step, lstmBackStep: ex.lstm_bstep, gruBackStep: ex.gru_bstep,
    };
  } catch {
    engine = null;
  }
  return engine;
}

/** Makes the module's memory hold at least n floats; returns the (possibly new) heap view. */
export function reserve(e: Engine, n: number): Float32Array {
  if (e.heap.length < n) {
    const pages = Math.ceil((n * 4 - e.memory.buffer.byteLength) / 65536);
    e.memory.grow(pages);
    e.heap = new Float32Array(e.memory.buffer);
  }
  return e.heap;
}
