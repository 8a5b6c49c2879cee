import type { Db } from "../db/types";
import { readPoints, seriesMeta } from "../datasets/points";
import { SEASON_LENGTH, FREQUENCIES, type Frequency } from "../series/frequency";
import type { Accuracy } from "../accuracy/metrics";
import { prefixScales } from "../accuracy/scale";
import { rollingAccuracy, type CurrentForecast, type RollingAccuracy, type ScoredForecast } from "../accuracy/rolling";
import { alertRules } from "../alerts/rules";
import { fireFindings } from "../alerts/fire";
import type { EventRow } from "../events/types";
import { actualLookup, loadForecasts, originIndex, servedRuns, type LoadedForecast } from "./load";

/**
 * Scoring a series: every stored forecast against the actual values that have arrived for its
 * dates, kept per forecast (ForecastScore) and rolling for the series (SeriesScore), then the
 * alert rules, whose new findings become events. Runs after new points are stored (lib/imports)
 * and after the current forecast changes (lib/promotion), in that change's transaction.
 *
 * MASE is scaled as in the run's holdout metrics: by the in-sample seasonal-naive MAE (lag = the
 * frequency's season) of the series up to the forecast's origin, the last observed date before
 * its first forecast date, cleaned as the engine cleans a history (lib/accuracy/scale.ts).
 */
export interface ScoreOutcome {
  seriesId: number;
  forecasts: number;
  /** Forecast dates with an actual value, over all the series' forecasts. */
  scoredPoints: number;
  rolling: RollingAccuracy;
  fired: EventRow[];
}

export async function scoreSeries(db: Db, seriesId: number, now: Date = new Date()): Promise<ScoreOutcome | null> {
  return db.transaction(async (tx) => {
    const meta = await seriesMeta(tx, seriesId);
    if (!meta) return null;
    const frequency: Frequency = (FREQUENCIES as readonly string[]).includes(meta.frequency) ? (meta.frequency as Frequency) : "irregular";
    const points = await readPoints(tx, seriesId);
    const actualAt = actualLookup(points);
    const scaleOf = prefixScales(points.values, SEASON_LENGTH[frequency]);
    const loaded = await loadForecasts(tx, seriesId);
    const { kept, promotedAt } = await servedRuns(tx, seriesId);
    const series = (await tx.get<{ currentForecastId: number | null }>(`SELECT "currentForecastId" FROM "Series" WHERE "id" = ?`, [seriesId]))!;

    const forecasts: ScoredForecast[] = loaded.map((f) => {
      const first = f.points.length ? f.points[0].ts : Number.NaN;
      const o = Number.isFinite(first) ? originIndex(points, first) : -1;
      return {
        forecastId: f.forecastId,
        runId: f.runId,
        origin: o >= 0 ? points.timestamps[o] : null,
        served: f.forecastId === series.currentForecastId || f.runId === null || !kept.has(f.runId),
        scale: o >= 0 ? scaleOf(o + 1) : null,
        points: f.points,
        horizon: f.horizon,
        promisedMase: f.promised.mase,
      };
    });
    const currentLoaded = loaded.find((f) => f.forecastId === series.currentForecastId);
    const current: CurrentForecast | null = currentLoaded
      ? {
          forecastId: currentLoaded.forecastId,
          runId: currentLoaded.runId,
          promotedAt: ((currentLoaded.runId !== null ? promotedAt.get(currentLoaded.runId) : undefined) ?? currentLoaded.createdAt).toISOString(),
          promised: currentLoaded.promised,
        }
      : null;
    const rules = await alertRules(tx, seriesId);
    const stored = await tx.get<{ rolling: string }>(`SELECT "rolling" FROM "SeriesScore" WHERE "seriesId" = ?`, [seriesId]);
    const previous = stored ? (JSON.parse(stored.rolling) as Partial<RollingAccuracy>) : null;
    const { rolling, findings, perForecast } = rollingAccuracy(forecasts, actualAt, current, rules, { coverageLowSince: previous?.coverageLowSince ?? null });

    await storeForecastScores(tx, seriesId, forecasts, loaded, perForecast, now);
    await storeSeriesScore(tx, seriesId, rolling, now);
    const fired = await fireFindings(tx, findings, {
      seriesId,
      currentForecastId: current?.forecastId ?? null,
      currentRunId: current?.runId ?? null,
      coverageLowSince: rolling.coverageLowSince,
      window: rolling.window,
      minCoverage95: rules.minCoverage95,
      now,
    });
    let scoredPoints = 0;
    for (const a of perForecast.values()) scoredPoints += a.points;
    return { seriesId, forecasts: forecasts.length, scoredPoints, rolling, fired };
  });
}

