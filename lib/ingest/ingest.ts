import type { Db } from "../db/types";
import { changedSeriesIds, importCsv, type ImportOutcome } from "../datasets/upload";
import type { StoreResult } from "../datasets/import";
import { isolated } from "../alerts/isolated";
import { scoreSeriesList, type ScoreOutcome } from "../scoring/score";
import { enqueueRetrainForNewData, type ScheduledRun } from "../schedules/fire";

/**
 * New points, wherever they come from: the upload API (and the home page's drop zone, which uses
 * it), the sample loader and the CLI's `import` all store a CSV through `ingestCsv`, the one
 * place where new points set things off. In the import's own transaction, for every series whose
 * points changed:
 *   1. each stored forecast whose dates now have actual values is scored, and the alert rules run
 *      (lib/scoring);
 *   2. "retrain on new data" schedules queue their run (lib/schedules).
 * So the points, their scores, the alerts and the retrains are stored together. Scoring runs in a
 * savepoint of its own: should it fail, the points are stored anyway and the upload says so in
 * its warnings (the next upload scores again).
 */
export interface IngestOutcome extends ImportOutcome {
  /** Runs queued by "on new data" schedules. */
  retraining: ScheduledRun[];
  /** The series whose forecasts were scored against the new points. */
  scored: { seriesId: number; forecasts: number; points: number; status: string; summary: string }[];
  /** Alerts and events fired by the scoring. */
  events: { id: number; kind: string; seriesId: number | null; message: string }[];
}

export async function onNewPoints(tx: Db, result: StoreResult, now: Date = new Date()): Promise<{ retraining: ScheduledRun[]; scores: ScoreOutcome[]; warnings: string[] }> {
  const changed = changedSeriesIds(result);
  const warnings: string[] = [];
  const scores = (await isolated(tx, "Scoring the stored forecasts", (inner) => scoreSeriesList(inner, changed, now), (line) => warnings.push(line))) ?? [];
  const retraining = await enqueueRetrainForNewData(tx, changed, now);
  return { retraining, scores, warnings };
}

export async function ingestCsv(db: Db, bytes: Uint8Array, fileName: string, name?: string): Promise<IngestOutcome> {
  let after: Awaited<ReturnType<typeof onNewPoints>> = { retraining: [], scores: [], warnings: [] };
  const outcome = await importCsv(db, bytes, fileName, name, {
    afterStore: async (tx, result) => {
      after = await onNewPoints(tx, result);
    },
  });
  return {
    ...outcome,
    warnings: [...outcome.warnings, ...after.warnings],
    retraining: after.retraining,
    scored: after.scores.map((s) => ({ seriesId: s.seriesId, forecasts: s.forecasts, points: s.scoredPoints, status: s.rolling.status, summary: s.rolling.summary })),
    events: after.scores.flatMap((s) => s.fired.map((e) => ({ id: e.id, kind: e.kind, seriesId: e.seriesId, message: e.message }))),
  };
}
