/**
 * `forecast <csv> --horizon N --out <file>`: forecasts every series of a long or wide CSV without
 * the server or database, on all cores, and writes long CSV
 * `series,date,step,forecast,lo80,hi80,lo95,hi95` (the interval columns follow --level).
 *
 * Series of one frequency are forecast by one global model trained across them when there are
 * many (--mode auto picks global from 10 series up), otherwise each series gets its own model.
 * With --covariates each series gets its own model that also reads the other series of its
 * frequency as covariates (lagged inputs; see lib/forecast's SeriesInput.covariates).
 */
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { parseCsv, formatTimestamp, type ParsedSeries } from "../../lib/series";
import {
  finishGlobal,
  groupByFrequency,
  planGlobal,
  warningsIn,
  type GlobalMemberResult,
  type GlobalPlan,
  type CovariateInput,
  type ModelConfigInput,
  type SeriesInput,
} from "../../lib/forecast";
import { csvCell } from "../../lib/export/forecast";
import { CliError, type Command } from "./command";
import { MODEL_FLAG_OPTIONS, intArg, modelConfigFromFlags } from "./model-flags";
import { defaultThreads, runPool, TaskError, type WorkerRequest } from "./pool";

const USAGE = `Usage: npm run cli -- forecast <csv> --horizon N --out <file> [options]

Reads a long (series,date,value) or wide (date,<name>,...) CSV and writes long CSV
series,date,step,forecast,lo80,hi80,lo95,hi95 (interval columns follow --level).

Options:
  --horizon N         steps to forecast (required)
  --out FILE          output CSV (required; "-" for stdout)
  --model M           auto | lstm | gru | rnn (default auto: an LSTM+GRU ensemble, combined
                      with statistical components when validation says so; labelled on stderr)
  --strategy S        auto | recursive | direct | seq2seq (default auto)
  --level L[,L...]    prediction interval levels in percent (default 80,95)
  --seed S            random seed (default 42): the same seed gives the same forecast
  --mode M            auto | global | local: one model across all series of a frequency, or one
                      per series (default auto: global from 10 series up)
  --covariates        give each series the other series of the file with the same frequency as
                      covariates (off by default). They are lagged inputs: a forecast reads their
                      values up to its origin only, as their future is unknown too. With --model
                      auto they are kept only when they improve the validation forecast. Implies
                      one model per series (not --mode global).
  --lookback N, --epochs N, --hidden N, --layers N, --lr X, --batch N   model settings
  --components FILE   also write each series' neural-ensemble forecast alone (before any
                      combination with the statistical methods) as series,date,step,component,forecast
  --threads N         worker threads (default: all cores)
  --quiet             no progress on stderr (warnings, e.g. a forecast that was less
                      accurate than seasonal naive on its held-out window, are still printed)
`;

interface Options {
  file: string;
  out: string;
  components: string | null;
  config: ModelConfigInput;
  levels: number[];
  seed: number | undefined;
  mode: "auto" | "global" | "local";
  covariates: boolean;
  threads: number;
  quiet: boolean;
}

export function parseOptions(args: string[]): Options {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: {
        ...MODEL_FLAG_OPTIONS,
        out: { type: "string", short: "o" },
        components: { type: "string" },
        level: { type: "string" },
        mode: { type: "string" },
        covariates: { type: "boolean" },
        threads: { type: "string" },
        quiet: { type: "boolean" },
      },
    });
  } catch (e) {
    throw new CliError(`${(e as Error).message.replace(/\. To specify a positional.*$/s, ".")}\n\n${USAGE}`);
  }
  const { values: v, positionals } = parsed;
  if (positionals.length !== 1) throw new CliError(`${positionals.length === 0 ? "Missing the input CSV" : `Expected one input CSV, got ${positionals.length}`}.\n\n${USAGE}`);
  if (v.horizon === undefined) throw new CliError(`--horizon is required.\n\n${USAGE}`);
  if (!v.out) throw new CliError(`--out is required.\n\n${USAGE}`);
  const config = modelConfigFromFlags(v);
  const levels = (v.level ?? "80,95").split(",").map((s) => s.trim()).filter(Boolean).map(Number);
  if (levels.length === 0 || levels.some((l) => !Number.isFinite(l) || l <= 0 || l >= 100))
    throw new CliError(`--level must be a comma-separated list of percentages between 0 and 100, got "${v.level}".`);
  const mode = (v.mode ?? "auto") as Options["mode"];
  if (!["auto", "global", "local"].includes(mode)) throw new CliError(`--mode must be auto, global or local, got "${v.mode}".`);
  const covariates = v.covariates ?? false;
  if (covariates && mode === "global") throw new CliError("--covariates needs one model per series: it cannot be combined with --mode global.");
  const threads = intArg("threads", v.threads) ?? defaultThreads();
  if (threads < 1) throw new CliError("--threads must be at least 1.");
  return {
    file: positionals[0],
    out: v.out,
    components: v.components ?? null,
    config,
    levels: [...new Set(levels)].sort((a, b) => a - b),
    seed: config.seed,
    mode,
    covariates,
    threads,
    quiet: v.quiet ?? false,
  };
}