async function storeForecastScores(
  tx: Db,
  seriesId: number,
  forecasts: ScoredForecast[],
  loaded: LoadedForecast[],
  perForecast: Map<number, Accuracy>,
  now: Date,
): Promise<void> {
  if (forecasts.length === 0) return;
  const acc = forecasts.map((f) => perForecast.get(f.forecastId)!);
  const promised = loaded.map((f) => f.promised);
  const columns = {
    forecastId: forecasts.map((f) => f.forecastId),
    seriesId: { constant: seriesId },
    runId: forecasts.map((f) => f.runId),
    originTs: forecasts.map((f) => f.origin),
    points: acc.map((a) => a.points),
    mae: acc.map((a) => a.mae),
    rmse: acc.map((a) => a.rmse),
    smape: acc.map((a) => a.smape),
    mase: acc.map((a) => a.mase),
    coverage80: acc.map((a) => a.coverage80),
    coverage95: acc.map((a) => a.coverage95),
    bias: acc.map((a) => a.bias),
    scale: forecasts.map((f) => f.scale),
    promisedMase: promised.map((p) => p.mase),
    promisedSmape: promised.map((p) => p.smape),
    promisedCoverage80: promised.map((p) => p.coverage80),
    promisedCoverage95: promised.map((p) => p.coverage95),
    served: forecasts.map((f) => f.served),
    updatedAt: { constant: now },
  };
  const names = Object.keys(columns);
  await tx.insertMany({
    table: "ForecastScore",
    columns: names,
    values: Object.values(columns),
    rows: forecasts.length,
    onConflict: { target: ["forecastId"], update: names.filter((n) => n !== "forecastId") },
  });
}

async function storeSeriesScore(tx: Db, seriesId: number, r: RollingAccuracy, now: Date): Promise<void> {
  const l = r.last;
  await tx.run(
    `INSERT INTO "SeriesScore" ("seriesId", "window", "points", "mae", "rmse", "smape", "mase", "coverage80", "coverage95", "bias",
                                "promisedMase", "outsideStreak", "drifting", "summary", "rolling", "updatedAt")
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT ("seriesId") DO UPDATE SET "window" = excluded."window", "points" = excluded."points", "mae" = excluded."mae",
       "rmse" = excluded."rmse", "smape" = excluded."smape", "mase" = excluded."mase", "coverage80" = excluded."coverage80",
       "coverage95" = excluded."coverage95", "bias" = excluded."bias", "promisedMase" = excluded."promisedMase",
       "outsideStreak" = excluded."outsideStreak", "drifting" = excluded."drifting", "summary" = excluded."summary",
       "rolling" = excluded."rolling", "updatedAt" = excluded."updatedAt"`,
    [
      seriesId,
      r.window,
      l.points,
      l.mae,
      l.rmse,
      l.smape,
      l.mase,
      l.coverage80,
      l.coverage95,
      l.bias,
      r.promised?.mase ?? null,
      r.outsideStreak,
      r.status === "drifting",
      r.summary,
      JSON.stringify(r),
      now,
    ],
  );
}

/** Scores every series of the list that has a forecast (after an import: the series it changed). */
export async function scoreSeriesList(db: Db, seriesIds: readonly number[], now: Date = new Date()): Promise<ScoreOutcome[]> {
  if (seriesIds.length === 0) return [];
  const withForecasts = await db.all<{ seriesId: number }>(
    `SELECT DISTINCT "seriesId" FROM "Forecast" WHERE "seriesId" IN (${seriesIds.map(() => "?").join(", ")}) ORDER BY "seriesId"`,
    [...seriesIds],
  );
  const out: ScoreOutcome[] = [];
  for (const { seriesId } of withForecasts) {
    const r = await scoreSeries(db, seriesId, now);
    if (r) out.push(r);
  }
  return out;
}
