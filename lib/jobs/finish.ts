import { sqlite } from "../db/client";
import { dbNow, type Db, type Lease } from "./types";

/**
 * Marks a held job succeeded. Returns false (and changes nothing) when the worker no longer holds
 * it: the fencing token in the WHERE clause means a worker whose lease expired cannot complete a
 * job another worker has re-claimed. Callers that write results call this FIRST inside the same
 * transaction as the results and roll back on false, so results are written at most once.
 */
export function finishJob(lease: Lease, db: Db = sqlite()): boolean {
  const now = dbNow();
  const row = db
    .prepare(
      `UPDATE "Job" SET "status" = 'succeeded', "lockedBy" = NULL, "lockedUntil" = NULL, "lastError" = NULL, "updatedAt" = ?
        WHERE "id" = ? AND "lockedBy" = ? AND "attempts" = ? AND "status" = 'running'
        RETURNING "id"`,
    )
    .get(now, lease.jobId, lease.workerId, lease.attempts);
  return row !== undefined;
}
