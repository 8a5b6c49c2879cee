/**
 * The forecasting network: a recurrent stack and a dense head, in the two input-output shapes
 * of the lecture notes that forecasting uses.
 *
 *   many-to-one: x [B, T, I] → stack → top h_T [B, H] → head → [B, outputSize]
 *                (outputSize 1: one step for recursive forecasting; H steps: direct multi-step)
 *   seq2seq:     x [B, T, I] → encoder stack → final (h, c) start the decoder stack, which runs
 *                S = outputSize steps over future [B, S, F]; the head maps every decoder h_s to
 *                one value → [B, S]
 *
 * Parameters live in one ParamStore with PyTorch names: weight_ih_l0 … (encoder), decoder.* ,
 * head.weight [outputSize or 1, H], head.bias.
 */
import { allocFloats, mulberry32, swapAxes01, type DType, type Floats, type Rng } from "../tensor";
import { Dense, denseParamSpecs } from "./dense";
import { ParamStore, type ParamSpec } from "./params";
import { RecurrentStack, recurrentParamSpecs, type CellKind, type RecurrentSpec } from "./recurrent";

export interface NetworkConfig {
  /** many-to-one: dense head on the top layer's last hidden state → outputSize values.
   *  seq2seq: encoder → decoder over `future` for outputSize steps, one value per step. */
  kind: "many-to-one" | "seq2seq";
  cell: CellKind;
  /** rnn only, default tanh */
  nonlinearity?: "tanh" | "relu";
  inputSize: number;
  hiddenSize: number;
  numLayers: number;
  outputSize: number;
  /** seq2seq decoder input features (>= 1, default 1) */
  futureSize?: number;
  /** between stacked layers, training only (inverted dropout, seeded rng) */
  dropout?: number;
  /** LSTM: added to the forget-gate bias (bias_ih, rows H..2H) at init; default 0 like PyTorch */
  forgetBias?: number;
}

export interface Batch {
  size: number;
  /** [size, seqLen, inputSize] */
  x: Floats;
  seqLen: number;
  /** seq2seq: [size, outputSize, futureSize]; zeros when absent */
  future?: Floats;
}

export interface Network {
  readonly config: NetworkConfig;
  readonly dtype: DType;
  readonly params: ParamStore;
  /**
   * Predictions [size, outputSize]; the array is a workspace, valid until the next forward. An
   * inference forward (training false) keeps no caches for backward unless `{ keepCaches: true }`
   * (a backward after one without them recomputes the forward first).
   */
  forward(batch: Batch, training: boolean, rng?: Rng, options?: ForwardOptions): Floats;
  /**
   * Accumulates into params.grad (call params.zeroGrad() before). With gradInput [size, seqLen, inputSize], also writes dL/dx there.
   * `{ paramGrads: false }` skips the weight gradients (input gradients only). The forward's caches are kept, so several
   * backward passes (e.g. one per output) may follow one forward.
   */
  backward(gradPrediction: Floats, gradInput?: Floats, options?: BackwardOptions): void;
}

export interface ForwardOptions {
  /** default: training; true on an inference forward that backward will follow (input gradients) */
  keepCaches?: boolean;
}

export interface BackwardOptions {
  /** default true; false computes only dL/dx (attributions), leaving params.grad untouched */
  paramGrads?: boolean;
}

function checkInt(name: string, v: unknown, min: number): void {
  if (typeof v !== "number" || !Number.isInteger(v) || v < min) throw new Error(`network config: ${name} must be an integer >= ${min}, got ${String(v)}`);
}

/** Validates a config and fills the optional fields with their defaults. */
export function normalizeConfig(config: NetworkConfig): NetworkConfig {
  if (config.kind !== "many-to-one" && config.kind !== "seq2seq") throw new Error(`network config: unknown kind ${String(config.kind)}`);
  if (config.cell !== "rnn" && config.cell !== "lstm" && config.cell !== "gru") throw new Error(`network config: unknown cell ${String(config.cell)}`);
  checkInt("inputSize", config.inputSize, 1);
  checkInt("hiddenSize", config.hiddenSize, 1);
  checkInt("numLayers", config.numLayers, 1);
  checkInt("outputSize", config.outputSize, 1);
  const out: NetworkConfig = { ...config };
  if (config.cell === "rnn") {
    const nl = config.nonlinearity ?? "tanh";
    if (nl !== "tanh" && nl !== "relu") throw new Error(`network config: nonlinearity must be tanh or relu`);
    out.nonlinearity = nl;
  } else delete out.nonlinearity;
  if (config.kind === "seq2seq") {
    checkInt("futureSize", config.futureSize ?? 1, 1);
    out.futureSize = config.futureSize ?? 1;
  } else delete out.futureSize;
  const p = config.dropout ?? 0;
  if (!(p >= 0 && p < 1)) throw new Error(`network config: dropout must be in [0, 1)`);
  out.dropout = p;
  out.forgetBias = config.forgetBias ?? 0;
  if (!Number.isFinite(out.forgetBias)) throw new Error(`network config: forgetBias must be finite`);
  return out;
}

