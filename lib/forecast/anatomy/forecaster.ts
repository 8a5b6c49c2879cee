/**
 * A member's forecast as a differentiable function of its input window, f: X [L, F] → [K], in
 * model units relative to the reference of the window (see window.ts), with input gradients from
 * the network's own backward pass:
 *
 * - direct and seq2seq: f(X) = ref(X) + net(W(X)), all K steps from one forward; ∂f_k/∂X from one
 *   backward per step (the seq2seq decoder's future position features are constants);
 * - recursive: the engine's loop, one step at a time, each prediction shifted into the next window
 *   (re-normalised as the engine does). Every later window reads the original window's values and
 *   time features for the times it shares with it, the position feature by position, and the
 *   (known) time features of the future steps. The gradient of step j is carried forward through
 *   the windows: ∂f_j/∂X = Σ over window j's entries of ∂f_j/∂entry · ∂entry/∂X, where an entry is
 *   an input of X or an earlier prediction f_i whose gradient is already known. One backward per
 *   step, as for direct.
 */
import type { DType, Floats, Network } from "../../nn";
import { allocFloats } from "../../tensor";
import { ForecastError } from "../errors";
import type { WindowColumn } from "./columns";
import { addWindowGradient, columnReference, normaliseWindow, type WindowShape } from "./window";

export interface WindowForecaster {
  readonly lookback: number;
  readonly columns: number;
  /** Forecast steps K. */
  readonly outputs: number;
  /**
   * Forecasts of B windows X [B, L, F] into values [B, K]. When `weights` [B] is given, also, for
   * each k in `steps`, Σ_b weights[b] · ∂f_k(X_b)/∂X_b into grads[i] [L, F].
   */
  evaluate(X: Float64Array, B: number, weights: Float64Array | null, steps: readonly number[]): { values: Float64Array; grads: Float64Array[] };
}

function checkSteps(steps: readonly number[], K: number): void {
  for (const k of steps) if (!Number.isInteger(k) || k < 0 || k >= K) throw new ForecastError("internal", `Forecast step ${k} is not in 0..${K - 1}.`);
}

/** Grows a typed buffer of the network's dtype (workspaces are reused across calls). */
function buffer(prev: Floats | null, dtype: DType, n: number): Floats {
  return prev !== null && prev.length === n ? prev : allocFloats(dtype, n);
}

/** Direct (many-to-one with K outputs) and seq2seq members: one forward, one backward per step. */
export class DirectForecaster implements WindowForecaster {
  readonly lookback: number;
  readonly columns: number;
  readonly outputs: number;
  private input: Floats | null = null;
  private gradIn: Floats | null = null;
  private gradOut: Floats | null = null;
  private futureRows: Floats | null = null;

  /** `future`: the seq2seq decoder's inputs for this window [K, futureSize], or null. */
  constructor(
    private readonly net: Network,
    private readonly shape: WindowShape,
    private readonly future: Float32Array | null,
  ) {
    this.lookback = shape.lookback;
    this.columns = shape.columns;
    this.outputs = net.config.outputSize;
  }

  evaluate(X: Float64Array, B: number, weights: Float64Array | null, steps: readonly number[]) {
    const { net, shape } = this;
    const LF = this.lookback * this.columns, K = this.outputs, dt = net.dtype;
    checkSteps(steps, K);
    const input = (this.input = buffer(this.input, dt, B * LF));
    for (let b = 0; b < B; b++) normaliseWindow(shape, X, b * LF, input, b * LF);
    let future: Floats | undefined;
    if (this.future) {
      future = this.futureRows = buffer(this.futureRows, dt, B * this.future.length);
      for (let b = 0; b < B; b++) future.set(this.future, b * this.future.length);
    }
    // backward follows when gradients are wanted: keep the forward's caches rather than recompute them
    const pred = net.forward({ size: B, seqLen: this.lookback, x: input, future }, false, undefined, { keepCaches: weights !== null });
    const values = new Float64Array(B * K);
    for (let b = 0; b < B; b++) {
      const ref = columnReference(shape, X, b * LF, 0);
      for (let k = 0; k < K; k++) values[b * K + k] = ref + pred[b * K + k];
    }
    const grads: Float64Array[] = [];
    if (weights === null) return { values, grads };
    const gradOut = (this.gradOut = buffer(this.gradOut, dt, B * K));
    const gradIn = (this.gradIn = buffer(this.gradIn, dt, B * LF));
    for (const k of steps) {
      // One backward of Σ_b f_k(X_b): every row's input gradient is its own ∂f_k/∂x (the rows are independent).
      gradOut.fill(0);
      for (let b = 0; b < B; b++) gradOut[b * K + k] = 1;
      net.backward(gradOut, gradIn, { paramGrads: false });
      const acc = new Float64Array(LF);
      for (let b = 0; b < B; b++) addWindowGradient(shape, X, b * LF, gradIn, b * LF, weights[b], acc, 0);
      grads.push(acc);
    }
    return { values, grads };
  }
}

