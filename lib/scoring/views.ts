import type { Db } from "../db/types";
import { NO_ACCURACY, type Accuracy } from "../accuracy/metrics";
import { promiseSentence } from "../accuracy/promise";
import type { RollingAccuracy } from "../accuracy/rolling";
import type { ForecastDate } from "../accuracy/sequence";
import { DEFAULT_RULES } from "../accuracy/rules";

/**
 * Reads of the stored scores: GET /api/series/{id}/accuracy and the forecast-versus-actual chart.
 */
/** An item of GET /api/series/{id}/accuracy's `forecasts`: the forecast and its realised accuracy. */
export type ForecastAccuracyView = {
  forecastId: number;
  runId: number | null;
  /** The last observed date before the forecast (ms since the epoch, like every `ts`). */
  origin: number | null;
} & Accuracy; // `points` = forecast dates with an actual value (0 until one arrives)

export interface SeriesAccuracyView {
  forecasts: ForecastAccuracyView[];
  rolling: RollingAccuracy;
}

/** Before anything was scored. */
export function emptyRolling(window = DEFAULT_RULES.window): RollingAccuracy {
  return {
    window,
    last: { ...NO_ACCURACY, from: null, to: null },
    sincePromotion: null,
    promised: null,
    realisedVsPromised: null,
    summary: promiseSentence(null),
    outsideStreak: 0,
    coverageLowSince: null,
    status: "unscored",
  };
}

// A forecast never scored yet (stored before scoring existed) still has an origin: the last
// observed date before its first date.
const ORIGIN = `COALESCE(fs."originTs", (SELECT MAX(p."ts") FROM "Point" p WHERE p."seriesId" = f."seriesId" AND p."value" IS NOT NULL
   AND p."ts" < (SELECT MIN(fp."ts") FROM "ForecastPoint" fp WHERE fp."forecastId" = f."id")))`;

/** Every stored forecast of the series with its realised accuracy (newest first), and the rolling score. Null: no such series. */
export async function seriesAccuracy(db: Db, seriesId: number): Promise<SeriesAccuracyView | null> {
  const series = await db.get<{ id: number; rolling: string | null }>(
    `SELECT s."id", ss."rolling" FROM "Series" s LEFT JOIN "SeriesScore" ss ON ss."seriesId" = s."id" WHERE s."id" = ?`,
    [seriesId],
  );
  if (!series) return null;
  const forecasts = await db.all<ForecastAccuracyView>(
    `SELECT f."id" AS "forecastId", f."runId", ${ORIGIN} AS "origin", COALESCE(fs."points", 0) AS "points",
            fs."mae", fs."rmse", fs."smape", fs."mase", fs."coverage80", fs."coverage95", fs."bias"
       FROM "Forecast" f LEFT JOIN "ForecastScore" fs ON fs."forecastId" = f."id"
      WHERE f."seriesId" = ? ORDER BY f."id" DESC`,
    [seriesId],
  );
  return { forecasts, rolling: series.rolling ? (JSON.parse(series.rolling) as RollingAccuracy) : emptyRolling() };
}

/** A stored forecast with its dates, for drawing it over the actual values. */
export interface PastForecastView {
  forecastId: number;
  runId: number | null;
  model: string;
  origin: number | null;
  createdAt: string;
  isCurrent: boolean;
  /** Put in service (current at some point), as opposed to a candidate kept aside. */
  served: boolean;
  points: number;
  mase: number | null;
  promisedMase: number | null;
  coverage95: number | null;
  dates: ForecastDate[];
}

/** The newest `limit` forecasts of the series with their dates (newest first), in two queries. */
export async function pastForecasts(db: Db, seriesId: number, limit = 8): Promise<PastForecastView[]> {
  const rows = await db.all<Omit<PastForecastView, "createdAt" | "isCurrent" | "served" | "dates"> & { createdAt: Date; isCurrent: number | boolean; served: number | boolean | null }>(
    `SELECT f."id" AS "forecastId", f."runId", f."model", ${ORIGIN} AS "origin", f."createdAt",
            CASE WHEN s."currentForecastId" = f."id" THEN 1 ELSE 0 END AS "isCurrent", fs."served",
            COALESCE(fs."points", 0) AS "points", fs."mase", fs."promisedMase", fs."coverage95"
       FROM "Forecast" f JOIN "Series" s ON s."id" = f."seriesId" LEFT JOIN "ForecastScore" fs ON fs."forecastId" = f."id"
      WHERE f."seriesId" = ? ORDER BY f."id" DESC LIMIT ?`,
    [seriesId, Math.min(Math.max(Math.floor(limit) || 8, 1), 50)],
  );
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.forecastId);
  const points = (await db.values(
    `SELECT "forecastId", "ts", "value", "lo80", "hi80", "lo95", "hi95" FROM "ForecastPoint" WHERE "forecastId" IN (${ids.map(() => "?").join(", ")}) ORDER BY "forecastId", "step"`,
    ids,
  )) as [number, number, number, number | null, number | null, number | null, number | null][];
  const dates = new Map<number, ForecastDate[]>(ids.map((id) => [id, []]));
  for (const [id, ts, value, lo80, hi80, lo95, hi95] of points) dates.get(id)!.push({ ts, value, lo80, hi80, lo95, hi95 });
  return rows.map((r) => ({
    ...r,
    createdAt: r.createdAt.toISOString(),
    isCurrent: r.isCurrent === true || r.isCurrent === 1,
    served: r.served === null ? true : r.served === true || r.served === 1,
    dates: dates.get(r.forecastId)!,
  }));
}
