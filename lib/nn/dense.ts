/**
 * Dense (fully connected) layer, PyTorch nn.Linear layout: weight [out, in], bias [out].
 *   forward:  y[rows, out] = x[rows, in] · Wᵀ + b
 *   backward: dW += dyᵀ·x, db += Σ_rows dy, dx = dy·W
 */
import { biasRows, colSum, kernels, type Floats } from "../tensor";
import type { ParamSpec, ParamStore } from "./params";

export function denseParamSpecs(inSize: number, outSize: number, prefix = "head"): ParamSpec[] {
  return [
    { name: `${prefix}.weight`, shape: [outSize, inSize] },
    { name: `${prefix}.bias`, shape: [outSize] },
  ];
}

export class Dense {
  readonly inSize: number;
  readonly outSize: number;
  readonly w: Floats; readonly b: Floats; readonly dW: Floats; readonly db: Floats;
  private x: Floats = new Float32Array(0);
  private xOff = 0;
  private rows = 0;

  constructor(params: ParamStore, inSize: number, outSize: number, prefix = "head") {
    this.inSize = inSize;
    this.outSize = outSize;
    this.w = params.value(`${prefix}.weight`);
    this.b = params.value(`${prefix}.bias`);
    this.dW = params.gradOf(`${prefix}.weight`);
    this.db = params.gradOf(`${prefix}.bias`);
  }

  /** x [rows, in] at xOff (kept by reference for backward) → y [rows, out] at yOff. */
  forward(x: Floats, xOff: number, rows: number, y: Floats, yOff: number): void {
    this.x = x;
    this.xOff = xOff;
    this.rows = rows;
    biasRows(rows, this.outSize, y, yOff, this.outSize, this.b, 0, null, 0, false);
    kernels.gemmNT(rows, this.outSize, this.inSize, x, xOff, this.inSize, this.w, 0, this.inSize, y, yOff, this.outSize, true);
  }

  /** dy [rows, out] → accumulates dW, db (unless paramGrads is false); writes dx [rows, in] at dxOff when dx is given. */
  backward(dy: Floats, dyOff: number, dx: Floats | null, dxOff: number, paramGrads = true): void {
    const rows = this.rows, O = this.outSize, I = this.inSize;
    if (paramGrads) {
      kernels.gemmTN(O, I, rows, dy, dyOff, O, this.x, this.xOff, I, this.dW, 0, I, true);
      colSum(rows, O, dy, dyOff, O, this.db, 0, true);
    }
    if (dx !== null) kernels.gemmNN(rows, I, O, dy, dyOff, O, this.w, 0, I, dx, dxOff, I, false);
  }
}
