/**
 * Data-parallel training across worker_threads: every thread holds a replica of the network whose
 * parameter values live in one SharedArrayBuffer; each step the batch is split into one shard per
 * thread (the calling thread computes shard 0), each thread runs forward/backward on its shard into
 * its own gradient buffer. The result equals a one-thread step on the whole batch up to float
 * rounding (the loss gradient of each shard is scaled by its share of the batch).
 *
 * Two ways to update the parameters:
 * - without `adam`, the calling thread sums the gradients into `network.params.grad`, and the
 *   caller clips and runs its optimizer on `network.params` as usual;
 * - with `adam`, the update is parallel too: after a barrier each thread sums the gradients of
 *   its own share of the parameters and runs Adam on that share (keeping that share's moments), so
 *   no thread waits for a serial reduction and optimizer step. `network.params.grad` still ends
 *   up holding the summed gradient.
 * Either way the workers see the new values on the next step through the shared memory.
 *
 * The batch is split evenly by default. With `balance: "measured"` each shard follows its thread's
 * measured speed (ShareBalancer), because the vCPUs of a shared host do not always run at one
 * speed and every step waits for the slowest thread; fixed weights suit cores of unequal speed.
 * The result is the same up to float rounding either way; only "measured" reads a clock (each
 * thread times its own forward and backward), and so only its rounding depends on timing.
 *
 * Synchronisation is by Atomics on a small shared Int32Array (no message passing in the hot path).
 * Node only (worker_threads): import from "lib/nn/parallel", not re-exported by lib/nn/index.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from "node:worker_threads";
import { allocFloats, allocSharedFloats, dtypeOf, floatsView, kernels, type DType, type Floats, type KernelName } from "../tensor";
import { lossWithGrad, type LossKind } from "./lossKind";
import { RecurrentNetwork, type Batch, type Network, type NetworkConfig } from "./network";
import { adamCoefficients, adamDefaults, adamUpdate, type AdamCoefficients, type AdamOptions } from "./optim";
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
  /** when set, step() also runs Adam, each thread on its share of the parameters */
  adam?: AdamOptions;
  /**
   * How the batch is shared: evenly (default), by each thread's measured speed, or in fixed
   * proportions (one weight per thread, the calling one first: cores of unequal speed)
   */
  balance?: "measured" | "even" | readonly number[];
}

/** Control words in the shared Int32Array, per worker w at base w·CTRL_STRIDE. */
export const CTRL = { CMD: 0, DONE: 1, N: 2, T: 3, OFFSET: 4, STATE: 5, TRAINING: 6, TOTAL: 7, MODE: 8, UPDATED: 9 } as const;
export const CTRL_STRIDE = 16;
/** Where the barrier's two words live: after every worker's control words. */
export const barrierAt = (workers: number): number => workers * CTRL_STRIDE;
/**
 * MODE: a training step (forward, loss, backward), forward only (predictions into the shared
 * output), or a training step followed by the update of the worker's share: every thread meets
 * at the barrier once its gradient is ready, then sums and updates its share; a worker then signals
 * UPDATED.
 */
export const MODE = { TRAIN: 0, PREDICT: 1, TRAIN_UPDATE: 2 } as const;
/** Adam's coefficients of the current step in the shared Float64Array, in this order. */
export const COEF = ["beta1", "beta2", "eps", "stepSize", "sqrtBc2", "l2", "shrink"] as const satisfies readonly (keyof AdamCoefficients)[];

/** Share s of n items split over `parts` ([start, count)): the batch's rows, or the parameters. */
export function shareOf(n: number, parts: number, s: number): [number, number] {
  const base = Math.floor(n / parts), extra = n % parts;
  return [s * base + Math.min(s, extra), base + (s < extra ? 1 : 0)];
}

/** The counts of shareOf's even split of n items over `parts`. */
const evenShares = (n: number, parts: number): number[] => Array.from({ length: parts }, (_, s) => shareOf(n, parts, s)[1]);

