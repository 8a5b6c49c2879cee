import type { Db } from "../db/types";
import { recordEvent } from "../events/record";
import { makeRunCurrent, type MakeCurrentResult } from "../runs/forecasts";
import { recordPromotion } from "../runs/promotions";
import { isolated } from "../alerts/isolated";
import { scoreSeries } from "../scoring/score";

/**
 * "Make current" by hand: the series points at the run's forecast whatever the scores, recorded as
 * a "manual" decision (with the run it replaced) and announced as forecast.promoted. Making the
 * current run current again changes nothing and records nothing.
 */
export async function makeCurrentByHand(db: Db, runId: number, now: Date = new Date()): Promise<MakeCurrentResult> {
  return db.transaction(async (tx) => {
    // The series row locked first (PostgreSQL cannot lock through the outer join below).
    const run = await tx.get<{ seriesId: number }>(`SELECT "seriesId" FROM "Run" WHERE "id" = ?`, [runId]);
    const series = run ? await tx.get<{ currentForecastId: number | null }>(`SELECT "currentForecastId" FROM "Series" WHERE "id" = ?${tx.dialect.forUpdate}`, [run.seriesId]) : undefined;
    const replaced =
      series?.currentForecastId != null ? await tx.get<{ runId: number | null }>(`SELECT "runId" FROM "Forecast" WHERE "id" = ?`, [series.currentForecastId]) : undefined;
    const before = series ? { currentForecastId: series.currentForecastId, currentRunId: replaced?.runId ?? null } : null;
    const result = await makeRunCurrent(tx, runId, now);
    if (result.kind !== "ok" || !before || before.currentForecastId === result.forecastId) return result;
    const reason = `Made current by hand${before.currentRunId !== null ? ` (replacing run #${before.currentRunId})` : ""}.`;
    const promotion = await recordPromotion(
      tx,
      {
        seriesId: result.seriesId,
        runId,
        championRunId: before.currentRunId,
        decision: "manual",
        metric: null,
        challengerScore: null,
        championScore: null,
        windowFrom: null,
        windowTo: null,
        windowPoints: 0,
        reason,
      },
      now,
    );
    const name = (await tx.get<{ name: string }>(`SELECT "name" FROM "Series" WHERE "id" = ?`, [result.seriesId]))?.name ?? `series ${result.seriesId}`;
    await recordEvent(
      tx,
      {
        kind: "forecast.promoted",
        seriesId: result.seriesId,
        key: `forecast.promoted:${promotion.id}`,
        message: `${name}: run #${runId} is now the current forecast. ${reason}`,
        data: { runId, forecastId: result.forecastId, decision: "manual", champion: before.currentRunId === null ? null : { runId: before.currentRunId, score: null }, reason },
      },
      now,
    );
    await isolated(tx, `scoring series ${result.seriesId}`, (inner) => scoreSeries(inner, result.seriesId, now));
    return result;
  });
}
