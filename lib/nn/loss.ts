/**
 * Losses over predictions and targets of the same length. The value is the mean over all
 * elements; when `grad` is given, dLoss/dPred is written into it (overwriting).
 */
import type { Floats } from "../tensor";

function check(pred: ArrayLike<number>, target: ArrayLike<number>, grad: Floats | null): number {
  const n = pred.length;
  if (target.length !== n) throw new Error(`loss: prediction has ${n} values, target ${target.length}`);
  if (grad !== null && grad.length !== n) throw new Error(`loss: gradient buffer has ${grad.length} values, expected ${n}`);
  if (n === 0) throw new Error("loss: empty prediction");
  return n;
}

/** mean((p - t)²); d/dp = 2(p - t)/n */
export function mseLoss(pred: Floats, target: ArrayLike<number>, grad: Floats | null): number {
  const n = check(pred, target, grad);
  let s = 0;
  for (let i = 0; i < n; i++) {
    const d = pred[i] - target[i];
    s += d * d;
    if (grad !== null) grad[i] = (2 * d) / n;
  }
  return s / n;
}

/** mean|p - t|; d/dp = sign(p - t)/n (0 where equal, as PyTorch) */
export function maeLoss(pred: Floats, target: ArrayLike<number>, grad: Floats | null): number {
  const n = check(pred, target, grad);
  let s = 0;
  for (let i = 0; i < n; i++) {
    const d = pred[i] - target[i];
    s += Math.abs(d);
    if (grad !== null) grad[i] = (d > 0 ? 1 : d < 0 ? -1 : 0) / n;
  }
  return s / n;
}

/** PyTorch HuberLoss: 0.5d² for |d| ≤ δ, δ(|d| - δ/2) beyond; d/dp = clamp(d, -δ, δ)/n */
export function huberLoss(pred: Floats, target: ArrayLike<number>, grad: Floats | null, delta = 1): number {
  const n = check(pred, target, grad);
  if (!(delta > 0)) throw new Error("huberLoss: delta must be > 0");
  let s = 0;
  for (let i = 0; i < n; i++) {
    const d = pred[i] - target[i];
    const a = Math.abs(d);
    if (a <= delta) {
      s += 0.5 * d * d;
      if (grad !== null) grad[i] = d / n;
    } else {
      s += delta * (a - 0.5 * delta);
      if (grad !== null) grad[i] = (d > 0 ? delta : -delta) / n;
    }
  }
  return s / n;
}

/**
 * Pinball (quantile) loss for quantile q in (0, 1): with u = t - p, mean(max(q·u, (q - 1)·u));
 * d/dp = -q/n where t > p, (1 - q)/n where t < p, 0 where equal.
 */
export function pinballLoss(pred: Floats, target: ArrayLike<number>, grad: Floats | null, quantile: number): number {
  const n = check(pred, target, grad);
  if (!(quantile > 0 && quantile < 1)) throw new Error("pinballLoss: quantile must be in (0, 1)");
  let s = 0;
  for (let i = 0; i < n; i++) {
    const u = target[i] - pred[i];
    if (u > 0) {
      s += quantile * u;
      if (grad !== null) grad[i] = -quantile / n;
    } else {
      s += (quantile - 1) * u;
      if (grad !== null) grad[i] = u < 0 ? (1 - quantile) / n : 0;
    }
  }
  return s / n;
}