function stackSpec(c: NetworkConfig, inputSize: number): RecurrentSpec {
  return { cell: c.cell, nonlinearity: c.nonlinearity, inputSize, hiddenSize: c.hiddenSize, numLayers: c.numLayers, dropout: c.dropout };
}

/** The parameter layout of a (normalized) config, in storage order. */
export function networkParamSpecs(c: NetworkConfig): ParamSpec[] {
  const specs = recurrentParamSpecs(stackSpec(c, c.inputSize));
  if (c.kind === "seq2seq") {
    specs.push(...recurrentParamSpecs(stackSpec(c, c.futureSize ?? 1), "decoder."));
    specs.push(...denseParamSpecs(c.hiddenSize, 1, "head"));
  } else {
    specs.push(...denseParamSpecs(c.hiddenSize, c.outputSize, "head"));
  }
  return specs;
}

function grow(buf: Floats | null, dtype: DType, n: number): Floats {
  return buf !== null && buf.length >= Math.max(1, n) ? buf : allocFloats(dtype, Math.max(1, n));
}

export class RecurrentNetwork implements Network {
  readonly config: NetworkConfig;
  readonly dtype: DType;
  readonly params: ParamStore;
  readonly encoder: RecurrentStack;
  readonly decoder: RecurrentStack | null;
  readonly head: Dense;
  private readonly dropRng: Rng;

  // Workspaces, grown once per (batch, length).
  private xTM: Floats | null = null;      // [T, B, I]
  private fTM: Floats | null = null;      // [S, B, F]
  private pred: Floats | null = null;     // [B, O]
  private predView: Floats | null = null; // pred[0 .. B·O)
  private yTM: Floats | null = null;      // [S, B] seq2seq head outputs (time-major)
  private dHead: Floats | null = null;    // many-to-one: dL/d final states [L, B, H]; seq2seq: dL/d decoder outputs [S, B, H]
  private h0: Floats | null = null;       // [L, B, H] decoder start (encoder final h)
  private c0: Floats | null = null;       // [L, B, H]
  private gH: Floats | null = null;       // [L, B, H] dL/d encoder final h
  private gC: Floats | null = null;       // [L, B, H]
  private dxTM: Floats | null = null;     // [T, B, I]
  private B = 0;
  private T = 0;

  /** Builds the network over `params` (or a fresh zeroed store); does not initialise weights. */
  constructor(config: NetworkConfig, dtype: DType, params?: ParamStore, dropoutSeed = 0x5eed) {
    this.config = normalizeConfig(config);
    this.dtype = dtype;
    const specs = networkParamSpecs(this.config);
    this.params = params ?? new ParamStore(specs, dtype);
    if (params !== undefined) {
      if (params.dtype !== dtype) throw new Error(`parameter store is ${params.dtype}, network is ${dtype}`);
      const same = params.entries.length === specs.length && specs.every((s, i) =>
        params.entries[i].name === s.name && params.entries[i].shape.join("x") === s.shape.join("x"));
      if (!same) throw new Error("parameter store layout does not match the network config");
    }
    const c = this.config;
    this.encoder = new RecurrentStack(stackSpec(c, c.inputSize), this.params);
    this.decoder = c.kind === "seq2seq" ? new RecurrentStack(stackSpec(c, c.futureSize ?? 1), this.params, "decoder.") : null;
    this.head = new Dense(this.params, c.hiddenSize, c.kind === "seq2seq" ? 1 : c.outputSize, "head");
    this.dropRng = mulberry32(dropoutSeed);
  }

  /** PyTorch's default initialisation: every parameter U(-1/√H, 1/√H) (the head's fan-in is H too), then the forget bias. */
  initialize(rng: Rng): void {
    const bound = 1 / Math.sqrt(this.config.hiddenSize);
    const d = this.params.data;
    for (let i = 0; i < d.length; i++) d[i] = (2 * rng() - 1) * bound;
    const fb = this.config.forgetBias ?? 0;
    if (this.config.cell === "lstm" && fb !== 0) {
      const H = this.config.hiddenSize;
      for (const e of this.params.entries) {
        if (/(^|\.)bias_ih_l\d+$/.test(e.name)) for (let j = H; j < 2 * H; j++) d[e.offset + j] += fb;
      }
    }
  }

