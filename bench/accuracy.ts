/**
 * Accuracy benchmark over every development set in ../shared/data: runs the real CLI
 * (`forecast --model auto`, default settings, in a child process on all cores) on each set's
 * train.csv with the set's own horizon, scores the output against test.csv with the sets' README
 * definitions, and prints, per set (and per frequency group of seasonal-dev), our sMAPE, MASE, OWA,
 * 80%/95% interval coverage and MSIS beside the classical anchors, plus the run time.
 *
 * "tidecast auto" is the forecast the CLI writes; "networks alone" is the neural ensemble's own
 * forecast before any combination with the statistical components (the CLI's --components file).
 *
 *   npm run bench:accuracy [-- --set m3-quarterly-dev[,seasonal-dev]] [--seed S] [--threads N] [--limit N] [--mode M] [--root DIR] [--json] [--detail] [--keep]
 *
 * --keep leaves the CLI's files (each set's train.csv, forecast.csv and components.csv) in the
 * temporary folder it names at the end; without it the folder is removed.
 *
 * --root DIR runs the CLI of another checkout on the same data (a same-sitting comparison).
 *
 * --limit N keeps every k-th series of an M3 set so that N remain (for quick iterations; report
 * only full runs). --detail prints one row per series. --mode (auto | global | local) is passed to
 * the CLI: `--mode local` fits every series on its own, as a user's single upload is.
 *
 * Metrics (README of each set): sMAPE = 200/h Σ|y−f|/(|y|+|f|); MASE = MAE / in-sample MAE of the
 * seasonal naive (lag m) on the training part; OWA = ½ (sMAPE/sMAPE_naive2 + MASE/MASE_naive2) on
 * the means over the series. MSIS (M4) = mean over the h steps of (U − L) + (2/α)(L − y)[y < L]
 * + (2/α)(y − U)[y > U] for the 95% band (α = 0.05), divided by the same scale, averaged over series.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { cliArgs } from "./cli-entry";
import { scratchDir } from "./scratch-dir";

const DATA = path.resolve(import.meta.dirname, "../../shared/data");
const ROOT = path.resolve(import.meta.dirname, "..");

interface SetSpec {
  name: string;
  /** Frequency groups: name, season length, horizon; a series belongs to the group its date spacing says. */
  groups: { name: string; m: number; h: number; months: number }[];
}

const SETS: SetSpec[] = [
  { name: "m3-monthly-dev", groups: [{ name: "monthly", m: 12, h: 18, months: 1 }] },
  { name: "m3-quarterly-dev", groups: [{ name: "quarterly", m: 4, h: 8, months: 3 }] },
  { name: "m3-yearly-dev", groups: [{ name: "yearly", m: 1, h: 6, months: 12 }] },
  {
    name: "seasonal-dev",
    groups: [
      { name: "monthly", m: 12, h: 12, months: 1 },
      { name: "quarterly", m: 4, h: 8, months: 3 },
      { name: "yearly", m: 1, h: 6, months: 12 },
    ],
  },
];

const { values: opt } = parseArgs({
  options: {
    set: { type: "string" },
    seed: { type: "string", default: "42" },
    threads: { type: "string" },
    limit: { type: "string" },
    mode: { type: "string" },
    json: { type: "boolean", default: false },
    detail: { type: "boolean", default: false },
    root: { type: "string" },
    keep: { type: "boolean", default: false },
  },
});
/** The checkout whose CLI runs (--root: another one, e.g. an older commit unpacked with its node_modules linked, for a same-sitting comparison on the same data). */
const CLI_ROOT = opt.root ? path.resolve(opt.root) : ROOT;

interface Row {
  date: string;
  value: number;
}

function readLong(file: string): Map<string, Row[]> {
  const out = new Map<string, Row[]>();
  for (const line of fs.readFileSync(file, "utf8").trim().split("\n").slice(1)) {
    const [s, date, v] = line.split(",");
    const arr = out.get(s) ?? [];
    arr.push({ date, value: Number(v) });
    out.set(s, arr);
  }
  return out;
}

