/**
 * The window normalisation of the engine as a linear map, with its adjoint. A window's raw
 * model-space columns X [L, F] reach the network as W(X): the value column and every covariate
 * column minus their own reference (per `windowNorm`: last value, mean, mean of the last season or
 * median of the last three values), the
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
  /** The season length (the "season" norm averages the last max(season, 4) rows). */
  season: number;
  /** The columns normalised by their own reference (value and covariates when norm is not "none"). */
  normalised: number[];
}

export function windowShape(lookback: number, columns: readonly WindowColumn[], norm: WindowNorm, season = 1): WindowShape {
  const normalised = norm === "none" ? [] : columns.flatMap((c, i) => (c.kind === "value" || c.kind === "covariate" ? [i] : []));
  return { lookback, columns: columns.length, norm, season, normalised };
}

/**
 * The rows a column's reference averages (prep.ts `windowReference`): every row ("mean"), the
 * last ("last"), the last max(season, 4) ("season"), or the median of the last three ("recent",
 * piecewise linear: the row holding the median, so its gradient is the local one).
 */
function referenceRows(s: WindowShape, x: ArrayLike<number>, off: number, col: number): number[] {
  const L = s.lookback, F = s.columns;
  switch (s.norm) {
    case "none":
      return [];
    case "last":
      return [L - 1];
    case "mean":
      return Array.from({ length: L }, (_, r) => r);
    case "season": {
      const w = Math.min(L, Math.max(s.season, 4));
      return Array.from({ length: w }, (_, j) => L - w + j);
    }
    case "recent": {
      if (L < 3) return [L - 1];
      const rows = [L - 1, L - 2, L - 3];
      const v = rows.map((r) => x[off + r * F + col]);
      const a = v[0], b = v[1], c = v[2];
      const med = Math.max(Math.min(a, b), Math.min(Math.max(a, b), c));
      return [rows[v.indexOf(med)]];
    }
  }
}

/** The reference of column \`col\` of the window at x[off ..] ([L, F] row-major). */
export function columnReference(s: WindowShape, x: ArrayLike<number>, off: number, col: number): number {
  const rows = referenceRows(s, x, off, col);
  let acc = 0;
  for (const r of rows) acc += x[off + r * s.columns + col];
  return rows.length ? acc / rows.length : 0;
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
 * dx[dxOff ..] += scale · (Wᵀ g + ∂ref/∂x) for the window x[xOff ..]: the gradient of
 * ref(X) + net(W(X)) with respect to X, given g = ∂net/∂(its input) at g[gOff ..].
 */
export function addWindowGradient(s: WindowShape, x: ArrayLike<number>, xOff: number, g: ArrayLike<number>, gOff: number, scale: number, dx: Float64Array, dxOff: number): void {
  const L = s.lookback, F = s.columns, n = L * F;
  for (let i = 0; i < n; i++) dx[dxOff + i] += scale * g[gOff + i];
  for (const col of s.normalised) {
    let sum = 0;
    for (let r = 0; r < L; r++) sum += g[gOff + r * F + col];
    // The reference of this column was subtracted from each of its entries: −Σ_r g through ∂ref.
    addReferenceGradient(s, x, xOff, col, -scale * sum, dx, dxOff);
  }
  // The forecast adds back the value column's reference (column 0).
  if (s.norm !== "none") addReferenceGradient(s, x, xOff, 0, scale, dx, dxOff);
}

/** dx += scale · ∂ref(column col)/∂x, at the window x[xOff ..]. */
function addReferenceGradient(s: WindowShape, x: ArrayLike<number>, xOff: number, col: number, scale: number, dx: Float64Array, dxOff: number): void {
  const rows = referenceRows(s, x, xOff, col);
  for (const r of rows) dx[dxOff + r * s.columns + col] += scale / rows.length;
}
