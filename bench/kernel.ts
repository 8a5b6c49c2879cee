/**
 * Kernel benchmark: trains and infers the workload (../shared/bench/workload.json, or BENCH_WORKLOAD)
 * with our kernel (1 thread, and data-parallel across worker threads) and, in the same run, with
 * TensorFlow.js 4.22 on its cpu and wasm backends. Prints a table, or with --json one object per line.
 *
 *   npm run bench -- [--cells lstm,gru] [--hidden 64,128] [--peers ours,tfjs-wasm,tfjs-cpu]
 *                    [--threads 1,2] [--repeats 3] [--epochs 3] [--max-seconds 20] [--quick] [--json]
 *                    [--kernel wasm-simd|typescript]   (our gemm kernels; default wasm-simd)
 *
 * Each figure is the best of `repeats` runs; repeats rotate through the peers so that background
 * load hits all of them alike. Ratios compare figures from this run only. Windows/s is wall-clock;
 * the *PerCpuSec fields divide by this process's CPU time instead (robust to other load, and for
 * threads > 1 a measure of per-core efficiency).
 */
import os from "node:os";
import { flopsPerWindow, loadWorkload, makeWindows, workloadPath } from "./kernel/workload";
import { runOurs, runOursParallel, type RunResult } from "./kernel/ours";
import { useKernels, type KernelName } from "../lib/tensor";

type Peer = "ours" | "tfjs-wasm" | "tfjs-cpu";

interface Args {
  cells: ("lstm" | "gru")[] | null;
  hidden: number[] | null;
  peers: Peer[];
  threads: number[];
  repeats: number | null;
  epochs: number | null;
  maxSeconds: number | null;
  json: boolean;
  kernel: KernelName;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { cells: null, hidden: null, peers: ["ours", "tfjs-wasm", "tfjs-cpu"], threads: [1, 2], repeats: null, epochs: null, maxSeconds: null, json: false, kernel: "wasm-simd" };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i], v = (): string => {
      const s = argv[++i];
      if (s === undefined) throw new Error(`${k} needs a value`);
      return s;
    };
    switch (k) {
      case "--cells": a.cells = v().split(",").map((s) => {
        if (s !== "lstm" && s !== "gru") throw new Error(`unknown cell ${s}`);
        return s;
      }); break;
      case "--hidden": a.hidden = v().split(",").map(Number); break;
      case "--peers": a.peers = v().split(",").map((s) => {
        if (s !== "ours" && s !== "tfjs-wasm" && s !== "tfjs-cpu") throw new Error(`unknown peer ${s} (ours, tfjs-wasm, tfjs-cpu)`);
        return s;
      }); break;
      case "--threads": a.threads = v().split(",").map(Number); break;
      case "--repeats": a.repeats = Number(v()); break;
      case "--epochs": a.epochs = Number(v()); break;
      case "--max-seconds": a.maxSeconds = Number(v()); break;
      case "--quick": a.repeats ??= 1; a.epochs ??= 1; a.maxSeconds ??= 5; break;
      case "--json": a.json = true; break;
      case "--kernel": {
        const k = v();
        if (k !== "typescript" && k !== "wasm-simd") throw new Error(`unknown kernel ${k} (typescript, wasm-simd)`);
        a.kernel = k;
        break;
      }
      case "--help": case "-h":
        console.log("npm run bench -- [--cells lstm,gru] [--hidden 64,128] [--peers ours,tfjs-wasm,tfjs-cpu] [--threads 1,2] [--repeats N] [--epochs N] [--max-seconds S] [--kernel wasm-simd|typescript] [--quick] [--json]");
        process.exit(0);
        break;
      default: throw new Error(`unknown option ${k}`);
    }
  }
  return a;
}

interface Row extends RunResult {
  cell: string;
  hidden: number;
  threads: number;
  peer: string;
  backend: string;
  trainGflops: number;
}

function best(rs: RunResult[]): RunResult {
  const pick = (f: (r: RunResult) => number): RunResult => rs.reduce((a, b) => (f(b) > f(a) ? b : a));
  const t = pick((r) => r.trainWindowsPerSec), i = pick((r) => r.inferWindowsPerSec);
  return {
    ...t,
    inferWindowsPerSec: i.inferWindowsPerSec,
    trainWindowsPerCpuSec: Math.max(...rs.map((r) => r.trainWindowsPerCpuSec)),
    inferWindowsPerCpuSec: Math.max(...rs.map((r) => r.inferWindowsPerCpuSec)),
    heapGrowthMB: Math.max(...rs.map((r) => r.heapGrowthMB)),
    peakRssMB: Math.max(...rs.map((r) => r.peakRssMB)),
  };
}

