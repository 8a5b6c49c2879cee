/**
 * The window normalisation of the engine as a linear map, with its adjoint. A window's raw
 * model-space columns X [L, F] reach the network as W(X): the value column and every covariate
 * column minus their own reference (last value or mean of the column, per `windowNorm`), the
 * other columns unchanged; the forecast adds the value column's reference back. So, relative to
 * the reference of the window a forecast was made from,
 *
 *   f(X) = ref(X[:, value]) + net(W(X))
 *
 * which is exactly the engine's forecast of that window (its own inputs have reference 0), and
 * along an integration path from a baseline every window is normalised the way the network was
 * trained to see windows.
 */
import type { Floats } from "../../nn";
import type { WindowNorm } from "../prep";
import type { WindowColumn } from "./columns";

export interface WindowShape {
  lookback: number;
  columns: number;
  norm: WindowNorm;
  /** The columns normalised by their own reference (value and covariates when norm is not "none"). */
  normalised: number[];
}

export function windowShape(lookback: number, columns: readonly WindowColumn[], norm: WindowNorm): WindowShape {
  const normalised = norm === "none" ? [] : columns.flatMap((c, i) => (c.kind === "value" || c.kind === "covariate" ? [i] : []));
  return { lookback, columns: columns.length, norm, normalised };
}

/** The reference of column `col` of the window at x[off ..] ([L, F] row-major). */
export function columnReference(s: WindowShape, x: ArrayLike<number>, off: number, col: number): number {
  const L = s.lookback, F = s.columns;
  if (s.norm === "last") return x[off + (L - 1) * F + col];
  if (s.norm === "mean") {
    let acc = 0;
    for (let r = 0; r < L; r++) acc += x[off + r * F + col];
    return acc / L;
  }
  return 0;
}

/** out[outOff ..] = W(x[off ..]) for one window. */
export function normaliseWindow(s: WindowShape, x: ArrayLike<number>, off: number, out: Floats, outOff: number): void {
  const n = s.lookback * s.columns;
  for (let i = 0; i < n; i++) out[outOff + i] = x[off + i];
  for (const col of s.normalised) {
    const ref = columnReference(s, x, off, col);
    for (let r = 0; r < s.lookback; r++) out[outOff + r * s.columns + col] -= ref;
  }
}

/**
 * dx[dxOff ..] += scale · (Wᵀ g + ∂ref/∂x) for one window: the gradient of ref(X) + net(W(X))
 * with respect to X, given g = ∂net/∂(its input) at g[gOff ..].
 */
export function addWindowGradient(s: WindowShape, g: ArrayLike<number>, gOff: number, scale: number, dx: Float64Array, dxOff: number): void {
  const L = s.lookback, F = s.columns, n = L * F;
  for (let i = 0; i < n; i++) dx[dxOff + i] += scale * g[gOff + i];
  for (const col of s.normalised) {
    let sum = 0;
    for (let r = 0; r < L; r++) sum += g[gOff + r * F + col];
    // The reference of this column was subtracted from each of its entries: −Σ_r g through ∂ref.
    addReferenceGradient(s, col, -scale * sum, dx, dxOff);
  }
  // The forecast adds back the value column's reference (column 0).
  if (s.norm !== "none") addReferenceGradient(s, 0, scale, dx, dxOff);
}

/** dx += scale · ∂ref(column col)/∂x. */
function addReferenceGradient(s: WindowShape, col: number, scale: number, dx: Float64Array, dxOff: number): void {
  const L = s.lookback, F = s.columns;
  if (s.norm === "last") dx[dxOff + (L - 1) * F + col] += scale;
  else if (s.norm === "mean") for (let r = 0; r < L; r++) dx[dxOff + r * F + col] += scale / L;
}
