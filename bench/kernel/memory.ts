/** Heap measurement after a full garbage collection, so "growth" means retained memory, not garbage. */
import v8 from "node:v8";
import vm from "node:vm";

v8.setFlagsFromString("--expose_gc");
const gc = vm.runInNewContext("gc") as () => void;

export function heapAfterGc(): number {
  gc();
  return process.memoryUsage().heapUsed;
}
