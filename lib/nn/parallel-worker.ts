/**
 * Worker side of the data-parallel trainer (see parallel.ts): a network replica over the shared
 * parameter buffer, waiting on its control word for a shard, writing its gradient into its slice of
 * the shared gradient buffer, and (when the trainer runs Adam) updating its share of the parameters.
 */
import { workerData } from "node:worker_threads";
import { floatsView, useKernels, type Floats } from "../tensor";
import { lossWithGrad } from "./lossKind";
import { RecurrentNetwork, networkParamSpecs } from "./network";
import { AdamShare, Barrier, CTRL, CTRL_STRIDE, MODE, STATE, barrierAt, readCoefficients, shareOf, waitWhile, type WorkerInit } from "./parallel";
import { ParamStore } from "./params";

/** Blocks until `ctrl[at]` moves off `seen`; returns the new value. */
function waitChange(ctrl: Int32Array, at: number, seen: number): number {
  waitWhile(ctrl, at, seen);
  return Atomics.load(ctrl, at);
}

function signal(ctrl: Int32Array, at: number, value: number): void {
  Atomics.store(ctrl, at, value);
  Atomics.notify(ctrl, at);
}

function run(init: WorkerInit): void {
  useKernels(init.kernel);
  const { dtype, size: P, threads } = init;
  const bytes = dtype === "float64" ? 8 : 4;
  const data = floatsView(dtype, init.paramsBuffer, 0, P);
  const grads: Floats[] = [];
  for (let t = 0; t < threads; t++) grads.push(floatsView(dtype, init.gradBuffer, t * P * bytes, P));
  const params = new ParamStore(networkParamSpecs(init.config), dtype, { data, grad: grads[init.index + 1] });
  const net = new RecurrentNetwork(init.config, dtype, params, init.seed);
  const ctrl = new Int32Array(init.ctrl);
  const losses = new Float64Array(init.lossBuffer);
  const seconds = new Float64Array(init.timeBuffer);
  const coef = init.coefBuffer ? new Float64Array(init.coefBuffer) : null;
  const [shareStart, shareCount] = shareOf(P, threads, init.index + 1);
  // This worker's share of the parallel update, and the coefficients object it reads each step into.
  const update = coef ? { share: new AdamShare(data, grads, shareStart, shareCount), coef, coefficients: readCoefficients(coef) } : null;
  const O = init.config.outputSize, I = init.config.inputSize, F = init.config.futureSize ?? 1;
  const x = floatsView(dtype, init.xBuffer, 0, init.maxBatch * init.maxSeqLen * I);
  const y = floatsView(dtype, init.yBuffer, 0, init.maxBatch * O);
  const out = floatsView(dtype, init.predBuffer, 0, init.maxBatch * O);
  const f = init.fBuffer ? floatsView(dtype, init.fBuffer, 0, init.maxBatch * O * F) : null;
  const gradPred: Floats = dtype === "float64" ? new Float64Array(init.maxBatch * O) : new Float32Array(init.maxBatch * O);
  const base = init.index * CTRL_STRIDE;
  let seen = Atomics.load(ctrl, base + CTRL.CMD);
  const barrier = new Barrier(ctrl, barrierAt(threads - 1), threads);
  init.port.postMessage({ ready: true });
  const fail = (e: unknown): void => {
    Atomics.store(ctrl, base + CTRL.STATE, STATE.ERROR);
    init.port.postMessage({ error: e instanceof Error ? e.stack ?? e.message : String(e) });
  };
  for (;;) {
    seen = waitChange(ctrl, base + CTRL.CMD, seen);
    if (Atomics.load(ctrl, base + CTRL.STATE) === STATE.EXIT) break;
    const mode = Atomics.load(ctrl, base + CTRL.MODE);
    let ok = true;
    try {
      const n = Atomics.load(ctrl, base + CTRL.N), T = Atomics.load(ctrl, base + CTRL.T), start = Atomics.load(ctrl, base + CTRL.OFFSET);
      const training = Atomics.load(ctrl, base + CTRL.TRAINING) === 1;
      const shard = {
        size: n, seqLen: T, x: x.subarray(start * T * I, (start + n) * T * I),
        future: f ? f.subarray(start * O * F, (start + n) * O * F) : undefined,
      };
      let loss = 0;
      if (mode === MODE.PREDICT) {
        if (n > 0) out.set(net.forward(shard, false), start * O);
      } else {
        params.zeroGrad();
        const started = init.timed ? performance.now() : 0;
        if (n > 0) {
          const B = Atomics.load(ctrl, base + CTRL.TOTAL); // the whole batch: each shard's loss is its share of the mean
          const pred = net.forward(shard, training);
          const g = gradPred.subarray(0, n * O);
          loss = lossWithGrad(init.loss, init.lossParam, pred, y, start * O, g, B * O);
          net.backward(g);
        }
        if (init.timed) seconds[init.index + 1] = (performance.now() - started) / 1000;
      }
      losses[init.index] = loss;
    } catch (e) {
      ok = false;
      fail(e);
    }
    if (mode !== MODE.TRAIN_UPDATE || update === null) {
      signal(ctrl, base + CTRL.DONE, seen);
      continue;
    }
    // Every thread's gradient is ready once all have met; a failed worker still arrives, so no one waits forever.
    barrier.arriveAndWait();
    if (Atomics.load(ctrl, base + CTRL.STATE) === STATE.EXIT) break;
    if (!ok) continue;
    try {
      update.share.update(readCoefficients(update.coef, update.coefficients));
    } catch (e) {
      fail(e);
    }
    signal(ctrl, base + CTRL.UPDATED, seen);
  }
}

run(workerData as WorkerInit);