function fmt(n: number, d = 0): string {
  return n.toLocaleString("en-US", { minimumFractionDigits: d, maximumFractionDigits: d });
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const w = loadWorkload();
  const cells = args.cells ?? w.cells, hidden = args.hidden ?? w.hidden;
  const repeats = args.repeats ?? w.repeats, opts = { epochs: args.epochs ?? w.epochs, maxSeconds: args.maxSeconds ?? w.maxSecondsPerRepeat };
  const kernel = useKernels(args.kernel);
  const data = makeWindows(w);
  const load0 = os.loadavg()[0];
  if (!args.json) {
    console.log(`workload ${w.name} (${workloadPath()}): window ${w.lookback}, batch ${w.batch}, ${w.windows} windows, ${opts.epochs} epochs, best of ${repeats}, ≤${opts.maxSeconds}s per repeat`);
    console.log(`our kernels: ${kernel}`);
    console.log(`node ${process.version}, ${os.cpus().length} cpus (${os.cpus()[0]?.model ?? "?"}), load ${load0.toFixed(1)}`);
  }
  const tf = args.peers.some((p) => p.startsWith("tfjs")) ? await import("./kernel/tfjs") : null;
  const rows: Row[] = [];
  for (const cell of cells) {
    for (const H of hidden) {
      const runs = new Map<string, { peer: string; threads: number; backend: string; results: RunResult[] }>();
      const variants: { key: string; peer: Peer; threads: number }[] = [];
      for (const p of args.peers) {
        if (p === "ours") for (const t of args.threads) variants.push({ key: `ours/${t}`, peer: p, threads: t });
        else variants.push({ key: p, peer: p, threads: 1 });
      }
      for (let r = 0; r < repeats; r++) {
        for (const v of variants) {
          let res: RunResult, backend = "typescript";
          if (v.peer === "ours") {
            res = v.threads === 1 ? await runOurs(w, data, cell, H, opts) : await runOursParallel(w, data, cell, H, v.threads, opts);
            backend = v.threads === 1 ? kernel : `${kernel} ×${v.threads} worker_threads`;
          } else {
            if (!tf) throw new Error("tfjs not loaded");
            backend = `tfjs ${await tf.useBackend(v.peer === "tfjs-wasm" ? "wasm" : "cpu")}`;
            res = await tf.runTfjs(w, data, cell, H, opts);
          }
          const entry = runs.get(v.key) ?? { peer: v.peer, threads: v.threads, backend, results: [] };
          entry.results.push(res);
          runs.set(v.key, entry);
          if (!args.json) process.stderr.write(`  ${cell}-${H} ${v.key} #${r + 1}: train ${fmt(res.trainWindowsPerSec)} w/s, infer ${fmt(res.inferWindowsPerSec)} w/s\n`);
        }
      }
      const flops = flopsPerWindow(w, cell, H).train;
      const group: Row[] = [];
      for (const e of runs.values()) {
        const b = best(e.results);
        group.push({ cell, hidden: H, threads: e.threads, peer: e.peer, backend: e.backend, ...b, trainGflops: (b.trainWindowsPerSec * flops) / 1e9 });
      }
      const ref = (peer: string): Row | undefined => group.find((g) => g.peer === peer);
      for (const g of group) {
        const wasm = ref("tfjs-wasm"), cpu = ref("tfjs-cpu");
        const out: Record<string, unknown> = {
          cell: g.cell, hidden: g.hidden, threads: g.threads, peer: g.peer, backend: g.backend,
          trainWindowsPerSec: Math.round(g.trainWindowsPerSec), inferWindowsPerSec: Math.round(g.inferWindowsPerSec),
          trainWindowsPerCpuSec: Math.round(g.trainWindowsPerCpuSec), inferWindowsPerCpuSec: Math.round(g.inferWindowsPerCpuSec),
          trainGflops: Math.round(g.trainGflops * 100) / 100,
          trainVsTfjsWasm: wasm ? Math.round((g.trainWindowsPerSec / wasm.trainWindowsPerSec) * 100) / 100 : null,
          inferVsTfjsWasm: wasm ? Math.round((g.inferWindowsPerSec / wasm.inferWindowsPerSec) * 100) / 100 : null,
          trainVsTfjsCpu: cpu ? Math.round((g.trainWindowsPerSec / cpu.trainWindowsPerSec) * 100) / 100 : null,
          inferVsTfjsCpu: cpu ? Math.round((g.inferWindowsPerSec / cpu.inferWindowsPerSec) * 100) / 100 : null,
          finalLoss: g.finalLoss, heapGrowthMB: g.heapGrowthMB, peakRssMB: g.peakRssMB, repeats,
          loadAvg: Math.round(os.loadavg()[0] * 10) / 10,
        };
        if (args.json) console.log(JSON.stringify(out));
        rows.push(g);
      }
    }
  }
  if (args.json) return;
  const header = ["cell", "hidden", "peer", "threads", "train w/s", "infer w/s", "train w/cpu-s", "infer w/cpu-s", "GFLOP/s", "train ×wasm", "infer ×wasm", "train ×cpu", "infer ×cpu", "heap Δ MB", "RSS MB"];
  const lines: string[][] = [];
  for (const g of rows) {
    const wasm = rows.find((r) => r.cell === g.cell && r.hidden === g.hidden && r.peer === "tfjs-wasm");
    const cpu = rows.find((r) => r.cell === g.cell && r.hidden === g.hidden && r.peer === "tfjs-cpu");
    const ratio = (a: number, b: number | undefined): string => (b ? `${(a / b).toFixed(2)}×` : "–");
    lines.push([g.cell, String(g.hidden), g.peer === "ours" ? "ours" : g.peer, String(g.threads), fmt(g.trainWindowsPerSec), fmt(g.inferWindowsPerSec),
      fmt(g.trainWindowsPerCpuSec), fmt(g.inferWindowsPerCpuSec), g.trainGflops.toFixed(2),
      ratio(g.trainWindowsPerSec, wasm?.trainWindowsPerSec), ratio(g.inferWindowsPerSec, wasm?.inferWindowsPerSec),
      ratio(g.trainWindowsPerSec, cpu?.trainWindowsPerSec), ratio(g.inferWindowsPerSec, cpu?.inferWindowsPerSec),
      g.heapGrowthMB.toFixed(1), fmt(g.peakRssMB)]);
  }
  console.log("");
  console.log(`| ${header.join(" | ")} |`);
  console.log(`|${header.map(() => "---").join("|")}|`);
  for (const l of lines) console.log(`| ${l.join(" | ")} |`);
  console.log(`\nload average now ${os.loadavg()[0].toFixed(1)} (was ${load0.toFixed(1)} at start); ratios compare rows of this run only.`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
