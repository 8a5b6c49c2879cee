import type { Db } from "../db/types";
import type { Lease } from "./types";

/**
 * Marks a held job succeeded. Returns false (and changes nothing) when the worker no longer holds
 * it: the fencing token in the WHERE clause means a worker whose lease expired cannot complete a
 * job another worker has re-claimed. Callers that write results call this FIRST inside the same
 * transaction as the results and roll back on false, so results are written at most once.
 */
export async function finishJob(db: Db, lease: Lease, now: Date = new Date()): Promise<boolean> {
  const { changes } = await db.run(
    `UPDATE "Job" SET "status" = 'succeeded', "lockedBy" = NULL, "lockedUntil" = NULL, "lastError" = NULL, "updatedAt" = ?
      WHERE "id" = ? AND "lockedBy" = ? AND "attempts" = ? AND "status" = 'running'`,
    [now, lease.jobId, lease.workerId, lease.attempts],
  );
  return changes > 0;
}
