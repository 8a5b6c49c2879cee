import type { Db } from "../db/types";
import type { EngineOutcome } from "./engine";

/** JSON with non-finite numbers as null: nothing NaN reaches the database. */
export function finiteJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === "number" && !Number.isFinite(v) ? null : v));
}

/**
 * Writes a finished run: the run row (metrics, model blob, best epoch), one Forecast with its
 * points, and the series' current forecast. Call inside the transaction that also finishes the
 * job (see the worker's `complete`), so a run gets exactly one forecast. Throws when the attempt
 * is not current (rolls the whole transaction back). Returns the forecast id.
 */
export async function writeRunResult(tx: Db, runId: number, attempt: number, outcome: EngineOutcome, now: Date = new Date()): Promise<number> {
  const run = await tx.get<{ seriesId: number }>(
    `UPDATE "Run"
        SET "status" = 'succeeded', "metrics" = ?, "model" = ?, "bestEpoch" = ?, "error" = NULL,
            "finishedAt" = ?, "config" = ?
      WHERE "id" = ? AND "attempt" = ? AND "status" = 'running'
      RETURNING "seriesId"`,
    [
      finiteJson({ ...outcome.metrics, chosen: outcome.chosen, holdout: outcome.holdout }),
      outcome.modelBlob,
      outcome.chosen.bestEpoch,
      now,
      JSON.stringify(outcome.config),
      runId,
      attempt,
    ],
  );
  if (!run) throw new Error(`Run ${runId} attempt ${attempt} is no longer current; its result was not saved.`);
  const levels = outcome.intervals.map((b) => b.level);
  const { id: forecastId } = (await tx.get<{ id: number }>(
    `INSERT INTO "Forecast" ("seriesId", "runId", "model", "horizon", "levels", "createdAt")
     VALUES (?, ?, ?, ?, ?, ?) RETURNING "id"`,
    [run.seriesId, runId, outcome.chosen.model, outcome.forecast.length, JSON.stringify(levels), now],
  ))!;
  const band = (level: number) => outcome.intervals.find((b) => b.level === level);
  const b80 = band(80);
  const b95 = band(95);
  const n = outcome.forecast.length;
  const nothing = { constant: null };
  await tx.insertMany({
    table: "ForecastPoint",
    columns: ["forecastId", "step", "ts", "value", "lo80", "hi80", "lo95", "hi95"],
    values: [
      { constant: forecastId },
      Array.from({ length: n }, (_, i) => i + 1),
      outcome.timestamps.map((t) => Math.round(t)),
      outcome.forecast,
      b80?.lo ?? nothing,
      b80?.hi ?? nothing,
      b95?.lo ?? nothing,
      b95?.hi ?? nothing,
    ],
    rows: n,
  });
  await tx.run(`UPDATE "Series" SET "currentForecastId" = ?, "updatedAt" = ? WHERE "id" = ?`, [forecastId, now, run.seriesId]);
  return forecastId;
}
