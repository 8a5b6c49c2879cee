/**
 * Long-series timing benchmark: one `forecast --model auto` (the real CLI, default settings, in a
 * child process on all cores) per case, timed end to end, with the forecast of the held-out last
 * horizon scored against seasonal naive (MASE, in-sample seasonal-naive scale) so a speed-up can be
 * checked for accuracy too.
 *
 * Cases:
 * - hourly-10k: 10,000 hourly points (and 24 to score) shaped like an electricity load (daily and
 *   weekly cycles, a slow trend, AR(1) noise), generated with a fixed seed;
 * - daily-5k: 5,000 daily points (and 14 to score; weekly and yearly cycles, trend, AR(1) noise), fixed seed;
 * - seattle-hourly: the hourly temperature normals of vega-datasets' seattle-weather-hourly-normals
 *   (8,759 points: 8,735 to fit, the last 24 to score);
 * - monthly-120: the first 120 months of M3 series N2074 (../shared/data/m3-monthly-dev, train
 *   and test parts joined), scored on the next 12.
 *
 *   npm run bench:long [-- --case hourly-10k,daily-5k] [--threads N] [--root DIR] [--json]
 *
 * A run whose CLI warned that seasonal naive beat its forecast on the held-out window (the run's
 * note) is marked "warned".
 *
 * --root runs the CLI of another checkout (e.g. an older commit unpacked with its node_modules
 * linked) on the same data, to compare in one sitting. Wall times depend on the machine's load:
 * note `uptime` beside them. The CPU seconds (user + system, from GNU time where installed) are
 * what the run cost, whatever the load.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { mulberry32, normal } from "../lib/tensor/random";

const ROOT = path.resolve(import.meta.dirname, "..");
const { values: opt } = parseArgs({
  options: {
    case: { type: "string" },
    threads: { type: "string" },
    root: { type: "string" },
    json: { type: "boolean", default: false },
  },
});

interface Case {
  name: string;
  /** ISO dates (or datetimes) and values, oldest first. */
  dates: string[];
  values: number[];
  horizon: number;
  season: number;
}

function synthetic(n: number, stepMs: number, start: number, value: (i: number, noise: number) => number, seed: number): { dates: string[]; values: number[] } {
  const rng = mulberry32(seed);
  let ar = 0;
  const dates: string[] = [];
  const values: number[] = [];
  for (let i = 0; i < n; i++) {
    ar = 0.7 * ar + normal(rng);
    const d = new Date(start + i * stepMs).toISOString();
    dates.push(stepMs < 86_400_000 ? d.slice(0, 19) : d.slice(0, 10));
    values.push(Number(value(i, ar).toFixed(3)));
  }
  return { dates, values };
}

function hourly10k(): Case {
  const tau = 2 * Math.PI;
  // 10,000 points to fit and the next 24 to score
  const s = synthetic(
    10_024,
    3_600_000,
    Date.UTC(2020, 0, 1),
    (i, noise) => {
      const hour = i % 24;
      const day = Math.floor(i / 24) % 7;
      const daily = 18 * Math.sin((tau * (hour - 6)) / 24) + 7 * Math.sin((2 * tau * hour) / 24);
      const weekly = day >= 5 ? -12 : 0;
      return 300 + 0.004 * i + daily + weekly + 4 * noise;
    },
    11,
  );
  return { name: "hourly-10k", ...s, horizon: 24, season: 24 };
}

function daily5k(): Case {
  const tau = 2 * Math.PI;
  const s = synthetic(
    5_014,
    86_400_000,
    Date.UTC(2008, 0, 1),
    (i, noise) => 1000 + 0.05 * i + 60 * Math.sin((tau * i) / 365.25) + [0, 10, 12, 11, 14, 30, -40][i % 7] + 15 * noise,
    12,
  );
  return { name: "daily-5k", ...s, horizon: 14, season: 7 };
}

function seattleHourly(): Case {
  const file = path.join(ROOT, "node_modules/vega-datasets/data/seattle-weather-hourly-normals.csv");
  const rows = fs.readFileSync(file, "utf8").trim().split("\n").slice(1).map((l) => l.split(","));
  return { name: "seattle-hourly", dates: rows.map((r) => r[0]), values: rows.map((r) => Number(r[2])), horizon: 24, season: 24 };
}

function monthly120(): Case {
  const rows = ["train.csv", "test.csv"].flatMap((f) =>
    fs
      .readFileSync(path.join(ROOT, "../shared/data/m3-monthly-dev", f), "utf8")
      .trim()
      .split("\n")
      .slice(1)
      .map((l) => l.split(","))
      .filter((r) => r[0] === "N2074"),
  );
  // 120 points to fit and the next 12 to score
  const kept = rows.slice(0, 132);
  return { name: "monthly-120", dates: kept.map((r) => r[1]), values: kept.map((r) => Number(r[2])), horizon: 12, season: 12 };
}

