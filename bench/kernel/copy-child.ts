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
process.stdout.write("ready\n");
createInterface({ input: process.stdin }).once("line", () => {
  void runOurs(req.workload, data, req.cell, req.hidden, req.opts).then((r) => {
    process.stdout.write(JSON.stringify(r) + "\n");
    process.exit(0);
  });
});
