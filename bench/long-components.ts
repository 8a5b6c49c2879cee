/**
 * Where a long series' accuracy goes: `fitForecast` in process (not the CLI: no relaxed SIMD, so
 * its figures differ from bench:long's in the last digits) from N origins of one bench:long case,
 * each origin's next horizon scored (MASE, in-sample seasonal-naive scale) for the final forecast,
 * the networks alone, the classical components (Theta, Comb, damped trend) and their mean, seasonal
 * naive and, on the synthetic cases, the forecast of the process itself (the ceiling on average).
 *
 *   npx tsx bench/long-components.ts [--case hourly-10k] [--origins 8]
 *
 * Origins as in bench/long-series.ts --origins: origin k fits all but the last k + 1 horizons.
 */
import { parseArgs } from "node:util";
import { parseCsv } from "../lib/series";
import { combine, fitForecast, statForecasts } from "../lib/forecast";
import { CASES, mase } from "./long-cases";

const { values: opt } = parseArgs({ options: { case: { type: "string", default: "hourly-10k" }, origins: { type: "string", default: "8" } } });
const make = CASES[opt.case];
const origins = Number(opt.origins);
if (!make || !Number.isInteger(origins) || origins < 1) {
  console.error(`Usage: --case ${Object.keys(CASES).join("|")} --origins N (N >= 1)`);
  process.exit(2);
}
const c = make();
const H = c.horizon;
const totals = new Map<string, number>();
for (let k = 0; k < origins; k++) {
  const n = c.values.length - (k + 1) * H;
  // Parsed as the CLI parses the file (frequency, timestamps).
  const parsed = parseCsv("date,value\n" + c.dates.slice(0, n).map((d, i) => `${d},${c.values[i]}`).join("\n") + "\n", { fileName: `${c.name}.csv` }).series[0];
  const cpu = process.cpuUsage();
  const out = fitForecast({ name: c.name, timestamps: parsed.timestamps, values: parsed.values, frequency: parsed.frequency, stepMs: parsed.stepMs }, { model: "auto", horizon: H });
  const used = process.cpuUsage(cpu);
  const seconds = (used.user + used.system) / 1e6;
  const train = c.values.slice(0, n);
  const actual = c.values.slice(n, n + H);
  const stats = statForecasts(Float64Array.from(train), H, c.season);
  const parts: [string, number[] | null][] = [
    ["final", out.forecast],
    ["networks", out.neural],
    ["theta", stats.theta],
    ["comb", stats.comb],
    ["damped", stats.damped],
    ["classical", combine("classical", null, stats, false)],
    ["seasonal naive", stats.baselines.seasonalNaive],
    ["process", c.processForecast?.(n, H) ?? null],
  ];
  const cells = parts.flatMap(([name, f]) => {
    if (!f) return [];
    const v = mase(train, actual, f, c.season);
    totals.set(name, (totals.get(name) ?? 0) + v);
    return [`${name} ${v.toFixed(3)}`];
  });
  console.log(`origin ${k} (${n} points, ${seconds.toFixed(1)} s CPU; ${out.chosen.strategy}/${out.chosen.lookback}, ${out.chosen.model}): ${cells.join(", ")}`);
}
console.log(`mean over ${origins}: ${[...totals].map(([name, v]) => `${name} ${(v / origins).toFixed(3)}`).join(", ")}`);
