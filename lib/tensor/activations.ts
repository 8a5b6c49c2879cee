/**
 * Activations and their derivatives. Scalar forms (inlined by the JIT into the fused cell loops)
 * and array forms. Derivatives are written in terms of the saved output y, which is what the
 * cells keep for backward: σ' = y(1-y), tanh' = 1-y², relu' = [y > 0].
 */
import type { Floats } from "./types";

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