/** Recursive members: the one-step network applied K times, each prediction fed back. */
export class RecursiveForecaster implements WindowForecaster {
  readonly lookback: number;
  readonly columns: number;
  readonly outputs: number;
  private input: Floats | null = null;
  private gradIn: Floats | null = null;
  private gradOut: Floats | null = null;

  /**
   * `futureTime` [K, F]: row q holds the time features of the q-th step after the origin (row 0
   * unused), read only in the time columns.
   */
  constructor(
    private readonly net: Network,
    private readonly shape: WindowShape,
    private readonly kinds: readonly WindowColumn["kind"][],
    horizon: number,
    private readonly futureTime: Float64Array,
  ) {
    if (net.config.outputSize !== 1) throw new ForecastError("internal", "A recursive member's network has one output.");
    if (kinds.includes("covariate")) throw new ForecastError("internal", "A recursive member cannot read covariates.");
    this.lookback = shape.lookback;
    this.columns = shape.columns;
    this.outputs = horizon;
  }

  evaluate(X: Float64Array, B: number, weights: Float64Array | null, steps: readonly number[]) {
    const { net, shape, kinds } = this;
    const L = this.lookback, F = this.columns, LF = L * F, K = this.outputs, dt = net.dtype;
    checkSteps(steps, K);
    const withGrad = weights !== null;
    const input = (this.input = buffer(this.input, dt, B * LF));
    const gradOut = (this.gradOut = buffer(this.gradOut, dt, B));
    const gradIn = (this.gradIn = buffer(this.gradIn, dt, B * LF));
    const raw = new Float64Array(B * LF); // window j before normalisation
    const values = new Float64Array(B * K); // f_j(X_b), relative to the first window's reference
    // dF[j][b·LF ..]: ∂f_j(X_b)/∂X_b (only while gradients are wanted)
    const dF: Float64Array[] = [];
    const G = new Float64Array(LF); // ∂f_j/∂(window j's raw entries) of one row
    for (let j = 0; j < K; j++) {
      // Window j covers extended indices j .. j+L-1: index i < L is X's row i, index i >= L the prediction i-L.
      for (let b = 0; b < B; b++) {
        const o = b * LF;
        for (let r = 0; r < L; r++) {
          const i = r + j;
          for (let c = 0; c < F; c++) {
            const kind = kinds[c];
            let v: number;
            if (kind === "position") v = X[o + r * F + c];
            else if (i < L) v = X[o + i * F + c];
            else v = kind === "value" ? values[b * K + (i - L)] : this.futureTime[(i - L + 1) * F + c];
            raw[o + r * F + c] = v;
          }
        }
        normaliseWindow(shape, raw, o, input, o);
      }
      const pred = net.forward({ size: B, seqLen: L, x: input }, false, undefined, { keepCaches: withGrad });
      for (let b = 0; b < B; b++) values[b * K + j] = columnReference(shape, raw, b * LF, 0) + pred[b];
      if (!withGrad) continue;
      gradOut.fill(1);
      net.backward(gradOut, gradIn, { paramGrads: false });
      const d = new Float64Array(B * LF);
      for (let b = 0; b < B; b++) {
        const o = b * LF;
        G.fill(0);
        addWindowGradient(shape, raw, o, gradIn, o, 1, G, 0);
        // Chain each entry of window j back to X: directly, or through an earlier prediction.
        for (let r = 0; r < L; r++) {
          const i = r + j;
          for (let c = 0; c < F; c++) {
            const g = G[r * F + c];
            if (g === 0) continue;
            const kind = kinds[c];
            if (kind === "position") d[o + r * F + c] += g;
            else if (i < L) d[o + i * F + c] += g;
            else if (kind === "value") {
              const prev = dF[i - L];
              for (let q = 0; q < LF; q++) d[o + q] += g * prev[o + q];
            }
          }
        }
      }
      dF.push(d);
    }
    const grads: Float64Array[] = [];
    if (withGrad) {
      for (const k of steps) {
        const acc = new Float64Array(LF);
        for (let b = 0; b < B; b++) for (let q = 0; q < LF; q++) acc[q] += weights[b] * dF[k][b * LF + q];
        grads.push(acc);
      }
    }
    return { values, grads };
  }
}
