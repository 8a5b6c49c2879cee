import { sqlite } from "../db/client";
import { configKey, resolveModelConfig, type ModelConfig, type ModelConfigInput } from "../forecast/config";
import { FREQUENCIES, type Frequency } from "../series/frequency";
import { enqueueJob } from "./enqueue";
import { cancelQueuedJob } from "./cancel";
import { queueSettings } from "./settings";
import type { EngineOutcome, EpochProgress } from "./engine";
import { dbNow, type Db } from "./types";

/**
 * A training run's life in the database: requested (Run 'queued' + its Job, one transaction),
 * started (attempt counter bumped), epochs recorded as they happen, completed (model, metrics
 * and forecast in one transaction), failed, cancelled, or put back. Every write after the start
 * is guarded by the run's attempt number, so a worker that lost its job cannot write into the
 * attempt that replaced it.
 */
export const TRAIN_JOB = "train";
export const IN_FLIGHT = ["queued", "running"] as const;
export type RunStatus = "queued" | "running" | "succeeded" | "failed" | "cancelled";

export interface RunRow {
  id: number;
  seriesId: number;
  configKey: string;
  config: string;
  status: RunStatus;
  attempt: number;
  epochsTotal: number;
  epochsDone: number;
  bestEpoch: number | null;
  metrics: string | null;
  error: string | null;
  scheduleId: number | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  cancelRequested: number;
  jobId: number | null;
}

/** Every Run column except the model blob (large; read only to export a model). */
export const RUN_COLUMNS = `"id", "seriesId", "configKey", "config", "status", "attempt", "epochsTotal", "epochsDone", "bestEpoch",
  "metrics", "error", "scheduleId", "createdAt", "startedAt", "finishedAt", "cancelRequested", "jobId"`;

export function getRunRow(runId: number, db: Db = sqlite()): RunRow | null {
  return (db.prepare(`SELECT ${RUN_COLUMNS} FROM "Run" WHERE "id" = ?`).get(runId) as RunRow | undefined) ?? null;
}

export type RequestRunResult =
  | { kind: "created"; run: RunRow }
  | { kind: "existing"; run: RunRow }
  | { kind: "no-series" };

/**
 * Queues a training run, or returns the identical one already queued or running.
 *
 * Safe against two identical requests at once: the look-up and the inserts run in one IMMEDIATE
 * transaction, which takes SQLite's write lock before reading, so the second request waits and
 * then finds the first one's run. (On PostgreSQL the same guarantee needs a partial unique index
 * on (seriesId, configKey) WHERE status IN ('queued','running') or SERIALIZABLE.)
 */
export function requestRun(
  seriesId: number,
  input: ModelConfigInput,
  options: { scheduleId?: number | null; maxAttempts?: number } = {},
  db: Db = sqlite(),
): RequestRunResult {
  const tx = db.transaction((): RequestRunResult => {
    const series = db.prepare(`SELECT "frequency", "pointCount" FROM "Series" WHERE "id" = ?`).get(seriesId) as
      | { frequency: string; pointCount: number }
      | undefined;
    if (!series) return { kind: "no-series" };
    const frequency = (FREQUENCIES as readonly string[]).includes(series.frequency) ? (series.frequency as Frequency) : "irregular";
    const config = resolveModelConfig(input, frequency, series.pointCount);
    const key = configKey(config);
    const existing = db
      .prepare(
        `SELECT ${RUN_COLUMNS} FROM "Run"
          WHERE "seriesId" = ? AND "configKey" = ? AND "status" IN ('queued', 'running') AND "cancelRequested" = FALSE
          ORDER BY "id" LIMIT 1`,
      )
      .get(seriesId, key) as RunRow | undefined;
    if (existing) return { kind: "existing", run: existing };
    const now = dbNow();
    const { id: runId } = db
      .prepare(
        `INSERT INTO "Run" ("seriesId", "configKey", "config", "status", "attempt", "epochsTotal", "epochsDone", "scheduleId", "createdAt", "cancelRequested")
         VALUES (?, ?, ?, 'queued', 0, ?, 0, ?, ?, FALSE) RETURNING "id"`,
      )
      .get(seriesId, key, JSON.stringify(config), config.epochs, options.scheduleId ?? null, now) as { id: number };
    const job = enqueueJob(TRAIN_JOB, { runId }, { maxAttempts: options.maxAttempts ?? queueSettings().maxAttempts }, db);
    db.prepare(`UPDATE "Run" SET "jobId" = ? WHERE "id" = ?`).run(job.id, runId);
    return { kind: "created", run: getRunRow(runId, db)! };
  });
  return tx.immediate();
}

