import { exportFileName, forecastsToCsv, forecastsToJson, type ExportForecast } from "@/lib/export/forecast";
import { jsonError, jsonOk, parseId } from "./http";
import { db } from "@/lib/db/client";
import { datasetForecasts, seriesForecast } from "@/lib/runs/forecasts";

/**
 * The export route handlers' shared body: GET /api/series/{id}/forecast.(csv|json)[?run=N] and
 * GET /api/datasets/{id}/forecast.(csv|json). Errors are the API's JSON errors (400 bad id or
 * query, 404 unknown series/dataset/run or nothing to export yet).
 */
export type ExportFormat = "csv" | "json";

function fileResponse(forecasts: ExportForecast[], format: ExportFormat, baseName: string, extra: Record<string, unknown> = {}): Response {
  const fileName = exportFileName(baseName, format);
  const headers = {
    "content-disposition": `attachment; filename="${fileName}"`,
    "cache-control": "no-store",
  };
  if (format === "csv") {
    return new Response(forecastsToCsv(forecasts), { headers: { ...headers, "content-type": "text/csv; charset=utf-8" } });
  }
  const res = jsonOk({ ...extra, ...forecastsToJson(forecasts) });
  for (const [k, v] of Object.entries(headers)) res.headers.set(k, v);
  return res;
}

export async function seriesExport(req: Request, rawId: string, format: ExportFormat): Promise<Response> {
  const id = parseId(rawId);
  if (id === null) return jsonError(400, "INVALID_ID", `"${rawId}" is not a series id.`, { id: rawId });
  const url = new URL(req.url);
  const rawRun = url.searchParams.get("run");
  let run: number | undefined;
  if (rawRun !== null && rawRun !== "") {
    const parsed = parseId(rawRun);
    if (parsed === null) return jsonError(400, "INVALID_QUERY", `"run" must be a run id, got "${rawRun}".`, { param: "run", value: rawRun });
    run = parsed;
  }
  const found = await seriesForecast(db(), id, run);
  if (!found.ok) return jsonError(found.status, found.code === "SERIES_NOT_FOUND" ? "NOT_FOUND" : found.code, found.message, found.details);
  const f = found.forecast;
  return fileResponse([f], format, f.runId === null ? f.series : `${f.series}-run-${f.runId}`);
}

export async function datasetExport(req: Request, rawId: string, format: ExportFormat): Promise<Response> {
  const id = parseId(rawId);
  if (id === null) return jsonError(400, "INVALID_ID", `"${rawId}" is not a dataset id.`, { id: rawId });
  if (new URL(req.url).searchParams.has("run")) {
    return jsonError(400, "INVALID_QUERY", `"run" applies to a series export (/api/series/{id}/forecast.${format}), not to a dataset.`, { param: "run" });
  }
  const found = await datasetForecasts(db(), id);
  if (!found.ok) return jsonError(found.status, found.code === "DATASET_NOT_FOUND" ? "NOT_FOUND" : found.code, found.message, found.details);
  return fileResponse(found.forecasts, format, found.dataset.name, format === "json" ? { dataset: found.dataset, withoutForecast: found.withoutForecast } : {});
}
