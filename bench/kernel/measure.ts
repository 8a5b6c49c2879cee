/**
 * The timing harness every contender shares: warm-up, timed training batches (bounded by epochs
 * and seconds), heap growth after a GC, then warm-up and timed inference batches. A contender
 * supplies only its train and infer steps, so all of them are measured the same way.
 */
import { heapAfterGc } from "./memory";
import type { Workload } from "./workload";

export interface RunResult {
  trainWindowsPerSec: number;
  inferWindowsPerSec: number;
  /** windows per second of this process's CPU time (user + system, all threads): robust to other load */
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

export interface Contender {
  /** trains on training batch b (of w.batch windows) and returns its loss */
  trainStep(b: number): number | Promise<number>;
  /** predicts inference batch b (of w.inferBatch windows) */
  inferStep(b: number): void | Promise<void>;
  /** called after the training warm-up, before the timed batches */
  beforeTraining?(): void;
  /** called between training and inference: extra figures such as leaked tensors */
  afterTraining?(): Partial<RunResult>;
}

function mb(n: number): number {
  return Math.round((n / 1048576) * 10) / 10;
}

function cpuSeconds(since: NodeJS.CpuUsage): number {
  const u = process.cpuUsage(since);
  return (u.user + u.system) / 1e6;
}

export async function measure(w: Workload, opts: RunOptions, c: Contender): Promise<RunResult> {
  const nb = Math.floor(w.windows / w.batch);
  let loss = 0;
  for (let i = 0; i < w.warmupSteps; i++) loss = await c.trainStep(i % nb);
  c.beforeTraining?.();
  const heap0 = heapAfterGc();
  let peakRss = process.memoryUsage().rss;
  let windows = 0;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  outer: for (let e = 0; e < opts.epochs; e++) {
    for (let b = 0; b < nb; b++) {
      loss = await c.trainStep(b);
      windows += w.batch;
      if ((performance.now() - t0) / 1000 > opts.maxSeconds) break outer;
    }
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }
  const trainSec = (performance.now() - t0) / 1000;
  const trainCpu = cpuSeconds(c0);
  const heapGrowth = heapAfterGc() - heap0;
  const extra = c.afterTraining?.() ?? {};

  const nib = Math.floor(w.windows / w.inferBatch);
  for (let i = 0; i < w.warmupInferBatches; i++) await c.inferStep(i % nib);
  let inferred = 0;
  const c1 = process.cpuUsage();
  const t1 = performance.now();
  for (let b = 0; b < nib; b++) {
    await c.inferStep(b);
    inferred += w.inferBatch;
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
    ...extra,
  };
}