/**
 * Row counts per thread in proportion to `speeds` (rows per second, one per thread), in multiples
 * of `quantum` rows (the kernels pad the batch to even), every thread at least one quantum when
 * the batch has enough rows; the last thread takes a ragged end. Largest remainders round.
 */
export function sharesBySpeed(rows: number, speeds: readonly number[], quantum = 2): number[] {
  const parts = speeds.length;
  const units = Math.floor(rows / quantum);
  if (units < parts) return evenShares(rows, parts);
  const total = speeds.reduce((a, b) => a + b, 0);
  // One unit each first, the rest by speed.
  const ideal = speeds.map((v) => ((units - parts) * v) / total);
  const counts = ideal.map((v) => 1 + Math.floor(v));
  let left = units - counts.reduce((a, b) => a + b, 0);
  const byRemainder = ideal.map((v, s) => [v - Math.floor(v), s] as const).sort((a, b) => b[0] - a[0]);
  for (let i = 0; left > 0; i++, left--) counts[byRemainder[i % parts][1]]++;
  const out = counts.map((c) => c * quantum);
  out[parts - 1] += rows - units * quantum;
  return out;
}

/**
 * Chooses each step's shards from the threads' speeds. On a shared 2-vCPU guest two threads
 * running the same loop at times differ by 10–70% for seconds (host contention per vCPU), and an
 * even split then makes each step wait for the slower one. Measured speeds are a moving average
 * of rows per second of compute (forward and backward, no waiting) over the last steps; until
 * every thread has been measured the split is even. "even" and fixed weights ignore the timings.
 */
export class ShareBalancer {
  /** weight of the newest step in the moving average: about ten steps of memory */
  static readonly SMOOTHING = 0.1;
  private readonly speeds: number[];
  /** whether shares follow the recorded timings (then the threads time their shards) */
  readonly measured: boolean;

  constructor(readonly threads: number, balance: DataParallelOptions["balance"] = "even") {
    if (typeof balance === "object") {
      if (balance.length !== threads || !balance.every((v) => Number.isFinite(v) && v > 0)) throw new Error(`balance needs ${threads} positive weights, got [${balance.join(", ")}]`);
      this.speeds = [...balance];
    } else this.speeds = new Array<number>(threads).fill(0); // unmeasured: even shares
    this.measured = balance === "measured";
  }

  /** Rows per thread for a batch of `rows`. */
  shares(rows: number): number[] {
    if (this.speeds.some((v) => v === 0)) return evenShares(rows, this.threads);
    return sharesBySpeed(rows, this.speeds);
  }

  /** Thread t computed `rows` rows in `seconds` (kept only when balancing by measured speed). */
  record(t: number, rows: number, seconds: number): void {
    if (!this.measured || rows <= 0 || !(seconds > 0)) return;
    const speed = rows / seconds, old = this.speeds[t];
    this.speeds[t] = old === 0 ? speed : old + ShareBalancer.SMOOTHING * (speed - old);
  }
}

/**
 * Spins this many loads on a control word (about 0.2 ms) before sleeping on it. The waits of a
 * step are short (the other thread is at most a fraction of a millisecond from the same point),
 * and a thread that sleeps in Atomics.wait lets its vCPU halt: waking it costs far more on a
 * virtual machine, and a step waits two or three times. On an idle 2-vCPU guest, in one sitting,
 * two-thread training went from 1.17–1.67× one thread to 1.52–1.87× (GRU-64) and from
 * 1.25–1.54× to 1.74–1.93× (GRU-128).
 */
export const SPIN_LOADS = 20_000;

/**
 * Blocks while words[at] === value (spinning first, see SPIN_LOADS); false if `timeoutMs` passed.
 */
export function waitWhile(words: Int32Array, at: number, value: number, timeoutMs = Infinity): boolean {
  for (let i = 0; i < SPIN_LOADS; i++) if (Atomics.load(words, at) !== value) return true;
  while (Atomics.load(words, at) === value) {
    if (Atomics.wait(words, at, value, timeoutMs) === "timed-out") return false;
  }
  return true;
}

