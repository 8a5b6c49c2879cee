import type { Db } from "../db/types";
import type { StoreResult } from "../datasets/import";
import { changedSeriesIds } from "../datasets/upload";
import { isolated } from "../alerts/isolated";
import { scoreSeriesList } from "../scoring/score";
import { enqueueRetrainForNewData, type ScheduledRun } from "../schedules/fire";

/** A series whose stored forecasts were scored against the new points. */
export interface ScoredSeries {
  seriesId: number;
  forecasts: number;
  /** Forecast dates with an actual value, over all the series' forecasts. */
  points: number;
  status: string;
  summary: string;
}

/** An alert or event the scoring fired. */
export interface FiredEvent {
  id: number;
  kind: string;
  seriesId: number | null;
  message: string;
}

export interface NewPointsOutcome {
  /** Runs queued by "on new data" schedules. */
  retraining: ScheduledRun[];
  scored: ScoredSeries[];
  events: FiredEvent[];
  /** A scoring failure, said in words (the points are stored all the same). */
  warnings: string[];
}

export const NOTHING_SET_OFF: NewPointsOutcome = { retraining: [], scored: [], events: [], warnings: [] };

/**
 * What new points set off, in the import's own transaction, for every series whose points
 * changed (importUpload calls this for an upload, the API's and the CLI's alike):
 *   1. each stored forecast whose dates now have actual values is scored, and the alert rules run
 *      (lib/scoring);
 *   2. "retrain on new data" schedules queue their run (lib/schedules).
 * So the points, their scores, the alerts and the retrains are stored together. Scoring runs in a
 * savepoint of its own: should it fail, the points are stored anyway and the upload says so in
 * its warnings (the next upload scores again).
 */
export async function onNewPoints(tx: Db, stored: StoreResult, now: Date = new Date()): Promise<NewPointsOutcome> {
  const changed = changedSeriesIds(stored);
  const warnings: string[] = [];
  const scores = (await isolated(tx, "Scoring the stored forecasts", (inner) => scoreSeriesList(inner, changed, now), (line) => warnings.push(line))) ?? [];
  const retraining = await enqueueRetrainForNewData(tx, changed, now);
  return {
    retraining,
    scored: scores.map((s) => ({ seriesId: s.seriesId, forecasts: s.forecasts, points: s.scoredPoints, status: s.rolling.status, summary: s.rolling.summary })),
    events: scores.flatMap((s) => s.fired.map((e) => ({ id: e.id, kind: e.kind, seriesId: e.seriesId, message: e.message }))),
    warnings,
  };
}
