/** Losses by name, for code that picks one from a config (the data-parallel trainer). */
import type { Floats } from "../tensor";

export type LossKind = "mse" | "mae" | "huber" | "pinball";

/**
 * The loss of pred [n] against target[tOff .. tOff+n) written as a share of a mean over `total`
 * elements: returns Σ ℓ / total and writes d(Σ ℓ / total)/dpred into grad. Summing these over the
 * shards of a batch gives the batch's mean loss and its gradient.
 */
export function lossWithGrad(kind: LossKind, param: number, pred: Floats, target: ArrayLike<number>, tOff: number, grad: Floats, total: number): number {
  const n = pred.length;
  let s = 0;
  for (let i = 0; i < n; i++) {
    const d = pred[i] - target[tOff + i];
    let l: number, g: number;
    switch (kind) {
      case "mse":
        l = d * d;
        g = 2 * d;
        break;
      case "mae":
        l = Math.abs(d);
        g = d > 0 ? 1 : d < 0 ? -1 : 0;
        break;
      case "huber": {
        const a = Math.abs(d);
        if (a <= param) {
          l = 0.5 * d * d;
          g = d;
        } else {
          l = param * (a - 0.5 * param);
          g = d > 0 ? param : -param;
        }
        break;
      }
      case "pinball": {
        const u = -d;
        if (u > 0) {
          l = param * u;
          g = -param;
        } else {
          l = (param - 1) * u;
          g = u < 0 ? 1 - param : 0;
        }
        break;
      }
    }
    s += l;
    grad[i] = g / total;
  }
  return s / total;
}