/**
 * A reusable barrier of `parties` threads over two words of a shared Int32Array (arrivals,
 * generation). The last to arrive goes on without sleeping and wakes the rest, so a step pays one
 * wake-up, as a plain "wait for the workers" would.
 */
export class Barrier {
  constructor(private readonly words: Int32Array, private readonly at: number, private readonly parties: number) {}

  /** Blocks until every party has arrived; false if `timeoutMs` passed first (the barrier is then broken). */
  arriveAndWait(timeoutMs = Infinity): boolean {
    const gen = Atomics.load(this.words, this.at + 1);
    if (Atomics.add(this.words, this.at, 1) === this.parties - 1) {
      Atomics.store(this.words, this.at, 0);
      this.release();
      return true;
    }
    return waitWhile(this.words, this.at + 1, gen, timeoutMs);
  }

  /** Opens the current generation: everyone waiting goes on (also used to stop the workers). */
  release(): void {
    Atomics.add(this.words, this.at + 1, 1);
    Atomics.notify(this.words, this.at + 1);
  }
}

/** grad[start, start+count) ← the sum of every thread's gradient there (grads[0] is grad's own buffer). */
export function sumShare(grads: readonly Floats[], start: number, count: number): void {
  const g0 = grads[0];
  for (let t = 1; t < grads.length; t++) {
    const gt = grads[t];
    for (let i = start, end = start + count; i < end; i++) g0[i] += gt[i];
  }
}

export const STATE = { OK: 0, ERROR: 1, EXIT: 2 } as const;

export interface WorkerInit {
  config: NetworkConfig;
  dtype: DType;
  index: number;
  paramsBuffer: SharedArrayBuffer;
  /** every thread's gradient, P values each: thread 0 (the calling one) first, worker w at w+1 */
  gradBuffer: SharedArrayBuffer;
  threads: number;
  size: number;
  /** Adam's coefficients of the current step (COEF order), when the trainer runs Adam */
  coefBuffer: SharedArrayBuffer | null;
  ctrl: SharedArrayBuffer;
  lossBuffer: SharedArrayBuffer;
  /** per thread: seconds its last shard's forward and backward took (the calling thread first) */
  timeBuffer: SharedArrayBuffer;
  /** whether the worker times its shards (balance "measured") */
  timed: boolean;
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

/**
 * One thread's share of the parallel update: parameters [start, start + count), whose gradient
 * it sums over every thread's buffer and which it alone updates, so it alone holds their moments.
 */
export class AdamShare {
  private readonly m: Floats;
  private readonly v: Floats;
  // This share's views of the parameters and of the summed gradient (grads[0]), made once.
  private readonly params: Floats;
  private readonly grad: Floats;

  constructor(data: Floats, private readonly grads: readonly Floats[], readonly start: number, readonly count: number) {
    this.m = allocFloats(dtypeOf(data), count);
    this.v = allocFloats(dtypeOf(data), count);
    this.params = data.subarray(start, start + count);
    this.grad = grads[0].subarray(start, start + count);
  }

  update(c: AdamCoefficients): void {
    sumShare(this.grads, this.start, this.count);
    adamUpdate(this.params, this.grad, this.m, this.v, c);
  }
}

/** The coefficients the calling thread wrote for this step, into `into` (a worker reuses one object). */
export function readCoefficients(coef: Float64Array, into = {} as AdamCoefficients): AdamCoefficients {
  COEF.forEach((k, i) => (into[k] = coef[i]));
  return into;
}

function writeCoefficients(coef: Float64Array, c: AdamCoefficients): void {
  COEF.forEach((k, i) => (coef[i] = c[k]));
}

export class DataParallelTrainer {
  /** The calling thread's replica; its params.data is the shared parameter buffer. */
  readonly network: RecurrentNetwork;
  readonly threads: number;
  private readonly workers: Worker[] = [];
  private readonly ports: MessagePort[] = [];
  private readonly ctrl: Int32Array;
  private readonly losses: Float64Array; // per worker: loss · elements of its shard
  private readonly seconds: Float64Array; // per thread: compute time of its last training shard
  private readonly balancer: ShareBalancer;
  /** rows per thread of the current command */
  private counts: number[] = [];
  private readonly grads: Floats[]; // every thread's gradient; grads[0] is network.params.grad
  private readonly x: Floats;
  private readonly y: Floats;
  private readonly f: Floats | null;
  private readonly out: Floats; // [maxBatch, outputSize] predictions of predict()
  private readonly gradPred: Floats;
  private readonly maxBatch: number;
  private readonly maxSeqLen: number;
  private readonly loss: LossKind;
  private readonly lossParam: number;
  /** With the `adam` option: its settings, this thread's share, and the shared coefficients of the current step. */
  private readonly adam: { options: Required<AdamOptions>; share: AdamShare; coef: Float64Array; current: AdamCoefficients | null } | null;
  private readonly barrier: Barrier;
  private adamSteps = 0;
  private seq = 0;
  private closed = false;

