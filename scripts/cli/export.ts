/**
 * `export (--series ID [--run R] | --dataset ID) [--format csv|json] [--out FILE]`: writes stored
 * forecasts exactly as the export API does (same columns, ISO dates, neutralised text cells).
 */
import fs from "node:fs";
import { parseArgs } from "node:util";
import { CliError, type Command } from "./command";
import { openDatabase } from "./database";
import { intArg } from "./model-flags";

const USAGE = `Usage: npm run cli -- export (--series ID [--run R] | --dataset ID) [--format csv|json] [--out FILE]

Writes the current forecast of a series (or the forecast of one of its runs), or the current
forecasts of every series of a dataset, with the columns
series,date,step,forecast,lo80,hi80,lo95,hi95,model,run,created.

Options:
  --series ID     a series
  --run R         with --series: that run's forecast instead of the current one
  --dataset ID    every series of a dataset, in one file
  --format F      csv (default) or json
  --out FILE      output file (default: standard output)
`;

async function run(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: {
        series: { type: "string" },
        run: { type: "string" },
        dataset: { type: "string" },
        format: { type: "string" },
        out: { type: "string", short: "o" },
      },
    });
  } catch (err) {
    throw new CliError(`${(err as Error).message}\n\n${USAGE}`);
  }
  const v = parsed.values;
  const seriesId = intArg("series", v.series);
  const runId = intArg("run", v.run);
  const datasetId = intArg("dataset", v.dataset);
  const format = v.format ?? "csv";
  if (format !== "csv" && format !== "json") throw new CliError(`--format must be csv or json, got "${format}".`);
  if ((seriesId === undefined) === (datasetId === undefined)) throw new CliError(`Give either --series or --dataset.\n\n${USAGE}`);
  if (runId !== undefined && seriesId === undefined) throw new CliError("--run goes with --series.");

  const db = await openDatabase();
  const { seriesForecast, datasetForecasts } = await import("../../lib/runs/forecasts");
  const { forecastsToCsv, forecastsToJson } = await import("../../lib/export/forecast");
  const found = seriesId !== undefined ? await seriesForecast(db, seriesId, runId) : await datasetForecasts(db, datasetId!);
  if (!found.ok) throw new CliError(found.message);
  const forecasts = "forecast" in found ? [found.forecast] : found.forecasts;
  const text = format === "csv" ? forecastsToCsv(forecasts) : `${JSON.stringify(forecastsToJson(forecasts), null, 2)}\n`;
  if (v.out && v.out !== "-") {
    fs.writeFileSync(v.out, text);
    const rows = forecasts.reduce((n, f) => n + f.points.length, 0);
    process.stderr.write(`Wrote ${rows} forecast rows of ${forecasts.length} series to ${v.out}.\n`);
  } else {
    process.stdout.write(text);
  }
  return 0;
}

const command: Command = { summary: "Export stored forecasts as CSV or JSON (as the API does)", usage: USAGE, run };
export default command;
