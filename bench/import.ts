/**
 * `npm run bench:import`: imports a generated 1,000,000-row CSV (date + 3 numeric columns) into a
 * fresh SQLite file through the same path as the upload API (parse, validate, store in one
 * transaction) and prints the time and peak memory. Target: ≤ 10 s and ≤ 500 MB on 2 cores.
 * Options: --rows N (default 1000000), --json.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { applyMigrations } from "../lib/db/migrate";
import { writeBenchCsv } from "./import-csv";

const argv = process.argv.slice(2);
const option = (name: string) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined);
const rows = Number(option("--rows") ?? 0) || 1_000_000;
const asJson = argv.includes("--json");

/** Runs in a fresh child process: read the file as an upload would, import it, report figures. */
async function measure(csvFile: string, dbFile: string): Promise<void> {
  await applyMigrations(`file:${dbFile}`);
  process.env.DATABASE_URL = `file:${dbFile}`;
  process.env.TIDECAST_MAX_UPLOAD_MB = "1024";
  const { importCsv } = await import("../lib/datasets/upload");
  const { db, closeDb } = await import("../lib/db/client");
  const rssBefore = process.memoryUsage().rss;
  const t0 = performance.now();
  const csv = new Uint8Array(fs.readFileSync(csvFile));
  const result = await importCsv(db(), csv, "bench.csv");
  const seconds = (performance.now() - t0) / 1000;
  await closeDb();
  const points = result.series.reduce((n, s) => n + s.pointCount, 0);
  const dbBytes = fs.statSync(dbFile).size + (fs.existsSync(`${dbFile}-wal`) ? fs.statSync(`${dbFile}-wal`).size : 0);
  process.stdout.write(
    JSON.stringify({
      bench: "import",
      rows,
      csvMB: +(csv.byteLength / 1048576).toFixed(1),
      series: result.series.length,
      points,
      seconds: +seconds.toFixed(2),
      rowsPerSec: Math.round(rows / seconds),
      peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
      startRssMB: Math.round(rssBefore / 1048576),
      dbMB: +(dbBytes / 1048576).toFixed(1),
    }) + "\n",
  );
}

async function main(): Promise<void> {
  if (argv.includes("--child")) return measure(option("--csv")!, option("--db")!);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tidecast-bench-"));
  const csvFile = path.join(dir, "bench.csv");
  writeBenchCsv(csvFile, rows);
  const child = spawnSync(process.execPath, [...process.execArgv, import.meta.filename, "--child", "--rows", String(rows), "--csv", csvFile, "--db", path.join(dir, "bench.db")], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  });
  fs.rmSync(dir, { recursive: true, force: true });
  if (child.status !== 0) throw new Error(`the import child failed (exit ${child.status})`);
  const figures = JSON.parse(child.stdout.trim().split("\n").pop()!) as Record<string, number>;
  if (asJson) {
    console.log(JSON.stringify(figures));
    return;
  }
  console.log(`Import of ${rows.toLocaleString("en-US")} rows (${figures.csvMB} MB CSV, ${figures.series} series, ${figures.points.toLocaleString("en-US")} points)`);
  console.log(`  time        ${figures.seconds} s  (${figures.rowsPerSec.toLocaleString("en-US")} rows/s; target ≤ 10 s)`);
  console.log(`  peak RSS    ${figures.peakRssMB} MB  (the whole importing process, from a ${figures.startRssMB} MB start; target ≤ 500 MB)`);
  console.log(`  database    ${figures.dbMB} MB`);
}

void main();
