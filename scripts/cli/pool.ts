/**
 * A tiny worker_threads pool for the CLI: runs tasks on up to `size` threads (default: the
 * machine's cores) and relays progress messages. Each thread runs `forecast-worker.ts`, which
 * imports the pure engine; tsx's loader is inherited through execArgv, so TypeScript just works.
 */
import { Worker } from "node:worker_threads";
import os from "node:os";
import { enableRelaxedSimd } from "../../lib/tensor/relaxed-simd";

export type WorkerRequest =
  | { kind: "global-member"; plan: unknown; index: number }
  | { kind: "series"; series: unknown; config: unknown; seed: number | undefined; levels: number[] };

export type WorkerMessage =
  | { type: "progress"; text: string }
  | { type: "done"; result: unknown }
  | { type: "error"; name: string; code?: string; message: string };

export class TaskError extends Error {
  readonly code: string | undefined;
  constructor(name: string, message: string, code?: string) {
    super(message);
    this.name = name;
    this.code = code;
  }
}

export function defaultThreads(): number {
  return Math.max(1, typeof os.availableParallelism === "function" ? os.availableParallelism() : os.cpus().length);
}

export async function runPool<T>(
  tasks: WorkerRequest[],
  size: number,
  onProgress: (text: string) => void,
  onResult: (index: number, result: T) => void,
): Promise<void> {
  // Before the first forecasting thread: relaxed SIMD (the faster kernels) for this process and its threads (lib/tensor/relaxed-simd.ts).
  enableRelaxedSimd();
  const url = new URL("./forecast-worker.ts", import.meta.url);
  let next = 0;
  let failure: Error | null = null;
  const threads = Math.max(1, Math.min(size, tasks.length));
  const workers: Worker[] = [];
  const loop = async (worker: Worker) => {
    while (next < tasks.length && !failure) {
      const i = next++;
      try {
        const result = await new Promise<T>((resolve, reject) => {
          const onMessage = (m: WorkerMessage) => {
            if (m.type === "progress") onProgress(m.text);
            else {
              worker.off("message", onMessage);
              worker.off("error", onError);
              if (m.type === "done") resolve(m.result as T);
              else reject(new TaskError(m.name, m.message, m.code));
            }
          };
          const onError = (e: Error) => {
            worker.off("message", onMessage);
            reject(e);
          };
          worker.on("message", onMessage);
          worker.on("error", onError);
          worker.postMessage(tasks[i]);
        });
        onResult(i, result);
      } catch (e) {
        failure = e instanceof Error ? e : new Error(String(e));
      }
    }
  };
  try {
    for (let t = 0; t < threads; t++) workers.push(new Worker(bootstrap(url)));
    await Promise.all(workers.map(loop));
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  if (failure) throw failure;
}

/**
 * A worker entry that registers tsx's loader inside the thread before importing the TypeScript
 * worker (Node 20 does not carry the parent's --import hooks into worker threads).
 */
function bootstrap(entry: URL): URL {
  const api = import.meta.resolve("tsx/esm/api");
  const code = `const { register } = await import(${JSON.stringify(api)}); register(); await import(${JSON.stringify(entry.href)});`;
  return new URL(`data:text/javascript,${encodeURIComponent(code)}`);
}
