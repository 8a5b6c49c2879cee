/** Our kernel on the workload: training windows/s (Adam, MSE, float32) and inference windows/s. */
import { Adam, createNetwork, mseLoss, type Network } from "../../lib/nn";
import { DataParallelTrainer } from "../../lib/nn/parallel";
import { mulberry32 } from "../../lib/tensor";
import { heapAfterGc } from "./memory";
import type { Workload } from "./workload";

export interface RunResult {
  trainWindowsPerSec: number;
  inferWindowsPerSec: number;
  /** windows per second of this process's CPU time (user + system): robust to other load on the machine */
  trainWindowsPerCpuSec: number;
  inferWindowsPerCpuSec: number;
  finalLoss: number;
  /** heap retained after a full GC, end of training minus start (after warm-up) */
  heapGrowthMB: number;
  peakRssMB: number;
  /** tfjs only: tensors leaked during training */
  tensorGrowth?: number;
}

export interface RunOptions {
  epochs: number;
  maxSeconds: number;
}

function mb(n: number): number {
  return Math.round((n / 1048576) * 10) / 10;
}

export function cpuSeconds(since: NodeJS.CpuUsage): number {
  const u = process.cpuUsage(since);
  return (u.user + u.system) / 1e6;
}

export function makeNetwork(w: Workload, cell: "lstm" | "gru", H: number): Network {
  return createNetwork({ kind: "many-to-one", cell, inputSize: w.inputSize, hiddenSize: H, numLayers: w.layers, outputSize: w.horizon }, mulberry32(1234));
}

/** One repeat on one thread. */
export function runOurs(w: Workload, data: { x: Float32Array; y: Float32Array }, cell: "lstm" | "gru", H: number, opts: RunOptions): RunResult {
  const net = makeNetwork(w, cell, H);
  const o = w.optimizer;
  const opt = new Adam(net.params, { lr: o.lr, beta1: o.beta1, beta2: o.beta2, eps: o.eps });
  const B = w.batch, L = w.lookback, I = w.inputSize, nb = Math.floor(w.windows / B);
  const g = new Float32Array(B * w.horizon);
  let loss = 0;
  const step = (b: number): void => {
    const x = data.x.subarray(b * B * L * I, (b + 1) * B * L * I), y = data.y.subarray(b * B, (b + 1) * B);
    const pred = net.forward({ size: B, seqLen: L, x }, true);
    loss = mseLoss(pred, y, g);
    net.params.zeroGrad();
    net.backward(g);
    opt.step();
  };
  for (let i = 0; i < w.warmupSteps; i++) step(i % nb);
  const heap0 = heapAfterGc();
  let peakRss = process.memoryUsage().rss;
  let windows = 0;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  outer: for (let e = 0; e < opts.epochs; e++) {
    for (let b = 0; b < nb; b++) {
      step(b);
      windows += B;
      if ((performance.now() - t0) / 1000 > opts.maxSeconds) break outer;
    }
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }
  const trainSec = (performance.now() - t0) / 1000;
  const trainCpu = cpuSeconds(c0);
  const heapGrowth = heapAfterGc() - heap0;
  // inference
  const IB = w.inferBatch, nib = Math.floor(w.windows / IB);
  const infer = (b: number): void => {
    net.forward({ size: IB, seqLen: L, x: data.x.subarray(b * IB * L * I, (b + 1) * IB * L * I) }, false);
  };
  for (let i = 0; i < w.warmupInferBatches; i++) infer(i % nib);
  let inferred = 0;
  const c1 = process.cpuUsage();
  const t1 = performance.now();
  for (let b = 0; b < nib; b++) {
    infer(b);
    inferred += IB;
    if ((performance.now() - t1) / 1000 > opts.maxSeconds) break;
  }
  const inferSec = (performance.now() - t1) / 1000;
  const inferCpu = cpuSeconds(c1);
  return {
    trainWindowsPerSec: windows / trainSec,
    inferWindowsPerSec: inferred / inferSec,
    trainWindowsPerCpuSec: windows / trainCpu,
    inferWindowsPerCpuSec: inferred / inferCpu,
    finalLoss: loss,
    heapGrowthMB: mb(heapGrowth),
    peakRssMB: mb(Math.max(peakRss, process.memoryUsage().rss)),
  };
}

/** One repeat with data-parallel training across `threads` worker threads (shared-memory gradients). */
export async function runOursParallel(w: Workload, data: { x: Float32Array; y: Float32Array }, cell: "lstm" | "gru", H: number, threads: number, opts: RunOptions): Promise<RunResult> {
  const B = w.batch, L = w.lookback, I = w.inputSize, nb = Math.floor(w.windows / B);
  const trainer = await DataParallelTrainer.create(makeNetwork(w, cell, H), { threads, maxBatch: Math.max(B, w.inferBatch), maxSeqLen: L });
  try {
    const net = trainer.network;
    const o = w.optimizer;
    const opt = new Adam(net.params, { lr: o.lr, beta1: o.beta1, beta2: o.beta2, eps: o.eps });
    let loss = 0;
    const step = (b: number): void => {
      const x = data.x.subarray(b * B * L * I, (b + 1) * B * L * I), y = data.y.subarray(b * B, (b + 1) * B);
      loss = trainer.step({ size: B, seqLen: L, x }, y);
      opt.step();
    };
    for (let i = 0; i < w.warmupSteps; i++) step(i % nb);
    const heap0 = heapAfterGc();
    let peakRss = process.memoryUsage().rss;
    let windows = 0;
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    outer: for (let e = 0; e < opts.epochs; e++) {
      for (let b = 0; b < nb; b++) {
        step(b);
        windows += B;
        if ((performance.now() - t0) / 1000 > opts.maxSeconds) break outer;
      }
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }
    const trainSec = (performance.now() - t0) / 1000;
    const trainCpu = cpuSeconds(c0);
    const heapGrowth = heapAfterGc() - heap0;
    const IB = w.inferBatch, nib = Math.floor(w.windows / IB);
    const infer = (b: number): void => {
      trainer.predict({ size: IB, seqLen: L, x: data.x.subarray(b * IB * L * I, (b + 1) * IB * L * I) });
    };
    for (let i = 0; i < w.warmupInferBatches; i++) infer(i % nib);
    let inferred = 0;
    const c1 = process.cpuUsage();
    const t1 = performance.now();
    for (let b = 0; b < nib; b++) {
      infer(b);
      inferred += IB;
      if ((performance.now() - t1) / 1000 > opts.maxSeconds) break;
    }
    const inferSec = (performance.now() - t1) / 1000;
    const inferCpu = cpuSeconds(c1);
    return {
      trainWindowsPerSec: windows / trainSec,
      inferWindowsPerSec: inferred / inferSec,
      // process CPU time covers all threads: per-core efficiency
      trainWindowsPerCpuSec: windows / trainCpu,
      inferWindowsPerCpuSec: inferred / inferCpu,
      finalLoss: loss,
      heapGrowthMB: mb(heapGrowth),
      peakRssMB: mb(Math.max(peakRss, process.memoryUsage().rss)),
    };
  } finally {
    await trainer.close();
  }
}
