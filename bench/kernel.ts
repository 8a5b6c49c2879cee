/**
 * Kernel benchmark: trains and infers the workload (../shared/bench/workload.json, or BENCH_WORKLOAD)
 * with our kernel (1 thread, and data-parallel across worker threads) and, in the same run, with
 * the PyTorch peer (../shared/bench/torch, Debian's python3-torch on OpenBLAS) and TensorFlow.js
 * 4.22 on its wasm and cpu backends. Prints a table, or with --json one object per line.
 *
 *   npm run bench -- [--cells lstm,gru] [--hidden 64,128] [--peers ours,torch,tfjs-wasm,tfjs-cpu,copies]
 *                    [--threads 1,2] [--repeats 3] [--epochs 3] [--max-seconds 20] [--long 256]
 *                    [--pairs 8] [--kernel auto|wasm-relaxed|wasm-simd|typescript] [--quick] [--json]
 *
 * Each figure is the best of `repeats` runs; repeats rotate through the contenders (ours, then
 * PyTorch, then TensorFlow.js, …) so that background load hits all of them alike, and ratios
 * compare figures from this run only. `--long L` also times a window of L steps (ours and
 * PyTorch, one thread, one epoch): its "steps × w/s" is compared with the workload's window, so
 * the time per step must not grow with the window. Windows/s is wall-clock; the *PerCpuSec fields
 * (ours and TensorFlow.js) divide by this process's CPU time instead. The `copies` peer runs as
 * many independent one-thread copies of ours at once as a threads figure has (child processes):
 * their summed windows/s is the machine's own ceiling for that many threads under its current
 * load, and "train ×copies" reads the data-parallel trainer against it (bench/kernel/copies.ts).
 *
 * "train ×ours-1" divides the best of the data-parallel trainer's repeats by the best of the
 * one-thread ones, which ran minutes apart. `--pairs N` (default 8, 0 to skip) also measures that
 * speed-up in N pairs of short slices that alternate the two, both warm (pairedSpeedups in
 * bench/kernel/ours.ts): "paired" is the median of the pairs, with their range.
 */
import os from "node:os";
import { flopsPerWindow, loadWorkload, makeWindows, withLookback, workloadPath, type Workload } from "./kernel/workload";
import { runCopies } from "./kernel/copies";
import { pairedSpeedups, runOurs, runOursParallel, type RunResult } from "./kernel/ours";
import { TORCH_INSTALL_HINT, findTorch, runTorch, type TorchSetup } from "./kernel/torch";
import { enableRelaxedSimd, kernels, useKernels, type KernelName } from "../lib/tensor";
import { relaxedSimdFlag } from "../lib/tensor/relaxed-simd";
import { median } from "../lib/forecast/stats";

type Peer = "ours" | "torch" | "tfjs-wasm" | "tfjs-cpu" | "copies";
const PEERS: Peer[] = ["ours", "torch", "tfjs-wasm", "tfjs-cpu", "copies"];
const KERNELS = ["auto", "wasm-relaxed", "wasm-simd", "typescript"] as const;

interface Args {
  cells: ("lstm" | "gru")[] | null;
  hidden: number[] | null;
  peers: Peer[];
  threads: number[];
  repeats: number | null;
  epochs: number | null;
  maxSeconds: number | null;
  long: number;
  pairs: number | null;
  json: boolean;
  kernel: KernelName | "auto";
}

const USAGE = "npm run bench -- [--cells lstm,gru] [--hidden 64,128] [--peers ours,torch,tfjs-wasm,tfjs-cpu,copies] [--threads 1,2] [--repeats N] [--epochs N] [--max-seconds S] [--long STEPS|0] [--pairs N|0] [--kernel auto|wasm-relaxed|wasm-simd|typescript] [--quick] [--json]";

