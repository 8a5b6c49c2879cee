import type { Db } from "../db/types";
import type { ModelConfig } from "../forecast/config";
import type { EpochProgress } from "./engine";
import { RUN_COLUMNS, type RunRow } from "./types";

/**
 * A run's life as its worker writes it: started (attempt counter bumped), epochs recorded as they
 * happen, failed, cancelled, or put back (the result itself: result.ts). Every write after the
 * start is guarded by the run's attempt number, so a worker that lost its job cannot write into
 * the attempt that replaced it.
 */

/**
 * Starts an attempt: status 'running', attempt + 1, progress reset. Returns null when the run is
 * gone or already finished (a cancelled run whose job was claimed in the same instant).
 */
export async function startRunAttempt(db: Db, runId: number, now: Date = new Date()): Promise<RunRow | null> {
  const row = await db.get<RunRow>(
    `UPDATE "Run"
        SET "status" = 'running', "attempt" = "attempt" + 1, "epochsDone" = 0, "bestEpoch" = NULL,
            "startedAt" = ?, "finishedAt" = NULL
      WHERE "id" = ? AND "status" IN ('queued', 'running')
      RETURNING ${RUN_COLUMNS}`,
    [now, runId],
  );
  return row ?? null;
}

/** Whether someone asked to cancel the run (the worker polls this while training); true when it is gone. */
export async function isCancelRequested(db: Db, runId: number): Promise<boolean> {
  const row = await db.get<{ cancelRequested: boolean }>(`SELECT "cancelRequested" FROM "Run" WHERE "id" = ?`, [runId]);
  return row === undefined || row.cancelRequested;
}

/**
 * Records one epoch of one attempt, and the run's progress, in one transaction. Returns false
 * (writing nothing) when the attempt is no longer the run's current one: its worker lost the job.
 * Losses must be finite: the caller treats a non-finite loss as divergence and stores nothing.
 */
export async function recordEpoch(db: Db, runId: number, attempt: number, p: EpochProgress): Promise<boolean> {
  return db.transaction(async (tx) => {
    const { changes } = await tx.run(
      `UPDATE "Run" SET "epochsDone" = "epochsDone" + 1, "epochsTotal" = ?
        WHERE "id" = ? AND "attempt" = ? AND "status" = 'running'`,
      [Math.max(1, p.members) * p.epochs, runId, attempt],
    );
    if (changes === 0) return false;
    await tx.run(
      `INSERT INTO "Epoch" ("runId", "attempt", "member", "epoch", "trainLoss", "valLoss", "ms")
       VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT ("runId", "attempt", "member", "epoch")
       DO UPDATE SET "trainLoss" = excluded."trainLoss", "valLoss" = excluded."valLoss", "ms" = excluded."ms"`,
      [runId, attempt, p.member, p.epoch, p.trainLoss, p.valLoss, p.ms],
    );
    return true;
  });
}

/** After a failed attempt: 'failed' for good, or back to 'queued' for the retry; the error is kept. */
export async function markRunFailed(db: Db, runId: number, error: string, final: boolean, now: Date = new Date()): Promise<void> {
  if (final) {
    await db.run(`UPDATE "Run" SET "status" = 'failed', "error" = ?, "finishedAt" = ? WHERE "id" = ? AND "status" IN ('queued', 'running')`, [
      error,
      now,
      runId,
    ]);
  } else {
    await db.run(`UPDATE "Run" SET "status" = 'queued', "error" = ? WHERE "id" = ? AND "status" IN ('queued', 'running')`, [error, runId]);
  }
}

export async function markRunCancelled(db: Db, runId: number, now: Date = new Date()): Promise<void> {
  await db.run(
    `UPDATE "Run" SET "status" = 'cancelled', "cancelRequested" = TRUE, "finishedAt" = ? WHERE "id" = ? AND "status" IN ('queued', 'running')`,
    [now, runId],
  );
}

/** The worker stopped (shutdown) and put the job back: the run waits in the queue again. */
export async function markRunRequeued(db: Db, runId: number): Promise<void> {
  await db.run(`UPDATE "Run" SET "status" = 'queued' WHERE "id" = ? AND "status" = 'running'`, [runId]);
}

/** Parses a stored config (validated when the run was requested). */
export function runConfig(run: RunRow): ModelConfig {
  return JSON.parse(run.config) as ModelConfig;
}