/** The covariates of `target` under --covariates: every other series of its frequency group. */
export function covariatesFor(target: SeriesInput, group: SeriesInput[]): CovariateInput[] {
  return group.filter((s) => s !== target).map((s) => ({ name: s.name, timestamps: s.timestamps, values: s.values }));
}

/** A forecast number with 10 significant digits (no float noise), empty when not finite. */
const num = (v: number): string => csvCell(Number.isFinite(v) ? Number(v.toPrecision(10)) : null);

export interface SeriesForecast {
  name: string;
  timestamps: number[];
  forecast: number[];
  intervals: { level: number; lo: number[]; hi: number[] }[];
  method: string;
  neural?: number[] | null;
  /** Under --covariates: those the series' model reads. */
  covariates?: string[];
  /** The run's note on the forecast's held-out (or validation) window. */
  note?: string;
  /** false when seasonal naive was more accurate on that window: the CLI warns, --quiet or not. */
  beatsSeasonalNaive?: boolean | null;
  error?: string;
}

async function run(args: string[]): Promise<number> {
  const opt = parseOptions(args);
  const started = Date.now();
  const log = (text: string) => {
    if (!opt.quiet) process.stderr.write(text + "\n");
  };
  // Warnings are never silent, not even under --quiet, each on a line of its own: a forecast less
  // accurate than seasonal naive or values the classical methods read as data errors (the note's
  // "Warning: …" sentences), a series skipped, and what the CSV parser left out.
  const alert = (text: string) => process.stderr.write(`warning: ${text}\n`);
  const warn = (subject: string, note: string | undefined) => {
    for (const w of warningsIn(note ?? "")) alert(`${subject}: ${w}`);
  };
  let bytes: Uint8Array;
  try {
    bytes = fs.readFileSync(opt.file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new CliError(code === "ENOENT" ? `Cannot read "${opt.file}": no such file.` : code === "EISDIR" ? `"${opt.file}" is a directory, not a CSV file.` : `Cannot read "${opt.file}": ${(e as Error).message}`);
  }
  const dataset = parseCsv(bytes, { fileName: path.basename(opt.file) });
  // what the parser left out or read differently (a text column, empty rows) is said under --quiet too
  for (const w of dataset.warnings) alert(w);
  const all: SeriesInput[] = dataset.series.map((s: ParsedSeries) => ({ name: s.name, timestamps: s.timestamps, values: s.values, frequency: s.frequency, stepMs: s.stepMs }));
  if (all.length === 0) throw new CliError(`"${opt.file}" has no series.`);
  log(`read ${all.length} series (${dataset.format} format) from ${opt.file}`);

  const tasks: WorkerRequest[] = [];
  const globals: { plan: GlobalPlan; firstTask: number; results: GlobalMemberResult[] }[] = [];
  const localTask = new Map<number, string>();
  for (const [frequency, group] of groupByFrequency(all)) {
    const global = !opt.covariates && (opt.mode === "global" || (opt.mode === "auto" && group.length >= 10));
    if (global) {
      const plan = planGlobal(group, opt.config, opt.seed, { levels: opt.levels });
      log(`${frequency}: one global model over ${group.length} series, ${plan.members.length} members (${plan.members.map((m) => `${m.spec.cell}/${m.spec.lookback}`).join(", ")})`);
      globals.push({ plan, firstTask: tasks.length, results: [] });
      plan.members.forEach((_, index) => tasks.push({ kind: "global-member", plan, index }));
    } else {
      const withCovariates = opt.covariates && group.length > 1;
      log(`${frequency}: ${group.length} series, one model each${withCovariates ? `, each with the other ${group.length - 1} as covariates` : ""}`);
      for (const s of group) {
        localTask.set(tasks.length, s.name);
        const series: SeriesInput = withCovariates ? { ...s, covariates: covariatesFor(s, group) } : s;
        tasks.push({ kind: "series", series, config: opt.config, seed: opt.seed, levels: opt.levels });
      }
    }
  }
  const local = new Map<string, SeriesForecast>();
  let done = 0;
  try {
    await runPool<unknown>(
      tasks,
      opt.threads,
      (text) => log(text),
      (i, result) => {
        done++;
        const g = globals.find((x) => i >= x.firstTask && i < x.firstTask + x.plan.members.length);
        if (g) {
          g.results.push(result as GlobalMemberResult);
          log(`[${done}/${tasks.length}] member ${i - g.firstTask + 1} done`);
        } else {
          const r = result as SeriesForecast;
          local.set(r.name, r);
          const unused = opt.covariates && r.covariates?.length === 0 && (tasks[i] as { series: SeriesInput }).series.covariates?.length ? " (covariates not used)" : "";
          log(`[${done}/${tasks.length}] ${r.name}${r.error ? `: skipped (${r.error})` : `: ${r.method}${unused}`}`);
          // a series left out of the output is never silent: under --quiet its reason is a warning
          if (r.error && opt.quiet) alert(`${r.name}: skipped: ${r.error}`);
          if (!r.error) warn(r.name, r.note);
        }
      },
    );
  } catch (e) {
    if (e instanceof TaskError && (e.name === "ForecastError" || e.name === "ForecastCancelled")) throw new CliError(e.message);
    throw e;
  }
  const forecasts = new Map<string, SeriesForecast>(local);
  for (const g of globals) {
    g.results.sort((a, b) => a.index - b.index);
    const outcome = finishGlobal(g.plan, g.results);
    log(`${g.plan.frequency}: ${outcome.chosen.model}`);
    const losers = outcome.series.filter((x) => x.beatsSeasonalNaive === false);
    if (losers.length) warn(g.plan.frequency, outcome.note);
    else log(outcome.note);
    for (const x of outcome.series) warn(x.name, x.note);
    for (const s of outcome.series) forecasts.set(s.name, s);
  }
  const names = all.map((x) => x.name);
  const { text, written, skipped } = forecastCsv(names, forecasts, opt.levels);
  const write = (file: string, text: string) => {
    if (file === "-") return void process.stdout.write(text);
    try {
      fs.writeFileSync(file, text);
    } catch (e) {
      throw new CliError(`Cannot write "${file}": ${(e as Error).message}`);
    }
  };
  write(opt.out, text);
  if (opt.components) write(opt.components, componentsCsv(names, forecasts));
  log(`wrote ${written} series x ${opt.config.horizon} steps to ${opt.out} in ${((Date.now() - started) / 1000).toFixed(1)} s${skipped.length ? `; skipped ${skipped.length}: ${skipped.join(", ")}` : ""}`);
  if (written === 0) {
    const reasons = [...local.values()].filter((r) => r.error).map((r) => r.error);
    throw new CliError(`No series could be forecast${reasons.length ? `: ${reasons.join(" ")}` : "."}`);
  }
  return 0;
}

/**
 * The output CSV: `series,date,step,forecast,lo<L>,hi<L>...` for each series (in `names` order)
 * that has a forecast. Cells go through lib/export's csvCell, as the API's exports do: a series
 * name starting with = + - @ is neutralised with a leading apostrophe, and quoted when needed.
 */
export function forecastCsv(
  names: readonly string[],
  forecasts: ReadonlyMap<string, SeriesForecast>,
  levels: readonly number[],
): { text: string; written: number; skipped: string[] } {
  const header = ["series", "date", "step", "forecast", ...levels.flatMap((l) => [`lo${l}`, `hi${l}`])];
  const lines = [header.join(",")];
  let written = 0;
  const skipped: string[] = [];
  for (const name of names) {
    const f = forecasts.get(name);
    if (!f || f.error) {
      skipped.push(name);
      continue;
    }
    written++;
    for (let k = 0; k < f.forecast.length; k++) {
      const row = [csvCell(name), formatTimestamp(f.timestamps[k]), String(k + 1), num(f.forecast[k])];
      for (const l of levels) {
        const band = f.intervals.find((b) => b.level === l);
        row.push(band ? num(band.lo[k]) : "", band ? num(band.hi[k]) : "");
      }
      lines.push(row.join(","));
    }
  }
  return { text: lines.join("\n") + "\n", written, skipped };
}

/** The networks' own forecast of each series (`--components`): `series,date,step,component,forecast`. */
export function componentsCsv(names: readonly string[], forecasts: ReadonlyMap<string, SeriesForecast>): string {
  const rows = ["series,date,step,component,forecast"];
  for (const name of names) {
    const f = forecasts.get(name);
    if (!f || f.error || !f.neural) continue;
    f.neural.forEach((v, k) => rows.push([csvCell(name), formatTimestamp(f.timestamps[k]), String(k + 1), "neural", num(v)].join(",")));
  }
  return rows.join("\n") + "\n";
}

const command: Command = { summary: "Forecast every series of a CSV (no server needed): forecast <csv> --horizon N --out <file>", usage: USAGE, run };
export default command;
