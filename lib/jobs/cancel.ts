import { sqlite } from "../db/client";
import { dbNow, type Db, type Lease } from "./types";

/**
 * Cancels a job that no worker holds yet. One statement guarded by status = 'queued': it races
 * safely with claimJob, because each is a single atomic UPDATE on the same row; exactly one of
 * them wins, and the loser sees no row (a running job is cancelled cooperatively instead).
 */
export function cancelQueuedJob(jobId: number, reason = "Cancelled", db: Db = sqlite()): boolean {
  const now = dbNow();
  const row = db
    .prepare(
      `UPDATE "Job" SET "status" = 'cancelled', "lastError" = ?, "updatedAt" = ?
        WHERE "id" = ? AND "status" = 'queued'
        RETURNING "id"`,
    )
    .get(reason, now, jobId);
  return row !== undefined;
}

/** Marks a held job cancelled once its task stopped; fenced like finishJob. */
export function cancelHeldJob(lease: Lease, reason = "Cancelled", db: Db = sqlite()): boolean {
  const now = dbNow();
  const row = db
    .prepare(
      `UPDATE "Job" SET "status" = 'cancelled', "lastError" = ?, "lockedBy" = NULL, "lockedUntil" = NULL, "updatedAt" = ?
        WHERE "id" = ? AND "lockedBy" = ? AND "attempts" = ? AND "status" = 'running'
        RETURNING "id"`,
    )
    .get(reason, now, lease.jobId, lease.workerId, lease.attempts);
  return row !== undefined;
}
