import { prismaFor } from "../db/client";
import type { PrismaClient } from "../db/prisma";
import type { Db } from "../db/types";
import type { ExportForecast } from "../export/forecast";
import { getRunRow } from "./types";

/**
 * Stored forecasts: a run writes one (result.ts); these read them for the runs API, the series
 * page and the exports. A series' "current" forecast is the one it points at
 * (`Series.currentForecastId`, set when a run succeeds or a user makes a run current); a series
 * that points at none falls back to its newest forecast.
 */
export interface ForecastView {
  id: number;
  seriesId: number;
  runId: number | null;
  model: string;
  horizon: number;
  levels: number[];
  createdAt: string;
  isCurrent: boolean;
  points: { step: number; ts: number; value: number; lo80: number | null; hi80: number | null; lo95: number | null; hi95: number | null }[];
}

/** The forecast a run made (null while it has none). */
export async function getRunForecast(db: Db, runId: number): Promise<ForecastView | null> {
  const f = await db.get<{ id: number; seriesId: number; runId: number | null; model: string; horizon: number; levels: string; createdAt: Date; currentForecastId: number | null }>(
    `SELECT f."id", f."seriesId", f."runId", f."model", f."horizon", f."levels", f."createdAt", s."currentForecastId"
       FROM "Forecast" f JOIN "Series" s ON s."id" = f."seriesId"
      WHERE f."runId" = ? ORDER BY f."id" DESC LIMIT 1`,
    [runId],
  );
  if (!f) return null;
  const points = await db.all<ForecastView["points"][number]>(
    `SELECT "step", "ts", "value", "lo80", "hi80", "lo95", "hi95" FROM "ForecastPoint" WHERE "forecastId" = ? ORDER BY "step"`,
    [f.id],
  );
  const { currentForecastId, ...rest } = f;
  return { ...rest, createdAt: f.createdAt.toISOString(), levels: JSON.parse(f.levels) as number[], isCurrent: currentForecastId === f.id, points };
}

export type MakeCurrentResult = { kind: "ok"; forecastId: number; seriesId: number } | { kind: "no-run" } | { kind: "no-forecast"; status: string };

/** Points the series at this run's forecast (an older run's forecast can be made current again). */
export async function makeRunCurrent(db: Db, runId: number, now: Date = new Date()): Promise<MakeCurrentResult> {
  return db.transaction(async (tx): Promise<MakeCurrentResult> => {
    const run = await getRunRow(tx, runId);
    if (!run) return { kind: "no-run" };
    const f = await tx.get<{ id: number }>(`SELECT MAX("id") AS "id" FROM "Forecast" WHERE "runId" = ?`, [runId]);
    if (!f || f.id === null) return { kind: "no-forecast", status: run.status };
    await tx.run(`UPDATE "Series" SET "currentForecastId" = ?, "updatedAt" = ? WHERE "id" = ?`, [f.id, now, run.seriesId]);
    return { kind: "ok", forecastId: f.id, seriesId: run.seriesId };
  });
}

export type ForecastLookup =
  | { ok: true; forecast: ExportForecast }
  | { ok: false; status: 404; code: "SERIES_NOT_FOUND" | "RUN_NOT_FOUND" | "NO_FORECAST"; message: string; details: Record<string, unknown> };

const forecastInclude = { points: { orderBy: { step: "asc" as const } } };
const newestFirst = [{ createdAt: "desc" as const }, { id: "desc" as const }];

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

async function currentOf(client: PrismaClient, series: { id: number; currentForecastId: number | null }): Promise<ForecastWithPoints | null> {
  if (series.currentForecastId !== null) {
    const f = await client.forecast.findFirst({ where: { id: series.currentForecastId, seriesId: series.id }, include: forecastInclude });
    if (f) return f;
  }
  return client.forecast.findFirst({ where: { seriesId: series.id }, orderBy: newestFirst, include: forecastInclude });
}

/** The current forecast of a series, or the forecast of one of its runs (the export API and the series page). */
export async function seriesForecast(db: Db, seriesId: number, runId?: number): Promise<ForecastLookup> {
  const client = await prismaFor(db);
  const series = await client.series.findUnique({ where: { id: seriesId }, select: { id: true, name: true, currentForecastId: true } });
  if (!series) return { ok: false, status: 404, code: "SERIES_NOT_FOUND", message: `Series ${seriesId} does not exist.`, details: { id: seriesId } };
  if (runId !== undefined) {
    const run = await client.run.findFirst({ where: { id: runId, seriesId }, select: { id: true, status: true } });
    if (!run) {
      return { ok: false, status: 404, code: "RUN_NOT_FOUND", message: `Run ${runId} does not exist for series ${seriesId}.`, details: { id: seriesId, run: runId } };
    }
    const f = await client.forecast.findFirst({ where: { runId, seriesId }, orderBy: newestFirst, include: forecastInclude });
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
  const f = await currentOf(client, series);
  if (!f) {
    return { ok: false, status: 404, code: "NO_FORECAST", message: `Series ${seriesId} has no forecast yet: train a model first.`, details: { id: seriesId } };
  }
  return { ok: true, forecast: toExport(f, series.name) };
}

export type DatasetForecasts =
  | { ok: true; dataset: { id: number; name: string }; forecasts: ExportForecast[]; withoutForecast: string[] }
  | { ok: false; status: 404; code: "DATASET_NOT_FOUND" | "NO_FORECAST"; message: string; details: Record<string, unknown> };

/** The current forecast of every series of a dataset (series by name); series without one are listed apart. */
export async function datasetForecasts(db: Db, datasetId: number): Promise<DatasetForecasts> {
  const client = await prismaFor(db);
  const dataset = await client.dataset.findUnique({
    where: { id: datasetId },
    select: { id: true, name: true, series: { select: { id: true, name: true, currentForecastId: true }, orderBy: { name: "asc" } } },
  });
  if (!dataset) return { ok: false, status: 404, code: "DATASET_NOT_FOUND", message: `Dataset ${datasetId} does not exist.`, details: { id: datasetId } };
  const forecasts: ExportForecast[] = [];
  const withoutForecast: string[] = [];
  for (const s of dataset.series) {
    const f = await currentOf(client, s);
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
