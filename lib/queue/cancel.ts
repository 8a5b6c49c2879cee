import type { Db } from "../db/types";
import type { Lease } from "./types";

/**
 * Cancels a job that no worker holds yet. One statement guarded by status = 'queued': it races
 * safely with claimJobs, because each is a single atomic UPDATE on the same row; exactly one of
 * them wins, and the loser sees no row (a running job is cancelled cooperatively instead).
 */
export async function cancelQueuedJob(db: Db, jobId: number, reason = "Cancelled", now: Date = new Date()): Promise<boolean> {
  const { changes } = await db.run(
    `UPDATE "Job" SET "status" = 'cancelled', "lastError" = ?, "updatedAt" = ?
      WHERE "id" = ? AND "status" = 'queued'`,
    [reason, now, jobId],
  );
  return changes > 0;
}

/** Marks a held job cancelled once its task stopped; fenced like finishJob. */
export async function cancelHeldJob(db: Db, lease: Lease, reason = "Cancelled", now: Date = new Date()): Promise<boolean> {
  const { changes } = await db.run(
    `UPDATE "Job" SET "status" = 'cancelled', "lastError" = ?, "lockedBy" = NULL, "lockedUntil" = NULL, "updatedAt" = ?
      WHERE "id" = ? AND "lockedBy" = ? AND "attempts" = ? AND "status" = 'running'`,
    [reason, now, lease.jobId, lease.workerId, lease.attempts],
  );
  return changes > 0;
}