  forward(batch: Batch, training: boolean, rng?: Rng, options?: ForwardOptions): Floats {
    const c = this.config, B = batch.size, T = batch.seqLen, I = c.inputSize, H = c.hiddenSize, L = c.numLayers, O = c.outputSize;
    if (!Number.isInteger(B) || B < 1) throw new Error(`batch size must be a positive integer, got ${B}`);
    if (!Number.isInteger(T) || T < 1) throw new Error(`seqLen must be a positive integer, got ${T}`);
    if (batch.x.length !== B * T * I) throw new Error(`batch.x has ${batch.x.length} values, expected size·seqLen·inputSize = ${B * T * I}`);
    this.B = B;
    this.T = T;
    const dt = this.dtype;
    this.xTM = grow(this.xTM, dt, T * B * I);
    swapAxes01(batch.x, 0, B, T, I, this.xTM, 0);
    this.pred = grow(this.pred, dt, B * O);
    if (this.predView === null || this.predView.buffer !== this.pred.buffer || this.predView.length !== B * O) this.predView = this.pred.subarray(0, B * O);
    const dropRng = rng ?? this.dropRng;
    // Inference keeps no caches unless asked; a backward after it recomputes them (see RecurrentLayer).
    const keep = options?.keepCaches ?? training;
    this.encoder.forward(this.xTM, 0, B, T, null, null, training, dropRng, keep);

    if (this.decoder === null) {
      const top = this.encoder.topStates();
      this.head.forward(top, T * B * H, B, this.pred, 0);
      return this.predView;
    }
    const F = c.futureSize ?? 1, S = O;
    this.fTM = grow(this.fTM, dt, S * B * F);
    if (batch.future !== undefined) {
      if (batch.future.length !== B * S * F) throw new Error(`batch.future has ${batch.future.length} values, expected size·outputSize·futureSize = ${B * S * F}`);
      swapAxes01(batch.future, 0, B, S, F, this.fTM, 0);
    } else this.fTM.fill(0, 0, S * B * F);
    this.h0 = grow(this.h0, dt, L * B * H);
    this.encoder.finalStates("h", this.h0);
    let c0: Floats | null = null;
    if (c.cell === "lstm") {
      this.c0 = grow(this.c0, dt, L * B * H);
      this.encoder.finalStates("c", this.c0);
      c0 = this.c0;
    }
    this.decoder.forward(this.fTM, 0, B, S, this.h0, c0, training, dropRng, keep);
    this.yTM = grow(this.yTM, dt, S * B);
    this.head.forward(this.decoder.topStates(), this.decoder.outputOffset, S * B, this.yTM, 0);
    const y = this.yTM, p = this.pred;
    for (let s = 0; s < S; s++) for (let b = 0; b < B; b++) p[b * S + s] = y[s * B + b];
    return this.predView;
  }

  backward(gradPrediction: Floats, gradInput?: Floats, options: BackwardOptions = {}): void {
    const pg = options.paramGrads ?? true;
    const c = this.config, B = this.B, T = this.T, I = c.inputSize, H = c.hiddenSize, L = c.numLayers, O = c.outputSize;
    if (B === 0) throw new Error("backward before forward");
    if (gradPrediction.length !== B * O) throw new Error(`gradPrediction has ${gradPrediction.length} values, expected ${B * O}`);
    if (gradInput !== undefined && gradInput.length !== B * T * I) throw new Error(`gradInput has ${gradInput.length} values, expected ${B * T * I}`);
    const dt = this.dtype;
    let dx: Floats | null = null;
    if (gradInput !== undefined) {
      this.dxTM = grow(this.dxTM, dt, T * B * I);
      dx = this.dxTM;
    }
    if (this.decoder === null) {
      // many-to-one: the head's input gradient is dL/dh_T of the top layer; other layers get zero.
      this.dHead = grow(this.dHead, dt, L * B * H);
      this.dHead.fill(0, 0, L * B * H);
      // gradPrediction may be another dtype: copy it through pred-shaped scratch when needed.
      const gp = this.asDtype(gradPrediction, B * O);
      this.head.backward(gp, 0, this.dHead, (L - 1) * B * H, pg);
      this.encoder.backward(null, this.dHead, null, dx, false, pg);
    } else {
      const S = O;
      this.yTM = grow(this.yTM, dt, S * B);
      for (let s = 0; s < S; s++) for (let b = 0; b < B; b++) this.yTM[s * B + b] = gradPrediction[b * S + s];
      this.dHead = grow(this.dHead, dt, S * B * H);
      this.head.backward(this.yTM, 0, this.dHead, 0, pg);
      this.decoder.backward(this.dHead, null, null, null, true, pg);
      this.gH = grow(this.gH, dt, L * B * H);
      this.decoder.initialStateGrads("h", this.gH);
      let gC: Floats | null = null;
      if (c.cell === "lstm") {
        this.gC = grow(this.gC, dt, L * B * H);
        this.decoder.initialStateGrads("c", this.gC);
        gC = this.gC;
      }
      this.encoder.backward(null, this.gH, gC, dx, false, pg);
    }
    if (gradInput !== undefined && dx !== null) swapAxes01(dx, 0, T, B, I, gradInput, 0);
  }

  private gpScratch: Floats | null = null;
  private asDtype(a: Floats, n: number): Floats {
    if ((a instanceof Float64Array) === (this.dtype === "float64")) return a;
    this.gpScratch = grow(this.gpScratch, this.dtype, n);
    for (let i = 0; i < n; i++) this.gpScratch[i] = a[i];
    return this.gpScratch;
  }
}

/** A network with PyTorch-style initialisation from the seeded rng (dtype default float32). */
export function createNetwork(config: NetworkConfig, rng: Rng, dtype: DType = "float32"): Network {
  const seed = Math.floor(rng() * 4294967296) >>> 0;
  const net = new RecurrentNetwork(config, dtype, undefined, seed);
  net.initialize(rng);
  return net;
}
