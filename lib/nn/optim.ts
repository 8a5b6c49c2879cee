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

/** What one Adam step applies to every parameter: the bias corrections of step t folded in. */
export interface AdamCoefficients {
  beta1: number;
  beta2: number;
  eps: number;
  /** lr / (1 - β1^t) */
  stepSize: number;
  /** √(1 - β2^t) */
  sqrtBc2: number;
  /** L2 penalty added to the gradient (Adam's weight decay), 0 for AdamW */
  l2: number;
  /** p ← p·shrink before the step (AdamW's decoupled decay), 1 for Adam */
  shrink: number;
}

/** The coefficients of step t (1-based) for these settings. */
export function adamCoefficients(o: Required<AdamOptions>, t: number): AdamCoefficients {
  return {
    beta1: o.beta1, beta2: o.beta2, eps: o.eps,
    stepSize: o.lr / (1 - Math.pow(o.beta1, t)),
    sqrtBc2: Math.sqrt(1 - Math.pow(o.beta2, t)),
    l2: o.decoupled ? 0 : o.weightDecay,
    shrink: o.decoupled ? 1 - o.lr * o.weightDecay : 1,
  };
}

/**
 * One Adam update of every element of p from its gradient g and moments m, v (all the same
 * length): the optimizer's whole arithmetic, so that a slice of the parameters (the data-parallel
 * trainer gives each thread one) is updated exactly as the whole would be.
 */
export function adamUpdate(p: Floats, g: Floats, m: Floats, v: Floats, c: AdamCoefficients): void {
  const b1 = c.beta1, b2 = c.beta2, eps = c.eps, stepSize = c.stepSize, sqrtBc2 = c.sqrtBc2, l2 = c.l2, shrink = c.shrink;
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

/** The options with their defaults filled in (PyTorch's, except lr). */
export function adamDefaults(opts: AdamOptions = {}): Required<AdamOptions> {
  return {
    lr: opts.lr ?? 1e-3, beta1: opts.beta1 ?? 0.9, beta2: opts.beta2 ?? 0.999, eps: opts.eps ?? 1e-8,
    weightDecay: opts.weightDecay ?? 0, decoupled: opts.decoupled ?? false,
  };
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
    const o = adamDefaults(opts);
    this.params = params;
    this.lr = o.lr;
    this.beta1 = o.beta1;
    this.beta2 = o.beta2;
    this.eps = o.eps;
    this.weightDecay = o.weightDecay;
    this.decoupled = o.decoupled;
    this.m = allocFloats(params.dtype, params.size);
    this.v = allocFloats(params.dtype, params.size);
  }

  get stepCount(): number {
    return this.t;
  }

  step(): void {
    this.t++;
    adamUpdate(this.params.data, this.params.grad, this.m, this.v, adamCoefficients(this, this.t));
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
