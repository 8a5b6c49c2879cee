import fs from "node:fs";
import path from "node:path";
import { db } from "@/lib/db/client";
import { importCsv } from "@/lib/datasets/upload";
import { jsonOk } from "../../_lib/http";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** Real stock prices shipped by the vega-datasets package: monthly closes of five tickers and the S&P 500. */
const SAMPLES = [
  { file: "stocks.csv", name: "Stock prices (vega-datasets)" },
  { file: "sp500.csv", name: "S&P 500 (vega-datasets)" },
];

/** POST /api/datasets/sample: imports the sample datasets (idempotent: a second call merges, adds nothing). */
export async function POST(): Promise<Response> {
  const dir = path.join(process.cwd(), "node_modules", "vega-datasets", "data");
  const results = [];
  for (const { file, name } of SAMPLES) results.push(await importCsv(db(), new Uint8Array(fs.readFileSync(path.join(dir, file))), file, name));
  return jsonOk({ datasets: results }, 201);
}
