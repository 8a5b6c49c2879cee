/**
 * Activations and their derivatives. Scalar forms (inlined by the JIT into the fused cell loops)
 * and array forms. Derivatives are written in terms of the saved output y, which is what the
 * cells keep for backward: σ' = y(1-y), tanh' = 1-y², relu' = [y > 0].
 */
import type { Floats } from "./types";

// ---- float32-accurate fast forms -------------------------------------------------------------
// exp by range reduction x = k·ln2 + r, |r| ≤ ln2/2, a degree-7 Taylor polynomial for e^r and a
// table of 2^k: relative error < 1e-8 over the whole range, below float32's half-ulp (3e-8), at
// about half the cost of Math.exp. The cells use these on Float32Array data; float64 data (the
// gradient checks) always goes through Math.exp / Math.tanh.

const POW2 = new Float64Array(256); // POW2[k + 127] = 2^k
for (let i = 0; i < 256; i++) POW2[i] = Math.pow(2, i - 127);
const LOG2E = 1.4426950408889634;
const LN2 = 0.6931471805599453;

/** e^x to float32 accuracy (x clamped to ±88, where float32 overflows). */
export function expF32(x: number): number {
  if (x > 88) x = 88;
  else if (x < -88) x = -88;
  const k = Math.round(x * LOG2E);
  const r = x - k * LN2;
  const p = 1 + r * (1 + r * (0.5 + r * (1 / 6 + r * (1 / 24 + r * (1 / 120 + r * (1 / 720 + r * (1 / 5040)))))));
  return p * POW2[k + 127];
}

/** σ(x) = 1/(1 + e^-x) to float32 accuracy. */
export function sigmoidF32(x: number): number {
  return 1 / (1 + expF32(-x));
}

/** tanh(x) = (e^2x - 1)/(e^2x + 1) to float32 accuracy, with e^2x - 1 formed without cancellation near 0. */
export function tanhF32(x: number): number {
  let y = 2 * x;
  if (y > 88) y = 88;
  else if (y < -88) y = -88;
  const k = Math.round(y * LOG2E);
  const r = y - k * LN2;
  const q = r * (1 + r * (0.5 + r * (1 / 6 + r * (1 / 24 + r * (1 / 120 + r * (1 / 720 + r * (1 / 5040)))))));
  const s = POW2[k + 127];
  const em1 = s * q + (s - 1);
  return em1 / (em1 + 2);
}

export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

export function tanh(x: number): number {
  return Math.tanh(x);
}

export function relu(x: number): number {
  return x > 0 ? x : 0;
}

export type Activation = "sigmoid" | "tanh" | "relu" | "identity";

/** y = act(x) elementwise over n values (in place when x and y are the same range). */
export function activationForward(act: Activation, n: number, x: Floats, xOff: number, y: Floats, yOff: number): void {
  switch (act) {
    case "sigmoid":
      for (let i = 0; i < n; i++) y[yOff + i] = 1 / (1 + Math.exp(-x[xOff + i]));
      return;
    case "tanh":
      for (let i = 0; i < n; i++) y[yOff + i] = Math.tanh(x[xOff + i]);
      return;
    case "relu":
      for (let i = 0; i < n; i++) {
        const v = x[xOff + i];
        y[yOff + i] = v > 0 ? v : 0;
      }
      return;
    case "identity":
      for (let i = 0; i < n; i++) y[yOff + i] = x[xOff + i];
      return;
  }
}

/** dx (+)= dy · act'(x) written via the output y. */
export function activationBackward(
  act: Activation, n: number,
  y: Floats, yOff: number, dy: Floats, dyOff: number, dx: Floats, dxOff: number,
  accumulate: boolean,
): void {
  for (let i = 0; i < n; i++) {
    const v = y[yOff + i];
    let d: number;
    switch (act) {
      case "sigmoid":
        d = v * (1 - v);
        break;
      case "tanh":
        d = 1 - v * v;
        break;
      case "relu":
        d = v > 0 ? 1 : 0;
        break;
      default:
        d = 1;
    }
    if (accumulate) dx[dxOff + i] += dy[dyOff + i] * d;
    else dx[dxOff + i] = dy[dyOff + i] * d;
  }
}
