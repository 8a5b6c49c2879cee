/**
 * Single-series accuracy benchmark: runs `fitForecast` (the dashboard's training path, one model
 * per series, default settings) over real monthly series and scores its forecast of held-out data.
 *
 * - M3: 20 series of ../shared/data/m3-monthly-dev (every 5th of the 100, in file order), fitted on
 *   train.csv with horizon 18 and scored on test.csv with the README's sMAPE and MASE.
 * - vega-datasets: the 5 monthly stock prices (stocks.csv) and the monthly CO2 concentration
 *   (co2-concentration.csv); the last 12 points (the default monthly horizon) are held out.
 *
 * Prints mean sMAPE and MASE per model (lstm, gru, auto) and data set, and per-series rows with --detail.
 *
 *   npx tsx bench/single-series.ts [--models lstm,gru,auto] [--seeds 42,7] [--sets m3,vega] [--lib DIR] [--json] [--detail]
 *
 * --rest scores the other 80 M3 series instead (a check on series the design was not chosen on).
 * With several seeds the means are over every (series, seed) fit.
 *
 * --lib points at another copy of lib/ (e.g. a snapshot of an earlier commit) to compare versions
 * on the same data with the same script.
 */
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { pathToFileURL } from "node:url";
import type { SeriesInput, ModelConfigInput, ForecastOutcome, FitOptions } from "../lib/forecast";

const { values: opt } = parseArgs({
  options: {
    data: { type: "string", default: path.resolve(import.meta.dirname, "../../shared/data/m3-monthly-dev") },
    models: { type: "string", default: "lstm,gru,auto" },
    sets: { type: "string", default: "m3,vega" },
    seeds: { type: "string", default: "42" },
    lib: { type: "string" },
    every: { type: "string", default: "5" },
    rest: { type: "boolean", default: false },
    json: { type: "boolean", default: false },
    detail: { type: "boolean", default: false },
  },
});

type Fit = (s: SeriesInput, c: ModelConfigInput, seed?: number, o?: FitOptions) => ForecastOutcome;
const libDir = opt.lib ? path.resolve(opt.lib) : path.resolve(import.meta.dirname, "../lib");
const { fitForecast } = (await import(pathToFileURL(path.join(libDir, "forecast/index.ts")).href)) as { fitForecast: Fit };

interface Case {
  set: string;
  name: string;
  timestamps: number[];
  train: number[];
  test: number[];
  horizon: number;
}

function monthTs(date: string): number {
  const [y, mo] = date.split("-").map(Number);
  const d = new Date(0);
  d.setUTCFullYear(y, mo - 1, 1);
  d.setUTCHours(0, 0, 0, 0);
  return d.getTime();
}

function m3Cases(): Case[] {
  const read = (file: string) => {
    const out = new Map<string, { ts: number[]; v: number[] }>();
    for (const line of fs.readFileSync(path.join(opt.data!, file), "utf8").trim().split("\n").slice(1)) {
      const [s, date, v] = line.split(",");
      const e = out.get(s) ?? { ts: [], v: [] };
      e.ts.push(monthTs(date));
      e.v.push(Number(v));
      out.set(s, e);
    }
    return out;
  };
  const train = read("train.csv");
  const test = read("test.csv");
  const every = Number(opt.every);
  return [...train.keys()]
    .filter((_, i) => (i % every === 0) !== opt.rest)
    .map((name) => ({ set: "m3", name, timestamps: train.get(name)!.ts, train: train.get(name)!.v, test: test.get(name)!.v, horizon: 18 }));
}

function vegaCases(): Case[] {
  const dir = path.resolve(import.meta.dirname, "../node_modules/vega-datasets/data");
  const cases: Case[] = [];
  const split = (set: string, name: string, ts: number[], v: number[]) => {
    const h = 12;
    cases.push({ set, name, timestamps: ts.slice(0, -h), train: v.slice(0, -h), test: v.slice(-h), horizon: h });
  };
  const stocks = new Map<string, { ts: number[]; v: number[] }>();
  for (const line of fs.readFileSync(path.join(dir, "stocks.csv"), "utf8").trim().split("\n").slice(1)) {
    const [sym, date, price] = line.split(",");
    const e = stocks.get(sym) ?? { ts: [], v: [] };
    const t = Date.parse(`${date} UTC`);
    const d = new Date(t);
    e.ts.push(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1));
    e.v.push(Number(price));
    stocks.set(sym, e);
  }
  for (const [sym, e] of stocks) split("stocks", sym, e.ts, e.v);
  const co2 = { ts: [] as number[], v: [] as number[] };
  for (const line of fs.readFileSync(path.join(dir, "co2-concentration.csv"), "utf8").trim().split("\n").slice(1)) {
    const [date, v] = line.split(",");
    co2.ts.push(monthTs(date));
    co2.v.push(Number(v));
  }
  split("co2", "CO2", co2.ts, co2.v);
  return cases;
}

