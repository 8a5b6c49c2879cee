/**
 * Turning V8's relaxed SIMD on in our own Node processes. On Node 22+ it is on by default and this
 * does nothing; on Node 20 it sets --experimental-wasm-relaxed-simd at run time (V8 reads wasm
 * feature flags when a module is compiled, so this works as long as it runs before our kernels
 * compile, and the flag is process-wide, so worker threads started afterwards have it too).
 *
 * Where it is safe: call it once from the main thread of a process we own, at start-up, before
 * starting worker threads (changing a V8 flag while other threads may be compiling is a data race
 * V8 does not promise to survive) — the worker process, the CLI's forecasting pool, the benchmark
 * and the kernel tests do. It refuses on a worker thread and outside Node. It changes only which wasm opcodes validate:
 * modules that do not use relaxed SIMD (ours without it, anyone else's) compile and run as before.
 * The Next.js server does not run the kernel and does not call it.
 *
 * No static Node import: the module stays importable from any bundle (process.getBuiltinModule,
 * Node ≥ 20.16, is looked up at call time).
 */
import { selectDefaultKernels } from "./kernels";
import { relaxedSimdSupported } from "./wasm/features";
import { retryMissingEngines } from "./wasm/module";

export const relaxedSimdFlag = "--experimental-wasm-relaxed-simd";

interface NodeProcess {
  getBuiltinModule?: (id: string) => unknown;
}

/**
 * Makes relaxed SIMD available if this runtime can have it, and switches the default kernels to
 * the relaxed set unless useKernels chose a set explicitly. Returns whether relaxed SIMD is available.
 */
export function enableRelaxedSimd(): boolean {
  if (!relaxedSimdSupported()) {
    const proc = (globalThis as { process?: NodeProcess }).process;
    const v8 = proc?.getBuiltinModule?.("node:v8") as { setFlagsFromString(flags: string): void } | undefined;
    const threads = proc?.getBuiltinModule?.("node:worker_threads") as { isMainThread: boolean } | undefined;
    if (v8 === undefined || threads === undefined || !threads.isMainThread) return false;
    v8.setFlagsFromString(relaxedSimdFlag);
    if (!relaxedSimdSupported()) return false;
    retryMissingEngines();
  }
  selectDefaultKernels();
  return true;
}
