import fs from "node:fs";
import path from "node:path";
import { db } from "@/lib/db/client";
import { datasetIdByName, getDataset } from "@/lib/datasets/datasets";
import { importCsv } from "@/lib/datasets/upload";
import { jsonOk } from "../../_lib/http";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** Real stock prices shipped by the vega-datasets package: monthly closes of five tickers and the S&P 500. */
const SAMPLES = [
  { file: "stocks.csv", name: "Stock prices (vega-datasets)" },
  { file: "sp500.csv", name: "S&P 500 (vega-datasets)" },
];

/**
 * POST /api/datasets/sample: imports the sample datasets that are not there yet (a dataset of
 * that name is left as it is, never merged into). 201 when something was imported, else 200.
 */
export async function POST(): Promise<Response> {
  const dir = path.join(process.cwd(), "node_modules", "vega-datasets", "data");
  const results = [];
  let created = false;
  for (const { file, name } of SAMPLES) {
    const existing = await datasetIdByName(db(), name);
    if (existing !== null) {
      results.push({ dataset: await getDataset(db(), existing), created: false });
      continue;
    }
    results.push(await importCsv(db(), new Uint8Array(fs.readFileSync(path.join(dir, file))), file, { name }));
    created = true;
  }
  return jsonOk({ datasets: results }, created ? 201 : 200);
}
