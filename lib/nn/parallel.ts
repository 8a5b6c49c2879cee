/**
 * Data-parallel training across worker_threads: every thread holds a replica of the network whose
 * parameter values live in one SharedArrayBuffer; each step the batch is split into one shard per
 * thread (the calling thread computes shard 0), each thread runs forward/backward on its shard into
 * its own gradient buffer, and the calling thread sums the gradients. The result equals a
 * one-thread step on the whole batch up to float rounding (the loss gradient of each shard is
 * scaled by its share of the batch). The caller clips and runs the optimizer on `network.params`
 * as usual; the workers see the new values on the next step through the shared memory.
 *
 * Synchronisation is by Atomics on a small shared Int32Array (no message passing in the hot path).
 * Node only (worker_threads): import from "lib/nn/parallel", not re-exported by lib/nn/index.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from "node:worker_threads";
import { allocSharedFloats, floatsView, kernels, type DType, type Floats, type KernelName } from "../tensor";
import { lossWithGrad, type LossKind } from "./lossKind";
import { RecurrentNetwork, type Batch, type Network, type NetworkConfig } from "./network";
import { ParamStore } from "./params";

export type { LossKind } from "./lossKind";

export interface DataParallelOptions {
  /** total threads including the calling one (default 2) */
  threads?: number;
  /** capacity of the shared input buffers */
  maxBatch: number;
  maxSeqLen: number;
  /** loss (mean over elements) and its parameter: Huber delta (default 1) or pinball quantile (default 0.5) */
  loss?: LossKind;
  lossParam?: number;
  /** dropout seed base (each thread derives its own stream) */
  seed?: number;
}

/** Control words in the shared Int32Array, per worker w at base w·CTRL_STRIDE. */
export const CTRL = { CMD: 0, DONE: 1, N: 2, T: 3, OFFSET: 4, STATE: 5, TRAINING: 6, TOTAL: 7, MODE: 8 } as const;
export const CTRL_STRIDE = 16;
/** MODE: a training step (forward, loss, backward) or forward only (predictions into the shared output). */
export const MODE = { TRAIN: 0, PREDICT: 1 } as const;
export const STATE = { OK: 0, ERROR: 1, EXIT: 2 } as const;

export interface WorkerInit {
  config: NetworkConfig;
  dtype: DType;
  index: number;
  paramsBuffer: SharedArrayBuffer;
  gradBuffer: SharedArrayBuffer;
  gradByteOffset: number;
  size: number;
  ctrl: SharedArrayBuffer;
  lossBuffer: SharedArrayBuffer;
  xBuffer: SharedArrayBuffer;
  yBuffer: SharedArrayBuffer;
  predBuffer: SharedArrayBuffer;
  fBuffer: SharedArrayBuffer | null;
  maxBatch: number;
  maxSeqLen: number;
  loss: LossKind;
  lossParam: number;
  seed: number;
  /** the kernel set of the creating thread, used by the workers too */
  kernel: KernelName;
  port: MessagePort;
}

/** file URL of tsx's ESM API ("tsx/esm/api", import condition), resolved from this module. */
function tsxEsmApi(from: string): string {
  const pkgPath = createRequire(from).resolve("tsx/package.json");
  const pkg = JSON.parse(readFileSync(pkgPath, "utf8")) as { exports: Record<string, { import?: { default?: string } } | string> };
  const entry = pkg.exports["./esm/api"];
  const rel = typeof entry === "string" ? entry : entry?.import?.default;
  if (!rel) throw new Error("tsx/esm/api not found: the data-parallel trainer needs tsx to run from TypeScript sources");
  return pathToFileURL(path.join(path.dirname(pkgPath), rel)).href;
}

function workerEntryCode(): string {
  const here = import.meta.url;
  const isTs = /\.ts($|\?)/.test(here);
  const entry = new URL(isTs ? "./parallel-worker.ts" : "./parallel-worker.js", here).href;
  if (!isTs) return `import(${JSON.stringify(entry)}).catch((e) => { console.error(e); process.exit(1); });`;
  // Running from TypeScript sources (tsx, vitest): load the worker entry through tsx's loader.
  const api = tsxEsmApi(here);
  return `(async () => { const { tsImport } = await import(${JSON.stringify(api)}); await tsImport(${JSON.stringify(entry)}, ${JSON.stringify(here)}); })().catch((e) => { console.error(e); process.exit(1); });`;
}