function monthsBetween(a: string, b: string): number {
  const [ya, ma] = a.split("-").map(Number);
  const [yb, mb] = b.split("-").map(Number);
  return (yb - ya) * 12 + (mb - ma);
}

/** Forecast paths by method (or component) and series: method -> series -> values by step. */
type Paths = Map<string, Map<string, number[]>>;

function readPaths(file: string, methodColumn: number | null, stepColumn: number, valueColumn: number, methodName = "tidecast"): Paths {
  const out: Paths = new Map();
  if (!fs.existsSync(file)) return out;
  for (const line of fs.readFileSync(file, "utf8").trim().split("\n").slice(1)) {
    const cells = line.split(",");
    const method = methodColumn === null ? methodName : cells[methodColumn];
    const bySeries = out.get(method) ?? new Map<string, number[]>();
    const arr = bySeries.get(cells[0]) ?? [];
    arr[Number(cells[stepColumn]) - 1] = Number(cells[valueColumn]);
    bySeries.set(cells[0], arr);
    out.set(method, bySeries);
  }
  return out;
}

/** Interval bands the CLI wrote: series -> { lo80, hi80, lo95, hi95 } by step. */
function readBands(file: string): Map<string, Record<"lo80" | "hi80" | "lo95" | "hi95", number[]>> {
  const out = new Map<string, Record<"lo80" | "hi80" | "lo95" | "hi95", number[]>>();
  const lines = fs.readFileSync(file, "utf8").trim().split("\n");
  const header = lines[0].split(",");
  const col = (n: string) => header.indexOf(n);
  for (const line of lines.slice(1)) {
    const c = line.split(",");
    const b = out.get(c[0]) ?? { lo80: [], hi80: [], lo95: [], hi95: [] };
    const k = Number(c[col("step")]) - 1;
    for (const key of ["lo80", "hi80", "lo95", "hi95"] as const) b[key][k] = Number(c[col(key)]);
    out.set(c[0], b);
  }
  return out;
}

interface SeriesScore {
  smape: number;
  mase: number;
}

function scoreSeries(x: number[], y: number[], f: number[], m: number): SeriesScore {
  const h = y.length;
  let a = 0;
  let b = 0;
  for (let k = 0; k < h; k++) {
    const den = Math.abs(y[k]) + Math.abs(f[k]);
    if (den > 0) a += Math.abs(y[k] - f[k]) / den;
    b += Math.abs(y[k] - f[k]);
  }
  return { smape: (200 * a) / h, mase: b / h / maseScale(x, m) };
}

function maseScale(x: number[], m: number): number {
  let scale = 0;
  for (let t = m; t < x.length; t++) scale += Math.abs(x[t] - x[t - m]);
  return scale / (x.length - m);
}

interface MethodScore {
  method: string;
  n: number;
  smape: number;
  mase: number;
  owa: number;
  coverage80?: number;
  coverage95?: number;
  msis?: number;
}

interface GroupData {
  name: string;
  m: number;
  h: number;
  series: string[];
}

function runCli(trainFile: string, h: number, outDir: string): { out: string; components: string; seconds: number } {
  const out = path.join(outDir, "forecast.csv");
  const components = path.join(outDir, "components.csv");
  const args = [...cliArgs(CLI_ROOT), "forecast", trainFile, "--model", "auto", "--horizon", String(h), "--seed", opt.seed!, "--out", out, "--components", components, "--quiet"];
  if (opt.threads) args.push("--threads", opt.threads);
  if (opt.mode) args.push("--mode", opt.mode);
  const started = process.hrtime.bigint();
  const run = spawnSync(process.execPath, args, { cwd: CLI_ROOT, stdio: ["ignore", "inherit", "inherit"] });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (run.status !== 0) throw new Error(`forecast exited with ${run.status} on ${trainFile}`);
  return { out, components, seconds };
}

