/**
 * `npm run bench:import`: imports a generated 1,000,000-row CSV (date + 3 numeric columns) into a
 * fresh database through the same path as the upload API (parse, validate, store in one
 * transaction) and prints the time and peak memory. Targets on 2 cores: SQLite ≤ 10 s and
 * ≤ 500 MB; PostgreSQL ≤ 20 s.
 * Options: --rows N (default 1000000), --database sqlite|postgresql (default sqlite; postgresql
 * starts a throwaway local cluster with durable settings, or uses --url postgresql://… to an
 * existing, empty database), --json.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { applyMigrations } from "../lib/db/migrate";
import { startPostgres } from "../scripts/postgres-server";
import { writeBenchCsv } from "./import-csv";

const argv = process.argv.slice(2);
const option = (name: string) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined);
const rows = Number(option("--rows") ?? 0) || 1_000_000;
const database = option("--database") ?? (option("--url") ? "postgresql" : "sqlite");
const asJson = argv.includes("--json");

/** Runs in a fresh child process: read the file as an upload would, import it, report figures. */
async function measure(csvFile: string, url: string): Promise<void> {
  process.env.DATABASE_URL = url;
  process.env.TIDECAST_MAX_UPLOAD_MB = "1024";
  const { importCsv } = await import("../lib/datasets/upload");
  const { db, closeDb } = await import("../lib/db/client");
  const rssBefore = process.memoryUsage().rss;
  const t0 = performance.now();
  const csv = new Uint8Array(fs.readFileSync(csvFile));
  const result = await importCsv(db(), csv, "bench.csv");
  const seconds = (performance.now() - t0) / 1000;
  const dbBytes = url.startsWith("file:") ? fileBytes(url.slice(5)) : await postgresBytes();
  await closeDb();
  const points = result.series.reduce((n, s) => n + s.pointCount, 0);
  process.stdout.write(
    JSON.stringify({
      bench: "import",
      database: url.startsWith("file:") ? "sqlite" : "postgresql",
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

const fileBytes = (file: string) => fs.statSync(file).size + (fs.existsSync(`${file}-wal`) ? fs.statSync(`${file}-wal`).size : 0);

async function postgresBytes(): Promise<number> {
  const { db } = await import("../lib/db/client");
  return (await db().get<{ n: number }>(`SELECT pg_database_size(current_database()) AS "n"`))!.n;
}

async function main(): Promise<void> {
  if (argv.includes("--child")) return measure(option("--csv")!, option("--db")!);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tidecast-bench-"));
  const server = database === "postgresql" && !option("--url") ? await startPostgres({ unsafeFast: false }) : null;
  let child;
  try {
    const url = option("--url") ?? (server ? server.url : `file:${path.join(dir, "bench.db")}`);
    await applyMigrations(url);
    const csvFile = path.join(dir, "bench.csv");
    writeBenchCsv(csvFile, rows);
    child = spawnSync(process.execPath, [...process.execArgv, import.meta.filename, "--child", "--rows", String(rows), "--csv", csvFile, "--db", url], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"],
    });
  } finally {
    server?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  if (child.status !== 0) throw new Error(`the import child failed (exit ${child.status})`);
  const figures = JSON.parse(child.stdout.trim().split("\n").pop()!) as Record<string, number>;
  if (asJson) {
    console.log(JSON.stringify(figures));
    return;
  }
  console.log(`Import of ${rows.toLocaleString("en-US")} rows into ${database} (${figures.csvMB} MB CSV, ${figures.series} series, ${figures.points.toLocaleString("en-US")} points)`);
  console.log(`  time        ${figures.seconds} s  (${figures.rowsPerSec.toLocaleString("en-US")} rows/s; target ≤ ${database === "postgresql" ? 20 : 10} s)`);
  console.log(`  peak RSS    ${figures.peakRssMB} MB  (the whole importing process, from a ${figures.startRssMB} MB start; target ≤ 500 MB)`);
  console.log(`  database    ${figures.dbMB} MB`);
}

void main();
