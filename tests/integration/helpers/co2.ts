import fs from "node:fs";
import path from "node:path";
import { POST as uploadRoute } from "../../../app/api/datasets/route";
import type { IngestOutcome } from "../../../lib/ingest/ingest";

/**
 * A real series for the scoring tests: the monthly CO2 concentration at Mauna Loa (ppm, from the
 * vega-datasets package), from 2008 on, as [epoch ms, value] rows; uploaded as a two-column CSV
 * through the real upload route, in parts.
 */
const FILE = path.resolve(import.meta.dirname, "../../../node_modules/vega-datasets/data/co2-concentration.csv");

export type Row = [ts: number, value: number];

export function co2Rows(from = "2008-01-01"): Row[] {
  const lines = fs.readFileSync(FILE, "utf8").trim().split("\n").slice(1);
  return lines
    .map((line) => line.split(","))
    .filter(([date]) => date >= from)
    .map(([date, co2]) => [Date.parse(`${date}T00:00:00Z`), Number(co2)] as Row);
}

export function csvOf(rows: Row[], column = "co2"): string {
  return `date,${column}\n${rows.map(([ts, v]) => `${new Date(ts).toISOString().slice(0, 10)},${v}`).join("\n")}\n`;
}

/** POST /api/datasets with the rows as a CSV file, under one dataset name (a re-upload merges). */
export async function upload(rows: Row[], name = "co2", column = "co2"): Promise<IngestOutcome> {
  const form = new FormData();
  form.append("file", new File([csvOf(rows, column)], `${name}.csv`, { type: "text/csv" }));
  form.append("name", name);
  const res = await uploadRoute(new Request("http://localhost/api/datasets", { method: "POST", body: form }));
  if (res.status !== 201) throw new Error(`upload: ${res.status} ${await res.text()}`);
  return (await res.json()) as IngestOutcome;
}
