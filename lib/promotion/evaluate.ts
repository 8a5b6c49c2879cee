import type { Db } from "../db/types";
import { loadModel, predictFromModel, type SeriesInput } from "../forecast";
import { SEASON_LENGTH } from "../series/frequency";
import { evaluationWindow, scoreWindow, type HeldOut, type Replay, type WindowScores } from "../accuracy/promotion";
import { prefixScales } from "../accuracy/scale";
import type { EngineOutcome } from "../runs/engine";
import { holdoutOf } from "../runs/metrics";

/**
 * The contest of a finished run (the challenger) against the series' current model (the
 * champion), on the challenger's newest held-out points: the challenger's backtest forecast of
 * them against the champion's stored model file replayed from the same origin
 * (lib/forecast's predictFromModel on the points before the window, no refit). Dates the
 * champion was fitted on are left out for both (see lib/accuracy/promotion.ts on leakage).
 */
export interface Evaluation {
  /** The current forecast this evaluation is about (null: there was none). */
  championForecastId: number | null;
  champion: { runId: number | null; invalid: string | null } | null;
  scores: WindowScores | null;
  /** Why there are no scores, when there are none. */
  noScores: string | null;
}

interface Current {
  forecastId: number | null;
  runId: number | null;
  model: Uint8Array | null;
  firstTs: number | null;
}

async function currentModel(db: Db, seriesId: number): Promise<Current> {
  const row = await db.get<{ forecastId: number | null; runId: number | null; model: Uint8Array | null; firstTs: number | null }>(
    `SELECT s."currentForecastId" AS "forecastId", f."runId", r."model",
            (SELECT fp."ts" FROM "ForecastPoint" fp WHERE fp."forecastId" = s."currentForecastId" ORDER BY fp."step" LIMIT 1) AS "firstTs"
       FROM "Series" s LEFT JOIN "Forecast" f ON f."id" = s."currentForecastId" LEFT JOIN "Run" r ON r."id" = f."runId"
      WHERE s."id" = ?`,
    [seriesId],
  );
  return row ?? { forecastId: null, runId: null, model: null, firstTs: null };
}

/** The last observed date before `ts` in the series, or null. */
function lastObservedBefore(series: SeriesInput, ts: number): number | null {
  for (let i = series.timestamps.length - 1; i >= 0; i--) if (series.timestamps[i] < ts && Number.isFinite(series.values[i])) return series.timestamps[i];
  return null;
}

/** The series' points strictly before `ts`. */
function before(series: SeriesInput, ts: number): SeriesInput {
  let n = 0;
  while (n < series.timestamps.length && series.timestamps[n] < ts) n++;
  return { ...series, timestamps: series.timestamps.subarray(0, n), values: series.values.subarray(0, n), covariates: undefined };
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err)).replace(/\.$/, "");

export async function evaluateChallenger(db: Db, seriesId: number, outcome: EngineOutcome, series: SeriesInput): Promise<Evaluation> {
  const cur = await currentModel(db, seriesId);
  if (cur.forecastId === null) return { championForecastId: null, champion: null, scores: null, noScores: "there is no current model" };
  const invalid = (why: string): Evaluation => ({ championForecastId: cur.forecastId, champion: { runId: cur.runId, invalid: why }, scores: null, noScores: null });
  if (cur.runId === null) return invalid("its forecast has no training run");
  if (cur.model === null || cur.model.length === 0) return invalid("it has no stored model file");
  let model: ReturnType<typeof loadModel>;
  try {
    model = loadModel(new Uint8Array(cur.model));
  } catch (err) {
    return invalid(`its model file cannot be read (${message(err)})`);
  }
  const valid = (scores: WindowScores | null, noScores: string | null): Evaluation => ({
    championForecastId: cur.forecastId,
    champion: { runId: cur.runId, invalid: null },
    scores,
    noScores,
  });

  const holdout = holdoutOf(outcome.holdout);
  if (!holdout || holdout.timestamps.length === 0) return valid(null, "the challenger has no backtest on held-out points to compare on");
  const origin = holdout.timestamps[0];
  // The actual values as stored: a date whose value is missing (the engine interpolated it) is not scored.
  const stored = new Map<number, number>();
  series.timestamps.forEach((ts, i) => stored.set(ts, series.values[i]));
  const held: HeldOut = { timestamps: holdout.timestamps, actual: holdout.timestamps.map((ts) => stored.get(ts) ?? Number.NaN), model: holdout.model };

  const past = before(series, origin);
  let replay: Replay;
  try {
    const p = predictFromModel(model, past);
    replay = { timestamps: p.timestamps, forecast: p.forecast };
  } catch (err) {
    return invalid(`it cannot forecast from the held-out window's origin (${message(err)})`);
  }
  if (replay.forecast.some((v) => !Number.isFinite(v))) return invalid("its forecast from the held-out window's origin is not finite");

  const seenUntil = cur.firstTs === null ? null : lastObservedBefore(series, cur.firstTs);
  const window = evaluationWindow(held, replay, seenUntil);
  // Scaled as the challenger's own holdout metrics: on the cleaned history before the window.
  const scale = prefixScales(series.values, SEASON_LENGTH[series.frequency])(past.timestamps.length);
  const scores = scoreWindow(window, scale);
  if (scores) return valid(scores, null);
  const unseen = held.timestamps.filter((ts) => seenUntil === null || ts > seenUntil).length;
  return valid(
    null,
    unseen === 0
      ? `no held-out point is new to the current model (run #${cur.runId} was trained on all of them), so there is no fair comparison`
      : "the current model's forecast does not reach the held-out dates it was not trained on",
  );
}
