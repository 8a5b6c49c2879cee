/**
 * `import <csv> [--name NAME]`: stores a CSV in the database exactly as an upload through the API
 * does (one transaction; a re-import merges by dataset name), then triggers "on new data"
 * schedules. Prints one line per series.
 */
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { CliError, type Command } from "./command";
import { openDatabase } from "./database";

const USAGE = `Usage: npm run cli -- import <csv> [--name NAME]

Imports a CSV (long, wide or stock OHLCV) into the database named by DATABASE_URL
(default data/tidecast.db). Importing under an existing dataset name appends new points and
updates changed ones.

Options:
  --name NAME   dataset name (default: the file name without extension)
`;

async function run(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args, allowPositionals: true, options: { name: { type: "string" } } });
  } catch (err) {
    throw new CliError(`${(err as Error).message}\n\n${USAGE}`);
  }
  const [file, ...extra] = parsed.positionals;
  if (!file || extra.length > 0) throw new CliError(`Give exactly one CSV file.\n\n${USAGE}`);
  if (!fs.existsSync(file)) throw new CliError(`No such file: ${file}`);
  const db = await openDatabase();
  const { importCsv, changedSeriesIds } = await import("../../lib/datasets/upload");
  const { enqueueRetrainForNewData } = await import("../../lib/schedules/fire");
  const { formatTimestamp } = await import("../../lib/series");
  const outcome = await importCsv(db, new Uint8Array(fs.readFileSync(file)), path.basename(file), parsed.values.name);
  const retraining = await enqueueRetrainForNewData(db, changedSeriesIds(outcome));
  const out = process.stdout;
  out.write(`${outcome.created ? "Imported" : "Merged into"} dataset "${outcome.dataset.name}" (id ${outcome.dataset.id}, ${outcome.dataset.format}, ${outcome.dataset.rowCount} rows)\n`);
  for (const w of outcome.warnings) process.stderr.write(`warning: ${w}\n`);
  for (const s of outcome.series) {
    const span = s.firstTs === null || s.lastTs === null ? "" : ` ${formatTimestamp(s.firstTs)} … ${formatTimestamp(s.lastTs)}`;
    out.write(`  series ${s.id}  ${s.name}: ${s.pointCount} points (${s.inserted} new, ${s.updated} updated), ${s.frequency}, ${s.gapCount} gaps${span}\n`);
  }
  if (retraining.length > 0) out.write(`Queued ${retraining.length} retraining run(s) for "on new data" schedules.\n`);
  return 0;
}

const command: Command = { summary: "Import a CSV into the database (as an upload does)", usage: USAGE, run };
export default command;
