/**
 * `npm run bench:import`: imports a generated 1,000,000-row CSV (date + 3 numeric columns) into a
 * fresh SQLite file through the same path as the upload API (parse, validate, store in one
 * transaction) and prints the time and peak memory. Target: ≤ 10 s and ≤ 500 MB on 2 cores.
 * Options: --rows N (default 1000000), --json.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { applyMigrationsTo } from "../lib/db/migrate";

const argv = process.argv.slice(2);
const rows = Number(argv[argv.indexOf("--rows") + 1] || 0) || 1_000_000;
const asJson = argv.includes("--json");

function generateCsv(n: number): Uint8Array {
  const lines: string[] = ["timestamp,temperature,pressure,load"];
  const start = Date.UTC(2000, 0, 1);
  for (let i = 0; i < n; i++) {
    const ts = new Date(start + i * 60_000).toISOString().slice(0, 16).replace("T", " ");
    const t = 20 + 5 * Math.sin(i / 1440) + ((i * 7919) % 100) / 100;
    const p = 1013 + ((i * 104729) % 2000) / 100;
    const l = 50 + 30 * Math.sin(i / 60);
    lines.push(`${ts},${t.toFixed(2)},${p.toFixed(2)},${l.toFixed(3)}`);
  }
  return new TextEncoder().encode(lines.join("\n") + "\n");
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tidecast-bench-"));
  const file = path.join(dir, "bench.db");
  applyMigrationsTo(file);
  process.env.DATABASE_URL = `file:${file}`;
  process.env.TIDECAST_MAX_UPLOAD_MB = "1024";
  const { importCsv } = await import("../lib/db/upload");
  const { closeDb } = await import("../lib/db/client");

  const csv = generateCsv(rows);
  global.gc?.();
  const rssBefore = process.memoryUsage().rss;
  let peak = rssBefore;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  const t0 = performance.now();
  const result = importCsv(csv, "bench.csv");
  const seconds = (performance.now() - t0) / 1000;
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss, process.resourceUsage().maxRSS * 1024);
  const points = result.series.reduce((n, s) => n + s.pointCount, 0);
  await closeDb();
  const dbBytes = fs.statSync(file).size + (fs.existsSync(`${file}-wal`) ? fs.statSync(`${file}-wal`).size : 0);
  fs.rmSync(dir, { recursive: true, force: true });

  const figures = {
    bench: "import",
    rows,
    csvMB: +(csv.byteLength / 1048576).toFixed(1),
    series: result.series.length,
    points,
    seconds: +seconds.toFixed(2),
    rowsPerSec: Math.round(rows / seconds),
    peakRssMB: Math.round(peak / 1048576),
    baselineRssMB: Math.round(rssBefore / 1048576),
    dbMB: +(dbBytes / 1048576).toFixed(1),
  };
  if (asJson) {
    console.log(JSON.stringify(figures));
  } else {
    console.log(`Import of ${rows.toLocaleString("en-US")} rows (${figures.csvMB} MB CSV, ${figures.series} series, ${points.toLocaleString("en-US")} points)`);
    console.log(`  time        ${figures.seconds} s  (${figures.rowsPerSec.toLocaleString("en-US")} rows/s; target ≤ 10 s)`);
    console.log(`  peak RSS    ${figures.peakRssMB} MB  (process, including the ${figures.csvMB} MB input; target ≤ 500 MB)`);
    console.log(`  database    ${figures.dbMB} MB`);
  }
}

void main();
