import { parentPort, workerData } from "node:worker_threads";
import type { EngineModule, EngineOutcome, EpochProgress, SeriesInput } from "../lib/runs/engine";
import type { ModelConfig } from "../lib/forecast/config";

/**
 * One training, off the worker's main thread. It loads the engine module it was given, trains,
 * posts each epoch's progress as it happens, and checks the shared stop flag (set by the main
 * thread on cancel, shutdown or its time limit) through `shouldStop`, which the engine polls
 * between batches. The same poll is the memory guard: the thread's heap plus its typed arrays
 * and WebAssembly memory (process.memoryUsage() counts those per thread) must stay under
 * `memoryLimitBytes`, or the training stops and reports TrainingMemoryLimit.
 */
export interface ThreadInput {
  entry: string;
  engine: string; // module URL exporting fitForecast
  series: SeriesInput;
  config: ModelConfig;
  levels: number[];
  stop: SharedArrayBuffer; // Int32Array[0] !== 0 means stop
  memoryLimitBytes: number;
}

export type ThreadMessage =
  | { type: "epoch"; progress: EpochProgress }
  | { type: "done"; outcome: EngineOutcome }
  | { type: "error"; name: string; message: string; code: string | null; stack: string | null };

const input = workerData as ThreadInput;
const port = parentPort!;
const flag = new Int32Array(input.stop);
const post = (m: ThreadMessage) => port.postMessage(m);

const MB = 1048576;
const MEMORY_CHECK_MS = 100;
let overMemory: string | null = null;
let nextMemoryCheck = 0;

/** Whether the training is over its memory limit (measured at most every MEMORY_CHECK_MS). */
function overMemoryLimit(): boolean {
  const now = performance.now();
  if (overMemory === null && now >= nextMemoryCheck) {
    nextMemoryCheck = now + MEMORY_CHECK_MS;
    const m = process.memoryUsage(); // external includes the ArrayBuffers under typed arrays and Wasm memory
    const used = m.heapUsed + m.external;
    if (used > input.memoryLimitBytes) {
      overMemory =
        `The training used ${Math.round(used / MB)} MB, over its memory limit of ${Math.round(input.memoryLimitBytes / MB)} MB ` +
        `(TIDECAST_TRAINING_MEMORY_MB), and was stopped; nothing was saved. Use a smaller batch size, hidden size or lookback, or raise the limit.`;
    }
  }
  return overMemory !== null;
}

try {
  const engine = (await import(input.engine)) as EngineModule;
  const outcome = engine.fitForecast(input.series, input.config, input.config.seed, {
    levels: input.levels,
    onEpoch: (progress) => post({ type: "epoch", progress: { ...progress } }),
    shouldStop: () => overMemoryLimit() || Atomics.load(flag, 0) !== 0,
    now: () => performance.now(),
  });
  if (overMemoryLimit()) post({ type: "error", name: "TrainingMemoryLimit", message: overMemory!, code: null, stack: null });
  else post({ type: "done", outcome });
} catch (err) {
  const e = err instanceof Error ? err : new Error(String(err));
  const code = (e as { code?: unknown }).code;
  // Stopped by the memory guard: the engine's ForecastCancelled is the guard's doing.
  if (overMemory !== null) post({ type: "error", name: "TrainingMemoryLimit", message: overMemory, code: null, stack: null });
  else post({ type: "error", name: e.name, message: e.message, code: typeof code === "string" ? code : null, stack: e.stack ?? null });
}
