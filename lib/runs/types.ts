import type { Db } from "../db/types";

/**
 * A training run's row. A run goes queued → running → succeeded | failed | cancelled; its Job
 * (Run.jobId, payload {runId}) is what a worker claims. `attempt` counts the attempts that
 * started; every write about an attempt is guarded by it.
 */
export const TRAIN_JOB = "train";
export const IN_FLIGHT = ["queued", "running"] as const;
export type RunStatus = "queued" | "running" | "succeeded" | "failed" | "cancelled";

export interface RunRow {
  id: number;
  seriesId: number;
  configKey: string;
  config: string; // JSON of the resolved ModelConfig
  status: RunStatus;
  attempt: number;
  epochsTotal: number;
  epochsDone: number;
  bestEpoch: number | null;
  metrics: string | null; // JSON
  error: string | null;
  scheduleId: number | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  cancelRequested: boolean;
  jobId: number | null;
}

/** Every Run column except the model blob (large; read only to export a model). */
export const RUN_COLUMNS = `"id", "seriesId", "configKey", "config", "status", "attempt", "epochsTotal", "epochsDone", "bestEpoch",
  "metrics", "error", "scheduleId", "createdAt", "startedAt", "finishedAt", "cancelRequested", "jobId"`;

export async function getRunRow(db: Db, runId: number): Promise<RunRow | null> {
  return (await db.get<RunRow>(`SELECT ${RUN_COLUMNS} FROM "Run" WHERE "id" = ?`, [runId])) ?? null;
}
