import fs from "node:fs";
import path from "node:path";
import { POST as uploadRoute } from "../../../app/api/datasets/route";
import type { ImportMode } from "../../../lib/datasets/import";
import type { ImportResult } from "../../../lib/imports/import";

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

/**
 * POST /api/datasets with the rows as a CSV file under one dataset name: by default appended to
 * the dataset of that name (200), with mode "new" a dataset of its own (201).
 */
export async function upload(rows: Row[], name = "co2", column = "co2", mode: ImportMode = "append"): Promise<ImportResult> {
  const form = new FormData();
  form.append("file", new File([csvOf(rows, column)], `${name}.csv`, { type: "text/csv" }));
  form.append("name", name);
  form.append("mode", mode);
  const res = await uploadRoute(new Request("http://localhost/api/datasets", { method: "POST", body: form }));
  if (res.status !== (mode === "new" ? 201 : 200)) throw new Error(`upload: ${res.status} ${await res.text()}`);
  return (await res.json()) as ImportResult;
}