function benchSet(spec: SetSpec): { set: string; seconds: number; groups: { group: string; rows: MethodScore[]; detail: string[] }[] } {
  const dir = path.join(DATA, spec.name);
  const train = readLong(path.join(dir, "train.csv"));
  const test = readLong(path.join(dir, "test.csv"));
  const anchors = readPaths(path.join(dir, "anchors.csv"), 1, 2, 4);
  let names = [...train.keys()];
  const limit = opt.limit ? Number(opt.limit) : null;
  if (limit && limit < names.length) {
    const every = names.length / limit;
    names = Array.from({ length: limit }, (_, i) => names[Math.floor(i * every)]);
  }
  // Series by frequency group (from the spacing of their first two dates).
  const groups: GroupData[] = spec.groups.map((g) => ({ ...g, series: names.filter((s) => monthsBetween(train.get(s)![0].date, train.get(s)![1].date) === g.months) }));
  const work = scratchDir(`tidecast-accuracy-${spec.name}-`, opt.keep);
  let seconds = 0;
  const ours: Paths = new Map();
  const bands = new Map<string, Record<"lo80" | "hi80" | "lo95" | "hi95", number[]>>();
  for (const g of groups) {
    if (g.series.length === 0) continue;
    const gdir = path.join(work, g.name);
    fs.mkdirSync(gdir);
    const file = path.join(gdir, "train.csv");
    fs.writeFileSync(file, "series,date,value\n" + g.series.flatMap((s) => train.get(s)!.map((r) => `${s},${r.date},${r.value}`)).join("\n") + "\n");
    const run = runCli(file, g.h, gdir);
    seconds += run.seconds;
    const main = readPaths(run.out, null, 2, 3, "tidecast auto");
    const comps = readPaths(run.components, 3, 2, 4);
    for (const [method, bySeries] of [...main, ...[...comps].filter(([c]) => c === "neural").map(([, v]) => ["networks alone", v] as const)]) {
      const target = ours.get(method) ?? new Map<string, number[]>();
      for (const [s, f] of bySeries) target.set(s, f);
      ours.set(method, target);
    }
    for (const [s, b] of readBands(run.out)) bands.set(s, b);
  }
  const mOf = new Map<string, number>();
  for (const g of groups) for (const s of g.series) mOf.set(s, g.m);
  const scored = groups.filter((g) => g.series.length > 0);
  // A set of several frequencies is also scored as a whole (its README's "all" group).
  if (scored.length > 1) scored.push({ name: "all", m: 0, h: 0, series: scored.flatMap((g) => g.series) });
  const out = scored.map((g) => {
      const score = (fc: Map<string, number[]> | undefined, method: string, withBands: boolean): MethodScore | null => {
        if (!fc) return null;
        let S = 0;
        let M = 0;
        let n = 0;
        let in80 = 0;
        let in95 = 0;
        let points = 0;
        let msis = 0;
        for (const s of g.series) {
          const f = fc.get(s);
          if (!f) return null;
          const x = train.get(s)!.map((r) => r.value);
          const y = test.get(s)!.map((r) => r.value);
          const sc = scoreSeries(x, y, f, mOf.get(s)!);
          S += sc.smape;
          M += sc.mase;
          n++;
          if (withBands) {
            const b = bands.get(s)!;
            let is = 0;
            for (let k = 0; k < y.length; k++) {
              if (y[k] >= b.lo80[k] && y[k] <= b.hi80[k]) in80++;
              if (y[k] >= b.lo95[k] && y[k] <= b.hi95[k]) in95++;
              is += b.hi95[k] - b.lo95[k] + (2 / 0.05) * Math.max(0, b.lo95[k] - y[k]) + (2 / 0.05) * Math.max(0, y[k] - b.hi95[k]);
              points++;
            }
            msis += is / y.length / maseScale(x, mOf.get(s)!);
          }
        }
        const r: MethodScore = { method, n, smape: S / n, mase: M / n, owa: NaN };
        if (withBands) Object.assign(r, { coverage80: in80 / points, coverage95: in95 / points, msis: msis / n });
        return r;
      };
      const rows: MethodScore[] = [];
      const n2 = score(anchors.get("naive2"), "naive2", false)!;
      const add = (r: MethodScore | null) => {
        if (r) rows.push({ ...r, owa: 0.5 * (r.smape / n2.smape + r.mase / n2.mase) });
      };
      add(score(ours.get("tidecast auto"), "tidecast auto", true));
      add(score(ours.get("networks alone"), "networks alone", false));
      for (const method of anchors.keys()) add(score(anchors.get(method), method, false));
      const detail = opt.detail && g.name !== "all"
        ? g.series.map((s) => {
            const x = train.get(s)!.map((r) => r.value);
            const y = test.get(s)!.map((r) => r.value);
            const cell = (method: string, fc: Map<string, number[]> | undefined) => {
              const f = fc?.get(s);
              return f ? `${method} ${scoreSeries(x, y, f, mOf.get(s)!).mase.toFixed(3)}` : "";
            };
            return `  ${s.padEnd(16)} n=${String(x.length).padStart(4)} MASE: ${[cell("ours", ours.get("tidecast auto")), cell("nets", ours.get("networks alone")), cell("theta", anchors.get("theta")), cell("ets", anchors.get("ets")), cell("snaive", anchors.get("snaive")), cell("naive2", anchors.get("naive2"))].join("  ")}`;
          })
        : [];
      return { group: g.name, rows, detail };
    });
  return { set: spec.name, seconds, groups: out };
}

