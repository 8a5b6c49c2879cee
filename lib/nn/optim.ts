/**
 * Optimizers over a ParamStore's flat buffers (PyTorch semantics), and global-norm clipping.
 * Each keeps its state in buffers of the store's dtype, allocated once.
 */
import { allocFloats, type Floats } from "../tensor";
import type { ParamStore } from "./params";

export interface AdamOptions {
  lr?: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
  weightDecay?: number;
  /** AdamW: decay the weights directly (p ← p·(1 - lr·wd)) instead of adding wd·p to the gradient */
  decoupled?: boolean;
}

/**
 * Adam / AdamW as torch.optim.Adam(W) (amsgrad off):
 *   m ← β1 m + (1-β1) g;  v ← β2 v + (1-β2) g²
 *   p ← p - lr · (m / (1-β1^t)) / (√(v / (1-β2^t)) + eps)
 */
export class Adam {
  lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  readonly decoupled: boolean;
  private readonly params: ParamStore;
  private readonly m: Floats;
  private readonly v: Floats;
  private t = 0;

  constructor(params: ParamStore, opts: AdamOptions = {}) {
    this.params = params;
    this.lr = opts.lr ?? 1e-3;
    this.beta1 = opts.beta1 ?? 0.9;
    this.beta2 = opts.beta2 ?? 0.999;
    this.eps = opts.eps ?? 1e-8;
    this.weightDecay = opts.weightDecay ?? 0;
    this.decoupled = opts.decoupled ?? false;
    this.m = allocFloats(params.dtype, params.size);
    this.v = allocFloats(params.dtype, params.size);
  }

  get stepCount(): number {
    return this.t;
  }

  step(): void {
    this.t++;
    const p = this.params.data, g = this.params.grad, m = this.m, v = this.v;
    const b1 = this.beta1, b2 = this.beta2, lr = this.lr, eps = this.eps, wd = this.weightDecay;
    const bc1 = 1 - Math.pow(b1, this.t);
    const sqrtBc2 = Math.sqrt(1 - Math.pow(b2, this.t));
    const stepSize = lr / bc1;
    const l2 = this.decoupled ? 0 : wd;
    const shrink = this.decoupled ? 1 - lr * wd : 1;
    for (let i = 0, n = p.length; i < n; i++) {
      let gi = g[i];
      if (l2 !== 0) gi += l2 * p[i];
      const mi = b1 * m[i] + (1 - b1) * gi;
      const vi = b2 * v[i] + (1 - b2) * gi * gi;
      m[i] = mi;
      v[i] = vi;
      p[i] = p[i] * shrink - (stepSize * mi) / (Math.sqrt(vi) / sqrtBc2 + eps);
    }
  }
}

export interface SGDOptions {
  lr?: number;
  momentum?: number;
  weightDecay?: number;
}

/** SGD with momentum as torch.optim.SGD (dampening 0): b ← μ b + (g + wd·p); p ← p - lr·b. */
export class SGD {
  lr: number;
  readonly momentum: number;
  readonly weightDecay: number;
  private readonly params: ParamStore;
  private readonly buf: Floats | null;
  private started = false;

  constructor(params: ParamStore, opts: SGDOptions = {}) {
    this.params = params;
    this.lr = opts.lr ?? 1e-2;
    this.momentum = opts.momentum ?? 0;
    this.weightDecay = opts.weightDecay ?? 0;
    this.buf = this.momentum !== 0 ? allocFloats(params.dtype, params.size) : null;
  }

  step(): void {
    const p = this.params.data, g = this.params.grad, lr = this.lr, wd = this.weightDecay, mu = this.momentum, b = this.buf;
    for (let i = 0, n = p.length; i < n; i++) {
      let gi = g[i];
      if (wd !== 0) gi += wd * p[i];
      if (b !== null) {
        gi = this.started ? mu * b[i] + gi : gi;
        b[i] = gi;
      }
      p[i] -= lr * gi;
    }
    this.started = true;
  }
}

/** Scales all gradients so that their global L2 norm is at most maxNorm (PyTorch clip_grad_norm_); returns the norm before clipping. */
export function clipGradNorm(params: ParamStore, maxNorm: number): number {
  const g = params.grad;
  let s = 0;
  for (let i = 0; i < g.length; i++) s += g[i] * g[i];
  const norm = Math.sqrt(s);
  const coef = maxNorm / (norm + 1e-6);
  if (coef < 1) for (let i = 0; i < g.length; i++) g[i] *= coef;
  return norm;
}
