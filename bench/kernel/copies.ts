/**
 * The machine's own ceiling for two-thread training: `copies` independent one-thread runs of our
 * kernel at the same time, one in this process and the others in child processes (no shared
 * memory, no synchronisation). Their summed windows/s is what perfect parallelism could reach on
 * this machine under its current load, so the data-parallel trainer's figure can be read against
 * it (a 2-vCPU VM whose vCPUs share a physical core, or a busy neighbour, caps both alike).
 */
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { createInterface } from "node:readline";
import { kernels } from "../../lib/tensor";
import { runOurs, type RunOptions, type RunResult } from "./ours";
import type { Workload } from "./workload";

export interface CopyRequest {
  workload: Workload;
  cell: "lstm" | "gru";
  hidden: number;
  opts: RunOptions;
  kernel: string;
}

/** A child running one copy: resolves once it is ready, then `go()` starts it and resolves to its result. */
function startChild(req: CopyRequest): Promise<{ go: () => Promise<RunResult>; child: ChildProcess }> {
  const entry = path.join(import.meta.dirname, "copy-child.ts");
  const child = spawn(process.execPath, ["--import", "tsx", entry, JSON.stringify(req)], { stdio: ["pipe", "pipe", "inherit"] });
  const lines = createInterface({ input: child.stdout! });
  const next = (): Promise<string> =>
    new Promise((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`benchmark copy exited with ${code}`));
      child.once("exit", onExit);
      lines.once("line", (l) => {
        child.off("exit", onExit);
        resolve(l);
      });
    });
  return next().then((ready) => {
    if (ready !== "ready") throw new Error(`benchmark copy said ${ready}`);
    return {
      child,
      go: () => {
        const result = next();
        child.stdin!.end("go\n");
        return result.then((l) => JSON.parse(l) as RunResult);
      },
    };
  });
}

/** `copies` one-thread runs at once; the result's windows/s are their sums (CPU-second figures: this process's copy). */
export async function runCopies(w: Workload, data: { x: Float32Array; y: Float32Array }, cell: "lstm" | "gru", H: number, copies: number, opts: RunOptions): Promise<RunResult> {
  const req: CopyRequest = { workload: w, cell, hidden: H, opts, kernel: kernels.name };
  const children = await Promise.all(Array.from({ length: copies - 1 }, () => startChild(req)));
  try {
    const theirs = children.map((c) => c.go());
    const mine = await runOurs(w, data, cell, H, opts);
    const all = [mine, ...(await Promise.all(theirs))];
    const sum = (f: (r: RunResult) => number) => all.reduce((s, r) => s + f(r), 0);
    return { ...mine, trainWindowsPerSec: sum((r) => r.trainWindowsPerSec), inferWindowsPerSec: sum((r) => r.inferWindowsPerSec), peakRssMB: sum((r) => r.peakRssMB) };
  } finally {
    for (const c of children) if (c.child.exitCode === null) c.child.kill();
  }
}
