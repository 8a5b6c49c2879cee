import { parentPort, workerData } from "node:worker_threads";
import type { EngineModule, EngineOutcome, EpochProgress, SeriesInput } from "../lib/runs/engine";
import type { ModelConfig } from "../lib/forecast/config";

/**
 * One training, off the worker's main thread. It loads the engine module it was given, trains,
 * posts each epoch's progress as it happens, and checks the shared stop flag (set by the main
 * thread on cancel or shutdown) through `shouldStop`, which the engine polls between batches.
 */
export interface ThreadInput {
  entry: string;
  engine: string; // module URL exporting fitForecast
  series: SeriesInput;
  config: ModelConfig;
  levels: number[];
  stop: SharedArrayBuffer; // Int32Array[0] !== 0 means stop
}

export type ThreadMessage =
  | { type: "epoch"; progress: EpochProgress }
  | { type: "done"; outcome: EngineOutcome }
  | { type: "error"; name: string; message: string; code: string | null; stack: string | null };

const input = workerData as ThreadInput;
const port = parentPort!;
const flag = new Int32Array(input.stop);
const post = (m: ThreadMessage) => port.postMessage(m);

try {
  const engine = (await import(input.engine)) as EngineModule;
  const outcome = engine.fitForecast(input.series, input.config, input.config.seed, {
    levels: input.levels,
    onEpoch: (progress) => post({ type: "epoch", progress: { ...progress } }),
    shouldStop: () => Atomics.load(flag, 0) !== 0,
    now: () => performance.now(),
  });
  post({ type: "done", outcome });
} catch (err) {
  const e = err instanceof Error ? err : new Error(String(err));
  const code = (e as { code?: unknown }).code;
  post({ type: "error", name: e.name, message: e.message, code: typeof code === "string" ? code : null, stack: e.stack ?? null });
}
