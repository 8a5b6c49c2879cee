/** One copy of bench/kernel/copies.ts: prepares, says "ready", runs on "go" and prints its RunResult as JSON. */
import { createInterface } from "node:readline";
import { enableRelaxedSimd, useKernels, type KernelName } from "../../lib/tensor";
import type { CopyRequest } from "./copies";
import { runOurs } from "./ours";
import { makeWindows } from "./workload";

const req = JSON.parse(process.argv[2] ?? "{}") as CopyRequest;
enableRelaxedSimd();
if (useKernels(req.kernel as KernelName) !== req.kernel) throw new Error(`kernel set ${req.kernel} is not available in the copy`);
const data = makeWindows(req.workload);
// A short throwaway run first, so this copy starts as warm as the one in the parent process (whose
// JIT is warm from the earlier contenders): a fresh process's first steps run 2–3× slower.
await runOurs(req.workload, data, req.cell, req.hidden, { epochs: 1, maxSeconds: 0.3 });
process.stdout.write("ready\n");
createInterface({ input: process.stdin }).once("line", () => {
  void runOurs(req.workload, data, req.cell, req.hidden, req.opts).then((r) => {
    process.stdout.write(JSON.stringify(r) + "\n");
    process.exit(0);
  });
});