export class DataParallelTrainer {
  /** The calling thread's replica; its params.data is the shared parameter buffer. */
  readonly network: RecurrentNetwork;
  readonly threads: number;
  private readonly workers: Worker[] = [];
  private readonly ports: MessagePort[] = [];
  private readonly ctrl: Int32Array;
  private readonly losses: Float64Array; // per worker: loss · elements of its shard
  private readonly workerGrads: Floats[];
  private readonly x: Floats;
  private readonly y: Floats;
  private readonly f: Floats | null;
  private readonly out: Floats; // [maxBatch, outputSize] predictions of predict()
  private readonly gradPred: Floats;
  private readonly maxBatch: number;
  private readonly maxSeqLen: number;
  private readonly loss: LossKind;
  private readonly lossParam: number;
  private seq = 0;
  private closed = false;

  private constructor(net: RecurrentNetwork, threads: number, opts: DataParallelOptions, shared: {
    ctrl: Int32Array; losses: Float64Array; workerGrads: Floats[]; x: Floats; y: Floats; f: Floats | null; out: Floats;
  }) {
    this.network = net;
    this.threads = threads;
    this.ctrl = shared.ctrl;
    this.losses = shared.losses;
    this.workerGrads = shared.workerGrads;
    this.x = shared.x;
    this.y = shared.y;
    this.f = shared.f;
    this.out = shared.out;
    this.maxBatch = opts.maxBatch;
    this.maxSeqLen = opts.maxSeqLen;
    this.loss = opts.loss ?? "mse";
    this.lossParam = opts.lossParam ?? (this.loss === "pinball" ? 0.5 : 1);
    this.gradPred = net.dtype === "float64" ? new Float64Array(opts.maxBatch * net.config.outputSize) : new Float32Array(opts.maxBatch * net.config.outputSize);
  }

  /** Starts threads-1 workers with replicas of `net` (its current parameter values are copied). */
  static async create(net: Network, opts: DataParallelOptions): Promise<DataParallelTrainer> {
    const threads = opts.threads ?? 2;
    if (!Number.isInteger(threads) || threads < 1) throw new Error("threads must be a positive integer");
    const { config, dtype } = net;
    const P = net.params.size, bytes = dtype === "float64" ? 8 : 4;
    const data = allocSharedFloats(dtype, P);
    data.set(net.params.data);
    const params = new ParamStore(net.params.entries.map((e) => ({ name: e.name, shape: [...e.shape] })), dtype, { data });
    const main = new RecurrentNetwork(config, dtype, params, (opts.seed ?? 1) >>> 0);
    const nw = threads - 1;
    const gradSab = new SharedArrayBuffer(Math.max(1, nw * P * bytes));
    const workerGrads: Floats[] = [];
    for (let w = 0; w < nw; w++) workerGrads.push(floatsView(dtype, gradSab, w * P * bytes, P));
    const ctrlSab = new SharedArrayBuffer(Math.max(1, nw) * CTRL_STRIDE * 4);
    const lossSab = new SharedArrayBuffer(Math.max(1, nw) * 8);
    const O = config.outputSize, I = config.inputSize, F = config.futureSize ?? 1;
    const x = allocSharedFloats(dtype, opts.maxBatch * opts.maxSeqLen * I);
    const y = allocSharedFloats(dtype, opts.maxBatch * O);
    const f = config.kind === "seq2seq" ? allocSharedFloats(dtype, opts.maxBatch * O * F) : null;
    const out = allocSharedFloats(dtype, opts.maxBatch * O);
    const trainer = new DataParallelTrainer(main, threads, opts, {
      ctrl: new Int32Array(ctrlSab), losses: new Float64Array(lossSab), workerGrads, x, y, f, out,
    });
    const code = workerEntryCode();
    const ready: Promise<void>[] = [];
    for (let w = 0; w < nw; w++) {
      const { port1, port2 } = new MessageChannel();
      const init: WorkerInit = {
        config: main.config, dtype, index: w, paramsBuffer: data.buffer as SharedArrayBuffer,
        gradBuffer: gradSab, gradByteOffset: w * P * bytes, size: P, ctrl: ctrlSab, lossBuffer: lossSab,
        xBuffer: x.buffer as SharedArrayBuffer, yBuffer: y.buffer as SharedArrayBuffer, predBuffer: out.buffer as SharedArrayBuffer, fBuffer: f ? (f.buffer as SharedArrayBuffer) : null,
        maxBatch: opts.maxBatch, maxSeqLen: opts.maxSeqLen, loss: trainer.loss, lossParam: trainer.lossParam,
        seed: ((opts.seed ?? 1) + 7919 * (w + 1)) >>> 0, kernel: kernels.name, port: port2,
      };
      const worker = new Worker(code, { eval: true, workerData: init, transferList: [port2] });
      trainer.workers.push(worker);
      trainer.ports.push(port1);
      ready.push(new Promise<void>((resolve, reject) => {
        const onMessage = (m: { ready?: boolean; error?: string }): void => {
          if (m.ready) resolve();
          else if (m.error) reject(new Error(`parallel worker ${w}: ${m.error}`));
        };
        port1.once("message", onMessage);
        worker.once("error", reject);
        worker.once("exit", (code) => reject(new Error(`parallel worker ${w} exited with code ${code}`)));
      }));
    }
    try {
      await Promise.all(ready);
    } catch (e) {
      await trainer.close();
      throw e;
    }
    for (const w of trainer.workers) w.removeAllListeners("exit");
    for (const p of trainer.ports) p.removeAllListeners("message");
    return trainer;
  }

