/**
 * M3 monthly accuracy benchmark: runs `forecast --model auto --horizon 18` (the real CLI, in a
 * child process, on all cores) over ../shared/data/m3-monthly-dev/train.csv, scores the output
 * against test.csv with the README's definitions, and prints ours beside the classical methods.
 *
 *   npx tsx bench/m3.ts [--data DIR] [--seed S] [--threads N] [--json]
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";

const { values: opt } = parseArgs({
  options: {
    data: { type: "string", default: path.resolve(import.meta.dirname, "../../shared/data/m3-monthly-dev") },
    seed: { type: "string", default: "42" },
    threads: { type: "string" },
    json: { type: "boolean", default: false },
  },
});
const dir = opt.data!;
const H = 18;
const m = 12;

function readLong(file: string): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const line of fs.readFileSync(file, "utf8").trim().split("\n").slice(1)) {
    const [s, , v] = line.split(",");
    const arr = out.get(s) ?? [];
    arr.push(Number(v));
    out.set(s, arr);
  }
  return out;
}

const train = readLong(path.join(dir, "train.csv"));
const test = readLong(path.join(dir, "test.csv"));
const anchors = new Map<string, Map<string, number[]>>();
for (const line of fs.readFileSync(path.join(dir, "anchors.csv"), "utf8").trim().split("\n").slice(1)) {
  const [s, method, step, , f] = line.split(",");
  const bySeries = anchors.get(method) ?? new Map<string, number[]>();
  const arr = bySeries.get(s) ?? [];
  arr[Number(step) - 1] = Number(f);
  bySeries.set(s, arr);
  anchors.set(method, bySeries);
}

const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "tidecast-m3-")), "forecast.csv");
const args = ["tsx", "scripts/cli.ts", "forecast", path.join(dir, "train.csv"), "--model", "auto", "--horizon", String(H), "--seed", opt.seed!, "--out", out];
if (opt.threads) args.push("--threads", opt.threads);
const started = process.hrtime.bigint();
const run = spawnSync("npx", args, { cwd: path.resolve(import.meta.dirname, ".."), stdio: ["ignore", "inherit", "inherit"] });
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
if (run.status !== 0) {
  console.error(`forecast exited with ${run.status}`);
  process.exit(1);
}
const ours = new Map<string, number[]>();
for (const line of fs.readFileSync(out, "utf8").trim().split("\n").slice(1)) {
  const [s, , step, f] = line.split(",");
  const arr = ours.get(s) ?? [];
  arr[Number(step) - 1] = Number(f);
  ours.set(s, arr);
}

function score(fc: Map<string, number[]>): { smape: number; mase: number; n: number } {
  let S = 0;
  let M = 0;
  let n = 0;
  for (const [s, x] of train) {
    const y = test.get(s)!;
    const f = fc.get(s);
    if (!f) throw new Error(`no forecast for ${s}`);
    let a = 0;
    let b = 0;
    for (let k = 0; k < H; k++) {
      const den = Math.abs(y[k]) + Math.abs(f[k]);
      if (den > 0) a += Math.abs(y[k] - f[k]) / den;
      b += Math.abs(y[k] - f[k]);
    }
    let scale = 0;
    for (let t = m; t < x.length; t++) scale += Math.abs(x[t] - x[t - m]);
    scale /= x.length - m;
    S += (200 * a) / H;
    M += b / H / scale;
    n++;
  }
  return { smape: S / n, mase: M / n, n };
}

const naive2 = score(anchors.get("naive2")!);
const rows: { method: string; smape: number; mase: number; owa: number }[] = [];
const add = (method: string, r: { smape: number; mase: number }) =>
  rows.push({ method, smape: r.smape, mase: r.mase, owa: 0.5 * (r.smape / naive2.smape + r.mase / naive2.mase) });
add("tidecast auto", score(ours));
for (const method of anchors.keys()) add(method, score(anchors.get(method)!));

if (opt.json) {
  for (const r of rows) console.log(JSON.stringify({ ...r, seconds: r.method === "tidecast auto" ? seconds : undefined }));
} else {
  console.log(`\nM3 monthly dev set: ${train.size} series, horizon ${H}; tidecast run time ${seconds.toFixed(1)} s on ${opt.threads ?? os.availableParallelism()} threads\n`);
  console.log(`${"method".padEnd(20)} ${"sMAPE".padStart(8)} ${"MASE".padStart(8)} ${"OWA".padStart(8)}`);
  for (const r of rows) console.log(`${r.method.padEnd(20)} ${r.smape.toFixed(3).padStart(8)} ${r.mase.toFixed(4).padStart(8)} ${r.owa.toFixed(4).padStart(8)}`);
}
