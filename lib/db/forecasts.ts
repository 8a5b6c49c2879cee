import { prisma } from "./client";
import type { ExportForecast } from "../export/forecast";

/**
 * Reads stored forecasts for the series page and the export routes. A series' "current" forecast
 * is the one it points at (`Series.currentForecastId`, set when a run succeeds or a user makes a
 * run current); a series that points at none falls back to its newest forecast.
 */
export type ForecastLookup =
  | { ok: true; forecast: ExportForecast }
  | { ok: false; status: 404; code: "SERIES_NOT_FOUND" | "RUN_NOT_FOUND" | "NO_FORECAST"; message: string; details: Record<string, unknown> };

const forecastInclude = { points: { orderBy: { step: "asc" as const } } };

type ForecastWithPoints = {
  id: number;
  seriesId: number;
  runId: number | null;
  model: string;
  createdAt: Date;
  points: { step: number; ts: bigint; value: number; lo80: number | null; hi80: number | null; lo95: number | null; hi95: number | null }[];
};

function toExport(f: ForecastWithPoints, seriesName: string): ExportForecast {
  return {
    seriesId: f.seriesId,
    series: seriesName,
    forecastId: f.id,
    model: f.model,
    runId: f.runId,
    createdAt: f.createdAt.getTime(),
    points: f.points.map((p) => ({ step: p.step, ts: Number(p.ts), value: p.value, lo80: p.lo80, hi80: p.hi80, lo95: p.lo95, hi95: p.hi95 })),
  };
}

async function currentOf(series: { id: number; currentForecastId: number | null }): Promise<ForecastWithPoints | null> {
  if (series.currentForecastId !== null) {
    const f = await prisma().forecast.findFirst({ where: { id: series.currentForecastId, seriesId: series.id }, include: forecastInclude });
    if (f) return f;
  }
  return prisma().forecast.findFirst({ where: { seriesId: series.id }, orderBy: [{ createdAt: "desc" }, { id: "desc" }], include: forecastInclude });
}

/** The current forecast of a series, or the forecast of one of its runs. */
export async function seriesForecast(seriesId: number, runId?: number): Promise<ForecastLookup> {
  const series = await prisma().series.findUnique({ where: { id: seriesId }, select: { id: true, name: true, currentForecastId: true } });
  if (!series) return { ok: false, status: 404, code: "SERIES_NOT_FOUND", message: `Series ${seriesId} does not exist.`, details: { id: seriesId } };
  if (runId !== undefined) {
    const run = await prisma().run.findFirst({ where: { id: runId, seriesId }, select: { id: true, status: true } });
    if (!run) {
      return { ok: false, status: 404, code: "RUN_NOT_FOUND", message: `Run ${runId} does not exist for series ${seriesId}.`, details: { id: seriesId, run: runId } };
    }
    const f = await prisma().forecast.findFirst({ where: { runId, seriesId }, orderBy: [{ createdAt: "desc" }, { id: "desc" }], include: forecastInclude });
    if (!f) {
      return {
        ok: false,
        status: 404,
        code: "NO_FORECAST",
        message: `Run ${runId} has no forecast (its status is ${run.status}).`,
        details: { id: seriesId, run: runId, status: run.status },
      };
    }
    return { ok: true, forecast: toExport(f, series.name) };
  }
  const f = await currentOf(series);
  if (!f) {
    return {
      ok: false,
      status: 404,
      code: "NO_FORECAST",
      message: `Series ${seriesId} has no forecast yet: train a model first.`,
      details: { id: seriesId },
    };
  }
  return { ok: true, forecast: toExport(f, series.name) };
}

export type DatasetForecasts =
  | { ok: true; dataset: { id: number; name: string }; forecasts: ExportForecast[]; withoutForecast: string[] }
  | { ok: false; status: 404; code: "DATASET_NOT_FOUND" | "NO_FORECAST"; message: string; details: Record<string, unknown> };

/** The current forecast of every series of a dataset (series by name); series without one are listed apart. */
export async function datasetForecasts(datasetId: number): Promise<DatasetForecasts> {
  const dataset = await prisma().dataset.findUnique({
    where: { id: datasetId },
    select: { id: true, name: true, series: { select: { id: true, name: true, currentForecastId: true }, orderBy: { name: "asc" } } },
  });
  if (!dataset) return { ok: false, status: 404, code: "DATASET_NOT_FOUND", message: `Dataset ${datasetId} does not exist.`, details: { id: datasetId } };
  const forecasts: ExportForecast[] = [];
  const withoutForecast: string[] = [];
  for (const s of dataset.series) {
    const f = await currentOf(s);
    if (f) forecasts.push(toExport(f, s.name));
    else withoutForecast.push(s.name);
  }
  if (forecasts.length === 0) {
    return {
      ok: false,
      status: 404,
      code: "NO_FORECAST",
      message: `No series of dataset "${dataset.name}" has a forecast yet: train a model first.`,
      details: { id: datasetId },
    };
  }
  return { ok: true, dataset: { id: dataset.id, name: dataset.name }, forecasts, withoutForecast };
}