function scores(c: Case, f: number[]): { smape: number; mase: number } {
  const h = c.test.length;
  const m = 12;
  let a = 0;
  let b = 0;
  for (let k = 0; k < h; k++) {
    const den = Math.abs(c.test[k]) + Math.abs(f[k]);
    if (den > 0) a += Math.abs(c.test[k] - f[k]) / den;
    b += Math.abs(c.test[k] - f[k]);
  }
  let scale = 0;
  for (let t = m; t < c.train.length; t++) scale += Math.abs(c.train[t] - c.train[t - m]);
  scale /= c.train.length - m;
  return { smape: (200 * a) / h, mase: b / h / scale };
}

const sets = opt.sets!.split(",");
const cases = [...(sets.includes("m3") ? m3Cases() : []), ...(sets.includes("vega") ? vegaCases() : [])];
const models = opt.models!.split(",") as ("lstm" | "gru" | "auto")[];
const seeds = opt.seeds!.split(",").map(Number);

interface Row {
  model: string;
  seed: number;
  set: string;
  name: string;
  smape: number;
  mase: number;
  chosen: string;
  bestEpoch: number | null;
  epochsRun: number;
  seconds: number;
}
const rows: Row[] = [];
const started = process.hrtime.bigint();
for (const model of models) {
  for (const seed of seeds) {
    for (const c of cases) {
      const input: SeriesInput = {
        name: c.name,
        timestamps: Float64Array.from(c.timestamps),
        values: Float64Array.from(c.train),
        frequency: "monthly",
        stepMs: null,
      };
      const t0 = process.hrtime.bigint();
      const out = fitForecast(input, { model, horizon: c.horizon }, seed);
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      const s = scores(c, out.forecast);
      const row = { model, seed, set: c.set, name: c.name, ...s, chosen: out.chosen.model, bestEpoch: out.chosen.bestEpoch, epochsRun: out.chosen.epochsRun, seconds };
      rows.push(row);
      if (opt.json) console.log(JSON.stringify(row));
      else if (opt.detail)
        console.log(
          `${model.padEnd(5)} ${String(seed).padStart(3)} ${c.set.padEnd(6)} ${c.name.padEnd(6)} sMAPE ${s.smape.toFixed(2).padStart(7)} MASE ${s.mase.toFixed(3).padStart(7)}  best ${String(out.chosen.bestEpoch).padStart(3)} run ${String(out.chosen.epochsRun).padStart(3)}  ${seconds.toFixed(1)} s  ${out.chosen.model}`,
        );
    }
  }
}
const total = Number(process.hrtime.bigint() - started) / 1e9;

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const groups: [string, (r: Row) => boolean][] = [
  ["m3", (r) => r.set === "m3"],
  ["stocks", (r) => r.set === "stocks"],
  ["co2", (r) => r.set === "co2"],
  ["all", () => true],
];
if (!opt.json) {
  console.log(`\nfitForecast over ${cases.length} series (${libDir}), seeds ${seeds.join(",")}, ${total.toFixed(0)} s\n`);
  console.log(`${"model".padEnd(6)} ${"set".padEnd(7)} ${"n".padStart(3)} ${"sMAPE".padStart(8)} ${"MASE".padStart(8)} ${"s/fit".padStart(6)}`);
  for (const model of models)
    for (const [set, keep] of groups) {
      const rs = rows.filter((r) => r.model === model && keep(r));
      if (rs.length === 0) continue;
      console.log(
        `${model.padEnd(6)} ${set.padEnd(7)} ${String(rs.length).padStart(3)} ${mean(rs.map((r) => r.smape)).toFixed(3).padStart(8)} ${mean(rs.map((r) => r.mase)).toFixed(4).padStart(8)} ${mean(rs.map((r) => r.seconds)).toFixed(1).padStart(6)}`,
      );
    }
}
