/**
 * Worker side of the data-parallel trainer (see parallel.ts): a network replica over the shared
 * parameter buffer, waiting on its control word for a shard, writing its gradient into its slice of
 * the shared gradient buffer.
 */
import { workerData } from "node:worker_threads";
import { floatsView, useKernels, type Floats } from "../tensor";
import { lossWithGrad } from "./lossKind";
import { RecurrentNetwork, networkParamSpecs } from "./network";
import { CTRL, CTRL_STRIDE, MODE, STATE, type WorkerInit } from "./parallel";
import { ParamStore } from "./params";

function run(init: WorkerInit): void {
  useKernels(init.kernel);
  const { dtype, size } = init;
  const data = floatsView(dtype, init.paramsBuffer, 0, size);
  const grad = floatsView(dtype, init.gradBuffer, init.gradByteOffset, size);
  const params = new ParamStore(networkParamSpecs(init.config), dtype, { data, grad });
  const net = new RecurrentNetwork(init.config, dtype, params, init.seed);
  const ctrl = new Int32Array(init.ctrl);
  const losses = new Float64Array(init.lossBuffer);
  const O = init.config.outputSize, I = init.config.inputSize, F = init.config.futureSize ?? 1;
  const x = floatsView(dtype, init.xBuffer, 0, init.maxBatch * init.maxSeqLen * I);
  const y = floatsView(dtype, init.yBuffer, 0, init.maxBatch * O);
  const out = floatsView(dtype, init.predBuffer, 0, init.maxBatch * O);
  const f = init.fBuffer ? floatsView(dtype, init.fBuffer, 0, init.maxBatch * O * F) : null;
  const gradPred: Floats = dtype === "float64" ? new Float64Array(init.maxBatch * O) : new Float32Array(init.maxBatch * O);
  const base = init.index * CTRL_STRIDE;
  let seen = Atomics.load(ctrl, base + CTRL.CMD);
  init.port.postMessage({ ready: true });
  for (;;) {
    Atomics.wait(ctrl, base + CTRL.CMD, seen);
    const cmd = Atomics.load(ctrl, base + CTRL.CMD);
    if (cmd === seen) continue;
    seen = cmd;
    if (Atomics.load(ctrl, base + CTRL.STATE) === STATE.EXIT) break;
    try {
      const n = Atomics.load(ctrl, base + CTRL.N), T = Atomics.load(ctrl, base + CTRL.T), start = Atomics.load(ctrl, base + CTRL.OFFSET);
      const training = Atomics.load(ctrl, base + CTRL.TRAINING) === 1;
      const mode = Atomics.load(ctrl, base + CTRL.MODE);
      let loss = 0;
      if (mode === MODE.PREDICT) {
        if (n > 0) {
          const pred = net.forward({
            size: n, seqLen: T, x: x.subarray(start * T * I, (start + n) * T * I),
            future: f ? f.subarray(start * O * F, (start + n) * O * F) : undefined,
          }, false);
          out.set(pred, start * O);
        }
      } else if (n > 0) {
        params.zeroGrad();
        const B = Atomics.load(ctrl, base + CTRL.TOTAL); // the whole batch: each shard's loss is its share of the mean
        const pred = net.forward({
          size: n, seqLen: T, x: x.subarray(start * T * I, (start + n) * T * I),
          future: f ? f.subarray(start * O * F, (start + n) * O * F) : undefined,
        }, training);
        const g = gradPred.subarray(0, n * O);
        loss = lossWithGrad(init.loss, init.lossParam, pred, y, start * O, g, B * O);
        net.backward(g);
      } else params.zeroGrad();
      losses[init.index] = loss;
    } catch (e) {
      Atomics.store(ctrl, base + CTRL.STATE, STATE.ERROR);
      init.port.postMessage({ error: e instanceof Error ? e.stack ?? e.message : String(e) });
    }
    Atomics.store(ctrl, base + CTRL.DONE, seen);
    Atomics.notify(ctrl, base + CTRL.DONE);
  }
}

run(workerData as WorkerInit);
