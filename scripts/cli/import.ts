/**
 * `import <csv> [--name NAME] [--append] [--dry-run]`: stores a CSV in the database exactly as an
 * upload through the API does (parse, then one transaction that stores the points and queues
 * the "on new data" schedules' runs). Prints one line per series.
 */
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { CliError, type Command } from "./command";
import { openDatabase } from "./database";

const USAGE = `Usage: npm run cli -- import <csv> [--name NAME] [--append] [--dry-run]

Imports a CSV (long, wide or stock OHLCV) into the database named by DATABASE_URL
(default data/tidecast.db) as a new dataset. When a dataset already has the name, the new one
is called "NAME (2)" (and so on): nothing is merged unless you ask with --append.

Options:
  --name NAME   dataset name (default: the file name without extension)
  --append      add the file's points to the existing dataset NAME (needs --name): new
                timestamps are added, changed values updated, nothing duplicated
  --dry-run     show what the import would add and change, store nothing
`;

async function run(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args, allowPositionals: true, options: { name: { type: "string" }, append: { type: "boolean" }, "dry-run": { type: "boolean" } } });
  } catch (err) {
    throw new CliError(`${(err as Error).message}\n\n${USAGE}`);
  }
  const [file, ...extra] = parsed.positionals;
  if (!file || extra.length > 0) throw new CliError(`Give exactly one CSV file.\n\n${USAGE}`);
  if (!fs.existsSync(file)) throw new CliError(`No such file: ${file}`);
  const name = parsed.values.name?.trim() || undefined;
  if (parsed.values.append && !name) throw new CliError(`--append needs --name: the dataset to add the points to.\n\n${USAGE}`);
  const db = await openDatabase();
  const { importUpload } = await import("../../lib/imports/import");
  const { refusalOf } = await import("../../lib/datasets/upload");
  const { formatTimestamp } = await import("../../lib/series");
  const dryRun = parsed.values["dry-run"] === true;
  let result;
  try {
    result = await importUpload(db, new Uint8Array(fs.readFileSync(file)), { fileName: path.basename(file), name, mode: parsed.values.append ? "append" : "new", dryRun });
  } catch (err) {
    const refusal = refusalOf(err);
    if (refusal) throw new CliError(refusal.message);
    throw err;
  }
  const out = process.stdout;
  const verb = dryRun ? (result.created ? "Would import" : "Would append to") : result.created ? "Imported" : "Appended to";
  out.write(`${verb} dataset "${result.dataset.name}" (${dryRun ? "" : `id ${result.dataset.id}, `}${result.dataset.format}, ${result.dataset.rowCount} rows)\n`);
  for (const w of result.warnings) process.stderr.write(`warning: ${w}\n`);
  for (const s of result.series) {
    const span = s.firstTs === null || s.lastTs === null ? "" : ` ${formatTimestamp(s.firstTs)} … ${formatTimestamp(s.lastTs)}`;
    out.write(`  ${dryRun ? "" : `series ${s.id}  `}${s.name}: ${s.pointCount} points (${s.inserted} new, ${s.updated} changed), ${s.frequency}, ${s.gapCount} gaps${span}\n`);
  }
  if (dryRun) out.write("Dry run: nothing was stored.\n");
  if (result.retraining.length > 0) out.write(`Queued ${result.retraining.length} retraining run(s) for "on new data" schedules.\n`);
  return 0;
}

const command: Command = { summary: "Import a CSV into the database (as an upload does)", usage: USAGE, run };
export default command;