const CASES: Record<string, () => Case> = { "hourly-10k": hourly10k, "daily-5k": daily5k, "seattle-hourly": seattleHourly, "monthly-120": monthly120 };

function mase(train: number[], actual: number[], forecast: number[], m: number): number {
  let scale = 0;
  for (let t = m; t < train.length; t++) scale += Math.abs(train[t] - train[t - m]);
  scale /= train.length - m;
  let e = 0;
  for (let k = 0; k < actual.length; k++) e += Math.abs(actual[k] - forecast[k]);
  return e / actual.length / scale;
}

const wanted = opt.case ? opt.case.split(",") : Object.keys(CASES);
for (const w of wanted)
  if (!CASES[w]) {
    console.error(`Unknown case ${w}; the cases are ${Object.keys(CASES).join(", ")}.`);
    process.exit(2);
  }
const root = opt.root ? path.resolve(opt.root) : ROOT;
const work = fs.mkdtempSync(path.join(os.tmpdir(), "tidecast-long-"));
if (!opt.json) console.log(`load before: ${os.loadavg().map((l) => l.toFixed(2)).join(" ")} (1, 5, 15 min) on ${os.availableParallelism()} cores; CLI of ${root}`);
for (const name of wanted) {
  const c = CASES[name]();
  const n = c.values.length - c.horizon;
  const file = path.join(work, `${name}.csv`);
  fs.writeFileSync(file, "date,value\n" + c.dates.slice(0, n).map((d, i) => `${d},${c.values[i]}`).join("\n") + "\n");
  const out = path.join(work, `${name}.forecast.csv`);
  // What `npm run cli -- forecast …` runs (package.json), without npm's own start.
  const args = ["--import", "tsx", "scripts/cli.ts", "forecast", file, "--model", "auto", "--horizon", String(c.horizon), "--out", out, "--quiet"];
  if (opt.threads) args.push("--threads", opt.threads);
  const load = os.loadavg()[0];
  const started = process.hrtime.bigint();
  // GNU time, where there is one, also gives the CPU seconds the run used: on a loaded machine
  // they say what the wall time would be on a quiet one (one series trains on one thread).
  const timed = fs.existsSync("/usr/bin/time");
  const run = timed
    ? spawnSync("/usr/bin/time", ["-f", "TIDECAST_CPU %U %S", process.execPath, ...args], { cwd: root, stdio: ["ignore", "inherit", "pipe"], encoding: "utf8" })
    : spawnSync(process.execPath, args, { cwd: root, stdio: ["ignore", "inherit", "inherit"] });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  let cpu: number | null = null;
  // The CLI warns (even under --quiet) when seasonal naive beat the forecast on its held-out window.
  const warned = /^warning: .*less accurate than seasonal naive/m.test(String(run.stderr ?? ""));
  if (timed) {
    const err = String(run.stderr ?? "");
    const m = /TIDECAST_CPU ([\d.]+) ([\d.]+)/.exec(err);
    if (m) cpu = Number(m[1]) + Number(m[2]);
    process.stderr.write(err.replace(/^TIDECAST_CPU.*$/m, ""));
  }
  if (run.status !== 0) {
    console.error(`${name}: forecast exited with ${run.status}`);
    process.exit(1);
  }
  const forecast = fs
    .readFileSync(out, "utf8")
    .trim()
    .split("\n")
    .slice(1)
    .map((l) => Number(l.split(",")[3]));
  const train = c.values.slice(0, n);
  const actual = c.values.slice(n);
  const snaive = actual.map((_, k) => train[n - c.season + (k % c.season)]);
  const r = { case: name, points: n, horizon: c.horizon, seconds, cpuSeconds: cpu, mase: mase(train, actual, forecast, c.season), seasonalNaiveMase: mase(train, actual, snaive, c.season), warned, load1: load };
  if (opt.json) console.log(JSON.stringify(r));
  else
    console.log(
      `${name.padEnd(15)} ${String(n).padStart(6)} points  h=${String(c.horizon).padStart(2)}  ${seconds.toFixed(1).padStart(6)} s wall${cpu === null ? "" : `, ${cpu.toFixed(1).padStart(6)} s CPU`}  MASE ${r.mase.toFixed(3)} (seasonal naive ${r.seasonalNaiveMase.toFixed(3)})${warned ? " [warned: lost to seasonal naive on its held-out window]" : ""}  load ${load.toFixed(2)}`,
    );
}