function parseArgs(argv: string[]): Args {
  const a: Args = { cells: null, hidden: null, peers: ["ours", "torch", "tfjs-wasm"], threads: [1, 2], repeats: null, epochs: null, maxSeconds: null, long: 256, pairs: null, json: false, kernel: "auto" };
  const positive = (k: string, s: string): number => {
    const n = Number(s);
    if (!Number.isInteger(n) || n < 1) throw new Error(`${k}: ${s} is not a positive integer`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i], v = (): string => {
      const s = argv[++i];
      if (s === undefined) throw new Error(`${k} needs a value`);
      return s;
    };
    switch (k) {
      case "--cells": a.cells = v().split(",").map((s) => {
        if (s !== "lstm" && s !== "gru") throw new Error(`unknown cell ${s} (lstm, gru)`);
        return s;
      }); break;
      case "--hidden": a.hidden = v().split(",").map((s) => positive(k, s)); break;
      case "--peers": a.peers = v().split(",").map((s) => {
        if (!(PEERS as string[]).includes(s)) throw new Error(`unknown peer ${s} (${PEERS.join(", ")})`);
        return s as Peer;
      }); break;
      case "--threads": a.threads = v().split(",").map((s) => positive(k, s)); break;
      case "--repeats": a.repeats = positive(k, v()); break;
      case "--epochs": a.epochs = positive(k, v()); break;
      case "--max-seconds": a.maxSeconds = Number(v()); break;
      case "--long": { const s = v(); a.long = s === "0" ? 0 : positive(k, s); break; }
      case "--pairs": { const s = v(); a.pairs = s === "0" ? 0 : positive(k, s); break; }
      case "--quick": a.repeats ??= 1; a.epochs ??= 1; a.maxSeconds ??= 5; a.pairs ??= 2; break;
      case "--json": a.json = true; break;
      case "--kernel": {
        const s = v();
        if (!(KERNELS as readonly string[]).includes(s)) throw new Error(`unknown kernel ${s} (${KERNELS.join(", ")})`);
        a.kernel = s as Args["kernel"];
        break;
      }
      case "--help": case "-h":
        console.log(USAGE);
        process.exit(0);
        break;
      default: throw new Error(`unknown option ${k}\n${USAGE}`);
    }
  }
  return a;
}

/** One contender at one window length: how it is labelled and how one repeat runs. */
interface Variant {
  key: string;
  peer: Peer;
  threads: number;
  lookback: number;
  backend: string;
  run: () => Promise<RunResult>;
}

interface Row extends RunResult {
  cell: "lstm" | "gru";
  hidden: number;
  lookback: number;
  peer: Peer;
  threads: number;
  backend: string;
  trainGflops: number;
  /** ours on several threads: the speed-up over one thread in alternating pairs (--pairs) */
  paired?: { median: number; min: number; max: number; pairs: number };
}

/** Seconds of each slice of a pair (four slices a pair). */
const PAIR_SLICE_SECONDS = 0.75;

function best(rs: RunResult[]): RunResult {
  const max = (f: (r: RunResult) => number): number => Math.max(...rs.map(f));
  const t = rs.reduce((a, b) => (b.trainWindowsPerSec > a.trainWindowsPerSec ? b : a));
  return {
    ...t,
    inferWindowsPerSec: max((r) => r.inferWindowsPerSec),
    trainWindowsPerCpuSec: max((r) => r.trainWindowsPerCpuSec),
    inferWindowsPerCpuSec: max((r) => r.inferWindowsPerCpuSec),
    heapGrowthMB: max((r) => r.heapGrowthMB),
    peakRssMB: max((r) => r.peakRssMB),
  };
}

function fmt(n: number, d = 0): string {
  return Number.isFinite(n) ? n.toLocaleString("en-US", { minimumFractionDigits: d, maximumFractionDigits: d }) : "–";
}

function round2(n: number | null): number | null {
  return n === null || !Number.isFinite(n) ? null : Math.round(n * 100) / 100;
}

