import type { Db } from "../db/types";
import type { PointColumns } from "../datasets/points";
import type { ForecastDate } from "../accuracy/sequence";
import { promisedOf } from "../runs/metrics";
import { seriesPromotions } from "../runs/promotions";

/**
 * What scoring reads about a series' forecasts, in a fixed handful of queries whatever their
 * number: the forecasts with their stored score (for the promise, read from the run once), their
 * points, and the promotion decisions.
 */
export interface LoadedForecast {
  forecastId: number;
  runId: number | null;
  horizon: number;
  createdAt: Date;
  points: ForecastDate[];
  promised: { mase: number | null; smape: number | null; coverage80: number | null; coverage95: number | null };
}

interface ForecastRow {
  id: number;
  runId: number | null;
  horizon: number;
  createdAt: Date;
  scored: number | null;
  promisedMase: number | null;
  promisedSmape: number | null;
  promisedCoverage80: number | null;
  promisedCoverage95: number | null;
  runMetrics: string | null;
}

export async function loadForecasts(db: Db, seriesId: number): Promise<LoadedForecast[]> {
  // The run's metrics JSON (large: it holds the backtest) is read only for forecasts not scored yet.
  const rows = await db.all<ForecastRow>(
    `SELECT f."id", f."runId", f."horizon", f."createdAt", fs."forecastId" AS "scored",
            fs."promisedMase", fs."promisedSmape", fs."promisedCoverage80", fs."promisedCoverage95",
            CASE WHEN fs."forecastId" IS NULL THEN r."metrics" ELSE NULL END AS "runMetrics"
       FROM "Forecast" f
       LEFT JOIN "ForecastScore" fs ON fs."forecastId" = f."id"
       LEFT JOIN "Run" r ON r."id" = f."runId"
      WHERE f."seriesId" = ? ORDER BY f."id"`,
    [seriesId],
  );
  const points = (await db.values(
    `SELECT fp."forecastId", fp."ts", fp."value", fp."lo80", fp."hi80", fp."lo95", fp."hi95"
       FROM "ForecastPoint" fp JOIN "Forecast" f ON f."id" = fp."forecastId"
      WHERE f."seriesId" = ? ORDER BY fp."forecastId", fp."step"`,
    [seriesId],
  )) as [number, number, number, number | null, number | null, number | null, number | null][];
  const byForecast = new Map<number, ForecastDate[]>();
  for (const [forecastId, ts, value, lo80, hi80, lo95, hi95] of points) {
    let list = byForecast.get(forecastId);
    if (!list) byForecast.set(forecastId, (list = []));
    list.push({ ts, value, lo80, hi80, lo95, hi95 });
  }
  return rows.map((r) => ({
    forecastId: r.id,
    runId: r.runId,
    horizon: r.horizon,
    createdAt: r.createdAt,
    points: byForecast.get(r.id) ?? [],
    promised:
      r.scored === null
        ? promisedOf(r.runMetrics)
        : { mase: r.promisedMase, smape: r.promisedSmape, coverage80: r.promisedCoverage80, coverage95: r.promisedCoverage95 },
  }));
}

/**
 * The runs whose forecasts were served: promoted or made current by hand at some point, or never
 * decided about (forecasts from before promotion decisions existed were always made current).
 * Runs only ever kept as candidates were not. Also when each served run became current last.
 */
export async function servedRuns(db: Db, seriesId: number): Promise<{ kept: Set<number>; promotedAt: Map<number, Date> }> {
  const kept = new Set<number>();
  const promotedAt = new Map<number, Date>();
  for (const p of await seriesPromotions(db, seriesId)) {
    if (p.decision === "kept") kept.add(p.runId);
    else if (!promotedAt.has(p.runId)) promotedAt.set(p.runId, p.createdAt); // newest first
  }
  for (const runId of promotedAt.keys()) kept.delete(runId);
  return { kept, promotedAt };
}

/** Index of the first timestamp >= ts (points are in time order). */
export function lowerBound(timestamps: Float64Array, ts: number): number {
  let lo = 0;
  let hi = timestamps.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (timestamps[mid] < ts) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The actual value at a date (NaN when there is none, or it is missing). */
export function actualLookup(points: PointColumns): (ts: number) => number {
  return (ts) => {
    const i = lowerBound(points.timestamps, ts);
    return i < points.timestamps.length && points.timestamps[i] === ts ? points.values[i] : Number.NaN;
  };
}

/** The index of the last observed value before `ts` (the origin of a forecast starting at ts), or -1. */
export function originIndex(points: PointColumns, firstTs: number): number {
  let i = lowerBound(points.timestamps, firstTs) - 1;
  while (i >= 0 && !Number.isFinite(points.values[i])) i--;
  return i;
}
