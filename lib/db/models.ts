import type Database from "better-sqlite3";
import { sqlite } from "./client";
import { readPoints } from "./points";
import type { RunStatus } from "../jobs/runs";
import type { SeriesInput } from "../forecast";
import { FREQUENCIES, type Frequency } from "../series/frequency";

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

export function getRunModelSource(runId: number, db: Database.Database = sqlite()): RunModelSource | null {
  return db.transaction((): RunModelSource | null => {
    const run = db.prepare(`SELECT "seriesId", "status", "model" FROM "Run" WHERE "id" = ?`).get(runId) as
      | { seriesId: number; status: RunStatus; model: Buffer | null }
      | undefined;
    if (!run) return null;
    const s = db.prepare(`SELECT "name", "frequency", "stepMs" FROM "Series" WHERE "id" = ?`).get(run.seriesId) as
      | { name: string; frequency: string; stepMs: number | bigint | null }
      | undefined;
    if (!s) return null;
    const { timestamps, values } = readPoints(run.seriesId, {}, db);
    const frequency = (FREQUENCIES as readonly string[]).includes(s.frequency) ? (s.frequency as Frequency) : "irregular";
    return {
      runId,
      seriesId: run.seriesId,
      status: run.status,
      model: run.model ? new Uint8Array(run.model.buffer, run.model.byteOffset, run.model.byteLength) : null,
      series: { name: s.name, timestamps, values, frequency, stepMs: s.stepMs === null ? null : Number(s.stepMs) },
    };
  })();
}