function load1(): number {
  return Math.round(os.loadavg()[0] * 10) / 10;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  // This is our own process, started before any thread: the one place to turn V8's relaxed SIMD on.
  const relaxed = enableRelaxedSimd();
  const w = loadWorkload();
  const cells = args.cells ?? w.cells, hidden = args.hidden ?? w.hidden;
  const repeats = args.repeats ?? w.repeats;
  const pairs = args.pairs ?? 8;
  const opts = { epochs: args.epochs ?? w.epochs, maxSeconds: args.maxSeconds ?? w.maxSecondsPerRepeat };
  const longOpts = { epochs: 1, maxSeconds: opts.maxSeconds };
  const kernel = args.kernel === "auto" ? kernels.name : useKernels(args.kernel);
  if (args.kernel !== "auto" && kernel !== args.kernel) throw new Error(`kernel set ${args.kernel} is not available here (got ${kernel})`);
  const log = (s: string): void => void (!args.json && process.stderr.write(s + "\n"));

  let torch: TorchSetup | null = null;
  if (args.peers.includes("torch")) {
    torch = findTorch();
    if (torch.problem !== null) {
      log(`PyTorch peer skipped: ${torch.problem}.\n  To compare with it, ${TORCH_INSTALL_HINT}.`);
      torch = null;
    }
  }
  const tf = args.peers.some((p) => p.startsWith("tfjs")) ? await import("./kernel/tfjs") : null;
  const load0 = load1();
  if (!args.json) {
    console.log(`workload ${w.name} (${workloadPath()}): window ${w.lookback}${args.long ? ` and ${args.long}` : ""}, batch ${w.batch}, ${w.windows} windows, ${opts.epochs} epochs (long window: 1), best of ${repeats}, ≤${opts.maxSeconds}s per repeat`);
    console.log(`our kernels: ${kernel} (relaxed SIMD ${relaxed ? "on" : `unavailable: ${relaxedSimdFlag}`})${torch ? `; PyTorch ${torch.version} (${torch.python})` : ""}`);
    console.log(`node ${process.version}, ${os.cpus().length} cpus (${os.cpus()[0]?.model ?? "?"}), load ${load0}`);
  }

  const rows: Row[] = [];
  for (const cell of cells) {
    for (const H of hidden) {
      const windows = [w.lookback, ...(args.long && args.long !== w.lookback ? [args.long] : [])];
      const variants: Variant[] = [];
      for (const L of windows) {
        const wl = withLookback(w, L), data = makeWindows(wl), isLong = L !== w.lookback, o = isLong ? longOpts : opts;
        const threads = isLong ? [1] : args.threads;
        for (const p of args.peers) {
          if (p === "ours") for (const t of threads) {
            variants.push({ key: `ours/${t}@${L}`, peer: p, threads: t, lookback: L, backend: t === 1 ? kernel : `${kernel} ×${t} worker_threads`,
              run: () => (t === 1 ? runOurs(wl, data, cell, H, o) : runOursParallel(wl, data, cell, H, t, o)) });
          } else if (p === "copies") {
            for (const t of threads.filter((n) => n > 1))
              variants.push({ key: `copies/${t}@${L}`, peer: p, threads: t, lookback: L, backend: `${kernel}, ${t} one-thread copies at once`,
                run: () => runCopies(wl, data, cell, H, t, o) });
          } else if (p === "torch") {
            if (torch !== null) for (const t of threads) {
              const setup = torch;
              variants.push({ key: `torch/${t}@${L}`, peer: p, threads: t, lookback: L, backend: `PyTorch ${setup.version} OpenBLAS, ${t} thread${t > 1 ? "s" : ""}`,
                run: async () => runTorch(setup, wl, cell, H, t, o) });
            }
          } else if (!isLong && tf !== null) {
            const backend = p === "tfjs-wasm" ? "wasm" : "cpu";
            variants.push({ key: `${p}@${L}`, peer: p, threads: 1, lookback: L, backend: `tfjs ${backend}`,
              run: async () => {
                await tf.useBackend(backend);
                return tf.runTfjs(wl, data, cell, H, o);
              } });
          }
        }
      }
      const results = new Map<string, RunResult[]>();
      for (let r = 0; r < repeats; r++) {
        for (const v of variants) {
          const res = await v.run();
          results.set(v.key, [...(results.get(v.key) ?? []), res]);
          log(`  ${cell}-${H} ${v.key} #${r + 1}: train ${fmt(res.trainWindowsPerSec)} w/s, infer ${fmt(res.inferWindowsPerSec)} w/s (load ${load1()})`);
        }
      }
      const paired = new Map<number, Row["paired"]>();
      if (pairs > 0 && args.peers.includes("ours"))
        for (const t of args.threads.filter((n) => n > 1)) {
          const r = await pairedSpeedups(w, makeWindows(w), cell, H, t, pairs, PAIR_SLICE_SECONDS);
          paired.set(t, { median: median(r), min: Math.min(...r), max: Math.max(...r), pairs: r.length });
          log(`  ${cell}-${H} ours/${t} against ours/1 in ${r.length} alternating pairs: ${r.map((x) => x.toFixed(2)).join(", ")} (load ${load1()})`);
        }
      for (const v of variants) {
        const b = best(results.get(v.key) ?? []);
        const wl = withLookback(w, v.lookback);
        const p = v.peer === "ours" && v.lookback === w.lookback ? paired.get(v.threads) : undefined;
        rows.push({ cell, hidden: H, lookback: v.lookback, peer: v.peer, threads: v.threads, backend: v.backend, ...b, trainGflops: (b.trainWindowsPerSec * flopsPerWindow(wl, cell, H).train) / 1e9, ...(p ? { paired: p } : {}) });
      }
    }
  }
  report(rows, w, args, repeats, load0);
}

