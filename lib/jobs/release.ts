import { sqlite } from "../db/client";
import { dbNow, type Db, type Lease } from "./types";

/**
 * Puts a held job back in the queue without counting the attempt: the worker is shutting down,
 * the job did nothing wrong. Fenced like finish/fail, so only the holder can release it; another
 * worker may claim it at once.
 */
export function releaseJob(lease: Lease, db: Db = sqlite()): boolean {
  const now = dbNow();
  const row = db
    .prepare(
      `UPDATE "Job"
          SET "status" = 'queued', "attempts" = "attempts" - 1, "runAt" = ?,
              "lockedBy" = NULL, "lockedUntil" = NULL, "updatedAt" = ?
        WHERE "id" = ? AND "lockedBy" = ? AND "attempts" = ? AND "status" = 'running'
        RETURNING "id"`,
    )
    .get(now, now, lease.jobId, lease.workerId, lease.attempts);
  return row !== undefined;
}
