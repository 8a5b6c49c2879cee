import { sqlite } from "../db/client";
import { dbLater, dbNow, type Db, type Lease } from "./types";

/**
 * Extends a lease while the job runs. Returns false when the lease is gone: it expired and the
 * job was recovered (and maybe claimed by another worker), or it was cancelled. The WHERE clause
 * matches the fencing token (lockedBy, attempts) and the running status, so a worker that fell
 * behind can never re-extend a job someone else now holds; the caller must stop work on false.
 */
export function heartbeatJob(lease: Lease, leaseMs: number, db: Db = sqlite()): boolean {
  const now = new Date();
  const row = db
    .prepare(
      `UPDATE "Job" SET "lockedUntil" = ?, "updatedAt" = ?
        WHERE "id" = ? AND "lockedBy" = ? AND "attempts" = ? AND "status" = 'running'
        RETURNING "id"`,
    )
    .get(dbLater(leaseMs, now), dbNow(now), lease.jobId, lease.workerId, lease.attempts);
  return row !== undefined;
}
