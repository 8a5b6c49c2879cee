import type { Db } from "../db/types";
import { loadSeriesInput } from "../datasets/points";
import type { SeriesInput } from "../forecast";
import type { RunStatus } from "./types";

/**
 * A run's stored model file together with the series it forecasts (name, frequency, points),
 * read in one transaction: what GET /api/runs/{id}/anatomy opens.
 */
export interface RunModelSource {
  runId: number;
  seriesId: number;
  status: RunStatus;
  /** The model file; null until the run has succeeded. */
  model: Uint8Array | null;
  series: SeriesInput;
}

export async function getRunModelSource(db: Db, runId: number): Promise<RunModelSource | null> {
  return db.transaction(async (tx): Promise<RunModelSource | null> => {
    const run = await tx.get<{ seriesId: number; status: RunStatus; model: Uint8Array | null }>(
      `SELECT "seriesId", "status", "model" FROM "Run" WHERE "id" = ?`,
      [runId],
    );
    if (!run) return null;
    const series = await loadSeriesInput(tx, run.seriesId);
    if (!series) return null;
    const model = run.model ? new Uint8Array(run.model.buffer, run.model.byteOffset, run.model.byteLength) : null;
    return { runId, seriesId: run.seriesId, status: run.status, model, series };
  });
}
