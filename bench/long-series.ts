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
 *   npm run bench:long [-- --case hourly-10k,daily-5k] [--origins N] [--threads N] [--root DIR] [--json] [--keep]
 *
 * --keep leaves each run's input and forecast CSVs in the temporary folder it names at the end;
 * without it the folder is removed.
 *
 * --origins N (default 1) scores each case from N origins, one horizon apart: origin k (0 = the
 * last) fits all but the last (k + 1) horizons and scores the next horizon, so origin 0 is the
 * single run above and the others are earlier held-out days (weeks, years) of the same series. One
 * test window is one draw of its noise; the mean over several origins, and the number of them on
 * which the forecast beat seasonal naive, say far more about accuracy than one window does.
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
import { cliArgs } from "./cli-entry";
import { CASES, mase, type Case } from "./long-cases";
import { scratchDir } from "./scratch-dir";

const ROOT = path.resolve(import.meta.dirname, "..");
const { values: opt } = parseArgs({
  options: {
    case: { type: "string" },
    threads: { type: "string" },
    root: { type: "string" },
    origins: { type: "string", default: "1" },
    json: { type: "boolean", default: false },
    keep: { type: "boolean", default: false },
  },
});

const wanted = opt.case ? opt.case.split(",") : Object.keys(CASES);
for (const w of wanted)
  if (!CASES[w]) {
    console.error(`Unknown case ${w}; the cases are ${Object.keys(CASES).join(", ")}.`);
    process.exit(2);
  }
const origins = Number(opt.origins);
if (!Number.isInteger(origins) || origins < 1) {
  console.error(`--origins must be a whole number of at least 1 (got ${opt.origins}).`);
  process.exit(2);
}
const root = opt.root ? path.resolve(opt.root) : ROOT;
const work = scratchDir("tidecast-long-", opt.keep);

interface Row {
  case: string;
  /** 0 = the last horizon held out, k = k horizons before it */
  origin: number;
  points: number;
  horizon: number;
  seconds: number;
  cpuSeconds: number | null;
  mase: number;
  seasonalNaiveMase: number;
  warned: boolean;
  load1: number;
}

/** One CLI forecast of the case's first `n` points, scored on the next horizon. */
function runOne(c: Case, n: number, origin: number): Row {
  const file = path.join(work, `${c.name}-${origin}.csv`);
  fs.writeFileSync(file, "date,value\n" + c.dates.slice(0, n).map((d, i) => `${d},${c.values[i]}`).join("\n") + "\n");
  const out = path.join(work, `${c.name}-${origin}.forecast.csv`);
  const args = [...cliArgs(root), "forecast", file, "--model", "auto", "--horizon", String(c.horizon), "--out", out, "--quiet"];
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
    console.error(`${c.name}: forecast exited with ${run.status}`);
    process.exit(1);
  }
  const forecast = fs
    .readFileSync(out, "utf8")
    .trim()
    .split("\n")
    .slice(1)
    .map((l) => Number(l.split(",")[3]));
  const train = c.values.slice(0, n);
  const actual = c.values.slice(n, n + c.horizon);
  const snaive = actual.map((_, k) => train[n - c.season + (k % c.season)]);
  return { case: c.name, origin, points: n, horizon: c.horizon, seconds, cpuSeconds: cpu, mase: mase(train, actual, forecast, c.season), seasonalNaiveMase: mase(train, actual, snaive, c.season), warned, load1: load };
}

function printRow(r: Row): void {
  const cpu = r.cpuSeconds === null ? "" : `, ${r.cpuSeconds.toFixed(1).padStart(6)} s CPU`;
  const at = origins > 1 ? ` origin ${r.origin}` : "";
  const warned = r.warned ? " [warned: lost to seasonal naive on its held-out window]" : "";
  console.log(
    `${(r.case + at).padEnd(24)} ${String(r.points).padStart(6)} points  h=${String(r.horizon).padStart(2)}  ${r.seconds.toFixed(1).padStart(6)} s wall${cpu}  MASE ${r.mase.toFixed(3)} (seasonal naive ${r.seasonalNaiveMase.toFixed(3)})${warned}  load ${r.load1.toFixed(2)}`,
  );
}

/** The case over all its origins: mean MASE beside seasonal naive's, wins, mean and largest CPU seconds. */
function printSummary(rows: Row[]): void {
  const avg = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
  const cpus = rows.map((r) => r.cpuSeconds).filter((v): v is number => v !== null);
  const wins = rows.filter((r) => r.mase < r.seasonalNaiveMase).length;
  const cpu = cpus.length ? `, CPU s mean ${avg(cpus).toFixed(1)} max ${Math.max(...cpus).toFixed(1)}` : "";
  console.log(
    `${(rows[0].case + " mean").padEnd(24)} ${rows.length} origins: MASE ${avg(rows.map((r) => r.mase)).toFixed(3)} (seasonal naive ${avg(rows.map((r) => r.seasonalNaiveMase)).toFixed(3)}), beat seasonal naive on ${wins}/${rows.length}, wall s max ${Math.max(...rows.map((r) => r.seconds)).toFixed(1)}${cpu}`,
  );
}

if (!opt.json) console.log(`load before: ${os.loadavg().map((l) => l.toFixed(2)).join(" ")} (1, 5, 15 min) on ${os.availableParallelism()} cores; CLI of ${root}`);
for (const name of wanted) {
  const c = CASES[name]();
  const rows: Row[] = [];
  for (let k = 0; k < origins; k++) {
    const r = runOne(c, c.values.length - (k + 1) * c.horizon, k);
    rows.push(r);
    if (opt.json) console.log(JSON.stringify(r));
    else printRow(r);
  }
  if (origins > 1 && !opt.json) printSummary(rows);
}