const wanted = opt.set ? opt.set.split(",").map((s) => s.trim()) : SETS.map((s) => s.name);
const unknown = wanted.filter((w) => !SETS.some((s) => s.name === w));
if (unknown.length) {
  console.error(`Unknown set ${unknown.join(", ")}; the sets are ${SETS.map((s) => s.name).join(", ")}.`);
  process.exit(2);
}
const threads = opt.threads ?? String(os.availableParallelism());
const fmt = (v: number | undefined, d: number, w: number) => (v === undefined || !Number.isFinite(v) ? "" : v.toFixed(d)).padStart(w);
for (const spec of SETS.filter((s) => wanted.includes(s.name))) {
  const r = benchSet(spec);
  if (opt.json) {
    for (const g of r.groups) for (const row of g.rows) console.log(JSON.stringify({ set: r.set, group: g.group, ...row, seconds: row.method === "tidecast auto" ? r.seconds : undefined }));
    continue;
  }
  console.log(`\n${r.set}: tidecast run time ${r.seconds.toFixed(1)} s on ${threads} threads${opt.limit ? ` (subset of ${opt.limit})` : ""}`);
  for (const g of r.groups) {
    if (spec.groups.length > 1) console.log(`\n  group ${g.group} (${g.rows[0]?.n ?? 0} series)`);
    console.log(`  ${"method".padEnd(20)} ${"sMAPE".padStart(8)} ${"MASE".padStart(8)} ${"OWA".padStart(7)} ${"cov80".padStart(6)} ${"cov95".padStart(6)} ${"MSIS".padStart(8)}`);
    for (const row of g.rows)
      console.log(
        `  ${row.method.padEnd(20)} ${fmt(row.smape, 3, 8)} ${fmt(row.mase, 4, 8)} ${fmt(row.owa, 4, 7)} ${fmt(row.coverage80 === undefined ? undefined : 100 * row.coverage80, 1, 6)} ${fmt(row.coverage95 === undefined ? undefined : 100 * row.coverage95, 1, 6)} ${fmt(row.msis, 3, 8)}`,
      );
    for (const d of g.detail) console.log(d);
  }
}
