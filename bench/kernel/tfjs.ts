/**
 * The TensorFlow.js 4.22 peer (devDependency of the benchmark only): the same model (one recurrent
 * layer, sigmoid gates, dense head, MSE, Adam with the workload's settings) trained batch by batch
 * with trainOnBatch and inferred with predict, on the `cpu` or `wasm` backend. The wasm binaries
 * are loaded from node_modules by file path; nothing is downloaded.
 */
import path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import { measure, type RunOptions, type RunResult } from "./measure";
import type { Workload } from "./workload";

export type TfBackend = "cpu" | "wasm";

let wasmPathSet = false;

export async function useBackend(backend: TfBackend): Promise<string> {
  if (backend === "wasm" && !wasmPathSet) {
    const dir = path.resolve(import.meta.dirname, "../../node_modules/@tensorflow/tfjs-backend-wasm/dist");
    setWasmPaths(dir + path.sep);
    wasmPathSet = true;
  }
  const ok = await tf.setBackend(backend);
  if (!ok) throw new Error(`tfjs backend ${backend} failed to initialise`);
  await tf.ready();
  let features = backend;
  if (backend === "wasm") {
    const simd = await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT");
    const threads = await tf.env().getAsync("WASM_HAS_MULTITHREAD_SUPPORT");
    features += `${simd ? " simd" : ""}${threads ? " threads" : ""}`;
  }
  return features;
}

export async function runTfjs(w: Workload, data: { x: Float32Array; y: Float32Array }, cell: "lstm" | "gru", H: number, opts: RunOptions): Promise<RunResult> {
  const B = w.batch, L = w.lookback, I = w.inputSize, nb = Math.floor(w.windows / B);
  const model = tf.sequential();
  const rnnArgs = { units: H, inputShape: [L, I], recurrentActivation: "sigmoid" as const };
  model.add(cell === "lstm" ? tf.layers.lstm(rnnArgs) : tf.layers.gru(rnnArgs));
  model.add(tf.layers.dense({ units: w.horizon }));
  const o = w.optimizer;
  model.compile({ optimizer: tf.train.adam(o.lr, o.beta1, o.beta2, o.eps), loss: "meanSquaredError" });
  const xs: tf.Tensor[] = [], ys: tf.Tensor[] = [];
  for (let b = 0; b < nb; b++) {
    xs.push(tf.tensor3d(data.x.subarray(b * B * L * I, (b + 1) * B * L * I), [B, L, I]));
    ys.push(tf.tensor2d(data.y.subarray(b * B, (b + 1) * B), [B, w.horizon]));
  }
  const IB = w.inferBatch, nib = Math.floor(w.windows / IB);
  const ixs: tf.Tensor[] = [];
  for (let b = 0; b < nib; b++) ixs.push(IB === B && b < xs.length ? xs[b] : tf.tensor3d(data.x.subarray(b * IB * L * I, (b + 1) * IB * L * I), [IB, L, I]));
  let tensors0 = 0;
  try {
    return await measure(w, opts, {
      trainStep: async (b) => (await model.trainOnBatch(xs[b], ys[b])) as number,
      beforeTraining: () => void (tensors0 = tf.memory().numTensors),
      afterTraining: () => ({ tensorGrowth: tf.memory().numTensors - tensors0 }),
      inferStep: async (b) => {
        const p = model.predict(ixs[b]) as tf.Tensor;
        await p.data();
        p.dispose();
      },
    });
  } finally {
    for (const t of new Set([...xs, ...ys, ...ixs])) t.dispose();
    model.dispose();
  }
}
