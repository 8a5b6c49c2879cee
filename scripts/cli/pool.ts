/**
 * A tiny worker_threads pool for the CLI: runs tasks on up to `size` threads (default: the
 * machine's cores) and relays progress messages. Each thread runs `forecast-worker.ts`, from the
 * CLI's bundle or through tsx's loader (see `workerEntry`). With one thread to use (one
 * task, or --threads 1) the tasks run on the calling thread instead: a thread would only add its
 * start and a second load of the engine's modules (about half a second) to a short forecast.
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
  const threads = Math.max(1, Math.min(size, tasks.length));
  if (threads === 1) return runInline(tasks, onProgress, onResult);
  let next = 0;
  let failure: Error | null = null;
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
    const entry = workerEntry();
    for (let t = 0; t < threads; t++) workers.push(new Worker(entry));
    await Promise.all(workers.map(loop));
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  if (failure) throw failure;
}

/** The tasks one after another on this thread, with the same messages a worker would send. */
async function runInline<T>(tasks: WorkerRequest[], onProgress: (text: string) => void, onResult: (index: number, result: T) => void): Promise<void> {
  const { runTask } = await import("./forecast-task");
  for (let i = 0; i < tasks.length; i++) {
    let outcome: WorkerMessage | null = null;
    runTask(tasks[i], (m) => {
      if (m.type === "progress") onProgress(m.text);
      else outcome = m;
    });
    const m = outcome as WorkerMessage | null;
    if (m === null || m.type === "progress") throw new Error(`task ${i} ended without a result`);
    if (m.type === "error") throw new TaskError(m.name, m.message, m.code);
    onResult(i, m.result as T);
  }
}

/**
 * The worker thread's entry. From the CLI's bundle (scripts/cli-bundle.mjs) it is the bundle's
 * forecast-worker.js beside this module. From the TypeScript sources (tsx, vitest) it is a small
 * module that registers tsx's loader inside the thread before importing forecast-worker.ts (Node 20
 * does not carry the parent's --import hooks into worker threads).
 */
function workerEntry(): URL {
  if (!/\.ts($|\?)/.test(import.meta.url)) return new URL("./forecast-worker.js", import.meta.url);
  const api = import.meta.resolve("tsx/esm/api");
  const entry = new URL("./forecast-worker.ts", import.meta.url);
  const code = `const { register } = await import(${JSON.stringify(api)}); register(); await import(${JSON.stringify(entry.href)});`;
  return new URL(`data:text/javascript,${encodeURIComponent(code)}`);
}
