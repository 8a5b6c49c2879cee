import type { Db } from "../db/types";
import type { Lease } from "./types";

/**
 * Puts a held job back in the queue without counting the attempt: the worker is shutting down,
 * the job did nothing wrong. Fenced like finish/fail, so only the holder can release it; another
 * worker may claim it at once.
 */
export async function releaseJob(db: Db, lease: Lease, now: Date = new Date()): Promise<boolean> {
  const { changes } = await db.run(
    `UPDATE "Job"
        SET "status" = 'queued', "attempts" = "attempts" - 1, "runAt" = ?,
            "lockedBy" = NULL, "lockedUntil" = NULL, "updatedAt" = ?
      WHERE "id" = ? AND "lockedBy" = ? AND "attempts" = ? AND "status" = 'running'`,
    [now, now, lease.jobId, lease.workerId, lease.attempts],
  );
  return changes > 0;
}