  /** Shard s of a batch of n: [start, start + count). */
  private shard(n: number, s: number): [number, number] {
    const base = Math.floor(n / this.threads), extra = n % this.threads;
    const start = s * base + Math.min(s, extra);
    return [start, base + (s < extra ? 1 : 0)];
  }

  /**
   * One data-parallel forward/backward over the batch: zeroes network.params.grad and leaves there
   * the gradient of the mean loss over the whole batch. Returns that loss. Run the optimizer after.
   */
  step(batch: Batch, target: ArrayLike<number>, training = true): number {
    if (this.closed) throw new Error("trainer is closed");
    const net = this.network, c = net.config, B = batch.size, T = batch.seqLen, I = c.inputSize, O = c.outputSize, F = c.futureSize ?? 1;
    if (B > this.maxBatch || T > this.maxSeqLen) throw new Error(`batch ${B}×${T} exceeds the trainer's capacity ${this.maxBatch}×${this.maxSeqLen}`);
    if (batch.x.length !== B * T * I) throw new Error(`batch.x has ${batch.x.length} values, expected ${B * T * I}`);
    if (target.length !== B * O) throw new Error(`target has ${target.length} values, expected ${B * O}`);
    const nw = this.threads - 1;
    const [, n0] = this.shard(B, 0);
    this.dispatch(batch, target, MODE.TRAIN, training);
    // Shard 0 on this thread.
    net.params.zeroGrad();
    let lossSum = 0;
    if (n0 > 0) {
      const shard: Batch = {
        size: n0, seqLen: T, x: batch.x.subarray(0, n0 * T * I),
        future: batch.future !== undefined ? batch.future.subarray(0, n0 * O * F) : undefined,
      };
      const pred = net.forward(shard, training);
      const g = this.gradPred.subarray(0, n0 * O);
      const l = lossWithGrad(this.loss, this.lossParam, pred, target, 0, g, B * O);
      lossSum += l;
      net.backward(g);
    }
    // Gather: wait for each worker, then add its gradient.
    const grad = net.params.grad;
    for (let w = 0; w < nw; w++) {
      this.await(w);
      const [, count] = this.shard(B, w + 1);
      if (count === 0) continue;
      const wg = this.workerGrads[w];
      for (let i = 0, n = grad.length; i < n; i++) grad[i] += wg[i];
      lossSum += this.losses[w];
    }
    return lossSum;
  }