  private constructor(net: RecurrentNetwork, threads: number, opts: DataParallelOptions, shared: {
    ctrl: Int32Array; losses: Float64Array; seconds: Float64Array; grads: Floats[]; x: Floats; y: Floats; f: Floats | null; out: Floats; coef: Float64Array | null;
  }) {
    this.network = net;
    this.threads = threads;
    this.ctrl = shared.ctrl;
    this.losses = shared.losses;
    this.seconds = shared.seconds;
    this.balancer = new ShareBalancer(threads, opts.balance);
    this.grads = shared.grads;
    this.x = shared.x;
    this.y = shared.y;
    this.f = shared.f;
    this.out = shared.out;
    this.maxBatch = opts.maxBatch;
    this.maxSeqLen = opts.maxSeqLen;
    this.loss = opts.loss ?? "mse";
    this.lossParam = opts.lossParam ?? (this.loss === "pinball" ? 0.5 : 1);
    this.barrier = new Barrier(shared.ctrl, barrierAt(threads - 1), threads);
    this.gradPred = net.dtype === "float64" ? new Float64Array(opts.maxBatch * net.config.outputSize) : new Float32Array(opts.maxBatch * net.config.outputSize);
    const [start, count] = shareOf(net.params.size, threads, 0);
    this.adam = opts.adam !== undefined && shared.coef !== null
      ? { options: adamDefaults(opts.adam), share: new AdamShare(net.params.data, shared.grads, start, count), coef: shared.coef, current: null }
      : null;
  }

