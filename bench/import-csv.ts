import fs from "node:fs";

/**
 * The import benchmarks' file: `n` minutes of a timestamp and three numeric columns (temperature,
 * pressure, load), written in chunks so generating it does not inflate the measured process.
 */
export function writeBenchCsv(file: string, n: number): void {
  const fd = fs.openSync(file, "w");
  fs.writeSync(fd, "timestamp,temperature,pressure,load\n");
  const start = Date.UTC(2000, 0, 1);
  let chunk: string[] = [];
  for (let i = 0; i < n; i++) {
    const ts = new Date(start + i * 60_000).toISOString().slice(0, 16).replace("T", " ");
    const t = 20 + 5 * Math.sin(i / 1440) + ((i * 7919) % 100) / 100;
    const p = 1013 + ((i * 104729) % 2000) / 100;
    const l = 50 + 30 * Math.sin(i / 60);
    chunk.push(`${ts},${t.toFixed(2)},${p.toFixed(2)},${l.toFixed(3)}`);
    if (chunk.length === 50_000 || i === n - 1) {
      fs.writeSync(fd, chunk.join("\n") + "\n");
      chunk = [];
    }
  }
  fs.closeSync(fd);
}
