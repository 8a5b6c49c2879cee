/**
 * The PyTorch peer (../shared/bench/torch/torch_peer.py, Debian's python3-torch on OpenBLAS), run
 * one repeat per call so the benchmark can interleave it with our repeats. Each call writes a
 * workload.json for the window being measured (repeats 1, the run's epochs and time limit) and the
 * series as float32 into a temporary folder beside a copy of the peer script (the script reads the
 * workload from its parent folder), then runs it and reads its JSON line.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { RunOptions, RunResult } from "./measure";
import { makeSeries, type Workload } from "./workload";

export interface TorchSetup {
  python: string;
  script: string;
  /** version string when torch imports, else null with `problem` saying why */
  version: string | null;
  problem: string | null;
}

const OPENBLAS = "/usr/lib/x86_64-linux-gnu/openblas-pthread";

export const TORCH_INSTALL_HINT =
  "install Debian's build as root: apt-get update && apt-get install -y --no-install-recommends python3-torch python3-numpy libopenblas0-pthread (see ../shared/bench/torch/README.md)";

/** Where the peer lives (TORCH_PEER_DIR, default ../shared/bench/torch) and whether its Python imports torch. */
export function findTorch(): TorchSetup {
  const root = path.resolve(import.meta.dirname, "../..");
  const dir = process.env.TORCH_PEER_DIR ? path.resolve(process.env.TORCH_PEER_DIR) : path.resolve(root, "../shared/bench/torch");
  const script = path.join(dir, "torch_peer.py");
  const python = process.env.TORCH_PYTHON ?? "/usr/bin/python3";
  if (!fs.existsSync(script)) return { python, script, version: null, problem: `${script} not found` };
  const r = spawnSync(python, ["-c", "import torch, numpy; print(torch.__version__)"], { encoding: "utf8", env: torchEnv(1) });
  if (r.error) return { python, script, version: null, problem: `${python} did not run (${r.error.message})` };
  if (r.status !== 0) return { python, script, version: null, problem: `${python} cannot import torch and numpy (${r.stderr.trim().split("\n").pop() ?? "error"})` };
  return { python, script, version: r.stdout.trim(), problem: null };
}

function torchEnv(threads: number): NodeJS.ProcessEnv {
  const ld = [OPENBLAS, process.env.LD_LIBRARY_PATH].filter(Boolean).join(":");
  return { ...process.env, OPENBLAS_NUM_THREADS: String(threads), OMP_NUM_THREADS: String(threads), LD_LIBRARY_PATH: ld };
}

/** One repeat of the peer on `w` (its lookback and series length), `threads` BLAS/intra-op threads. */
export function runTorch(setup: TorchSetup, w: Workload, cell: "lstm" | "gru", H: number, threads: number, opts: RunOptions): RunResult {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "tidecast-torch-"));
  try {
    fs.mkdirSync(path.join(tmp, "torch"));
    fs.copyFileSync(setup.script, path.join(tmp, "torch", "torch_peer.py"));
    const peerWorkload = { ...w, repeats: 1, epochs: opts.epochs, maxSecondsPerRepeat: opts.maxSeconds };
    fs.writeFileSync(path.join(tmp, "workload.json"), JSON.stringify(peerWorkload));
    const s = makeSeries(w);
    fs.writeFileSync(path.join(tmp, "series.f32"), Buffer.from(s.buffer, s.byteOffset, s.byteLength));
    const out = path.join(tmp, "out.json");
    const r = spawnSync(setup.python, [path.join(tmp, "torch", "torch_peer.py"), "--cell", cell, "--hidden", String(H), "--threads", String(threads),
      "--series", path.join(tmp, "series.f32"), "--out", out], { encoding: "utf8", env: torchEnv(threads), maxBuffer: 1 << 24 });
    if (r.status !== 0 || !fs.existsSync(out)) throw new Error(`PyTorch peer failed (exit ${r.status ?? r.signal}): ${r.stderr.trim().split("\n").slice(-3).join(" / ")}`);
    const res = JSON.parse(fs.readFileSync(out, "utf8")) as { trainWpsBest: number; inferWpsBest: number; finalLoss: number; maxRssMB: number; extra: { blas: string[] } };
    if (!res.extra.blas.some((b) => b.includes("openblas"))) throw new Error(`PyTorch peer ran without OpenBLAS (${res.extra.blas.join(", ") || "no BLAS"}): figures would not be comparable`);
    return {
      trainWindowsPerSec: res.trainWpsBest, inferWindowsPerSec: res.inferWpsBest,
      trainWindowsPerCpuSec: Number.NaN, inferWindowsPerCpuSec: Number.NaN,
      finalLoss: res.finalLoss, heapGrowthMB: Number.NaN, peakRssMB: res.maxRssMB,
    };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