export type CancelRunResult = { kind: "cancelled" | "stopping" | "finished"; run: RunRow } | { kind: "not-found" };

/**
 * Cancels a run. A queued run is cancelled at once (its job is cancelled with the same guarded
 * UPDATE that races safely with a claim); a running one gets cancelRequested = 1, which its worker
 * polls and turns into a stop flag for the training thread within a poll interval.
 */
export function cancelRun(runId: number, db: Db = sqlite()): CancelRunResult {
  const tx = db.transaction((): CancelRunResult => {
    const run = getRunRow(runId, db);
    if (!run) return { kind: "not-found" };
    if (!(IN_FLIGHT as readonly string[]).includes(run.status)) return { kind: "finished", run };
    const now = dbNow();
    const jobTaken = run.jobId === null || cancelQueuedJob(run.jobId, "Cancelled by request", db);
    if (jobTaken) {
      db.prepare(`UPDATE "Run" SET "status" = 'cancelled', "cancelRequested" = TRUE, "finishedAt" = ? WHERE "id" = ?`).run(now, runId);
      return { kind: "cancelled", run: getRunRow(runId, db)! };
    }
    db.prepare(`UPDATE "Run" SET "cancelRequested" = TRUE WHERE "id" = ?`).run(runId);
    return { kind: "stopping", run: getRunRow(runId, db)! };
  });
  return tx.immediate();
}

/**
 * Starts an attempt: status 'running', attempt + 1, progress reset. Returns null when the run is
 * gone or already finished (a cancelled run whose job was claimed in the same instant).
 */
export function startRunAttempt(runId: number, db: Db = sqlite()): RunRow | null {
  const now = dbNow();
  const row = db
    .prepare(
      `UPDATE "Run"
          SET "status" = 'running', "attempt" = "attempt" + 1, "epochsDone" = 0, "bestEpoch" = NULL,
              "startedAt" = ?, "finishedAt" = NULL
        WHERE "id" = ? AND "status" IN ('queued', 'running')
        RETURNING ${RUN_COLUMNS}`,
    )
    .get(now, runId) as RunRow | undefined;
  return row ?? null;
}

/** Whether someone asked to cancel the run (the worker polls this while training). */
export function isCancelRequested(runId: number, db: Db = sqlite()): boolean {
  const row = db.prepare(`SELECT "cancelRequested" FROM "Run" WHERE "id" = ?`).get(runId) as { cancelRequested: number } | undefined;
  return row === undefined || row.cancelRequested === 1;
}

/**
 * Records one epoch of one attempt, and the run's progress, in one transaction. Returns false
 * (writing nothing) when the attempt is no longer the run's current one: its worker lost the job.
 * Losses must be finite: the caller treats a non-finite loss as divergence and stores nothing.
 */
