/** Our kernel on the workload: training windows/s (Adam, MSE, float32) and inference windows/s. */
import { Adam, createNetwork, mseLoss, type AdamOptions, type Network } from "../../lib/nn";
import { DataParallelTrainer } from "../../lib/nn/parallel";
import { mulberry32 } from "../../lib/tensor";
import { measure, type RunOptions, type RunResult } from "./measure";
import type { Workload } from "./workload";

export type { RunOptions, RunResult } from "./measure";

type Data = { x: Float32Array; y: Float32Array };

export function makeNetwork(w: Workload, cell: "lstm" | "gru", H: number): Network {
  return createNetwork({ kind: "many-to-one", cell, inputSize: w.inputSize, hiddenSize: H, numLayers: w.layers, outputSize: w.horizon }, mulberry32(1234));
}

function adamOptions(w: Workload): AdamOptions {
  const o = w.optimizer;
  return { lr: o.lr, beta1: o.beta1, beta2: o.beta2, eps: o.eps };
}

/** Batch b of the windows: inputs [size, lookback, inputSize] and targets [size]. */
function batchOf(w: Workload, data: Data, size: number, b: number): { x: Float32Array; y: Float32Array } {
  const row = w.lookback * w.inputSize;
  return { x: data.x.subarray(b * size * row, (b + 1) * size * row), y: data.y.subarray(b * size, (b + 1) * size) };
}

/** A training step of the workload on one thread (Adam, MSE), over training batch b. */
function oneThreadStepper(w: Workload, data: Data, cell: "lstm" | "gru", H: number): { net: Network; trainStep: (b: number) => number } {
  const net = makeNetwork(w, cell, H);
  const opt = new Adam(net.params, adamOptions(w));
  const grad = new Float32Array(w.batch * w.horizon);
  const trainStep = (b: number): number => {
    const { x, y } = batchOf(w, data, w.batch, b);
    const loss = mseLoss(net.forward({ size: w.batch, seqLen: w.lookback, x }, true), y, grad);
    net.params.zeroGrad();
    net.backward(grad);
    opt.step();
    return loss;
  };
  return { net, trainStep };
}

/** One repeat on one thread. */
export function runOurs(w: Workload, data: Data, cell: "lstm" | "gru", H: number, opts: RunOptions): Promise<RunResult> {
  const { net, trainStep } = oneThreadStepper(w, data, cell, H);
  return measure(w, opts, {
    trainStep,
    inferStep: (b) => void net.forward({ size: w.inferBatch, seqLen: w.lookback, x: batchOf(w, data, w.inferBatch, b).x }, false),
  });
}

/**
 * Extra training steps before the parallel contender's timed run. Its worker threads are new V8
 * isolates in every repeat, so their JIT compiles during the first steps (a fresh LSTM-64 trainer,
 * measured: 36 ms a step over steps 0–7, 8.5 over 8–15, then 6.5), while the one-thread contender
 * runs on the warm main isolate from its second repeat on. The workload's 5 warm-up steps cover
 * only the first of these.
 */
export const PARALLEL_WARMUP_STEPS = 16;

/** Runs PARALLEL_WARMUP_STEPS untimed training steps over the first batches. */
function warmUp(w: Workload, trainStep: (b: number) => number): void {
  const nb = Math.floor(w.windows / w.batch);
  for (let i = 0; i < PARALLEL_WARMUP_STEPS; i++) trainStep(i % nb);
}

/** A data-parallel trainer of the workload across `threads` threads (Adam on each thread's share, shards by measured speed), warmed up. */
async function parallelStepper(w: Workload, data: Data, cell: "lstm" | "gru", H: number, threads: number) {
  const trainer = await DataParallelTrainer.create(makeNetwork(w, cell, H), {
    threads, maxBatch: Math.max(w.batch, w.inferBatch), maxSeqLen: w.lookback, adam: adamOptions(w), balance: "measured",
  });
  const trainStep = (b: number): number => {
    const { x, y } = batchOf(w, data, w.batch, b);
    return trainer.step({ size: w.batch, seqLen: w.lookback, x }, y);
  };
  try {
    warmUp(w, trainStep);
  } catch (e) {
    await trainer.close();
    throw e;
  }
  return { trainer, trainStep };
}

/**
 * One repeat with data-parallel training across `threads` worker threads (shared-memory
 * gradients; each thread sums and runs Adam on its share of the parameters).
 */
export async function runOursParallel(w: Workload, data: Data, cell: "lstm" | "gru", H: number, threads: number, opts: RunOptions): Promise<RunResult> {
  const { trainer, trainStep } = await parallelStepper(w, data, cell, H, threads);
  try {
    return await measure(w, opts, {
      trainStep,
      inferStep: (b) => void trainer.predict({ size: w.inferBatch, seqLen: w.lookback, x: batchOf(w, data, w.inferBatch, b).x }),
    });
  } finally {
    await trainer.close();
  }
}

/** Training windows/s of `trainStep` over a slice of about `seconds`, continuing from batch *next. */
function slice(w: Workload, trainStep: (b: number) => number, seconds: number, next: { b: number }): number {
  const nb = Math.floor(w.windows / w.batch);
  let windows = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < seconds * 1000) {
    trainStep(next.b++ % nb);
    windows += w.batch;
  }
  return windows / ((performance.now() - t0) / 1000);
}

/**
 * The data-parallel trainer's speed-up over one thread, measured in pairs: both contenders are
 * built and warmed once, then each pair times short slices in the order one thread, `threads`
 * threads, `threads` threads, one thread, and gives (the two parallel figures) / (the two
 * one-thread ones). The host's speed drifts from minute to minute, which moves the best-of-repeats
 * figures of two contenders timed minutes apart by more than the difference between them; within
 * a pair a drift that is linear over its few seconds cancels. Returns one ratio per pair.
 */
export async function pairedSpeedups(w: Workload, data: Data, cell: "lstm" | "gru", H: number, threads: number, pairs: number, sliceSeconds: number): Promise<number[]> {
  const one = oneThreadStepper(w, data, cell, H);
  warmUp(w, one.trainStep);
  const { trainer, trainStep } = await parallelStepper(w, data, cell, H, threads);
  try {
    const at1 = { b: 0 }, atN = { b: 0 };
    const ratios: number[] = [];
    for (let p = 0; p < pairs; p++) {
      const a1 = slice(w, one.trainStep, sliceSeconds, at1);
      const n1 = slice(w, trainStep, sliceSeconds, atN);
      const n2 = slice(w, trainStep, sliceSeconds, atN);
      const a2 = slice(w, one.trainStep, sliceSeconds, at1);
      ratios.push((n1 + n2) / (a1 + a2));
    }
    return ratios;
  } finally {
    await trainer.close();
  }
}