/** The same-run comparisons of a row: against PyTorch one thread, TensorFlow.js wasm, our one thread, our workload window. */
function ratios(g: Row, rows: Row[], w: Workload) {
  const find = (peer: Peer, threads: number, lookback = g.lookback) =>
    rows.find((r) => r.cell === g.cell && r.hidden === g.hidden && r.lookback === lookback && r.peer === peer && r.threads === threads);
  const torch1 = find("torch", 1), wasm = find("tfjs-wasm", 1), ours1 = find("ours", 1), base = find(g.peer, g.threads, w.lookback);
  const copies = g.peer === "ours" && g.threads > 1 ? find("copies", g.threads) : undefined;
  const div = (a: number, b: number | undefined) => (b === undefined || !Number.isFinite(b) || b === 0 ? null : a / b);
  return {
    trainVsTorch1: div(g.trainWindowsPerSec, torch1?.trainWindowsPerSec), inferVsTorch1: div(g.inferWindowsPerSec, torch1?.inferWindowsPerSec),
    trainVsTfjsWasm: div(g.trainWindowsPerSec, wasm?.trainWindowsPerSec), inferVsTfjsWasm: div(g.inferWindowsPerSec, wasm?.inferWindowsPerSec),
    trainVsOurs1: (g.peer === "ours" || g.peer === "copies") && g.threads > 1 ? div(g.trainWindowsPerSec, ours1?.trainWindowsPerSec) : null,
    trainVsCopies: div(g.trainWindowsPerSec, copies?.trainWindowsPerSec),
    stepsTrainVsWindow: g.lookback !== w.lookback && base ? div(g.trainWindowsPerSec * g.lookback, base.trainWindowsPerSec * base.lookback) : null,
  };
}

function report(rows: Row[], w: Workload, args: Args, repeats: number, load0: number): void {
  if (args.json) {
    for (const g of rows) {
      const r = ratios(g, rows, w);
      console.log(JSON.stringify({
        cell: g.cell, hidden: g.hidden, lookback: g.lookback, peer: g.peer, threads: g.threads, backend: g.backend,
        trainWindowsPerSec: Math.round(g.trainWindowsPerSec), inferWindowsPerSec: Math.round(g.inferWindowsPerSec),
        trainStepsPerSec: Math.round(g.trainWindowsPerSec * g.lookback),
        trainWindowsPerCpuSec: Number.isFinite(g.trainWindowsPerCpuSec) ? Math.round(g.trainWindowsPerCpuSec) : null,
        inferWindowsPerCpuSec: Number.isFinite(g.inferWindowsPerCpuSec) ? Math.round(g.inferWindowsPerCpuSec) : null,
        trainGflops: round2(g.trainGflops),
        trainVsOurs1Paired: g.paired ? round2(g.paired.median) : null,
        trainVsOurs1PairedRange: g.paired ? [round2(g.paired.min), round2(g.paired.max)] : null,
        ...Object.fromEntries(Object.entries(r).map(([k, v]) => [k, round2(v)])),
        finalLoss: g.finalLoss, heapGrowthMB: Number.isFinite(g.heapGrowthMB) ? g.heapGrowthMB : null, peakRssMB: g.peakRssMB, repeats, loadAvg: load1(),
      }));
    }
    return;
  }
  const x = (v: number | null): string => (v === null ? "–" : `${v.toFixed(2)}×`);
  const header = ["cell", "hidden", "window", "peer", "threads", "train w/s", "infer w/s", "train ×torch-1", "infer ×torch-1", "train ×ours-1", "paired (range)", "train ×copies", "steps·w/s ×window", "train ×tfjs-wasm", "infer ×tfjs-wasm", "GFLOP/s", "train w/cpu-s", "RSS MB"];
  console.log("");
  console.log(`| ${header.join(" | ")} |`);
  console.log(`|${header.map(() => "---").join("|")}|`);
  for (const g of rows) {
    const r = ratios(g, rows, w);
    console.log(`| ${[g.cell, g.hidden, g.lookback, g.peer, g.threads, fmt(g.trainWindowsPerSec), fmt(g.inferWindowsPerSec),
      x(r.trainVsTorch1), x(r.inferVsTorch1), x(r.trainVsOurs1), g.paired ? `${x(g.paired.median)} (${g.paired.min.toFixed(2)}–${g.paired.max.toFixed(2)})` : "–", x(r.trainVsCopies), x(r.stepsTrainVsWindow), x(r.trainVsTfjsWasm), x(r.inferVsTfjsWasm),
      g.trainGflops.toFixed(2), fmt(g.trainWindowsPerCpuSec), fmt(g.peakRssMB)].join(" | ")} |`);
  }
  console.log(`\nload average now ${load1()} (was ${load0} at start); ratios compare rows of this run only.`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