  /** Starts threads-1 workers with replicas of `net` (its current parameter values are copied). */
  static async create(net: Network, opts: DataParallelOptions): Promise<DataParallelTrainer> {
    const threads = opts.threads ?? 2;
    if (!Number.isInteger(threads) || threads < 1) throw new Error("threads must be a positive integer");
    const { config, dtype } = net;
    const P = net.params.size, bytes = dtype === "float64" ? 8 : 4;
    const data = allocSharedFloats(dtype, P);
    data.set(net.params.data);
    const gradSab = new SharedArrayBuffer(threads * P * bytes);
    const grads: Floats[] = [];
    for (let t = 0; t < threads; t++) grads.push(floatsView(dtype, gradSab, t * P * bytes, P));
    const params = new ParamStore(net.params.entries.map((e) => ({ name: e.name, shape: [...e.shape] })), dtype, { data, grad: grads[0] });
    const main = new RecurrentNetwork(config, dtype, params, (opts.seed ?? 1) >>> 0);
    const nw = threads - 1;
    const ctrlSab = new SharedArrayBuffer((nw + 1) * CTRL_STRIDE * 4);
    const lossSab = new SharedArrayBuffer(Math.max(1, nw) * 8);
    const timeSab = new SharedArrayBuffer(threads * 8);
    const coefSab = opts.adam !== undefined ? new SharedArrayBuffer(COEF.length * 8) : null;
    const O = config.outputSize, I = config.inputSize, F = config.futureSize ?? 1;
    const x = allocSharedFloats(dtype, opts.maxBatch * opts.maxSeqLen * I);
    const y = allocSharedFloats(dtype, opts.maxBatch * O);
    const f = config.kind === "seq2seq" ? allocSharedFloats(dtype, opts.maxBatch * O * F) : null;
    const out = allocSharedFloats(dtype, opts.maxBatch * O);
    const trainer = new DataParallelTrainer(main, threads, opts, {
      ctrl: new Int32Array(ctrlSab), losses: new Float64Array(lossSab), seconds: new Float64Array(timeSab), grads, x, y, f, out, coef: coefSab && new Float64Array(coefSab),
    });
    const code = workerEntryCode();
    const ready: Promise<void>[] = [];
    for (let w = 0; w < nw; w++) {
      const { port1, port2 } = new MessageChannel();
      const init: WorkerInit = {
        config: main.config, dtype, index: w, paramsBuffer: data.buffer as SharedArrayBuffer,
        gradBuffer: gradSab, threads, size: P, coefBuffer: coefSab, ctrl: ctrlSab, lossBuffer: lossSab, timeBuffer: timeSab,
        xBuffer: x.buffer as SharedArrayBuffer, yBuffer: y.buffer as SharedArrayBuffer, predBuffer: out.buffer as SharedArrayBuffer, fBuffer: f ? (f.buffer as SharedArrayBuffer) : null,
        maxBatch: opts.maxBatch, maxSeqLen: opts.maxSeqLen, loss: trainer.loss, lossParam: trainer.lossParam,
        seed: ((opts.seed ?? 1) + 7919 * (w + 1)) >>> 0, kernel: kernels.name, timed: trainer.balancer.measured, port: port2,
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

  /** Adam steps taken (with the `adam` option). */
  get stepCount(): number {
    return this.adamSteps;
  }

  /**
   * One data-parallel forward/backward over the batch: leaves in network.params.grad the gradient
   * of the mean loss over the whole batch, and returns that loss. With the `adam` option the
   * parameters are then updated too; without it, run the optimizer after.
   */
  step(batch: Batch, target: ArrayLike<number>, training = true): number {
    if (this.closed) throw new Error("trainer is closed");
    const net = this.network, c = net.config, B = batch.size, T = batch.seqLen, I = c.inputSize, O = c.outputSize, F = c.futureSize ?? 1;
    if (B > this.maxBatch || T > this.maxSeqLen) throw new Error(`batch ${B}×${T} exceeds the trainer's capacity ${this.maxBatch}×${this.maxSeqLen}`);
    if (batch.x.length !== B * T * I) throw new Error(`batch.x has ${batch.x.length} values, expected ${B * T * I}`);
    if (target.length !== B * O) throw new Error(`target has ${target.length} values, expected ${B * O}`);
    const nw = this.threads - 1;
    const n0 = this.split(B)[0];
    const adam = this.adam;
    // The coefficients are written before the workers start, so they can read them after the barrier.
    if (adam !== null) this.nextCoefficients(adam);
    this.dispatch(batch, target, adam !== null ? MODE.TRAIN_UPDATE : MODE.TRAIN, training);
    // Shard 0 on this thread.
    net.params.zeroGrad();
    let lossSum = 0;
    const started = this.balancer.measured ? performance.now() : 0;
    if (n0 > 0) {
      const shard: Batch = {
        size: n0, seqLen: T, x: batch.x.subarray(0, n0 * T * I),
        future: batch.future !== undefined ? batch.future.subarray(0, n0 * O * F) : undefined,
      };
      const pred = net.forward(shard, training);
      const g = this.gradPred.subarray(0, n0 * O);
      lossSum += lossWithGrad(this.loss, this.lossParam, pred, target, 0, g, B * O);
      net.backward(g);
    }
    if (this.balancer.measured) this.seconds[0] = (performance.now() - started) / 1000;
    if (adam !== null && adam.current !== null) {
      // Every gradient is ready once all threads have met: each then updates its own share.
      if (!this.barrier.arriveAndWait(60_000)) throw new Error("parallel workers did not reach the barrier within 60 s");
      for (let w = 0; w < nw; w++) this.checkWorker(w);
      adam.share.update(adam.current);
      for (let w = 0; w < nw; w++) this.await(w, CTRL.UPDATED);
    } else {
      for (let w = 0; w < nw; w++) this.await(w, CTRL.DONE);
      sumShare(this.grads, 0, net.params.size);
    }
    for (let w = 0; w < nw; w++) lossSum += this.losses[w];
    for (let t = 0; t < this.threads; t++) this.balancer.record(t, this.counts[t], this.seconds[t]);
    return lossSum;
  }

  /** This command's rows per thread (kept for dispatch and the speed record). */
  private split(rows: number): number[] {
    this.counts = this.balancer.shares(rows);
    return this.counts;
  }

  /** Adam's coefficients of the next step, kept as `adam.current` and written to shared memory for the workers. */
  private nextCoefficients(adam: { options: Required<AdamOptions>; coef: Float64Array; current: AdamCoefficients | null }): void {
    adam.current = adamCoefficients(adam.options, ++this.adamSteps);
    writeCoefficients(adam.coef, adam.current);
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
    const n0 = this.split(B)[0];
    this.dispatch(batch, null, MODE.PREDICT, false);
    if (n0 > 0) {
      const pred = net.forward({
        size: n0, seqLen: T, x: batch.x.subarray(0, n0 * T * I),
        future: batch.future !== undefined ? batch.future.subarray(0, n0 * O * F) : undefined,
      }, false);
      this.out.set(pred);
    }
    for (let w = 0; w < this.threads - 1; w++) this.await(w, CTRL.DONE);
    return this.out.subarray(0, B * O);
  }

  /** Copies the workers' part of the batch (rows past this.counts[0]) into shared memory and wakes them. */
  private dispatch(batch: Batch, target: ArrayLike<number> | null, mode: number, training: boolean): void {
    const nw = this.threads - 1;
    if (nw === 0) return;
    const c = this.network.config, B = batch.size, T = batch.seqLen, I = c.inputSize, O = c.outputSize, F = c.futureSize ?? 1;
    const n0 = this.counts[0];
    for (let i = n0 * T * I, n = B * T * I; i < n; i++) this.x[i] = batch.x[i];
    if (target !== null) for (let i = n0 * O; i < B * O; i++) this.y[i] = target[i];
    if (this.f !== null) {
      if (batch.future !== undefined) for (let i = n0 * O * F; i < B * O * F; i++) this.f[i] = batch.future[i];
      else this.f.fill(0, n0 * O * F, B * O * F);
    }
    this.seq = (this.seq + 1) | 0;
    for (let w = 0, start = n0; w < nw; start += this.counts[w + 1], w++) {
      const count = this.counts[w + 1];
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

  /** Blocks until worker w has written the current command's number to `word` (DONE or UPDATED); rethrows its error. */
  private await(w: number, word: number): void {
    const at = w * CTRL_STRIDE + word;
    for (;;) {
      const seen = Atomics.load(this.ctrl, at);
      if (seen === this.seq) break;
      if (!waitWhile(this.ctrl, at, seen, 60_000)) throw new Error(`parallel worker ${w} did not answer within 60 s`);
    }
    this.checkWorker(w);
  }

  /** Rethrows worker w's error of the current command. */
  private checkWorker(w: number): void {
    if (Atomics.load(this.ctrl, w * CTRL_STRIDE + CTRL.STATE) === STATE.ERROR) {
      const msg = receiveMessageOnPort(this.ports[w])?.message as { error?: string } | undefined;
      throw new Error(`parallel worker ${w} failed: ${msg?.error ?? "unknown error"}`);
    }
  }

  /** Stops the workers (also those waiting at the barrier after another's failure). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (let w = 0; w < this.workers.length; w++) {
      const base = w * CTRL_STRIDE;
      Atomics.store(this.ctrl, base + CTRL.STATE, STATE.EXIT);
      Atomics.store(this.ctrl, base + CTRL.CMD, (this.seq + 1) | 0);
      Atomics.notify(this.ctrl, base + CTRL.CMD);
    }
    this.barrier.release();
    await Promise.all(this.workers.map((w) => w.terminate()));
    for (const p of this.ports) p.close();
  }
}
