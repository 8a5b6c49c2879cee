/** The benchmark workload (../shared/bench/workload.json): the series, its windows and the run settings. */
import fs from "node:fs";
import path from "node:path";
import { mulberry32, normal } from "../../lib/tensor";

export interface Workload {
  name: string;
  series: { kind: string; period: number; period2: number; noiseStd: number; seed: number; length: number };
  inputSize: number;
  lookback: number;
  horizon: number;
  windows: number;
  batch: number;
  inferBatch: number;
  layers: number;
  cells: ("lstm" | "gru")[];
  hidden: number[];
  optimizer: { name: string; lr: number; beta1: number; beta2: number; eps: number };
  dtype: string;
  epochs: number;
  warmupSteps: number;
  warmupInferBatches: number;
  repeats: number;
  maxSecondsPerRepeat: number;
}

export function workloadPath(): string {
  const root = path.resolve(import.meta.dirname, "../..");
  return process.env.BENCH_WORKLOAD ? path.resolve(process.env.BENCH_WORKLOAD) : path.resolve(root, "../shared/bench/workload.json");
}

export function loadWorkload(file = workloadPath()): Workload {
  return JSON.parse(fs.readFileSync(file, "utf8")) as Workload;
}

/** s[t] = sin(2πt/period) + 0.5·sin(2πt/period2) + noiseStd·N(0,1), mulberry32 + Box-Muller. */
export function makeSeries(w: Workload): Float32Array {
  const { period, period2, noiseStd, seed, length } = w.series;
  const rng = mulberry32(seed);
  const s = new Float32Array(length);
  for (let t = 0; t < length; t++) s[t] = Math.sin((2 * Math.PI * t) / period) + 0.5 * Math.sin((2 * Math.PI * t) / period2) + noiseStd * normal(rng);
  return s;
}

/** x_i = s[i .. i+lookback-1] as [windows, lookback, 1], y_i = s[i+lookback]. */
export function makeWindows(w: Workload): { x: Float32Array; y: Float32Array } {
  const s = makeSeries(w);
  const L = w.lookback, n = w.windows;
  const x = new Float32Array(n * L), y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    x.set(s.subarray(i, i + L), i * L);
    y[i] = s[i + L];
  }
  return { x, y };
}

/** The workload with another window length (the series lengthened so that every window fits). */
export function withLookback(w: Workload, lookback: number): Workload {
  return { ...w, lookback, series: { ...w.series, length: Math.max(w.series.length, w.windows + lookback + w.horizon - 1) } };
}

/** Training FLOPs per window as the workload defines them. */
export function flopsPerWindow(w: Workload, cell: "lstm" | "gru", H: number): { forward: number; train: number } {
  const gates = cell === "lstm" ? 4 : 3;
  const forward = w.lookback * 2 * gates * H * (w.inputSize + H) + 2 * H;
  return { forward, train: 3 * forward };
}