  /**
   * Predictions [size, outputSize] for a batch, computed by all threads (inference mode, no
   * dropout). The array is a shared workspace, valid until the next call.
   */
  predict(batch: Batch): Floats {
    if (this.closed) throw new Error("trainer is closed");
    const net = this.network, c = net.config, B = batch.size, T = batch.seqLen, I = c.inputSize, O = c.outputSize, F = c.futureSize ?? 1;
    if (B > this.maxBatch || T > this.maxSeqLen) throw new Error(`batch ${B}×${T} exceeds the trainer's capacity ${this.maxBatch}×${this.maxSeqLen}`);
    if (batch.x.length !== B * T * I) throw new Error(`batch.x has ${batch.x.length} values, expected ${B * T * I}`);
    const [, n0] = this.shard(B, 0);
    this.dispatch(batch, null, MODE.PREDICT, false);
    if (n0 > 0) {
      const pred = net.forward({
        size: n0, seqLen: T, x: batch.x.subarray(0, n0 * T * I),
        future: batch.future !== undefined ? batch.future.subarray(0, n0 * O * F) : undefined,
      }, false);
      this.out.set(pred);
    }
    for (let w = 0; w < this.threads - 1; w++) this.await(w);
    return this.out.subarray(0, B * O);
  }

  /** Copies the workers' part of the batch into shared memory and wakes them. */
  private dispatch(batch: Batch, target: ArrayLike<number> | null, mode: number, training: boolean): void {
    const nw = this.threads - 1;
    if (nw === 0) return;
    const c = this.network.config, B = batch.size, T = batch.seqLen, I = c.inputSize, O = c.outputSize, F = c.futureSize ?? 1;
    const [, n0] = this.shard(B, 0);
    for (let i = n0 * T * I, n = B * T * I; i < n; i++) this.x[i] = batch.x[i];
    if (target !== null) for (let i = n0 * O; i < B * O; i++) this.y[i] = target[i];
    if (this.f !== null) {
      if (batch.future !== undefined) for (let i = n0 * O * F; i < B * O * F; i++) this.f[i] = batch.future[i];
      else this.f.fill(0, n0 * O * F, B * O * F);
    }
    this.seq = (this.seq + 1) | 0;
    for (let w = 0; w < nw; w++) {
      const [start, count] = this.shard(B, w + 1);
      const base = w * CTRL_STRIDE;
      Atomics.store(this.ctrl, base + CTRL.N, count);
      Atomics.store(this.ctrl, base + CTRL.T, T);
      Atomics.store(this.ctrl, base + CTRL.OFFSET, start);
      Atomics.store(this.ctrl, base + CTRL.TRAINING, training ? 1 : 0);
      Atomics.store(this.ctrl, base + CTRL.TOTAL, B);
      Atomics.store(this.ctrl, base + CTRL.MODE, mode);
      Atomics.store(this.ctrl, base + CTRL.CMD, this.seq);
      Atomics.notify(this.ctrl, base + CTRL.CMD);
    }
  }

  /** Blocks until worker w has finished the current command; rethrows its error. */
  private await(w: number): void {
    const base = w * CTRL_STRIDE;
    for (;;) {
      const done = Atomics.load(this.ctrl, base + CTRL.DONE);
      if (done === this.seq) break;
      if (Atomics.wait(this.ctrl, base + CTRL.DONE, done, 60_000) === "timed-out") throw new Error(`parallel worker ${w} did not answer within 60 s`);
    }
    if (Atomics.load(this.ctrl, base + CTRL.STATE) === STATE.ERROR) {
      const msg = receiveMessageOnPort(this.ports[w])?.message as { error?: string } | undefined;
      throw new Error(`parallel worker ${w} failed: ${msg?.error ?? "unknown error"}`);
    }
  }

  /** Stops the workers. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (let w = 0; w < this.workers.length; w++) {
      const base = w * CTRL_STRIDE;
      Atomics.store(this.ctrl, base + CTRL.STATE, STATE.EXIT);
      Atomics.store(this.ctrl, base + CTRL.CMD, (this.seq + 1) | 0);
      Atomics.notify(this.ctrl, base + CTRL.CMD);
    }
    await Promise.all(this.workers.map((w) => w.terminate()));
    for (const p of this.ports) p.close();
  }
}