export function recordEpoch(runId: number, attempt: number, p: EpochProgress, db: Db = sqlite()): boolean {
  const tx = db.transaction((): boolean => {
    const updated = db
      .prepare(
        `UPDATE "Run" SET "epochsDone" = "epochsDone" + 1, "epochsTotal" = ?
          WHERE "id" = ? AND "attempt" = ? AND "status" = 'running'
          RETURNING "id"`,
      )
      .get(Math.max(1, p.members) * p.epochs, runId, attempt);
    if (updated === undefined) return false;
    db.prepare(
      `INSERT INTO "Epoch" ("runId", "attempt", "member", "epoch", "trainLoss", "valLoss", "ms")
       VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT ("runId", "attempt", "member", "epoch")
       DO UPDATE SET "trainLoss" = excluded."trainLoss", "valLoss" = excluded."valLoss", "ms" = excluded."ms"`,
    ).run(runId, attempt, p.member, p.epoch, p.trainLoss, p.valLoss, p.ms);
    return true;
  });
  return tx.immediate();
}

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
export function writeRunResult(runId: number, attempt: number, outcome: EngineOutcome, db: Db = sqlite()): number {
  const now = dbNow();
  const run = db
    .prepare(
      `UPDATE "Run"
          SET "status" = 'succeeded', "metrics" = ?, "model" = ?, "bestEpoch" = ?, "error" = NULL,
              "finishedAt" = ?, "config" = ?
        WHERE "id" = ? AND "attempt" = ? AND "status" = 'running'
        RETURNING "seriesId"`,
    )
    .get(
      finiteJson({ ...outcome.metrics, chosen: outcome.chosen, holdout: outcome.holdout }),
      Buffer.from(outcome.modelBlob.buffer, outcome.modelBlob.byteOffset, outcome.modelBlob.byteLength),
      outcome.chosen.bestEpoch,
      now,
      JSON.stringify(outcome.config),
      runId,
      attempt,
    ) as { seriesId: number } | undefined;
  if (!run) throw new Error(`Run ${runId} attempt ${attempt} is no longer current; its result was not saved.`);
  const levels = outcome.intervals.map((b) => b.level);
  const { id: forecastId } = db
    .prepare(
      `INSERT INTO "Forecast" ("seriesId", "runId", "model", "horizon", "levels", "createdAt")
       VALUES (?, ?, ?, ?, ?, ?) RETURNING "id"`,
    )
    .get(run.seriesId, runId, outcome.chosen.model, outcome.forecast.length, JSON.stringify(levels), now) as { id: number };
  const band = (level: number) => outcome.intervals.find((b) => b.level === level);
  const b80 = band(80);
  const b95 = band(95);
  const insert = db.prepare(
    `INSERT INTO "ForecastPoint" ("forecastId", "step", "ts", "value", "lo80", "hi80", "lo95", "hi95") VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  for (let i = 0; i < outcome.forecast.length; i++) {
    insert.run(
      forecastId,
      i + 1,
      Math.round(outcome.timestamps[i]),
      outcome.forecast[i],
      b80?.lo[i] ?? null,
      b80?.hi[i] ?? null,
      b95?.lo[i] ?? null,
      b95?.hi[i] ?? null,
    );
  }
  db.prepare(`UPDATE "Series" SET "currentForecastId" = ?, "updatedAt" = ? WHERE "id" = ?`).run(forecastId, now, run.seriesId);
  return forecastId;
}

/** After a failed attempt: 'failed' for good, or back to 'queued' for the retry; the error is kept. */
export function markRunFailed(runId: number, error: string, final: boolean, db: Db = sqlite()): void {
  if (final) {
    db.prepare(
      `UPDATE "Run" SET "status" = 'failed', "error" = ?, "finishedAt" = ? WHERE "id" = ? AND "status" IN ('queued', 'running')`,
    ).run(error, dbNow(), runId);
  } else {
    db.prepare(`UPDATE "Run" SET "status" = 'queued', "error" = ? WHERE "id" = ? AND "status" IN ('queued', 'running')`).run(error, runId);
  }
}

export function markRunCancelled(runId: number, db: Db = sqlite()): void {
  db.prepare(
    `UPDATE "Run" SET "status" = 'cancelled', "cancelRequested" = TRUE, "finishedAt" = ? WHERE "id" = ? AND "status" IN ('queued', 'running')`,
  ).run(dbNow(), runId);
}

/** The worker stopped (shutdown) and put the job back: the run waits in the queue again. */
export function markRunRequeued(runId: number, db: Db = sqlite()): void {
  db.prepare(`UPDATE "Run" SET "status" = 'queued' WHERE "id" = ? AND "status" = 'running'`).run(runId);
}

/** Parses a stored config (validated when the run was requested). */
export function runConfig(run: RunRow): ModelConfig {
  return JSON.parse(run.config) as ModelConfig;
}
